//! Port of the seed's discovery-strategy idea: write your own `Strategy` and run it on the
//! simulator.
//!
//! Six nodes form a line (0 - 1 - 2 - 3 - 4 - 5): each only knows its neighbours. Node 0 runs
//! `Greedy`, a strategy that on every walker tick walks to every address it was introduced to
//! but has not verified yet, and otherwise asks a verified peer for a new introduction. Every
//! answer to a walk introduces one more address, so node 0 crawls down the line. The seed is
//! fixed, so the printed peer counts are the same on every run.
//!
//! ```sh
//! cargo run -p ipv8 --features test-util --example tutorial_custom_strategy
//! ```

use std::time::Duration;

use ipv8::community;
use ipv8::proto::discovery::{Strategy, Walker};
use ipv8::proto::{Community, CommunityId};
use ipv8::testing::{SimConfig, TestNetwork};

/// Walk to all unverified introduced addresses at once, or ask for a new introduction.
struct Greedy;

impl<C: Community> Strategy<C> for Greedy {
    fn take_step(&mut self, walker: &mut Walker<'_, C>) {
        let mut walkable = walker.walkable();
        if walkable.is_empty() {
            // Nothing new to try: a random verified peer introduces us to one of its peers.
            walker.get_new_introduction();
            return;
        }
        // Sort, so the order does not depend on how the addresses were stored.
        walkable.sort_unstable();
        for address in walkable {
            walker.walk_to(address);
        }
    }
}

/// An application community with no messages: discovery does all the work.
#[derive(Default)]
struct Crawling;

#[community]
impl Crawling {}

impl Community for Crawling {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"custom strategy tut!")
    }
}

fn main() {
    const NODES: usize = 6;
    let config = SimConfig::new(8).with_connect_all(false);
    let mut net = TestNetwork::with_config(config, NODES, |_| Crawling);
    for i in 0..NODES - 1 {
        net.connect(i, i + 1);
        net.connect(i + 1, i);
    }
    net.node_mut(0).add_strategy::<Crawling>(Greedy, None).expect("node 0 runs Crawling");
    net.flush(0);

    let id = net.overlay(0).community_id();
    for second in 0..=5 {
        let known = net.network(0).peers_for(id);
        let mut names: Vec<usize> =
            known.iter().filter_map(|peer| (0..NODES).find(|&j| net.peer(j) == *peer)).collect();
        names.sort_unstable();
        println!("after {second} s: node 0 knows nodes {names:?}");
        net.advance(Duration::from_secs(1));
    }
}
