//! Liveness on the simulated network: pings and pongs, `RandomChurn` dropping a peer that went
//! silent while keeping one that answers, and the DHT-style `PingChurn`.

use std::time::Duration;

use ipv8::community;
use ipv8::proto::discovery::{DiscoveryCommunity, PingChurn, RandomChurn};
use ipv8::proto::{Community, CommunityId, Context, Event, Peer};
use ipv8::testing::{SimConfig, TestNetwork};

/// An application community that notes which peers it lost.
#[derive(Default)]
struct Observer {
    removed: Vec<Peer>,
}

#[community]
impl Observer {}

impl Community for Observer {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"observes peer churn!")
    }

    fn on_peer_removed(&mut self, _ctx: &mut Context<'_, Self>, peer: &Peer) {
        self.removed.push(peer.clone());
    }
}

fn network(n: usize, connect_all: bool) -> TestNetwork<DiscoveryCommunity> {
    let config = SimConfig::new(11).with_connect_all(connect_all);
    TestNetwork::with_config(config, n, |_| DiscoveryCommunity::new())
}

fn removed_events(net: &mut TestNetwork<DiscoveryCommunity>, i: usize) -> Vec<Peer> {
    std::iter::from_fn(|| net.node_mut(i).poll_event())
        .filter_map(|event| match event {
            Event::PeerRemoved { peer } => Some(peer),
            _ => None,
        })
        .collect()
}

#[test]
fn a_ping_is_answered_with_a_pong_that_records_the_round_trip() {
    let mut net = network(2, true);
    let peer1 = net.peer(1);
    net.with_overlay(0, |_, ctx| DiscoveryCommunity::send_ping(ctx, &peer1));
    net.deliver_messages();
    let entry = net.network(0).get(peer1.key()).expect("known");
    assert_eq!(entry.pings, [Duration::from_millis(2)], "1 ms each way");
    assert_eq!(entry.average_ping(), Some(Duration::from_millis(2)));
    assert_eq!(net.node(1).stats().handled.get(&3), Some(&1), "node 1 handled the ping");
    assert_eq!(net.node(0).stats().handled.get(&4), Some(&1), "node 0 handled the pong");
}

#[test]
fn random_churn_drops_a_silent_peer_and_keeps_one_that_answers() {
    let mut net = network(3, false);
    for i in 0..3 {
        let now = net.now();
        net.node_mut(i).add_community(now, Observer::default()).expect("added");
    }
    net.introduce_nodes();
    let (peer1, peer2) = (net.peer(1), net.peer(2));
    let heard = net.network(0).get(peer2.key()).and_then(|e| e.last_response);
    assert!(heard.is_some(), "node 2 spoke after node 0 verified it");
    assert_eq!(net.network(0).peers_for(Observer::default().community_id()).len(), 2);

    net.node_mut(0).add_strategy::<DiscoveryCommunity>(RandomChurn::new(), None).expect("running");
    net.flush(0);
    net.set_online(2, false);
    net.advance(Duration::from_secs(55));
    assert!(net.network(0).get(peer2.key()).is_some(), "silent for less than 57.5 s");
    net.advance(Duration::from_secs(5));
    assert!(net.network(0).get(peer2.key()).is_none(), "silent for over 57.5 s, and pinged");
    assert_eq!(
        net.node(0).community::<Observer>().expect("running").removed,
        std::slice::from_ref(&peer2)
    );
    assert_eq!(removed_events(&mut net, 0), [peer2]);

    net.advance(Duration::from_secs(300));
    let entry = net.network(0).get(peer1.key()).expect("node 1 answers its pings");
    assert_eq!(entry.pings.len(), 5, "pinged until five round trips were measured");
    assert!(entry.pings.iter().all(|rtt| *rtt == Duration::from_millis(2)));
}

#[test]
fn random_churn_never_drops_a_peer_it_never_heard_from() {
    // Peers added by hand have no last response, which exempts them (as in py-ipv8).
    let mut net = network(2, true);
    net.node_mut(0).add_strategy::<DiscoveryCommunity>(RandomChurn::new(), None).expect("running");
    net.flush(0);
    net.set_online(1, false);
    net.advance(Duration::from_secs(300));
    assert!(net.network(0).get(net.peer(1).key()).is_some());
}

#[test]
fn ping_churn_drops_a_peer_after_two_unanswered_pings() {
    let mut net = network(3, true);
    net.node_mut(0).add_strategy::<DiscoveryCommunity>(PingChurn::new(), None).expect("running");
    net.flush(0);
    net.set_online(2, false);
    // Pings at 0 s and 25 s; the second goes unanswered at 30 s.
    net.advance(Duration::from_secs(29));
    assert!(net.network(0).get(net.peer(2).key()).is_some(), "one ping failed so far");
    net.advance(Duration::from_secs(2));
    assert!(net.network(0).get(net.peer(2).key()).is_none(), "two pings failed");
    net.advance(Duration::from_secs(120));
    let entry = net.network(0).get(net.peer(1).key()).expect("node 1 answers");
    assert_eq!(entry.pings.len(), 5, "a ping every 25 s, each answered");
    assert_eq!(removed_events(&mut net, 0), [net.peer(2)]);
}
