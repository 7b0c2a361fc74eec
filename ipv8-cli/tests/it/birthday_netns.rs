//! Birthday punching across a port-restricted cone NAT and a symmetric NAT with random ports
//! (`masquerade random`), which no puncture gets through: `ipv8 tracker` on the "internet"
//! namespace, and an `ipv8 run --birthday-punching` node behind each NAT with the tracker as its
//! only bootstrap server. Each must list the other at its NAT's public address, after a try of
//! its own. Without the option they never meet (the wait times out).

use std::path::Path;
use std::process::{Command, Stdio};

use std::time::Duration;

use crate::nat_lab::{Lab, Mapping, Node, REST_PORT, get, node_config, rest, wait_for_within};

/// The tracker's address on the lab's "internet".
const TRACKER: &str = "10.77.1.1";

fn config(ip: &str) -> String {
    node_config(ip, "DiscoveryCommunity", "", Some(TRACKER))
}

fn spawn(ns: &str, args: &[&str]) -> Node {
    let child = Command::new("ip")
        .args(["netns", "exec", ns, env!("CARGO_BIN_EXE_ipv8")])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("ipv8 starts");
    Node { child, ns: ns.to_owned() }
}

fn start(ns: &str, dir: &Path, ip: &str) -> Node {
    let file = dir.join("node.toml");
    std::fs::write(&file, config(ip)).expect("config written");
    let (file, dir) = (file.to_string_lossy(), dir.to_string_lossy());
    let rest_port = REST_PORT.to_string();
    spawn(
        ns,
        &[
            "run",
            "--config",
            &file,
            "--working-directory",
            &dir,
            "--rest-port",
            &rest_port,
            "--birthday-punching",
        ],
    )
}

/// Whether `node` lists a peer at `ip`.
fn lists_peer_at(node: &Node, ip: &str) -> bool {
    let network = rest(node, "/network").unwrap_or_default();
    network["peers"].as_object().is_some_and(|peers| peers.values().any(|p| p["ip"] == ip))
}

/// The value of an unlabelled counter of `node`'s `/metrics`.
fn metric(node: &Node, name: &str) -> Option<f64> {
    let text = get(node, "/metrics")?;
    let line = text.lines().find(|line| line.starts_with(&format!("{name} ")))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn birthday_punching_meets_across_a_port_restricted_and_a_random_symmetric_nat() {
    let lab = Lab::new([Mapping::Cone, Mapping::Random]);
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().expect("temp dir")).collect();
    let tracker = spawn(
        &lab.ns("pub"),
        &["tracker", "--ip", TRACKER, "--listen-port", "8090", "--status-interval", "3600"],
    );
    let cone = start(&lab.ns("h1"), dirs[0].path(), "192.168.1.2");
    let symmetric = start(&lab.ns("h2"), dirs[1].path(), "192.168.2.2");
    // Under load (a cold CI build beside) a try can miss; the next comes a minute later.
    let limit = Duration::from_secs(150);
    wait_for_within("each node lists the other at its NAT's address", limit, || {
        lists_peer_at(&cone, "10.77.2.2") && lists_peer_at(&symmetric, "10.77.1.2")
    });
    let counters = |node: &Node| {
        let tries = metric(node, "ipv8_birthday_tries_total");
        let routes = metric(node, "ipv8_birthday_routes_total");
        let network = rest(node, "/network").unwrap_or_default();
        format!("tries {tries:?}, routes {routes:?}, network {network}")
    };
    let (cone_says, symmetric_says) = (counters(&cone), counters(&symmetric));
    eprintln!("cone: {cone_says}\nsymmetric: {symmetric_says}");
    // Both stayed silent to each other and tried. The node behind the symmetric NAT normally
    // reaches its peer through a try's socket (a route); a probe may instead hit the port its
    // endpoint has toward the peer (one chance in 63 per try), so routes are not required.
    for (node, says) in [(&cone, &cone_says), (&symmetric, &symmetric_says)] {
        let tries = metric(node, "ipv8_birthday_tries_total");
        assert!(tries.is_some_and(|n| n >= 1.0), "a try was made: {says}");
    }
    drop((cone, symmetric, tracker, lab));
}
