//! Communities that communities load and unload at run time (`Context::load_community`): they
//! get a peer table of their own, walk, and bootstrap only from the node's spawn bootstrap
//! servers; unloading stops them.

use std::time::Duration;

use ipv8::proto::discovery::Ping;
use ipv8::proto::tracker::Tracker;
use ipv8::proto::{Community, CommunityId, Context, Node, Peer, Walk};
use ipv8::testing::{SimConfig, TestNetwork};

const PARENT: CommunityId = CommunityId([1; 20]);
const CHILD: CommunityId = CommunityId([2; 20]);

/// Loads a `Child` when it starts, and unloads it when asked.
struct Parent;

#[ipv8::community]
impl Parent {}

impl Community for Parent {
    fn community_id(&self) -> CommunityId {
        PARENT
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        let key = ctx.my_private_key().clone();
        ctx.load_community(Child, key, Walk::default()).expect("room to load");
    }
}

struct Child;

#[ipv8::community]
impl Child {}

impl Community for Child {
    fn community_id(&self) -> CommunityId {
        CHILD
    }
}

impl Ping for Child {
    fn ping(&mut self, ctx: &mut Context<'_, Self>, peer: &Peer) {
        ctx.send_introduction_request(peer);
    }
}

/// A tracker, then `n` nodes running `Parent`, with the tracker as spawn bootstrap if `spawn`.
fn network(n: usize, spawn: bool) -> TestNetwork<Parent> {
    let mut net = TestNetwork::empty(SimConfig::new(3));
    let tracker = net.add_tracker();
    let tracker_address = net.address(tracker);
    for _ in 0..n {
        net.add_node(|node: &mut Node, now| {
            if spawn {
                node.set_spawn_bootstrap(vec![tracker_address]);
            }
            node.add_community(now, Parent).expect("parent");
        });
    }
    net
}

fn child_peers(net: &TestNetwork<Parent>, i: usize) -> usize {
    net.node(i).network_of(CHILD).map_or(0, ipv8::proto::Network::len)
}

#[test]
fn loaded_communities_find_each_other_through_the_spawn_bootstrap_servers() {
    let mut net = network(3, true);
    net.advance(Duration::from_secs(10));
    assert!(!net.community::<Tracker>(0).is_empty(), "the tracker was asked");
    for i in 1..4 {
        let ids: Vec<CommunityId> = net.node(i).overlays().iter().map(|o| o.community_id).collect();
        assert_eq!(ids, [PARENT, CHILD]);
        assert_eq!(child_peers(&net, i), 2, "node {i} met the other two in the child overlay");
        assert_eq!(net.node(i).network().len(), 0, "the parent's table stays its own");
    }
}

#[test]
fn without_spawn_bootstrap_servers_a_loaded_community_contacts_nobody() {
    let mut net = network(2, false);
    net.advance(Duration::from_secs(10));
    assert_eq!(child_peers(&net, 1), 0);
    assert_eq!(child_peers(&net, 2), 0);
    assert!(net.community::<Tracker>(0).is_empty(), "the tracker heard from no one");
}

#[test]
fn an_unloaded_community_stops_and_leaves_the_node() {
    let mut net = network(2, true);
    net.advance(Duration::from_secs(10));
    net.with_community::<Parent, _>(1, |_, ctx| ctx.unload_community(CHILD).expect("room"));
    net.advance(Duration::from_secs(1));
    let ids: Vec<CommunityId> = net.node(1).overlays().iter().map(|o| o.community_id).collect();
    assert_eq!(ids, [PARENT]);
    assert!(net.node(1).network_of(CHILD).is_none());
}
