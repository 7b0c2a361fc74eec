//! `cargo xtask api-fuzz`: schemathesis, a property-based API fuzzer, against the REST API's own
//! `OpenAPI` document. A loopback tracker, a node serving the REST API with the default
//! configuration (so the DHT, tunnel and identity routes exist) and a second node to be its peer
//! run under `target/api-fuzz/`; schemathesis (pinned in `xtask/py/requirements-api-fuzz.txt`,
//! installed into `target/py-venv`) then sends generated requests, with a fixed seed, to every
//! operation but the excluded ones and fails on any `5xx` the document does not declare for that
//! operation, on any answer (body, status, content type) the document does not allow, on an
//! answer without the API key that is not `401`, and on a request the document calls invalid
//! that is not refused. The node must still be running and answering afterwards. Every process
//! started here is killed when the task ends, however it ends.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::Value;

use crate::{project_root, python};

/// Generated requests per operation at most, unless `--examples` says otherwise.
pub(crate) const EXAMPLES: u32 = 25;
/// The API key the node asks for: schemathesis sends it in `X-Api-Key`.
const KEY: &str = "api-fuzz";
/// The seed of schemathesis' generation, fixed so that a failure can be reproduced.
const SEED: &str = "1407";
/// How long schemathesis may run before it is taken to hang (a run takes under a minute here).
const DEADLINE: Duration = Duration::from_secs(150);
/// The operations left out, each with the reason.
const EXCLUDED: [(&str, &str); 3] = [
    (
        "post_isolation",
        "adds the generated addresses as bootstrap servers and exits: the node would then \
         contact addresses that are not on loopback",
    ),
    (
        "get_tunnel_circuits_test",
        "a streamed speed test that runs for as long as its generated `test_time_ms` asks and \
         builds circuits on the way",
    ),
    (
        "get_tunnel_circuits_circuit_id_test",
        "a streamed speed test that runs for as long as its generated `test_time_ms` asks",
    ),
];
/// The checks: no server error the document does not declare for the operation; every answer's
/// body, status and content type as the document says; no answer without the key but `401`; and
/// a request the document calls invalid refused with a `4xx`.
const CHECKS: &str = "not_a_server_error,response_schema_conformance,status_code_conformance,\
                      content_type_conformance,ignored_auth,negative_data_rejection";

/// Runs the fuzzer with at most `examples` generated requests per operation.
pub(crate) fn run(examples: u32) -> anyhow::Result<()> {
    let python = python::venv()?;
    python::install(&python, "requirements-api-fuzz")?;
    python::cargo_build(&[])?;
    let started = Instant::now();
    let dir = project_root().join("target/api-fuzz");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).context("clearing target/api-fuzz")?;
    }
    std::fs::create_dir_all(&dir)?;
    let mut network = Network::start(&dir)?;
    let config = write_config(&dir, &get(network.rest_port, "/docs/openapi.json")?)?;
    let schemathesis = python.with_file_name("schemathesis");
    let status = fuzz(&schemathesis, &config, &dir, network.rest_port, examples)?;
    network.still_up()?;
    drop(network);
    let report =
        std::fs::read_to_string(dir.join("report.json")).context("schemathesis' report")?;
    let report: Value = serde_json::from_str(&report).context("schemathesis' report")?;
    let failures = summarize(&report, started.elapsed());
    if !status || failures > 0 {
        bail!("schemathesis found {failures} failures (its report: target/api-fuzz/report.json)");
    }
    Ok(())
}

/// The processes of the run: killed when dropped.
struct Network {
    processes: Vec<Process>,
    rest_port: u16,
}

impl Network {
    /// A tracker on loopback, the fuzzed node and its peer, both bootstrapping from it only.
    fn start(dir: &Path) -> anyhow::Result<Self> {
        let mut processes = Vec::new();
        let tracker = Process::spawn(dir, "tracker", &["tracker", "--ip", "127.0.0.1"])?;
        let listening = tracker.wait_for_line("tracker listening on ")?;
        processes.push(tracker);
        let bootstrap = listening.trim().to_owned();
        let node = |name: &str, extra: &[&str]| {
            let work = dir.join(name);
            std::fs::create_dir_all(&work)?;
            let work = work.to_string_lossy().into_owned();
            let base = ["run", "--ip", "127.0.0.1", "--port", "0", "--bootstrap", &bootstrap];
            let args = [&base[..], &["--working-directory", &work], extra].concat();
            Process::spawn(dir, name, &args)
        };
        processes.push(node("peer", &[])?);
        let rest = ["--rest-port", "0", "--api-key", KEY, "--direct-pseudonyms"];
        let fuzzed = node("node", &rest)?;
        let port = fuzzed.wait_for_line("REST API on http://127.0.0.1:")?;
        processes.push(fuzzed);
        let rest_port = port.trim().parse().context("the REST port the node printed")?;
        let network = Self { processes, rest_port };
        network.wait_for_peers();
        Ok(network)
    }

    /// Waits up to 20 s for the node to know its peer, so that the DHT and identity routes have
    /// someone to ask; the fuzzer runs anyway if it does not.
    fn wait_for_peers(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let network = get(self.rest_port, "/network").unwrap_or_default();
            let peers: Value = serde_json::from_str(&network).unwrap_or_default();
            if peers["peers"].as_object().is_some_and(|peers| !peers.is_empty()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        println!("api-fuzz: the node met no peer in 20 s; fuzzing it alone");
    }

    /// Fails unless every process still runs and the node still answers.
    fn still_up(&mut self) -> anyhow::Result<()> {
        for process in &mut self.processes {
            if let Some(status) = process.child.try_wait()? {
                bail!("{} exited during the run ({status}); see {}", process.name, process.log);
            }
        }
        get(self.rest_port, "/network").context("the node no longer answers after the run")?;
        Ok(())
    }
}

/// A child process whose output goes to `target/api-fuzz/NAME.log`; killed when dropped.
struct Process {
    name: String,
    log: String,
    child: Child,
}

impl Process {
    fn spawn(dir: &Path, name: &str, args: &[&str]) -> anyhow::Result<Self> {
        let log = dir.join(format!("{name}.log"));
        let out = File::create(&log)?;
        let child = Command::new(project_root().join("target/debug/ipv8"))
            .args(args)
            .args(["--status-interval", "3600"])
            .stdout(out.try_clone()?)
            .stderr(out)
            .stdin(Stdio::null())
            .spawn()
            .with_context(|| format!("starting the {name}"))?;
        Ok(Self { name: name.to_owned(), log: log.display().to_string(), child })
    }

    /// What follows `prefix` on the first line of the log that starts with it, within 20 s.
    fn wait_for_line(&self, prefix: &str) -> anyhow::Result<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let line = log.lines().find_map(|line| line.strip_prefix(prefix));
            if let Some(rest) = line {
                return Ok(rest.to_owned());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!("the {} did not print `{prefix}` in 20 s; see {}", self.name, self.log)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The body of `GET path` from the node's REST API, which must answer `200` within 10 s.
/// HTTP/1.0 keeps the answer unchunked and ends it by closing the connection.
fn get(port: u16, path: &str) -> anyhow::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nX-Api-Key: {KEY}\r\n\r\n")?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).with_context(|| format!("reading GET {path}"))?;
    let (head, body) = answer.split_once("\r\n\r\n").context("an HTTP answer")?;
    if !head.starts_with("HTTP/1.0 200") && !head.starts_with("HTTP/1.1 200") {
        bail!("GET {path}: {}", head.lines().next().unwrap_or_default());
    }
    Ok(body.to_owned())
}

/// Writes schemathesis' configuration: each operation may answer the server errors its
/// documentation declares (and `not_a_server_error` fails on any other).
fn write_config(dir: &Path, document: &str) -> anyhow::Result<PathBuf> {
    let document: Value = serde_json::from_str(document).context("the OpenAPI document")?;
    let mut config = String::from("# Written by `cargo xtask api-fuzz`.\n");
    let operations = document["paths"].as_object().into_iter().flat_map(|paths| paths.values());
    for operation in operations.filter_map(Value::as_object).flat_map(|methods| methods.values()) {
        let responses = operation["responses"].as_object().into_iter().flat_map(|r| r.keys());
        let server_errors: Vec<_> = responses.filter(|status| status.starts_with('5')).collect();
        if server_errors.is_empty() {
            continue;
        }
        let id = operation["operationId"].as_str().context("an operationId")?;
        let statuses = ["2xx", "3xx", "4xx"].iter().map(|s| format!("\"{s}\""));
        let statuses = statuses.chain(server_errors.iter().map(|s| format!("\"{s}\"")));
        let statuses = statuses.collect::<Vec<_>>().join(", ");
        writeln!(config, "\n[[operations]]\ninclude-operation-id = \"{id}\"")?;
        writeln!(config, "checks.not_a_server_error.expected-statuses = [{statuses}]")?;
    }
    let path = dir.join("schemathesis.toml");
    std::fs::write(&path, config)?;
    Ok(path)
}

/// Runs schemathesis (its output shown as it goes) and kills it if it overruns [`DEADLINE`].
/// Whether it passed.
fn fuzz(
    schemathesis: &Path,
    config: &Path,
    dir: &Path,
    port: u16,
    examples: u32,
) -> anyhow::Result<bool> {
    let mut command = Command::new(schemathesis);
    command.arg("--no-color").arg("--config-file").arg(config).arg("run");
    command.arg(format!("http://127.0.0.1:{port}/docs/openapi.json"));
    command.args(["--header", &format!("X-Api-Key: {KEY}"), "--checks", CHECKS]);
    command.args(["--max-examples", &examples.to_string(), "--seed", SEED, "--workers", "1"]);
    command.args(["--request-timeout", "30", "--report", "json", "--report-json-path"]);
    command.arg(dir.join("report.json")).current_dir(dir).stdin(Stdio::null());
    for (operation, _reason) in EXCLUDED {
        command.args(["--exclude-operation-id", operation]);
    }
    let mut child = command.spawn().context("starting schemathesis")?;
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status.success());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            bail!("schemathesis did not finish within {} s: a request hangs", DEADLINE.as_secs());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Prints the run's summary from schemathesis' JSON report, and returns its number of failures
/// and errors.
fn summarize(report: &Value, elapsed: Duration) -> u64 {
    let count = |value: &Value| value.as_u64().unwrap_or_default();
    let failures: u64 =
        report["failures"].as_array().into_iter().flatten().map(|f| count(&f["count"])).sum();
    let errors = report["errors"].as_array().map_or(0, Vec::len) as u64;
    println!(
        "api-fuzz: {} of {} operations tested ({} excluded), {} test cases, {failures} failures, \
         {errors} errors, checks {CHECKS}, seed {SEED}, {:.0} s",
        count(&report["operations"]["tested"]),
        count(&report["operations"]["total"]),
        EXCLUDED.len(),
        count(&report["test_cases"]["generated"]),
        elapsed.as_secs_f64(),
    );
    for failure in report["failures"].as_array().into_iter().flatten() {
        let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
        let (code, title) = (text(&failure["code"]), text(&failure["title"]));
        println!("  {code} {title}: {}", failure["operations"]);
    }
    failures + errors
}
