//! A peer found by its key across two NATs (the DHT's `connect_peer`): three `ipv8 run` nodes in
//! network namespaces. A public DHT node sits on the "internet" namespace; two nodes sit behind
//! NAT routers of their own (nftables masquerade, new inbound connections dropped on the outside
//! interface: port-restricted cone NATs). The second NAT'd node asks the DHT for the first by its
//! mid and gets it at its NAT's public address, then the two exchange DHT messages through both
//! NATs. The namespaces are made here (`nat_lab`) and removed afterwards; no datagram leaves them.

use std::process::{Command, Stdio};

use crate::nat_lab::{Lab, Mapping, Node, REST_PORT, node_config, rest, wait_for};

fn config(ip: &str, bootstrap: Option<&str>) -> String {
    let ping_churn = "[[overlays.walkers]]\nstrategy = \"PingChurn\"\npeers = -1\ninit = {}\n\n";
    node_config(ip, "DHTDiscoveryCommunity", ping_churn, bootstrap)
}

fn start(ns: &str, dir: &std::path::Path, ip: &str, bootstrap: Option<&str>) -> Node {
    let file = dir.join("node.toml");
    std::fs::write(&file, config(ip, bootstrap)).expect("config written");
    let child = Command::new("ip")
        .args(["netns", "exec", ns, env!("CARGO_BIN_EXE_ipv8"), "run", "--config"])
        .arg(&file)
        .arg("--working-directory")
        .arg(dir)
        .args(["--rest-port", &REST_PORT.to_string(), "--status-interval", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("ipv8 run starts");
    Node { child, ns: ns.to_owned() }
}

fn mid(node: &Node) -> String {
    let mut found = String::new();
    wait_for("the node's REST API answers", || {
        let statistics = rest(node, "/dht/statistics");
        statistics
            .as_ref()
            .and_then(|s| s["statistics"]["peer_id"].as_str())
            .unwrap_or_default()
            .clone_into(&mut found);
        !found.is_empty()
    });
    found
}

#[test]
fn a_peer_behind_a_nat_is_found_by_key_and_reached_through_both_nats() {
    let lab = Lab::new([Mapping::Cone, Mapping::Cone]);
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().expect("temp dir")).collect();
    let public = start(&lab.ns("pub"), dirs[0].path(), "10.77.1.1", None);
    let wanted = start(&lab.ns("h2"), dirs[1].path(), "192.168.2.2", Some("10.77.1.1"));
    let wanted_mid = mid(&wanted);
    // The wanted node stores itself on the public node (the only DHT node it knows).
    wait_for("the public node stores the wanted one", || {
        let statistics = rest(&public, "/dht/statistics").unwrap_or_default();
        statistics["statistics"]["num_peers_in_store"].get(&wanted_mid).is_some()
    });
    let searcher = start(&lab.ns("h1"), dirs[2].path(), "192.168.1.2", Some("10.77.1.1"));
    let _ = mid(&searcher);
    let mut found = serde_json::Value::Null;
    wait_for("the searcher finds the wanted node by its mid", || {
        found = rest(&searcher, &format!("/dht/peers/{wanted_mid}")).unwrap_or_default();
        found["peers"].as_array().is_some_and(|peers| !peers.is_empty())
    });
    let address = &found["peers"][0]["address"];
    assert_eq!(address[0], "10.77.2.2", "found at its NAT's public address: {found}");
    // Through both NATs: the searcher's routing table holds the wanted node at that address,
    // having heard from it.
    wait_for("the two exchange DHT messages through both NATs", || {
        let buckets = rest(&searcher, "/dht/buckets").unwrap_or_default();
        buckets["buckets"].as_array().into_iter().flatten().any(|bucket| {
            bucket["peers"].as_array().into_iter().flatten().any(|peer| {
                peer["mid"] == wanted_mid.as_str()
                    && peer["ip"] == "10.77.2.2"
                    && peer["last_contact"].as_f64().is_some_and(|t| t > 0.0)
            })
        })
    });
    drop((public, wanted, searcher));
}
