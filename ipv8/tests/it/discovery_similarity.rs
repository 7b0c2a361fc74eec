//! The DiscoveryCommunity on the simulated network: peers that meet only in the DiscoveryCommunity
//! learn, through similarity-requests and -responses, which other communities they share, and
//! appear in those communities' peer lists.

use crate::common;

use std::time::Duration;

use common::Quiet;
use ipv8::proto::discovery::{
    DiscoveryCommunity, DispersyBootstrapper, PeriodicSimilarity, RandomChurn, RandomWalk,
};
use ipv8::proto::{Community, CommunityId, Peer};
use ipv8::testing::{SimConfig, TestNetwork};

fn quiet_id() -> CommunityId {
    Quiet::default().community_id()
}

fn unconnected(n: usize, seed: u64) -> TestNetwork<DiscoveryCommunity> {
    let config =
        SimConfig::new(seed).with_connect_all(false).with_latency(Duration::from_millis(15));
    TestNetwork::with_config(config, n, |_| DiscoveryCommunity::new())
}

fn add_quiet(net: &mut TestNetwork<DiscoveryCommunity>, i: usize) {
    let now = net.now();
    net.node_mut(i).add_community(now, Quiet::default()).expect("added");
    net.flush(i);
}

#[test]
fn nodes_that_know_one_rendezvous_node_find_each_other_in_every_shared_community() {
    const NODES: usize = 12;
    let mut net = unconnected(NODES, 5);
    let rendezvous = net.address(0);
    for i in 1..NODES {
        add_quiet(&mut net, i);
        let node = net.node_mut(i);
        node.add_bootstrapper::<DiscoveryCommunity>(DispersyBootstrapper::new(vec![rendezvous]))
            .expect("running");
        node.add_strategy::<DiscoveryCommunity>(RandomWalk::new(), Some(20)).expect("running");
        node.add_strategy::<DiscoveryCommunity>(RandomChurn::new(), None).expect("running");
        node.add_strategy::<DiscoveryCommunity>(PeriodicSimilarity::new(), None).expect("running");
        net.flush(i);
    }
    net.advance(Duration::from_secs(30));
    for i in 1..NODES {
        let discovery = net.network(i).peers_for(DiscoveryCommunity::ID);
        let quiet = net.network(i).peers_for(quiet_id());
        assert!(discovery.len() >= NODES / 2, "node {i} found only {}", discovery.len());
        assert!(!discovery.contains(&net.peer(0)), "the rendezvous node is blacklisted");
        assert!(quiet.len() >= NODES / 2, "node {i} sees only {} in Quiet", quiet.len());
        let told: Vec<_> = net.node(i).community::<Quiet>().expect("running").added.clone();
        assert_eq!(told.len(), quiet.len(), "node {i}'s Quiet was told of each of its peers");
        assert!(quiet.iter().all(|p| discovery.contains(p)), "Quiet peers were met in Discovery");
    }
    assert_eq!(net.lost(), 0);
}

#[test]
fn a_similarity_request_follows_every_introduction_response() {
    let mut net = unconnected(2, 6);
    add_quiet(&mut net, 0);
    add_quiet(&mut net, 1);
    let (now, address) = (net.now(), net.address(1));
    net.node_mut(0).walk_to::<DiscoveryCommunity>(now, address).expect("running");
    net.flush(0);
    net.node_mut(1).record_received(true);
    net.deliver_messages();
    let ids: Vec<_> = net.node_mut(1).take_received().iter().map(|r| r.msg_id).collect();
    assert_eq!(ids, [1], "node 1 handled one similarity-request (the 246 is the core's)");
    // Each now knows the other runs Quiet: node 0 from the response, node 1 from the request.
    assert_eq!(net.network(0).peers_for(quiet_id()), [net.peer(1)]);
    assert_eq!(net.network(1).peers_for(quiet_id()), [net.peer(0)]);
}

#[test]
fn periodic_similarity_tells_a_known_peer_about_our_communities() {
    let mut net = unconnected(3, 7);
    for i in 0..3 {
        add_quiet(&mut net, i);
    }
    // Node 0 knows nodes 1 and 2 only as DiscoveryCommunity peers, and they know it likewise.
    for j in 1..3 {
        let (first, other) = (net.peer(0), net.peer(j));
        net.node_mut(0).add_peer(&other, &[DiscoveryCommunity::ID]);
        net.node_mut(j).add_peer(&first, &[DiscoveryCommunity::ID]);
    }
    assert!(net.network(0).peers_for(quiet_id()).is_empty());
    net.node_mut(0)
        .add_strategy::<DiscoveryCommunity>(PeriodicSimilarity::new(), None)
        .expect("running");
    net.flush(0);

    // One request per second to a random peer: after a few seconds both were asked.
    net.advance(Duration::from_millis(4_200));
    let mut learned = net.network(0).peers_for(quiet_id());
    learned.sort_by_key(Peer::address);
    assert_eq!(learned, [net.peer(1), net.peer(2)]);
    for j in 1..3 {
        assert_eq!(net.network(j).peers_for(quiet_id()), [net.peer(0)], "node {j}");
    }
    let requests = net.node(1).stats().handled.get(&1).copied().unwrap_or_default()
        + net.node(2).stats().handled.get(&1).copied().unwrap_or_default();
    assert_eq!(requests, 5, "one request per second, the first at once");
}
