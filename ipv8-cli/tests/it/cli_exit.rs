//! `ipv8 run --exit` needs a tunnel overlay to make an exit of: with a configuration that has
//! none it refuses to start and says why, instead of running as something it was not asked to be.

use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn exit_without_a_tunnel_overlay_is_refused() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let config = dir.path().join("discovery-only.toml");
    let text = r#"
working_directory = "."

[[interfaces]]
interface = "UDPIPv4"
ip = "127.0.0.1"
port = 0

[[keys]]
alias = "me"
generation = "curve25519"

[[overlays]]
class = "DiscoveryCommunity"
key = "me"
"#;
    std::fs::write(&config, text).expect("written");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ipv8"))
        .args(["run", "--exit", "--bootstrap", "127.0.0.1:9", "--config"])
        .arg(&config)
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ipv8 starts");
    // A node that started anyway would run until stopped: give it ten seconds.
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("waitable") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child.stderr.take().expect("piped").read_to_string(&mut stderr).expect("readable");
    assert!(status.is_some_and(|status| !status.success()), "refused to start: {stderr}");
    assert!(stderr.contains("--exit: the configuration has no TunnelCommunity"), "{stderr}");
}
