//! The IPv8 documentation's identity tutorial with the real binary: a tracker and two `ipv8 run`
//! nodes on loopback, curl-like requests to their REST APIs. Enrolment, verification (`match` ≥
//! 0.99 for the true value, low for another), and a node killed without warning that comes back
//! with its credential: nothing written is lost.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A child process that is killed when the test ends, whatever happens.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `ipv8` with `args` in `dir`; waits (at most 20 s) for a stdout line that starts with
/// `wanted` and returns the process with the rest of that line.
fn start(dir: &Path, args: &[&str], wanted: &'static str) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ipv8"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("ipv8 starts");
    let stdout = child.stdout.take().expect("piped");
    let running = Running(child);
    let (found, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if !sent && let Some(rest) = line.strip_prefix(wanted) {
                sent = found.send(rest.to_owned()).is_ok();
            }
        }
    });
    let rest = receive.recv_timeout(Duration::from_secs(20)).expect("the line ipv8 prints");
    (running, rest)
}

/// A UDP port on 127.0.0.1 that is free now.
fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0").and_then(|s| s.local_addr()).expect("a free port").port()
}

/// `ipv8 run` in `dir` with a REST API, bootstrapping only from the tracker; its REST address.
fn node(dir: &Path, tracker: u16) -> (Running, SocketAddr) {
    let bootstrap = format!("127.0.0.1:{tracker}");
    let args = [
        "run",
        "--ip",
        "127.0.0.1",
        "--port",
        "0",
        "--bootstrap",
        &bootstrap,
        "--working-directory",
        ".",
        "--rest-port",
        "0",
        "--direct-pseudonyms",
    ];
    let (running, address) = start(dir, &args, "REST API on http://");
    (running, address.trim().parse().expect("the REST address"))
}

/// One HTTP request with an optional JSON body: the status and the JSON answer.
fn http(address: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect(address).expect("connected");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("a timeout");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body.as_bytes()))
        .expect("sent");
    let mut text = String::new();
    stream.read_to_string(&mut text).expect("an answer");
    let status = text.get(9..12).and_then(|s| s.parse().ok()).expect("a status");
    let json = text
        .split("\r\n\r\n")
        .nth(1)
        .map_or(Value::Null, |b| serde_json::from_str(b).expect("JSON"));
    (status, json)
}

/// GETs `path` until `done` holds (at most 30 s).
fn poll(address: SocketAddr, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = http(address, "GET", path, None);
        assert_eq!(status, 200, "GET {path}: {body}");
        if done(&body) {
            return body;
        }
        assert!(Instant::now() < deadline, "GET {path} never got there: {body}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn encoded(key: &str) -> String {
    key.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")
}

fn put(address: SocketAddr, path: &str, body: &Value) {
    assert_eq!(
        http(address, "PUT", path, Some(body)),
        (200, json!({"success": true})),
        "PUT {path}"
    );
}

fn has(list: &'static str) -> impl Fn(&Value) -> bool {
    move |b| b[list].as_array().is_some_and(|l| !l.is_empty())
}

/// A verification of `my_attribute` by node two against `reference`; the match.
fn verify(
    one: SocketAddr,
    two: SocketAddr,
    keys: (&str, &str),
    hash: &str,
    reference: &str,
) -> f64 {
    let body = json!({"hash": hash, "value": reference, "schema": "id_metadata"});
    put(two, &format!("/identity/pseudonym2/verify/{}", encoded(keys.0)), &body);
    poll(one, "/identity/pseudonym1/outstanding/verifications", has("requests"));
    put(
        one,
        &format!("/identity/pseudonym1/allow/{}", encoded(keys.1)),
        &json!({"name": "my_attribute"}),
    );
    let done = move |b: &Value| {
        b["outputs"].as_array().is_some_and(|o| o.iter().any(|o| o["reference"] == reference))
    };
    let outputs = poll(two, "/identity/pseudonym2/verifications", done);
    let output =
        outputs["outputs"].as_array().and_then(|o| o.iter().find(|o| o["reference"] == reference));
    output.and_then(|o| o["match"].as_f64()).expect("a match")
}

#[test]
fn the_identity_tutorial_runs_between_two_ipv8_run_nodes_and_survives_a_kill() {
    let dirs = [tempfile::tempdir().expect("a dir"), tempfile::tempdir().expect("a dir")];
    let tracker_port = free_port();
    let port = tracker_port.to_string();
    let tracker_args = ["tracker", "--ip", "127.0.0.1", "--listen-port", port.as_str()];
    let (_tracker, _) = start(dirs[0].path(), &tracker_args, "tracker listening on");
    let (one_process, one) = node(dirs[0].path(), tracker_port);
    let (two_process, two) = node(dirs[1].path(), tracker_port);

    let key1 = http(one, "GET", "/identity/pseudonym1/public_key", None).1["public_key"].clone();
    let key2 = http(two, "GET", "/identity/pseudonym2/public_key", None).1["public_key"].clone();
    let (key1, key2) = (key1.as_str().expect("a key"), key2.as_str().expect("a key"));
    poll(one, "/identity/pseudonym1/peers", |b| b["peers"] == json!([key2]));
    poll(two, "/identity/pseudonym2/peers", |b| b["peers"] == json!([key1]));

    let body = json!({"name": "my_attribute", "schema": "id_metadata", "metadata": {}});
    put(one, &format!("/identity/pseudonym1/request/{}", encoded(key2)), &body);
    poll(two, "/identity/pseudonym2/outstanding/attestations", has("requests"));
    let body = json!({"name": "my_attribute", "value": "dmFsdWU="});
    put(two, &format!("/identity/pseudonym2/attest/{}", encoded(key1)), &body);
    let attested = |b: &Value| b["names"][0]["attesters"] == json!([key2]);
    let credentials = poll(one, "/identity/pseudonym1/credentials", attested);
    let hash = credentials["names"][0]["hash"].as_str().expect("a hash").to_owned();

    assert!(verify(one, two, (key1, key2), &hash, "dmFsdWU=") >= 0.99, "the true value");
    assert!(verify(one, two, (key1, key2), &hash, "b3RoZXI=") < 0.5, "another value");

    // Killed without warning, node one comes back with its pseudonym and its credential (node two
    // restarts too, so that neither holds the other's old address).
    drop(one_process);
    drop(two_process);
    let (_one_again, one) = node(dirs[0].path(), tracker_port);
    let (_two_again, two) = node(dirs[1].path(), tracker_port);
    let again = http(one, "GET", "/identity/pseudonym1/credentials", None).1;
    assert_eq!(again["names"][0]["hash"], json!(hash), "{again}");
    assert_eq!(again["names"][0]["attesters"], json!([key2]));
    assert_eq!(
        http(one, "GET", "/identity/pseudonym1/public_key", None).1["public_key"],
        json!(key1)
    );
    // ... and still proves it.
    poll(two, "/identity/pseudonym2/peers", |b| b["peers"] == json!([key1]));
    poll(one, "/identity/pseudonym1/peers", |b| b["peers"] == json!([key2]));
    assert!(verify(one, two, (key1, key2), &hash, "dmFsdWU=") >= 0.99, "after the restart");
}
