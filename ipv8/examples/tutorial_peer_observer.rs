//! Port of the seed's "printing known peers" idea: a community that reports peers as they come
//! and go, through the `on_peer_added` and `on_peer_removed` hooks.
//!
//! Three simulated nodes run the discovery community and an observing application community.
//! `introduce_nodes` makes every node walk to every other, so each observer sees two peers arrive.
//! Then node 0 starts a `RandomChurn` strategy and node 2 goes offline: once node 2 has been
//! silent for long enough and misses its pings, node 0 drops it and its observer reports it.
//!
//! ```sh
//! cargo run -p ipv8 --features test-util --example tutorial_peer_observer
//! ```

use std::time::Duration;

use ipv8::community;
use ipv8::proto::discovery::{DiscoveryCommunity, RandomChurn};
use ipv8::proto::{Community, CommunityId, Context, Peer};
use ipv8::testing::{SimConfig, TestNetwork};

/// What an observer saw, in order.
enum Change {
    Added(Peer),
    Removed(Peer),
}

/// The application community: it only records peer changes.
#[derive(Default)]
struct Observer {
    changes: Vec<Change>,
}

#[community]
impl Observer {}

impl Community for Observer {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"prints known peers!!")
    }

    fn on_peer_added(&mut self, _ctx: &mut Context<'_, Self>, peer: &Peer) {
        self.changes.push(Change::Added(peer.clone()));
    }

    fn on_peer_removed(&mut self, _ctx: &mut Context<'_, Self>, peer: &Peer) {
        self.changes.push(Change::Removed(peer.clone()));
    }
}

/// Print what node `i`'s observer saw after its first `seen` changes, and return how many it saw
/// in all. Peers are named by node index: their keys are random.
fn report(net: &TestNetwork<DiscoveryCommunity>, i: usize, seen: usize) -> usize {
    let peers: Vec<Peer> = (0..net.len()).map(|j| net.peer(j)).collect();
    let name = |peer: &Peer| peers.iter().position(|p| p == peer).unwrap_or(usize::MAX);
    let observer = net.node(i).community::<Observer>().expect("running");
    for change in &observer.changes[seen..] {
        match change {
            Change::Added(peer) => println!("node {i}: peer added: node {}", name(peer)),
            Change::Removed(peer) => println!("node {i}: peer removed: node {}", name(peer)),
        }
    }
    observer.changes.len()
}

fn main() {
    // Without connect_all, nodes only know each other after an introduction.
    let config = SimConfig::new(11).with_connect_all(false);
    let mut net = TestNetwork::with_config(config, 3, |_| DiscoveryCommunity::new());
    for i in 0..net.len() {
        let now = net.now();
        net.node_mut(i).add_community(now, Observer::default()).expect("a new community");
    }

    println!("-- introduce_nodes --");
    net.introduce_nodes();
    let mut seen = [0; 3];
    for (i, seen) in seen.iter_mut().enumerate() {
        *seen = report(&net, i, *seen);
    }

    println!("-- node 2 goes offline; node 0 runs RandomChurn --");
    net.node_mut(0).add_strategy::<DiscoveryCommunity>(RandomChurn::new(), None).expect("running");
    net.flush(0);
    net.set_online(2, false);
    for quarter in 1..=4 {
        net.advance(Duration::from_secs(15));
        println!("after {} s: node 0 knows {} peer(s)", quarter * 15, net.network(0).len());
        seen[0] = report(&net, 0, seen[0]);
    }
}
