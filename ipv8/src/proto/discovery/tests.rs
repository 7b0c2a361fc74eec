//! Unit tests of the strategies on a hand-built walker, where their inner state is visible.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::{DiscoveryCommunity, EdgeWalk, RandomChurn, Strategy, Walker};
use crate::crypto::{Curve, PrivateKey};
use crate::proto::host::{During, Host};
use crate::proto::shared::Shared;
use crate::proto::{Peer, PeerEntry, Walkable};

fn key() -> PrivateKey {
    PrivateKey::generate(Curve::Curve25519).expect("a fresh key")
}

fn address(i: u8) -> SocketAddr {
    SocketAddr::from(([10, 0, 0, i], 8090))
}

/// A node with `n` verified DiscoveryCommunity peers at 10.0.0.1, 10.0.0.2, ...
fn shared_with_peers(n: u8) -> (Shared, Vec<Peer>) {
    let mut shared = Shared::new(3, Instant::now());
    let peers: Vec<_> = (1..=n).map(|i| Peer::new(key().public_key(), address(i))).collect();
    for peer in &peers {
        shared.network.add_verified_peer(peer);
        shared.network.add_service(peer.key(), DiscoveryCommunity::ID);
    }
    (shared, peers)
}

/// Runs one step of `strategy` in a DiscoveryCommunity (a fresh one each time: these strategies
/// keep their state themselves).
fn step(strategy: &mut impl Strategy<DiscoveryCommunity>, shared: &mut Shared) {
    let mut host = Host::new(DiscoveryCommunity::new(), key());
    host.run(shared, During::Walk, |community, ctx| {
        let mut bootstrappers = Vec::new();
        let ctx = ctx.reborrow();
        strategy.take_step(&mut Walker { community, ctx, bootstrappers: &mut bootstrappers });
    });
}

/// Datagrams sent since the last call, by message id.
fn sent(shared: &mut Shared) -> Vec<(SocketAddr, u8)> {
    std::iter::from_fn(|| shared.outbox.pop())
        .map(|t| (t.transmit().destination, t.transmit().contents[22]))
        .collect()
}

#[test]
fn edge_walk_grows_an_edge_along_introductions_and_finishes_it_on_timeout() {
    let (mut shared, peers) = shared_with_peers(7);
    let mut walk = EdgeWalk::new();
    step(&mut walk, &mut shared); // Gathers the neighbourhood: six of the seven peers.
    assert_eq!(walk.neighborhood.len(), 6);

    // One root introduced another peer, which is verified already.
    let root = walk.neighborhood[0].clone();
    let next = peers.iter().find(|p| **p != root).cloned().expect("another peer");
    let walkable = Walkable {
        introducer: Some(root.key().clone()),
        service: DiscoveryCommunity::ID,
        new_style: false,
    };
    shared.network.add_walkable(next.address(), walkable);
    for _ in 0..6 {
        step(&mut walk, &mut shared); // Starts an edge from each root: one 246 each.
    }
    assert_eq!(sent(&mut shared).iter().filter(|(_, id)| *id == 246).count(), 6);
    step(&mut walk, &mut shared); // The root's edge grows, and walks on to its new tip.
    assert_eq!(sent(&mut shared), [(next.address(), 246)]);

    shared.now += Duration::from_millis(3_100);
    step(&mut walk, &mut shared); // Nothing grew for 3 s: the edges are finished.
    let edges: Vec<Vec<_>> = walk.complete_edges().map(<[Peer]>::to_vec).collect();
    assert_eq!(edges, [vec![root, next]], "edges of the root alone are not kept");
    assert!(walk.under_construction.is_empty());
}

#[test]
fn random_churn_pings_a_quiet_peer_once_per_interval_then_drops_it() {
    let (mut shared, peers) = shared_with_peers(1);
    let peer = &peers[0];
    let start = shared.now;
    let entry = shared.network.get_mut(peer.key()).expect("verified");
    entry.last_response = Some(start);
    entry.pings = std::iter::repeat_n(Duration::from_millis(5), PeerEntry::MAX_PINGS).collect();
    let mut churn = RandomChurn::new();

    step(&mut churn, &mut shared);
    assert!(sent(&mut shared).is_empty(), "active, with enough round-trip times");
    shared.now = start + Duration::from_secs(28);
    step(&mut churn, &mut shared);
    assert_eq!(sent(&mut shared), [(peer.address(), 3)], "inactive: pinged");
    shared.now += Duration::from_secs(10);
    step(&mut churn, &mut shared);
    assert!(sent(&mut shared).is_empty(), "at most one ping per 10 s");
    shared.now += Duration::from_millis(500);
    step(&mut churn, &mut shared);
    assert_eq!(sent(&mut shared), [(peer.address(), 3)]);

    shared.now = start + Duration::from_millis(57_600);
    step(&mut churn, &mut shared);
    assert_eq!(
        shared.membership.removals,
        [(0, peer.key().clone())],
        "silent too long after a ping"
    );
    assert!(sent(&mut shared).is_empty());
}

/// Answers a puncture-request about a walker at `wan_walker` (LAN 192.168.2.2:8091) with a
/// node at 192.168.1.2:8091 whose WAN address is 10.0.1.2:8091; returns what it sent.
fn puncture(shared: &mut Shared, wan_walker: SocketAddr) -> Vec<(SocketAddr, Vec<u8>)> {
    puncture_from(shared, wan_walker, false)
}

/// As [`puncture`], the request coming from a known introducer if `known`.
fn puncture_from(
    shared: &mut Shared,
    wan_walker: SocketAddr,
    known: bool,
) -> Vec<(SocketAddr, Vec<u8>)> {
    use super::introduction::Core;
    shared.addresses.lan = Some(SocketAddr::from(([192, 168, 1, 2], 8091)));
    shared.addresses.wan = Some(SocketAddr::from(([10, 0, 1, 2], 8091)));
    let host = Host::new(DiscoveryCommunity::new(), key());
    let lan_walker = SocketAddr::from(([192, 168, 2, 2], 8091));
    let mut core = Core::new(shared, &host.local, 20);
    core.introducer_known = known;
    core.on_puncture_request(lan_walker, wan_walker, 7, false);
    std::iter::from_fn(|| shared.outbox.pop())
        .map(crate::proto::Outgoing::finish)
        .map(|t| (t.destination, t.contents))
        .collect()
}

#[test]
fn a_puncture_request_punctures_the_walker_once_without_port_prediction() {
    let mut shared = Shared::new(3, Instant::now());
    let walker = SocketAddr::from(([10, 0, 2, 2], 20_000));
    let sent = puncture(&mut shared, walker);
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].0, sent[0].1[22]), (walker, 249), "one puncture, as py-ipv8 sends");
}

#[test]
fn port_prediction_sends_the_same_puncture_to_the_ports_after_the_walkers_within_budget() {
    let mut shared = Shared::new(3, Instant::now());
    shared.port_prediction = Some(super::PortPrediction::default());
    let walker = SocketAddr::from(([10, 0, 2, 2], 20_000));
    let sent = puncture(&mut shared, walker);
    let destinations: Vec<SocketAddr> = sent.iter().map(|(to, _)| *to).collect();
    let predicted =
        (20_001..=20_000 + super::PREDICTED_PORTS).map(|p| SocketAddr::new(walker.ip(), p));
    assert_eq!(destinations, std::iter::once(walker).chain(predicted).collect::<Vec<_>>());
    assert!(sent.iter().all(|(_, bytes)| *bytes == sent[0].1), "one signed puncture, resent");
    assert_eq!(puncture(&mut shared, walker).len(), 1, "the same walker again: no prediction");

    // A walker behind our own WAN IP is punctured at its LAN address, without prediction.
    let neighbour = SocketAddr::from(([10, 0, 1, 2], 30_000));
    let sent = puncture(&mut shared, neighbour);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, SocketAddr::from(([192, 168, 2, 2], 8091)));
}

#[test]
fn only_a_known_introducers_puncture_request_starts_a_birthday_try() {
    let mut shared = Shared::new(3, Instant::now());
    shared.birthday = Some(super::Birthday::default());
    let walker = SocketAddr::from(([10, 0, 2, 2], 20_000));
    let sent = puncture_from(&mut shared, walker, false);
    assert_eq!(sent.len(), 1, "a stranger's request: the puncture only");
    assert!(!shared.birthday.as_ref().is_some_and(|b| b.is_trying(walker)));

    let sent = puncture_from(&mut shared, walker, true);
    let ids: Vec<(SocketAddr, u8)> = sent.iter().map(|(to, bytes)| (*to, bytes[22])).collect();
    assert_eq!(ids, [(walker, 246), (walker, 249)], "asked at once, then punctured");
    assert!(shared.birthday.as_ref().is_some_and(|b| b.is_trying(walker)), "a try waits");
}
