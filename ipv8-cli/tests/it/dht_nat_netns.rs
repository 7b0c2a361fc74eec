//! A peer found by its key across two NATs (the DHT's `connect_peer`): three `ipv8 run` nodes in
//! network namespaces. A public DHT node sits on the "internet" namespace; two nodes sit behind
//! NAT routers of their own (nftables masquerade, new inbound connections dropped on the outside
//! interface: port-restricted cone NATs). The second NAT'd node asks the DHT for the first by its
//! mid and gets it at its NAT's public address, then the two exchange DHT messages through both
//! NATs. The namespaces are made here and removed afterwards; no datagram leaves them.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The namespaces of the lab; removed on drop (their veths with them).
struct Lab {
    prefix: String,
}

fn ip(args: &[&str]) {
    let status = Command::new("ip").args(args).status().expect("`ip` (iproute2) runs");
    assert!(status.success(), "ip {args:?} failed");
}

fn in_ns(ns: &str, program: &str, args: &[&str]) {
    let status = Command::new("ip")
        .args(["netns", "exec", ns, program])
        .args(args)
        .status()
        .expect("ip netns exec runs");
    assert!(status.success(), "{program} {args:?} in {ns} failed");
}

impl Lab {
    fn ns(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// pub (10.77.1.1 and 10.77.2.1) ─ nat1 (10.77.1.2 | 192.168.1.1) ─ h1 (192.168.1.2)
    ///                               ─ nat2 (10.77.2.2 | 192.168.2.1) ─ h2 (192.168.2.2)
    fn new() -> Self {
        let id = std::process::id() % 100_000;
        let lab = Self { prefix: format!("ipv8nat{id}") };
        for name in ["pub", "nat1", "h1", "nat2", "h2"] {
            ip(&["netns", "add", &lab.ns(name)]);
            ip(&["-n", &lab.ns(name), "link", "set", "lo", "up"]);
        }
        for side in [1, 2] {
            let (nat, host) = (lab.ns(&format!("nat{side}")), lab.ns(&format!("h{side}")));
            let (outer, inner) = (format!("o{id}n{side}"), format!("i{id}n{side}"));
            Self::link(
                &lab.ns("pub"),
                &format!("p{id}n{side}"),
                &format!("10.77.{side}.1/24"),
                &nat,
                &outer,
                &format!("10.77.{side}.2/24"),
            );
            Self::link(
                &nat,
                &inner,
                &format!("192.168.{side}.1/24"),
                &host,
                &format!("h{id}n{side}"),
                &format!("192.168.{side}.2/24"),
            );
            ip(&["-n", &nat, "route", "add", "default", "via", &format!("10.77.{side}.1")]);
            ip(&["-n", &host, "route", "add", "default", "via", &format!("192.168.{side}.1")]);
            in_ns(&nat, "sysctl", &["-qw", "net.ipv4.ip_forward=1"]);
            let rules = format!(
                "table ip nat {{\n\
                 chain postrouting {{ type nat hook postrouting priority 100; oifname \"{outer}\" masquerade; }}\n\
                 }}\n\
                 table ip filter {{\n\
                 chain input {{ type filter hook input priority 0; iifname \"{outer}\" ct state new drop; }}\n\
                 chain forward {{ type filter hook forward priority 0; iifname \"{outer}\" ct state new drop; }}\n\
                 }}\n"
            );
            let file = std::env::temp_dir().join(format!("{}-nat{side}.nft", lab.prefix));
            std::fs::write(&file, rules).expect("rules written");
            in_ns(&nat, "nft", &["-f", &file.to_string_lossy()]);
            let _ = std::fs::remove_file(file);
        }
        in_ns(&lab.ns("pub"), "sysctl", &["-qw", "net.ipv4.ip_forward=1"]);
        lab
    }

    /// A veth pair between two namespaces, addressed and up.
    fn link(a: &str, a_dev: &str, a_addr: &str, b: &str, b_dev: &str, b_addr: &str) {
        ip(&["link", "add", a_dev, "type", "veth", "peer", "name", b_dev]);
        for (ns, dev, addr) in [(a, a_dev, a_addr), (b, b_dev, b_addr)] {
            ip(&["link", "set", dev, "netns", ns]);
            ip(&["-n", ns, "addr", "add", addr, "dev", dev]);
            ip(&["-n", ns, "link", "set", dev, "up"]);
        }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for name in ["h1", "h2", "nat1", "nat2", "pub"] {
            let _ = Command::new("ip").args(["netns", "del", &self.ns(name)]).status();
        }
    }
}

/// A node's process, killed on drop.
struct Node {
    child: Child,
    ns: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const REST_PORT: u16 = 8085;

fn config(ip: &str, bootstrap: Option<&str>) -> String {
    let bootstrapper = bootstrap.map_or_else(String::new, |address| {
        format!(
            "[[overlays.bootstrappers]]\nclass = \"DispersyBootstrapper\"\n\
             init = {{ ip_addresses = [[\"{address}\", 8090]], dns_addresses = [], bootstrap_timeout = 30.0 }}\n"
        )
    });
    format!(
        "working_directory = \".\"\nwalker_interval = 0.5\n\n\
         [[interfaces]]\ninterface = \"UDPIPv4\"\nip = \"{ip}\"\nport = 8090\n\n\
         [[keys]]\nalias = \"me\"\ngeneration = \"curve25519\"\nfile = \"me.pem\"\n\n\
         [[overlays]]\nclass = \"DHTDiscoveryCommunity\"\nkey = \"me\"\ninitialize = {{}}\non_start = []\n\n\
         [[overlays.walkers]]\nstrategy = \"RandomWalk\"\npeers = 20\ninit = {{ timeout = 3.0 }}\n\n\
         [[overlays.walkers]]\nstrategy = \"PingChurn\"\npeers = -1\ninit = {{}}\n\n{bootstrapper}"
    )
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

/// GET a path of a node's REST API (on the loopback of its namespace), as JSON.
fn rest(node: &Node, path: &str) -> Option<serde_json::Value> {
    let script = format!(
        "import sys, urllib.request\n\
         try:\n    print(urllib.request.urlopen('http://127.0.0.1:{REST_PORT}{path}', timeout=20).read().decode())\n\
         except Exception as error:\n    print(getattr(error, 'read', lambda: b'null')().decode() or 'null')\n"
    );
    let output = Command::new("ip")
        .args(["netns", "exec", &node.ns, "python3", "-c", &script])
        .output()
        .ok()?;
    serde_json::from_slice(&output.stdout).ok()
}

fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(500));
    }
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
    let lab = Lab::new();
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
