//! `cargo xtask bench-bootstrap`: bootstrap servers under load on loopback, py-ipv8's and ours in
//! one run. Each server answers signed introduction-requests from the `bootstrap_load` example
//! (16 peers on 127.0.0.1) at a moderate rate, a high one and as fast as the generator sends; the
//! table gives answers per second and the server process's CPU time per answer (all its threads,
//! from `/proc`). Servers: a py-ipv8 node (`xtask/py/bootstrap_server.py`), our node
//! (`bootstrap_load serve`) and `ipv8 tracker`, ours each without and with signature workers.
//! A last phase sends hostile requests at the moderate rate, their keys DER-shaped garbage,
//! and gives the CPU each one cost the server.

use std::io::{BufRead, BufReader};
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};

use crate::project_root;
use crate::python::{cargo_build, venv};

/// The high rate: above what one core answers, below what the generator can send.
const HIGH_RATE: u32 = 25_000;

/// A server under test, killed when dropped.
struct Server {
    name: String,
    child: Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One measurement.
#[derive(Debug, serde::Deserialize)]
struct Load {
    rate: u32,
    answers_per_s: f64,
    cpu_us_per_answer: f64,
    cpu_us_per_datagram: f64,
    sent: u64,
    answered: u64,
}

/// Runs the benchmark: `rate` requests/s is the moderate load, each phase lasts `seconds`.
pub(crate) fn run(rate: u32, seconds: f64) -> anyhow::Result<()> {
    let python = venv()?;
    cargo_build(&["--release", "--example", "bootstrap_load"])?;
    let root = project_root();
    let release = root.join("target/release");
    let (ipv8, load) = (release.join("ipv8"), release.join("examples/bootstrap_load"));
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!("bootstrap servers on loopback, {cores} cores, {seconds} s per phase");
    let paths = Paths { python, root, ipv8, load };
    let (mut rows, mut hostile_rows) = (Vec::new(), Vec::new());
    let kinds = [
        Kind::Py,
        Kind::Node(Some(0)),
        Kind::Node(None),
        Kind::Tracker(Some(0)),
        Kind::Tracker(None),
    ];
    for kind in kinds {
        let server = start(&kind.name(), kind.command(&paths, free_port()?))?;
        for phase_rate in [rate, HIGH_RATE, 0] {
            let measured = measure(&paths.load, &server, phase_rate, seconds, false)?;
            print_row(&server.name, &measured);
            rows.push((server.name.clone(), measured));
        }
        let hostile = measure(&paths.load, &server, rate, seconds, true)?;
        print_hostile_row(&server.name, &hostile);
        hostile_rows.push((server.name.clone(), hostile));
    }
    print_ratios(&rows, rate);
    print_hostile_ratios(&hostile_rows);
    Ok(())
}

/// A free UDP port on 127.0.0.1 (released again for the server to take).
fn free_port() -> anyhow::Result<u16> {
    Ok(UdpSocket::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The programs the benchmark runs.
struct Paths {
    python: PathBuf,
    root: PathBuf,
    ipv8: PathBuf,
    load: PathBuf,
}

/// A kind of server, with its signature workers (`None`: the default).
enum Kind {
    Py,
    Node(Option<usize>),
    Tracker(Option<usize>),
}

impl Kind {
    fn name(&self) -> String {
        let workers = |w: &Option<usize>| w.map_or("default".to_owned(), |w| w.to_string());
        match self {
            Self::Py => PY_NAME.to_owned(),
            Self::Node(w) => format!("rust node, {} workers", workers(w)),
            Self::Tracker(w) => format!("ipv8 tracker, {} workers", workers(w)),
        }
    }

    fn command(&self, paths: &Paths, port: u16) -> Command {
        match self {
            Self::Py => {
                let mut command = Command::new(&paths.python);
                command.arg(paths.root.join("xtask/py/bootstrap_server.py"));
                command.args(["--port", &port.to_string()]);
                command
            }
            Self::Node(workers) => {
                let mut command = Command::new(&paths.load);
                command.arg("serve").arg(format!("127.0.0.1:{port}"));
                if let Some(workers) = workers {
                    command.env("IPV8_CRYPTO_WORKERS", workers.to_string());
                }
                command
            }
            Self::Tracker(workers) => {
                let mut command = Command::new(&paths.ipv8);
                command.args(["tracker", "--ip", "127.0.0.1", "--listen-port", &port.to_string()]);
                if let Some(workers) = workers {
                    command.args(["--crypto-workers", &workers.to_string()]);
                }
                command
            }
        }
    }
}

/// The py-ipv8 server's row name, which the ratios compare against.
const PY_NAME: &str = "py-ipv8 node";

/// Starts a server and waits for its first line, which names the address it listens on.
fn start(name: &str, mut command: Command) -> anyhow::Result<Server> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {name}"))?;
    let stdout = child.stdout.take().context("the server's stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let Some(address) =
        line.split(|c: char| c == '"' || c.is_whitespace()).find(|w| w.starts_with("127.0.0.1:"))
    else {
        let _ = child.kill();
        bail!("{name} did not say where it listens: {line:?}");
    };
    Ok(Server { name: name.to_owned(), address: address.to_owned(), child })
}

/// One phase of load against `server`.
fn measure(
    load: &Path,
    server: &Server,
    rate: u32,
    seconds: f64,
    hostile: bool,
) -> anyhow::Result<Load> {
    let output = Command::new(load)
        .args(["load", &server.address, &server.child.id().to_string()])
        .args([rate.to_string(), seconds.to_string()])
        .args(hostile.then_some("hostile"))
        .output()
        .context("running the load generator")?;
    if !output.status.success() {
        bail!("the load generator failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    serde_json::from_slice(&output.stdout).context("reading the load generator's line")
}

fn rate_label(rate: u32) -> String {
    if rate == 0 { "flood".to_owned() } else { format!("{rate}/s") }
}

fn print_row(name: &str, load: &Load) {
    println!(
        "{name:<30} {:>9}  sent {:>8}  answered {:>7}  {:>8.0} answers/s  {:>7.1} µs CPU/answer",
        rate_label(load.rate),
        load.sent,
        load.answered,
        load.answers_per_s,
        load.cpu_us_per_answer
    );
}

/// Ours against py-ipv8's: CPU per answer at the moderate rate, answers per second in the flood.
fn print_ratios(rows: &[(String, Load)], moderate: u32) {
    let find = |name: &str, rate: u32| {
        rows.iter().find(|(n, load)| n == name && load.rate == rate).map(|(_, load)| load)
    };
    let Some((py_moderate, py_flood)) = find(PY_NAME, moderate).zip(find(PY_NAME, 0)) else {
        return;
    };
    println!("\nagainst the py-ipv8 node (same run):");
    for (name, _) in rows.iter().filter(|(name, load)| name != PY_NAME && load.rate == 0) {
        let (Some(ours_moderate), Some(ours_flood)) = (find(name, moderate), find(name, 0)) else {
            continue;
        };
        println!(
            "{name:<30} CPU per answer at {moderate}/s: {:.1}x less; answers/s in the flood: {:.1}x",
            py_moderate.cpu_us_per_answer / ours_moderate.cpu_us_per_answer.max(0.1),
            ours_flood.answers_per_s / py_flood.answers_per_s.max(1.0)
        );
    }
}

fn print_hostile_row(name: &str, load: &Load) {
    println!(
        "{name:<30} {:>9}  sent {:>8}  hostile (garbage keys)  {:>10.1} µs CPU/datagram",
        rate_label(load.rate),
        load.sent,
        load.cpu_us_per_datagram
    );
}

/// py-ipv8's CPU per hostile datagram against ours.
fn print_hostile_ratios(rows: &[(String, Load)]) {
    let Some((_, py)) = rows.iter().find(|(name, _)| name == PY_NAME) else { return };
    for (name, ours) in rows.iter().filter(|(name, _)| name != PY_NAME) {
        println!(
            "{name:<30} CPU per hostile datagram: {:.1}x less than py-ipv8",
            py.cpu_us_per_datagram / ours.cpu_us_per_datagram.max(0.1)
        );
    }
}
