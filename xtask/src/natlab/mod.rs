//! `cargo xtask natlab`: NAT traversal, measured. For every pair of NAT kinds and every pairing
//! of implementations (rust-ipv8's `nat_peer` example, py-ipv8 running `xtask/py/nat_peer.py`),
//! a lab of network namespaces is made (the internet with a tracker, two NAT routers with
//! nftables, a host behind each), one peer starts on each host with the tracker as its only
//! bootstrap server, and the time until both have verified the other is measured. The table goes
//! to standard output, `target/natlab/table.md` and `target/natlab/results.json`.
//!
//! Everything runs inside the lab's namespaces (needs root); they are removed after each pair,
//! and a watchdog removes what is left should this process die (Ctrl-C).

mod lab;
mod nat;
mod pair;
mod probe;
mod process;
mod table;

use std::collections::VecDeque;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};

use nat::Nat;
use pair::Only;
use pair::{Case, Pairing, Programs};
use table::Outcome;

use crate::project_root;

/// The options of `cargo xtask natlab`.
#[derive(clap::Args)]
pub(crate) struct Options {
    /// Seconds each pair of peers gets to find each other. py-ipv8 asks its bootstrap server
    /// again only 30 s after its first try when it still has no peer, so some of its pairs need
    /// more than 30 s.
    #[arg(long, default_value_t = 40)]
    timeout: u64,
    /// Only these columns: Rust × Rust, py-ipv8 × py-ipv8, or the mixed ones.
    #[arg(long, value_enum)]
    only: Option<Only>,
    /// The NAT kinds to pair (comma-separated; all by default).
    #[arg(long, value_enum, value_delimiter = ',')]
    nat: Vec<Nat>,
    /// Measurements per cell (the table shows the median and the slowest).
    #[arg(long, default_value_t = 1)]
    runs: u32,
    /// Labs at once.
    #[arg(long, default_value_t = 8)]
    jobs: usize,
    /// Skip the check that each NAT kind maps and filters as it claims.
    #[arg(long)]
    no_check: bool,
    /// Run the Rust peers without port prediction (as py-ipv8 behaves).
    #[arg(long)]
    no_prediction: bool,
    /// Run the Rust peers without birthday punching (as py-ipv8 behaves).
    #[arg(long)]
    no_birthday: bool,
}

/// Removes the namespaces of this run (by their prefix) once this process is gone, however it
/// ended; killed when dropped after a normal end.
struct Watchdog(Child);

impl Watchdog {
    /// Starts the watchdog, in a process group of its own so that Ctrl-C does not reach it.
    fn start(prefix: &str) -> anyhow::Result<Watchdog> {
        use std::os::unix::process::CommandExt as _;
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done\n\
             for ns in $(ip netns list | awk '{{print $1}}' | grep '^{prefix}'); do\n\
             ip netns pids \"$ns\" | xargs -r kill -KILL; ip netns del \"$ns\"\n\
             done\n",
            pid = std::process::id()
        );
        let child = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .context("starting the clean-up watchdog")?;
        Ok(Watchdog(child))
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the lab as `options` say and prints the table.
pub(crate) fn run(options: &Options) -> anyhow::Result<()> {
    let started = Instant::now();
    require_root()?;
    let programs = programs(!options.no_prediction, !options.no_birthday)?;
    let out = project_root().join("target/natlab");
    let logs = out.join("logs");
    let _ = std::fs::remove_dir_all(&logs);
    std::fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
    let prefix = format!("nl{}-", std::process::id());
    let _watchdog = Watchdog::start(&prefix)?;
    let nats = if options.nat.is_empty() { Nat::ALL.to_vec() } else { sorted(&options.nat) };
    if !options.no_check {
        probe::check(&programs, &nats, &format!("{prefix}check-"), &logs)?;
    }
    let columns: Vec<Pairing> =
        Pairing::ALL.into_iter().filter(|p| p.kept_by(options.only)).collect();
    let rows = rows(&nats);
    let cases = cases(&rows, &columns, options.runs);
    println!("==> {} measurements, {} labs at once", cases.len(), options.jobs.max(1));
    let timeout = Duration::from_secs(options.timeout);
    let outcomes = execute(&programs, cases, &prefix, timeout, options.jobs.max(1), &logs);
    let text = table::markdown(&outcomes, &rows, &columns);
    println!("\n{text}");
    std::fs::write(out.join("table.md"), &text).context("writing target/natlab/table.md")?;
    let json = serde_json::to_string_pretty(&outcomes)?;
    std::fs::write(out.join("results.json"), json).context("writing target/natlab/results.json")?;
    let left = lab::namespaces_with(&prefix);
    ensure!(left.is_empty(), "namespaces left behind: {left:?}");
    println!("natlab took {:.0} s; table in {}", started.elapsed().as_secs_f64(), out.display());
    let errors = outcomes.iter().filter(|o| o.error.is_some()).count();
    ensure!(errors == 0, "{errors} measurements could not run; see above");
    Ok(())
}

/// Fails unless this runs as root (namespaces and nftables need it).
fn require_root() -> anyhow::Result<()> {
    let output = Command::new("id").arg("-u").output().context("running `id -u`")?;
    if String::from_utf8_lossy(&output.stdout).trim() != "0" {
        bail!("the NAT lab makes network namespaces and nftables rules: run it as root");
    }
    Ok(())
}

/// Builds the release `ipv8` binary and `nat_peer` example, and finds the venv's Python; Rust
/// peers predict ports if `port_prediction` and punch with many sockets if `birthday`.
fn programs(port_prediction: bool, birthday: bool) -> anyhow::Result<Programs> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = project_root();
    let status = Command::new(cargo)
        .args(["build", "--release", "-p", "ipv8-cli", "-p", "ipv8", "--bin", "ipv8"])
        .args(["--example", "nat_peer"])
        .current_dir(&root)
        .status()
        .context("starting cargo build")?;
    ensure!(status.success(), "cargo build of `ipv8` and `nat_peer` failed: {status}");
    let programs = Programs {
        ipv8: root.join("target/release/ipv8"),
        rust_peer: root.join("target/release/examples/nat_peer"),
        python: crate::python::venv()?,
        py_peer: root.join("xtask/py/nat_peer.py"),
        probe: root.join("xtask/py/nat_probe.py"),
        port_prediction,
        birthday,
    };
    for path in [&programs.ipv8, &programs.rust_peer, &programs.py_peer, &programs.probe] {
        pair::require(path)?;
    }
    Ok(programs)
}

/// `nats` in table order, each once.
fn sorted(nats: &[Nat]) -> Vec<Nat> {
    let mut nats = nats.to_vec();
    nats.sort();
    nats.dedup();
    nats
}

/// The table's rows: every unordered pair of `nats` (A no later than B in table order).
fn rows(nats: &[Nat]) -> Vec<(Nat, Nat)> {
    let mut rows = Vec::new();
    for (i, a) in nats.iter().enumerate() {
        for b in &nats[i..] {
            rows.push((*a, *b));
        }
    }
    rows
}

/// The measurements: each row, each column, `runs` times. Rows with the same NAT on both sides
/// need only one of the two mixed columns' orders, but both are kept so every cell is measured.
fn cases(rows: &[(Nat, Nat)], columns: &[Pairing], runs: u32) -> Vec<Case> {
    let mut cases = Vec::new();
    for run in 1..=runs.max(1) {
        for &(a, b) in rows {
            for &pairing in columns {
                cases.push(Case { a, b, pairing, run });
            }
        }
    }
    cases
}

/// Runs `cases` on `jobs` threads, each case in a lab of its own; prints a line per outcome.
fn execute(
    programs: &Programs,
    cases: Vec<Case>,
    prefix: &str,
    timeout: Duration,
    jobs: usize,
    logs: &Path,
) -> Vec<Outcome> {
    let queue = Mutex::new(cases.into_iter().enumerate().collect::<VecDeque<_>>());
    let outcomes = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                while let Some((index, case)) = next(&queue) {
                    let lab = format!("{prefix}{index}-");
                    let result = pair::measure(programs, case, &lab, timeout, logs);
                    let outcome = match result {
                        Ok(measured) => Outcome { case, measured: Some(measured), error: None },
                        Err(error) => {
                            Outcome { case, measured: None, error: Some(format!("{error:#}")) }
                        }
                    };
                    report(&outcome);
                    if let Ok(mut outcomes) = outcomes.lock() {
                        outcomes.push(outcome);
                    }
                }
            });
        }
    });
    let mut outcomes = outcomes.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    outcomes.sort_by_key(|o| (o.case.a, o.case.b, o.case.pairing, o.case.run));
    outcomes
}

/// The next case of the queue, if any.
fn next(queue: &Mutex<VecDeque<(usize, Case)>>) -> Option<(usize, Case)> {
    queue.lock().ok()?.pop_front()
}

/// Prints one progress line for `outcome`.
fn report(outcome: &Outcome) {
    let case = &outcome.case;
    let seen = |side: &str, verified: Option<&pair::Verified>| {
        verified.map_or_else(
            || format!("{side} verified nobody"),
            |v| format!("{side} verified the other at {} after {} ms", v.peer, v.ms),
        )
    };
    let what = match (&outcome.measured, &outcome.error) {
        (_, Some(error)) => format!("error: {error}"),
        (Some(m), None) => format!(
            "{} ({}; {})",
            m.seconds.map_or_else(|| "no".to_owned(), |s| format!("yes in {s:.2} s")),
            seen("A", m.a.as_ref()),
            seen("B", m.b.as_ref())
        ),
        (None, None) => "no".to_owned(),
    };
    println!("{} × {} {} run {}: {what}", case.a, case.b, case.pairing.label(), case.run);
}
