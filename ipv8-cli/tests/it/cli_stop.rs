//! `ipv8 run` and `ipv8 tracker` stop on Ctrl-C (SIGINT) whenever it comes: also while they are
//! busy printing status lines, when a listener made anew each turn of their loop used to miss it.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Starts `ipv8 args…` on loopback, interrupts it after `delay`, and says whether it exited
/// within five seconds.
fn stops_after(args: &[&str], delay: Duration) -> bool {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ipv8"))
        .args(args)
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("ipv8 starts");
    std::thread::sleep(delay);
    let status =
        Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill runs");
    assert!(status.success(), "SIGINT sent");
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if child.try_wait().expect("waitable").is_some() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    false
}

#[test]
fn run_stops_on_sigint_while_printing_status() {
    let args = [
        "run",
        "--ip",
        "127.0.0.1",
        "--port",
        "0",
        "--bootstrap",
        "127.0.0.1:9",
        "--working-directory",
        ".",
        "--status-interval",
        "0.005",
    ];
    for step in 0..8 {
        let delay = Duration::from_millis(800 + 37 * step);
        assert!(stops_after(&args, delay), "still running after SIGINT at {delay:?}");
    }
}

#[test]
fn tracker_stops_on_sigint() {
    let args = ["tracker", "--ip", "127.0.0.1", "--listen-port", "0"];
    for step in 0..3 {
        let delay = Duration::from_millis(500 + 53 * step);
        assert!(stops_after(&args, delay), "still running after SIGINT at {delay:?}");
    }
}
