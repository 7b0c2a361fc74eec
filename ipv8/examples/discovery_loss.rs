//! Discovery under packet loss: N nodes that know one tracker walk (`RandomWalk`, 20 peers) over a
//! lossy network; prints, at a few moments of virtual time, how many nodes have no peer, fewer
//! than 20, and the fewest any node has.
//!
//! ```sh
//! cargo run --release -p ipv8 --features test-util --example discovery_loss -- 10000 0.05 30
//! ```
//! Arguments: nodes, loss (0.0–1.0), virtual seconds. Latency 40 ms ± 20 ms. Also prints how many
//! datagrams the tracker received per node (the bootstrap load).

use std::time::{Duration, Instant};

use ipv8::community;
use ipv8::proto::discovery::{DispersyBootstrapper, RandomWalk};
use ipv8::proto::{Community, CommunityId};
use ipv8::testing::{SimConfig, TestNetwork};

const ID: CommunityId = CommunityId(*b"discovery under loss");

#[derive(Default)]
struct Walking;

#[community]
impl Walking {}

impl Community for Walking {
    fn community_id(&self) -> CommunityId {
        ID
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let nodes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let loss: f64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(0.05);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(30);
    let started = Instant::now();
    let config = SimConfig::new(5)
        .with_connect_all(false)
        .with_latency(Duration::from_millis(40))
        .with_jitter(Duration::from_millis(20))
        .with_loss(loss);
    let mut net = TestNetwork::with_config(config, nodes, |_| Walking);
    let tracker = net.add_tracker();
    let tracker_address = net.address(tracker);
    for i in 0..nodes {
        let node = net.node_mut(i);
        let bootstrapper = DispersyBootstrapper::new(vec![tracker_address]);
        node.add_bootstrapper::<Walking>(bootstrapper).expect("running");
        node.add_strategy::<Walking>(RandomWalk::new(), Some(20)).expect("running");
        net.flush(i);
    }
    let mut elapsed = 0;
    for checkpoint in [5, 10, 15, 20, 30, 45, 60].into_iter().filter(|s| *s <= seconds) {
        net.advance(Duration::from_secs(checkpoint - elapsed));
        elapsed = checkpoint;
        let counts: Vec<usize> = (0..nodes).map(|i| net.network(i).peers_for(ID).len()).collect();
        let none = counts.iter().filter(|c| **c == 0).count();
        let short = counts.iter().filter(|c| **c < 20).count();
        let fewest = counts.iter().min().copied().unwrap_or(0);
        println!(
            "t={checkpoint}s nodes={nodes} loss={loss} no_peer={none} under_20={short} fewest={fewest}"
        );
    }
    // With DEBUG_STRAGGLERS set, what the nodes with fewer than 10 peers received.
    if std::env::var_os("DEBUG_STRAGGLERS").is_some() {
        for i in (0..nodes).filter(|&i| net.network(i).peers_for(ID).len() < 10) {
            let stats = net.node(i).stats();
            eprintln!("node {i}: handled {:?}, dropped {:?}", stats.handled, stats.dropped);
        }
    }
    let received = net.node(tracker).stats().received;
    #[allow(clippy::cast_precision_loss, reason = "a ratio printed with two decimals")]
    let per_node = received as f64 / nodes.max(1) as f64;
    println!(
        "wall_s={:.1} tracker_received={received} tracker_received_per_node={per_node:.2}",
        started.elapsed().as_secs_f64(),
    );
}
