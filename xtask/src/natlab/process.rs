//! Processes run inside a lab's namespaces: their standard output read line by line into one
//! channel per lab, killed when dropped.

use std::fs::File;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Sender;

use anyhow::Context;

/// A line a process printed, with the tag it was started with.
pub(crate) struct Line {
    /// Which process printed it.
    pub(crate) tag: usize,
    /// The line, without its end.
    pub(crate) text: String,
}

/// A process in a namespace, killed (and waited for) on drop.
pub(crate) struct Process(Child);

impl Process {
    /// Starts `program ARGS` in namespace `ns`, its standard error into `log`; every line of its
    /// standard output goes to `lines`, tagged with `tag`.
    pub(crate) fn spawn(
        ns: &str,
        program: &Path,
        args: &[String],
        log: &Path,
        tag: usize,
        lines: &Sender<Line>,
    ) -> anyhow::Result<Process> {
        let stderr = File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let mut child = Command::new("ip")
            .args(["netns", "exec", ns])
            .arg(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .with_context(|| format!("starting {} in {ns}", program.display()))?;
        if let Some(stdout) = child.stdout.take() {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for text in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if lines.send(Line { tag, text }).is_err() {
                        break;
                    }
                }
            });
        }
        Ok(Process(child))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
