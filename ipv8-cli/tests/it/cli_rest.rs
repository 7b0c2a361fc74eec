//! `ipv8 run` and the REST API's protection: a REST address that is not a loopback address
//! without an API key is refused before anything starts (from the flags and from a configuration
//! file), and the recipe of `docs/rest-security.md` works: a certificate made with openssl, the
//! node started with `--cert-file` and `--api-key`, and curl asking over HTTPS with `X-Api-Key`.
//! Everything stays on loopback.

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The options every node here runs with: loopback only, no public bootstrap server.
const LOCAL: [&str; 9] = [
    "run",
    "--ip",
    "127.0.0.1",
    "--port",
    "0",
    "--bootstrap",
    "127.0.0.1:9",
    "--working-directory",
    ".",
];
/// The certificate recipe of `docs/rest-security.md`, word for word.
const OPENSSL: &str = "openssl req -newkey rsa:2048 -nodes -keyout private.key -x509 -days 365 \
                       -out certfile.pem -subj /CN=localhost \
                       -addext subjectAltName=DNS:localhost,IP:127.0.0.1";
const KEY: &str = "my secret key";

/// A child process that is killed when the test ends, whatever happens.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `ipv8 args…` in `dir`, its stdout and stderr piped.
fn ipv8(dir: &Path, args: &[&str]) -> Running {
    let child = Command::new(env!("CARGO_BIN_EXE_ipv8"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ipv8 starts");
    Running(child)
}

/// Waits up to ten seconds for `ipv8` to exit by itself: whether it failed, and its stderr.
fn refused(mut running: Running) -> (bool, String) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = running.0.try_wait().expect("waitable") {
            break Some(status);
        }
        if Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if status.is_some() {
        let pipe = running.0.stderr.as_mut().expect("piped");
        pipe.read_to_string(&mut stderr).expect("readable");
    }
    (status.is_some_and(|status| !status.success()), stderr)
}

#[test]
fn a_remote_rest_address_without_a_key_is_refused() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let args = [&LOCAL[..], &["--rest-ip", "0.0.0.0", "--rest-port", "0"]].concat();
    let (failed, stderr) = refused(ipv8(dir.path(), &args));
    assert!(failed, "refused to start: {stderr}");
    assert!(stderr.contains("0.0.0.0:0"), "{stderr}");
    assert!(stderr.contains("--api-key"), "{stderr}");
    assert!(stderr.contains("--rest-allow-remote-without-key"), "{stderr}");

    let empty = [&LOCAL[..], &["--rest-port", "0", "--api-key", ""]].concat();
    let (failed, stderr) = refused(ipv8(dir.path(), &empty));
    assert!(failed && stderr.contains("empty"), "an empty key is refused: {stderr}");
}

#[test]
fn a_configured_remote_rest_address_without_a_key_is_refused() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut config = ipv8::config::Config::loopback(0).to_toml_string().expect("serializable");
    config.push_str("\n[rest]\nip = \"::\"\nport = 0\n");
    std::fs::write(dir.path().join("node.toml"), config).expect("written");
    let args = [&LOCAL[..], &["--config", "node.toml"]].concat();
    let (failed, stderr) = refused(ipv8(dir.path(), &args));
    assert!(failed, "refused to start: {stderr}");
    assert!(stderr.contains("[::]:0"), "{stderr}");
}

/// Whether `program version_argument` runs here.
fn available(program: &str, version_argument: &str) -> bool {
    let output = Command::new(program).arg(version_argument).output();
    output.is_ok_and(|output| output.status.success())
}

/// Runs `sh -c script` in `dir`.
fn sh(dir: &Path, script: &str) -> Output {
    let output = Command::new("sh").args(["-c", script]).current_dir(dir).output();
    output.expect("sh runs")
}

/// The REST port `ipv8 run` prints (`REST API on https://127.0.0.1:PORT`), within ten seconds.
fn rest_port(running: &mut Running) -> u16 {
    let stdout = running.0.stdout.take().expect("piped");
    let (lines, seen) = mpsc::sync_channel(64);
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = seen.recv_timeout(left).expect("the REST API starts in time");
        if let Some(port) = line.strip_prefix("REST API on https://127.0.0.1:") {
            return port.trim().parse().expect("a port");
        }
    }
}

#[test]
fn the_documented_tls_recipe_works_with_curl() {
    let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/rest-security.md");
    let docs = std::fs::read_to_string(docs).expect("the REST security guide");
    let words =
        |text: &str| text.replace("\\\n", " ").split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words(&docs).contains(&words(OPENSSL)), "the guide gives the recipe tested here");
    if !(available("openssl", "version") && available("curl", "--version")) {
        eprintln!("openssl or curl is not installed: the recipe cannot be run here");
        return;
    }
    let dir = tempfile::tempdir().expect("a temp dir");
    let made =
        sh(dir.path(), &format!("{OPENSSL} && cat private.key >> certfile.pem && rm private.key"));
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));

    let args = [&LOCAL[..], &["--rest-port", "0", "--api-key", KEY, "--cert-file", "certfile.pem"]];
    let mut running = ipv8(dir.path(), &args.concat());
    let port = rest_port(&mut running);
    let url = format!("https://127.0.0.1:{port}/network");
    let curl = |options: &str, url: &str| {
        sh(dir.path(), &format!("curl --silent --show-error --max-time 10 {options} {url}"))
    };

    let answer = curl(&format!("--cacert certfile.pem -H 'X-Api-Key: {KEY}'"), &url);
    assert!(answer.status.success(), "{}", String::from_utf8_lossy(&answer.stderr));
    let body: serde_json::Value = serde_json::from_slice(&answer.stdout).expect("JSON");
    assert!(body["peers"].is_object(), "{body}");

    let query = format!("'{url}?apikey=my+secret+key'");
    assert!(curl("-k --fail", &query).status.success(), "the key in the query, with -k");
    let without = curl("-k -w ' %{http_code}'", &url);
    let without = String::from_utf8_lossy(&without.stdout).into_owned();
    assert_eq!(without, r#"{"error":"Unauthorized access"} 401"#);
    let plain = curl("", &format!("http://127.0.0.1:{port}/network"));
    assert!(!plain.status.success(), "plain HTTP to the TLS port fails");
}
