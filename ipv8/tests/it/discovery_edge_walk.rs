//! `EdgeWalk` on the simulated network: from a neighbourhood of six peers, edges grow one
//! introduction at a time and reach peers that only the neighbours' neighbours know.

use std::time::Duration;

use ipv8::proto::discovery::{DiscoveryCommunity, EdgeWalk};
use ipv8::testing::{SimConfig, TestNetwork};

/// Peers known only through a chain of others.
const ROOTS: usize = 6;
const DEPTH: usize = 3;

/// Node 0 knows nodes 1–6; node `i` of depth `d` knows the nodes just before and after it on its
/// chain (`i ± 6`). Nobody else knows anybody.
fn chains() -> TestNetwork<DiscoveryCommunity> {
    let n = 1 + ROOTS * DEPTH;
    let config = SimConfig::new(21).with_connect_all(false).with_latency(Duration::from_millis(10));
    let mut net = TestNetwork::with_config(config, n, |_| DiscoveryCommunity::new());
    for root in 1..=ROOTS {
        net.connect(0, root);
        net.connect(root, 0);
    }
    for i in 1..n - ROOTS {
        net.connect(i, i + ROOTS);
        net.connect(i + ROOTS, i);
    }
    net
}

fn depth(i: usize) -> usize {
    (i - 1) / ROOTS + 1
}

#[test]
fn edges_reach_peers_two_and_three_hops_away() {
    let mut net = chains();
    net.node_mut(0).add_strategy::<DiscoveryCommunity>(EdgeWalk::new(), None).expect("running");
    net.flush(0);
    net.advance(Duration::from_secs(120));
    let found: Vec<usize> =
        (1..net.len()).filter(|i| net.network(0).get(net.public_key(*i)).is_some()).collect();
    let deepest = found.iter().map(|i| depth(*i)).max().unwrap_or(0);
    let beyond_roots = found.iter().filter(|i| depth(**i) > 1).count();
    assert_eq!(deepest, DEPTH, "an edge reached the end of a chain: {found:?}");
    assert!(beyond_roots >= ROOTS, "edges found the neighbours' neighbours: {found:?}");
}

#[test]
fn without_a_full_neighbourhood_edge_walk_only_gathers_one() {
    // Two roots are fewer than the neighbourhood of six: EdgeWalk keeps walking introduced
    // addresses (here, none beyond the roots' own introductions) instead of growing edges.
    let config = SimConfig::new(22).with_connect_all(false);
    let mut net = TestNetwork::with_config(config, 4, |_| DiscoveryCommunity::new());
    net.connect(0, 1);
    net.connect(1, 0);
    net.connect(1, 2);
    net.connect(2, 1);
    net.connect(2, 3);
    net.connect(3, 2);
    net.node_mut(0).add_strategy::<DiscoveryCommunity>(EdgeWalk::new(), None).expect("running");
    net.flush(0);
    net.advance(Duration::from_secs(30));
    assert_eq!(net.network(0).len(), 1, "no introductions asked for, so nobody new");
}
