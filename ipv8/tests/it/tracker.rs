//! The bootstrap server (py-ipv8's `tracker_service.py`) on the simulated network: peers meet through
//! it, it never becomes their peer, and it forgets peers that stop answering its pings.

use std::time::Duration;

use ipv8::community;
use ipv8::proto::discovery::{DispersyBootstrapper, RandomWalk};
use ipv8::proto::{Community, CommunityId};
use ipv8::testing::{SimConfig, TestNetwork};

struct Split {
    id: CommunityId,
}

#[community]
impl Split {}

impl Community for Split {
    fn community_id(&self) -> CommunityId {
        self.id
    }
}

/// One node running the community, and a tracker.
fn network() -> (TestNetwork<Split>, usize) {
    let config = SimConfig::new(11).with_connect_all(false).with_latency(Duration::from_millis(10));
    let mut net = TestNetwork::with_config(config, 1, |_| Split { id: CommunityId([0xaa; 20]) });
    let tracker = net.add_tracker();
    (net, tracker)
}

#[test]
fn peers_meet_through_the_tracker_and_it_stays_out_of_their_tables() {
    let config = SimConfig::new(11).with_connect_all(false).with_latency(Duration::from_millis(10));
    let mut net = TestNetwork::with_config(config, 6, |_| Split { id: CommunityId([0xaa; 20]) });
    let tracker = net.add_tracker();
    let tracker_address = net.address(tracker);
    for i in 0..6 {
        let node = net.node_mut(i);
        node.add_bootstrapper::<Split>(DispersyBootstrapper::new(vec![tracker_address]))
            .expect("running");
        node.add_strategy::<Split>(RandomWalk::new(), Some(20)).expect("running");
        net.flush(i);
    }
    net.advance(Duration::from_secs(20));
    let id = CommunityId([0xaa; 20]);
    for i in 0..6 {
        let peers = net.network(i).peers_for(id);
        assert!(peers.len() >= 3, "node {i} met only {} peers", peers.len());
        assert!(
            !peers.iter().any(|p| p.address() == tracker_address),
            "node {i} took the tracker as a peer"
        );
    }
    let state = net.node(tracker).tracker().expect("a tracker");
    assert_eq!(state.peers_in(id), 6);
    // Peers answer the tracker's pings like any request, so introduced peers puncture towards it;
    // it ignores those punctures, as py-ipv8's tracker does. Nothing else is refused.
    let dropped = &net.node(tracker).stats().dropped;
    assert!(
        dropped.keys().all(|reason| *reason == "tracker_ignores"),
        "tracker dropped {dropped:?}"
    );
}

#[test]
fn the_tracker_forgets_peers_that_stop_answering() {
    let (mut net, tracker) = network();
    let tracker_address = net.address(tracker);
    let now = net.now();
    net.node_mut(0).walk_to::<Split>(now, tracker_address).expect("running");
    net.flush(0);
    net.deliver_messages();
    let known = |net: &TestNetwork<Split>| {
        net.node(tracker).tracker().map(ipv8::proto::tracker::Tracker::len)
    };
    assert_eq!(known(&net), Some(1));
    net.advance(Duration::from_secs(60));
    assert_eq!(known(&net), Some(1), "a peer that answers the pings is kept");
    net.set_online(0, false);
    net.advance(Duration::from_secs(16));
    assert_eq!(known(&net), Some(0), "a silent peer is forgotten after one ping round");
}
