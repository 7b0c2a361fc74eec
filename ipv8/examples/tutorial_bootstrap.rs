//! Port of the seed's "IPv8 bootstrapping" idea: three ways for a community without peers to
//! find its first contacts.
//!
//! 1. A bootstrap server (tracker): every node knows only the tracker's address. The tracker
//!    introduces nodes to each other but never becomes their peer.
//! 2. LAN discovery: nodes know no address at all and find each other through UDP broadcast
//!    probes on a fixed port.
//! 3. A custom `Bootstrapper`: each node is handed a fixed list of known addresses once, here
//!    only its right-hand neighbour in a ring, and `RandomWalk` does the rest.
//!
//! Each scenario runs on its own simulated network with a fixed seed, so the printed peer counts
//! are the same on every run.
//!
//! ```sh
//! cargo run -p ipv8 --features test-util --example tutorial_bootstrap
//! ```

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ipv8::community;
use ipv8::proto::discovery::{
    Bootstrapper, DispersyBootstrapper, RandomWalk, UdpBroadcastBootstrapper,
};
use ipv8::proto::{Community, CommunityId, Network, Rng};
use ipv8::testing::{SimConfig, TestNetwork};

/// How many application nodes each scenario runs.
const NODES: usize = 5;

/// An application community with no messages: bootstrapping and discovery do all the work.
struct Bootstrapping;

#[community]
impl Bootstrapping {}

impl Community for Bootstrapping {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"bootstrapping tut!!!")
    }
}

/// A bootstrapper that hands out a fixed list of addresses once, and never again.
struct KnownAddresses {
    addresses: Vec<SocketAddr>,
    handed_out: bool,
}

impl KnownAddresses {
    fn new(addresses: Vec<SocketAddr>) -> Self {
        Self { addresses, handed_out: false }
    }
}

impl Bootstrapper for KnownAddresses {
    fn bootstrap(&mut self, _now: Instant, _network: &mut Network) -> Vec<SocketAddr> {
        if std::mem::replace(&mut self.handed_out, true) {
            return Vec::new();
        }
        // Unlike `DispersyBootstrapper`, these addresses are not blacklisted: they are ordinary
        // peers, not bootstrap servers.
        self.addresses.clone()
    }

    fn keep_alive(&mut self, _rng: &mut Rng) -> Option<SocketAddr> {
        None
    }
}

/// A network of `NODES` application nodes that know nothing about each other yet.
fn network(seed: u64) -> TestNetwork<Bootstrapping> {
    let config =
        SimConfig::new(seed).with_connect_all(false).with_latency(Duration::from_millis(5));
    TestNetwork::with_config(config, NODES, |_| Bootstrapping)
}

/// Install `bootstrapper` and a `RandomWalk` on node `i`.
fn start(
    net: &mut TestNetwork<Bootstrapping>,
    i: usize,
    bootstrapper: impl Bootstrapper + 'static,
) {
    let node = net.node_mut(i);
    node.add_bootstrapper::<Bootstrapping>(bootstrapper).expect("running");
    node.add_strategy::<Bootstrapping>(RandomWalk::new(), Some(20)).expect("running");
    net.flush(i);
}

/// Print how many peers each application node found, by node index.
fn report(net: &TestNetwork<Bootstrapping>) {
    let id = Bootstrapping.community_id();
    for i in 0..NODES {
        println!("  node {i} found {} peer(s)", net.network(i).peers_for(id).len());
    }
}

fn bootstrap_server() {
    println!("1. bootstrap server");
    let mut net = network(11);
    let tracker = net.add_tracker();
    let tracker_address = net.address(tracker);
    for i in 0..NODES {
        start(&mut net, i, DispersyBootstrapper::new(vec![tracker_address]));
    }
    net.advance(Duration::from_secs(20));
    report(&net);
    let id = Bootstrapping.community_id();
    let tracker_state = net.node(tracker).tracker().expect("a tracker");
    println!("  the tracker knows {} node(s) in the community", tracker_state.peers_in(id));
    let took_tracker = (0..NODES)
        .any(|i| net.network(i).peers_for(id).iter().any(|p| p.address() == tracker_address));
    println!("  any node took the tracker as a peer: {took_tracker}");
}

fn lan_discovery() {
    println!("2. LAN discovery (UDP broadcast on port 8090)");
    let mut net = network(4);
    for i in 0..NODES {
        start(&mut net, i, UdpBroadcastBootstrapper::new().with_ports(8090..=8090));
    }
    net.advance(Duration::from_secs(5));
    report(&net);
}

fn known_addresses() {
    println!("3. custom bootstrapper (each node knows only its right-hand neighbour)");
    let mut net = network(7);
    for i in 0..NODES {
        let neighbour = net.address((i + 1) % NODES);
        start(&mut net, i, KnownAddresses::new(vec![neighbour]));
    }
    net.advance(Duration::from_secs(1));
    println!(" after 1 s:");
    report(&net);
    net.advance(Duration::from_secs(19));
    println!(" after 20 s:");
    report(&net);
}

fn main() {
    bootstrap_server();
    lan_discovery();
    known_addresses();
}
