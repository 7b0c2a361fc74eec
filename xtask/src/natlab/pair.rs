//! One measurement: a fresh lab, the tracker in its "pub" namespace, a peer on each host, and
//! the time until each peer has verified the other (through both NATs).

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use clap::ValueEnum;
use serde::Serialize;

use super::lab::{Lab, PEER_PORT, TRACKER_IP, TRACKER_PORT, host_ip};
use super::nat::Nat;
use super::process::{Line, Process};

/// How long the tracker may take to print that it listens.
const TRACKER_PATIENCE: Duration = Duration::from_secs(10);

/// The programs a lab runs.
pub(crate) struct Programs {
    /// The `ipv8` binary (its `tracker` command).
    pub(crate) ipv8: PathBuf,
    /// The `nat_peer` example.
    pub(crate) rust_peer: PathBuf,
    /// The venv's Python, with py-ipv8.
    pub(crate) python: PathBuf,
    /// `xtask/py/nat_peer.py`.
    pub(crate) py_peer: PathBuf,
    /// `xtask/py/nat_probe.py`.
    pub(crate) probe: PathBuf,
    /// Whether Rust peers predict ports (`nat_peer` without `--no-port-prediction`).
    pub(crate) port_prediction: bool,
    /// Whether Rust peers punch with many sockets (`nat_peer` without `--no-birthday`).
    pub(crate) birthday: bool,
}

/// A peer implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Implementation {
    /// rust-ipv8's `nat_peer` example.
    Rust,
    /// py-ipv8 3.2.1 running `xtask/py/nat_peer.py`.
    Py,
}

/// Which implementation runs behind each NAT: a column of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub(crate) enum Pairing {
    /// Rust behind both.
    RustRust,
    /// py-ipv8 behind both.
    PyPy,
    /// Rust behind NAT A, py-ipv8 behind NAT B.
    RustPy,
    /// py-ipv8 behind NAT A, Rust behind NAT B.
    PyRust,
}

/// Which columns `--only` keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Only {
    /// Rust × Rust.
    Rust,
    /// py-ipv8 × py-ipv8.
    Py,
    /// Rust × py-ipv8 and py-ipv8 × Rust.
    Mixed,
}

impl Pairing {
    /// Every column, in table order.
    pub(crate) const ALL: [Pairing; 4] =
        [Pairing::RustRust, Pairing::PyPy, Pairing::RustPy, Pairing::PyRust];

    /// The implementations behind NAT A and NAT B.
    pub(crate) fn sides(self) -> (Implementation, Implementation) {
        use Implementation::{Py, Rust};
        match self {
            Pairing::RustRust => (Rust, Rust),
            Pairing::PyPy => (Py, Py),
            Pairing::RustPy => (Rust, Py),
            Pairing::PyRust => (Py, Rust),
        }
    }

    /// The column's heading.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Pairing::RustRust => "Rust×Rust",
            Pairing::PyPy => "py×py",
            Pairing::RustPy => "Rust×py",
            Pairing::PyRust => "py×Rust",
        }
    }

    /// Whether `--only` keeps this column.
    pub(crate) fn kept_by(self, only: Option<Only>) -> bool {
        match only {
            None => true,
            Some(Only::Rust) => self == Pairing::RustRust,
            Some(Only::Py) => self == Pairing::PyPy,
            Some(Only::Mixed) => matches!(self, Pairing::RustPy | Pairing::PyRust),
        }
    }
}

/// One measurement to make.
#[derive(Clone, Copy, Debug, Serialize)]
pub(crate) struct Case {
    /// The NAT of side 1.
    pub(crate) a: Nat,
    /// The NAT of side 2.
    pub(crate) b: Nat,
    /// Who runs behind them.
    pub(crate) pairing: Pairing,
    /// Which repetition (from 1).
    pub(crate) run: u32,
}

impl Case {
    /// A short name, for logs and progress lines.
    pub(crate) fn name(self) -> String {
        format!("{}-{}-{:?}-{}", self.a, self.b, self.pairing, self.run).to_lowercase()
    }
}

/// What a peer printed when it verified the other.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Verified {
    /// The other peer's address as this one knows it (its NAT's mapping).
    pub(crate) peer: String,
    /// Milliseconds from the peer's own start.
    pub(crate) ms: u64,
}

/// What a measurement saw.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Measured {
    /// Seconds from starting both peers until both had verified the other; `None` if they did
    /// not in time (the pair did not punch through).
    pub(crate) seconds: Option<f64>,
    /// What the peer behind NAT A printed, if it verified the other.
    pub(crate) a: Option<Verified>,
    /// What the peer behind NAT B printed, if it verified the other.
    pub(crate) b: Option<Verified>,
}

/// Runs `case` in a lab named by `prefix`, for at most `timeout` after the peers start; the
/// processes' error output goes to `logs`.
pub(crate) fn measure(
    programs: &Programs,
    case: Case,
    prefix: &str,
    timeout: Duration,
    logs: &Path,
) -> anyhow::Result<Measured> {
    let lab = Lab::new(prefix, case.a, case.b)?;
    let (sender, lines) = mpsc::channel();
    let log = |role: &str| logs.join(format!("{}-{role}.log", case.name()));
    let tracker_args = [
        "tracker",
        "--ip",
        TRACKER_IP,
        "--listen-port",
        &TRACKER_PORT.to_string(),
        "--status-interval",
        "3600",
    ]
    .map(str::to_owned);
    let tracker =
        Process::spawn(&lab.ns("pub"), &programs.ipv8, &tracker_args, &log("tracker"), 0, &sender)?;
    wait_for_tracker(&lines)?;
    let started = Instant::now();
    let (first, second) = case.pairing.sides();
    let peer_a = start_peer(programs, &lab, 1, first, &log("a"), &sender)?;
    let peer_b = start_peer(programs, &lab, 2, second, &log("b"), &sender)?;
    let result = wait_for_both(&lines, started, timeout);
    drop((peer_a, peer_b, tracker, lab));
    Ok(result)
}

/// Waits until the tracker (tag 0) says it listens.
fn wait_for_tracker(lines: &mpsc::Receiver<Line>) -> anyhow::Result<()> {
    let deadline = Instant::now() + TRACKER_PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines.recv_timeout(left).context("the tracker did not start")?;
        if line.tag == 0 && line.text.starts_with("tracker listening") {
            return Ok(());
        }
    }
}

/// Starts the peer of `side` (1 or 2, also its tag) on its host.
fn start_peer(
    programs: &Programs,
    lab: &Lab,
    side: u8,
    implementation: Implementation,
    log: &Path,
    sender: &mpsc::Sender<Line>,
) -> anyhow::Result<Process> {
    let bind = format!("{}:{PEER_PORT}", host_ip(side));
    let tracker = format!("{TRACKER_IP}:{TRACKER_PORT}");
    let ns = lab.ns(&format!("host{side}"));
    let tag = usize::from(side);
    match implementation {
        Implementation::Rust => {
            let mut args = vec![bind, tracker];
            if !programs.port_prediction {
                args.push("--no-port-prediction".to_owned());
            }
            if !programs.birthday {
                args.push("--no-birthday".to_owned());
            }
            Process::spawn(&ns, &programs.rust_peer, &args, log, tag, sender)
        }
        Implementation::Py => {
            let args = [programs.py_peer.to_string_lossy().into_owned(), bind, tracker];
            Process::spawn(&ns, &programs.python, &args, log, tag, sender)
        }
    }
}

/// Reads the peers' lines (tags 1 and 2) until each has verified the other, at most `timeout`
/// after `started`.
fn wait_for_both(lines: &mpsc::Receiver<Line>, started: Instant, timeout: Duration) -> Measured {
    let mut seen: [Option<Verified>; 2] = [None, None];
    while seen.iter().any(Option::is_none) {
        let left = (started + timeout).saturating_duration_since(Instant::now());
        let Ok(line) = lines.recv_timeout(left) else { break };
        if let (1 | 2, Some(verified)) = (line.tag, verified(&line.text)) {
            seen[line.tag - 1].get_or_insert(verified);
        }
    }
    let [a, b] = seen;
    let both = a.is_some() && b.is_some();
    Measured { seconds: both.then(|| started.elapsed().as_secs_f64()), a, b }
}

/// The `verified` event of a peer's JSON line, if it is one.
fn verified(text: &str) -> Option<Verified> {
    let event: serde_json::Value = serde_json::from_str(text).ok()?;
    if event["event"] != "verified" {
        return None;
    }
    Some(Verified { peer: event["peer"].as_str()?.to_owned(), ms: event["ms"].as_u64()? })
}

/// Fails unless `path` exists (a program the lab needs).
pub(crate) fn require(path: &Path) -> anyhow::Result<()> {
    ensure!(path.exists(), "{} is missing", path.display());
    Ok(())
}
