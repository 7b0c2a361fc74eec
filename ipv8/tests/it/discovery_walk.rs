//! Peer discovery on the simulated network: introductions between nodes (the unit-testing
//! tutorial's `introduce_nodes` tests), and a network that starts from one rendezvous node and finds
//! itself through bootstrapping and random walks.

use std::time::Duration;

use ipv8::community;
use ipv8::proto::discovery::{DispersyBootstrapper, IntroductionRequest, RandomWalk};
use ipv8::proto::{Community, CommunityId, Context, Peer};
use ipv8::testing::{SimConfig, TestNetwork};

#[derive(Default)]
struct Walking {
    last_peer: Option<Peer>,
    requests: usize,
}

#[community]
impl Walking {}

impl Community for Walking {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"discovery walk test!")
    }

    fn introduction_request_callback(
        &mut self,
        _ctx: &mut Context<'_, Self>,
        peer: &Peer,
        _: &IntroductionRequest,
    ) {
        self.last_peer = Some(peer.clone());
        self.requests += 1;
    }
}

fn unconnected(n: usize, seed: u64) -> TestNetwork<Walking> {
    let config =
        SimConfig::new(seed).with_connect_all(false).with_latency(Duration::from_millis(15));
    TestNetwork::with_config(config, n, |_| Walking::default())
}

#[test]
fn an_introduction_request_reaches_the_other_peer() {
    let mut net = unconnected(2, 1);
    let peer1 = net.peer(1);
    net.with_overlay(0, |_, ctx| ctx.send_introduction_request(&peer1));
    net.deliver_messages();
    assert_eq!(net.overlay(1).last_peer, Some(net.peer(0)));
    assert_eq!(net.network(1).peers_for(net.overlay(1).community_id()), [net.peer(0)]);
    assert_eq!(
        net.network(0).peers_for(net.overlay(0).community_id()),
        [net.peer(1)],
        "the response verified peer 1"
    );
}

#[test]
fn introduce_nodes_connects_everyone() {
    let mut net = unconnected(4, 2);
    net.introduce_nodes();
    for i in 0..4 {
        assert_eq!(net.network(i).peers_for(net.overlay(i).community_id()).len(), 3, "node {i}");
        assert_eq!(net.overlay(i).requests, 3, "node {i} heard every other node's request");
    }
}

#[test]
fn nodes_find_each_other_from_one_rendezvous_node() {
    const NODES: usize = 12;
    let mut net = unconnected(NODES, 3);
    let rendezvous = net.address(0);
    for i in 1..NODES {
        let node = net.node_mut(i);
        node.add_bootstrapper::<Walking>(DispersyBootstrapper::new(vec![rendezvous]))
            .expect("running");
        node.add_strategy::<Walking>(RandomWalk::new(), Some(20)).expect("running");
        net.flush(i);
    }
    net.advance(Duration::from_secs(30));
    let id = net.overlay(0).community_id();
    for i in 1..NODES {
        let peers = net.network(i).peers_for(id);
        assert!(peers.len() >= NODES / 2, "node {i} found only {} peers", peers.len());
        assert!(!peers.contains(&net.peer(0)), "the rendezvous node is blacklisted, never a peer");
    }
    assert!(
        net.network(0).peers_for(id).len() >= NODES - 1,
        "everyone contacted the rendezvous node"
    );
}
