//! A lab of network namespaces for the tests that cross NATs: an "internet" namespace, two NAT
//! routers made with nftables (new inbound connections dropped on the outside interface, INPUT
//! and FORWARD: port-restricted filtering) and a host behind each. Made by the test, removed on
//! drop; no datagram leaves it.

use std::process::{Child, Command};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How a NAT maps a host's flows to public ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mapping {
    /// One public port per host port, whatever the destination (`masquerade`: a cone NAT).
    Cone,
    /// A random public port per destination (`masquerade random`: a symmetric NAT).
    Random,
}

/// The REST port of every node of the lab (each on its namespace's loopback).
pub(crate) const REST_PORT: u16 = 8085;

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

/// The namespaces of the lab; removed on drop (their veths with them).
pub(crate) struct Lab {
    prefix: String,
}

impl Lab {
    pub(crate) fn ns(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// pub (10.77.1.1 and 10.77.2.1) ─ nat1 (10.77.1.2 | 192.168.1.1) ─ h1 (192.168.1.2)
    ///                               ─ nat2 (10.77.2.2 | 192.168.2.1) ─ h2 (192.168.2.2)
    ///
    /// Both NATs filter as port-restricted cones; `mappings` says how each maps.
    pub(crate) fn new(mappings: [Mapping; 2]) -> Self {
        // Unique among the labs of this process (tests run in parallel) and short enough for
        // interface names (15 bytes).
        static LABS: AtomicU32 = AtomicU32::new(0);
        let id = std::process::id() % 10_000 * 10 + LABS.fetch_add(1, Ordering::Relaxed) % 10;
        let lab = Self { prefix: format!("ipv8nat{id}") };
        for name in ["pub", "nat1", "h1", "nat2", "h2"] {
            ip(&["netns", "add", &lab.ns(name)]);
            ip(&["-n", &lab.ns(name), "link", "set", "lo", "up"]);
        }
        for (side, mapping) in [(1, mappings[0]), (2, mappings[1])] {
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
            let random = if mapping == Mapping::Random { " random" } else { "" };
            let rules = format!(
                "table ip nat {{\n\
                 chain postrouting {{ type nat hook postrouting priority 100; oifname \"{outer}\" masquerade{random}; }}\n\
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
pub(crate) struct Node {
    pub(crate) child: Child,
    pub(crate) ns: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// GET a path of a node's REST API (on the loopback of its namespace), as JSON.
pub(crate) fn rest(node: &Node, path: &str) -> Option<serde_json::Value> {
    serde_json::from_str(&get(node, path)?).ok()
}

/// GET a path of a node's REST API, as text (an error's body, or `null`, if it failed).
pub(crate) fn get(node: &Node, path: &str) -> Option<String> {
    let script = format!(
        "import sys, urllib.request\n\
         try:\n    print(urllib.request.urlopen('http://127.0.0.1:{REST_PORT}{path}', timeout=20).read().decode())\n\
         except Exception as error:\n    print(getattr(error, 'read', lambda: b'null')().decode() or 'null')\n"
    );
    let output = Command::new("ip")
        .args(["netns", "exec", &node.ns, "python3", "-c", &script])
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

pub(crate) fn wait_for(what: &str, ready: impl FnMut() -> bool) {
    wait_for_within(what, Duration::from_secs(60), ready);
}

/// Waits until `ready`, for `limit` at most.
pub(crate) fn wait_for_within(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// A node's TOML configuration: bound to `ip`:8090, one `overlay` with a `RandomWalk` (and the
/// walker tables in `walkers`), bootstrapping from `bootstrap`:8090 if given.
pub(crate) fn node_config(
    ip: &str,
    overlay: &str,
    walkers: &str,
    bootstrap: Option<&str>,
) -> String {
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
         [[overlays]]\nclass = \"{overlay}\"\nkey = \"me\"\ninitialize = {{}}\non_start = []\n\n\
         [[overlays.walkers]]\nstrategy = \"RandomWalk\"\npeers = 20\ninit = {{ timeout = 3.0 }}\n\n\
         {walkers}{bootstrapper}"
    )
}
