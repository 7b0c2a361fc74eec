//! `ipv8 run` anonymizes pseudonyms as py-ipv8 does: with the default configuration (which runs a
//! `HiddenTunnelCommunity`) it serves SOCKS5 on a free loopback port for them, `--socks5` gives
//! them that server instead, and `--direct-pseudonyms` leaves them on ports of their own.
//! Everything stays on loopback.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A child process that is killed when the test ends, whatever happens.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The stdout lines of `ipv8 run` on loopback with `extra` arguments, up to its first status
/// line (at most ten seconds).
fn first_lines(extra: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("a temp dir");
    let local = ["run", "--ip", "127.0.0.1", "--port", "0", "--bootstrap", "127.0.0.1:9"];
    let mut child = Command::new(env!("CARGO_BIN_EXE_ipv8"))
        .args(local)
        .args(["--working-directory", ".", "--status-interval", "0.2"])
        .args(extra)
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("ipv8 starts");
    let stdout = child.stdout.take().expect("piped");
    let _running = Running(child);
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let status = line.starts_with("peers:");
            if lines.send(line).is_err() || status {
                return;
            }
        }
    });
    let mut got = Vec::new();
    while let Ok(line) = received.recv_timeout(Duration::from_secs(10)) {
        let status = line.starts_with("peers:");
        got.push(line);
        if status {
            break;
        }
    }
    assert!(got.iter().any(|l| l.starts_with("peers:")), "ipv8 run started: {got:?}");
    got
}

fn anonymized(lines: &[String]) -> Option<&String> {
    lines.iter().find(|l| l.starts_with("pseudonyms send through"))
}

#[test]
fn the_default_configuration_anonymizes_pseudonyms_through_a_socks5_server_of_their_own() {
    let lines = first_lines(&[]);
    let line = anonymized(&lines).expect("pseudonyms are anonymized");
    assert!(line.starts_with("pseudonyms send through 1-hop circuits (SOCKS5 on 127.0.0.1:"));
}

#[test]
fn socks5_serves_pseudonyms_too_and_direct_pseudonyms_opts_out() {
    let lines = first_lines(&["--socks5", "0", "--socks5-hops", "2"]);
    let line = anonymized(&lines).expect("pseudonyms are anonymized");
    assert!(line.starts_with("pseudonyms send through 2-hop circuits"), "{line}");
    assert!(lines.iter().any(|l| l.starts_with("SOCKS5 on 127.0.0.1:")), "{lines:?}");

    let lines = first_lines(&["--direct-pseudonyms"]);
    assert_eq!(anonymized(&lines), None, "{lines:?}");
}
