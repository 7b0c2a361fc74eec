//! The shared peer table as discovery uses it: services advertised before a peer is verified,
//! introductions remembered per introducer, round-trip times, and the bounds on all of them.

use crate::common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::Quiet;
use ipv8::crypto::{Curve, PrivateKey, PublicKey};
use ipv8::proto::discovery::DiscoveryCommunity;
use ipv8::proto::{Community, CommunityId, Event, Network, Node, Peer, Walkable};

fn public_key() -> PublicKey {
    PrivateKey::generate(Curve::Curve25519).expect("a fresh key").public_key()
}

fn address(i: u16) -> SocketAddr {
    SocketAddr::from(([10, 0, 0, 1], i))
}

fn node(port: u16, now: Instant) -> Node {
    let mut node = Node::new(PrivateKey::generate(Curve::Curve25519).expect("key"), 1, now);
    node.set_address(address(port));
    node.add_community(now, DiscoveryCommunity::new()).expect("added");
    node.add_community(now, Quiet::default()).expect("added");
    node
}

#[test]
fn services_advertised_before_verification_are_announced_when_the_peer_is_verified() {
    let now = Instant::now();
    let (mut a, mut b) = (node(1, now), node(2, now));
    b.with_community::<DiscoveryCommunity, _>(now, |_, ctx| {
        DiscoveryCommunity::send_similarity_request(ctx, address(1));
    });
    let request = b.poll_transmit().expect("a similarity-request");
    a.handle_datagram(now, address(2), &request.contents);
    assert!(a.network().is_empty(), "a similarity-request verifies nobody");
    assert!(std::iter::from_fn(|| a.poll_event()).next().is_none());

    let b_peer = Peer::new(b.public_key().clone(), address(2));
    a.add_peer(&b_peer, &[]);
    assert_eq!(a.community::<Quiet>().expect("running").added, std::slice::from_ref(&b_peer));
    let mut added: Vec<_> = std::iter::from_fn(|| a.poll_event())
        .filter_map(|event| match event {
            Event::PeerAdded { community_id, peer } if peer == b_peer => Some(community_id),
            _ => None,
        })
        .collect();
    added.sort();
    let mut expected = vec![DiscoveryCommunity::ID, Quiet::default().community_id()];
    expected.sort();
    assert_eq!(added, expected);
}

#[test]
fn removing_a_peer_forgets_its_advertised_services() {
    let mut network = Network::default();
    let peer = Peer::new(public_key(), address(1));
    network.add_verified_peer(&peer);
    assert_eq!(
        network.discover_services(&peer, &[DiscoveryCommunity::ID]),
        [DiscoveryCommunity::ID]
    );
    assert!(network.discover_services(&peer, &[DiscoveryCommunity::ID]).is_empty(), "no news");
    network.remove_peer(peer.key());
    network.add_verified_peer(&peer);
    assert!(network.peers_for(DiscoveryCommunity::ID).is_empty());
}

#[test]
fn services_per_peer_and_waiting_peers_are_bounded() {
    let mut network = Network::default();
    let peer = Peer::new(public_key(), address(1));
    let many: Vec<_> = (0..300_u16)
        .map(|i| {
            let mut id = [0; 20];
            id[..2].copy_from_slice(&i.to_be_bytes());
            CommunityId(id)
        })
        .collect();
    network.discover_services(&peer, &many);
    network.add_verified_peer(&peer);
    assert_eq!(network.get(peer.key()).expect("verified").services.len(), 256);

    // Services of at most 500 unverified peers wait; the oldest are forgotten first.
    let first = Peer::new(public_key(), address(2));
    network.discover_services(&first, &[DiscoveryCommunity::ID]);
    for port in 3..503 {
        network
            .discover_services(&Peer::new(public_key(), address(port)), &[DiscoveryCommunity::ID]);
    }
    network.add_verified_peer(&first);
    assert!(network.get(first.key()).expect("verified").services.is_empty());
}

#[test]
fn introductions_are_remembered_per_introducer_even_once_verified() {
    let mut network = Network::default();
    let introducer = public_key();
    let walkable =
        |service| Walkable { introducer: Some(introducer.clone()), service, new_style: false };
    let verified = Peer::new(public_key(), address(1));
    network.add_verified_peer(&verified);
    // As py-ipv8: a verified address is walkable in a community where that peer is not verified yet.
    assert!(network.add_walkable(address(1), walkable(DiscoveryCommunity::ID)));
    assert!(network.walkable_for(DiscoveryCommunity::ID).contains(&address(1)));
    network.add_service(verified.key(), DiscoveryCommunity::ID);
    assert!(
        !network.walkable_for(DiscoveryCommunity::ID).contains(&address(1)),
        "a peer there already"
    );
    assert!(network.add_walkable(address(2), walkable(DiscoveryCommunity::ID)));
    network.blacklist(address(3));
    assert!(!network.add_walkable(address(3), walkable(DiscoveryCommunity::ID)));
    assert_eq!(network.introductions_from(&introducer), [address(1), address(2)]);

    for port in 4..50 {
        network.add_walkable(address(port), walkable(DiscoveryCommunity::ID));
    }
    let remembered = network.introductions_from(&introducer);
    assert_eq!(remembered.len(), 32, "the newest 32 per introducer");
    assert_eq!(remembered.last(), Some(&address(49)));
}

#[test]
fn the_last_five_round_trip_times_are_kept() {
    let mut network = Network::default();
    let peer = Peer::new(public_key(), address(1));
    network.add_verified_peer(&peer);
    for ms in 1..=7 {
        network.record_ping(peer.key(), Duration::from_millis(ms));
    }
    let entry = network.get(peer.key()).expect("verified");
    assert_eq!(entry.pings, (3..=7).map(Duration::from_millis).collect::<Vec<_>>());
    assert_eq!(entry.average_ping(), Some(Duration::from_millis(5)));
}
