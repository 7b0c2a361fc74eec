//! Runs cargo on a crate outside the workspace (a generated crate, a fixture), offline and into this
//! workspace's `target/`, so that the dependencies the workspace has already built are reused.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// Runs `cargo SUBCOMMAND --offline` in `krate` with this workspace's target directory, killed
/// after `limit`; returns its status and its stdout and stderr.
pub(crate) fn cargo(krate: &Path, subcommand: &str, limit: Duration) -> (ExitStatus, String) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target"));
    let log_path = krate.join(format!("{subcommand}.log"));
    let log = File::create(&log_path).unwrap();
    let mut child = Command::new(cargo)
        .args([subcommand, "--offline"])
        .current_dir(krate)
        .env("CARGO_TARGET_DIR", target)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("cargo {subcommand} took over {limit:?}:\n{}", read(&log_path));
        }
        sleep(Duration::from_millis(100));
    };
    (status, read(&log_path))
}

pub(crate) fn read(path: &Path) -> String {
    String::from_utf8_lossy(&fs::read(path).unwrap()).into_owned()
}
