//! LAN discovery by UDP broadcast over real sockets: two `ipv8 run` nodes in two network
//! namespaces, joined by a veth pair on a private /24, know no address at all and find each other
//! through probes to 255.255.255.255. The namespaces are made here and removed afterwards; no
//! datagram leaves them.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Two namespaces joined by a veth pair; removed on drop (and the veth with them).
struct Lan {
    names: [String; 2],
}

fn ip(args: &[&str]) {
    let status = Command::new("ip").args(args).status().expect("`ip` (iproute2) runs");
    assert!(status.success(), "ip {args:?} failed");
}

impl Lan {
    fn new() -> Self {
        let id = std::process::id() % 100_000;
        let names = [format!("ipv8bc{id}a"), format!("ipv8bc{id}b")];
        let veths = [format!("vb{id}a"), format!("vb{id}b")];
        for name in &names {
            ip(&["netns", "add", name]);
        }
        let lan = Self { names };
        ip(&["link", "add", &veths[0], "type", "veth", "peer", "name", &veths[1]]);
        for (index, (name, veth)) in lan.names.iter().zip(&veths).enumerate() {
            ip(&["link", "set", veth, "netns", name]);
            let address = format!("10.231.{}.{}/24", id % 200, index + 1);
            ip(&["-n", name, "addr", "add", &address, "dev", veth]);
            ip(&["-n", name, "link", "set", veth, "up"]);
            ip(&["-n", name, "link", "set", "lo", "up"]);
            // As on a real LAN, 255.255.255.255 needs a route out of the interface.
            ip(&["-n", name, "route", "add", "default", "dev", veth]);
        }
        lan
    }
}

impl Drop for Lan {
    fn drop(&mut self) {
        for name in &self.names {
            let _ = Command::new("ip").args(["netns", "del", name]).status();
        }
    }
}

/// A node's process, killed on drop, and its status lines.
struct Node {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const CONFIG: &str = r#"
working_directory = "."
walker_interval = 0.5

[[interfaces]]
interface = "UDPIPv4"
ip = "0.0.0.0"
port = 8090

[[keys]]
alias = "lan"
generation = "curve25519"
file = "lan.pem"

[[overlays]]
class = "DiscoveryCommunity"
key = "lan"
initialize = {}
on_start = []

[[overlays.walkers]]
strategy = "RandomWalk"
peers = 20
init = { timeout = 3.0 }

[[overlays.bootstrappers]]
class = "UDPBroadcastBootstrapper"
init = {}
"#;

fn start(namespace: &str, dir: &std::path::Path) -> Node {
    let config = dir.join("lan.toml");
    std::fs::write(&config, CONFIG).expect("config written");
    let mut child = Command::new("ip")
        .args(["netns", "exec", namespace, env!("CARGO_BIN_EXE_ipv8"), "run", "--config"])
        .arg(&config)
        .arg("--working-directory")
        .arg(dir)
        .args(["--status-interval", "0.2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("ipv8 run starts");
    let stdout = child.stdout.take().expect("piped");
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    Node { child, lines }
}

fn found_a_peer(node: &Node, deadline: Instant) -> bool {
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match node.lines.recv_timeout(left) {
            Ok(line)
                if line.contains("DiscoveryCommunity=")
                    && !line.contains("DiscoveryCommunity=0") =>
            {
                return true;
            }
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

#[test]
fn two_nodes_on_a_lan_find_each_other_by_broadcast() {
    let lan = Lan::new();
    let dirs = [tempfile::tempdir().expect("temp dir"), tempfile::tempdir().expect("temp dir")];
    let nodes = [start(&lan.names[0], dirs[0].path()), start(&lan.names[1], dirs[1].path())];
    let deadline = Instant::now() + Duration::from_secs(30);
    for (index, node) in nodes.iter().enumerate() {
        assert!(found_a_peer(node, deadline), "node {index} found no peer by broadcast");
    }
}
