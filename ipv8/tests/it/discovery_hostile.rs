//! Hostile discovery traffic: a replayed introduction-response (py-ipv8's V5) and a flood of mutated
//! packets from one address never crash a node, never grow its tables without bound, and are counted.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::common;

use common::Vectors;
use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::discovery::DiscoveryCommunity;
use ipv8::proto::{Node, Rng};

fn v5() -> (PrivateKey, Vec<u8>) {
    let vectors = Vectors::load();
    (vectors.key("A"), vectors.packet("V5 "))
}

fn node_a() -> (Node, Instant) {
    let (key, _) = v5();
    let now = Instant::now();
    let mut node = Node::new(key, 1, now);
    node.set_address("192.168.1.10:8090".parse().expect("address"));
    DiscoveryCommunity::new().install(&mut node, now).expect("installed");
    (node, now)
}

#[test]
fn a_replayed_introduction_response_changes_nothing_more() {
    let (_, v5) = v5();
    let (mut node, now) = node_a();
    let from: SocketAddr = "198.51.100.20:8091".parse().expect("address");
    for _ in 0..1000 {
        node.handle_datagram(now, from, &v5);
    }
    assert_eq!(node.network().len(), 1, "the responder is one peer, however often it is replayed");
    assert_eq!(
        node.network().walkable_for(DiscoveryCommunity::ID).len(),
        2,
        "the introduced addresses once"
    );
    assert_eq!(node.stats().received, 1000);
    assert_eq!(
        node.stats().dropped.values().sum::<u64>() + node.stats().handled.values().sum::<u64>(),
        1000
    );
}

#[test]
fn a_flood_of_mutated_packets_from_one_address_is_counted() {
    let (_, v5) = v5();
    let (mut node, now) = node_a();
    let from: SocketAddr = "203.0.113.66:9999".parse().expect("address");
    let mut rng = Rng::new(5);
    for _ in 0..50_000 {
        let mut packet = v5.clone();
        for _ in 0..=rng.below(3) {
            let at = usize::try_from(rng.below(packet.len() as u64)).expect("index");
            packet[at] = rng.next_u64() as u8;
        }
        let keep = usize::try_from(rng.below(packet.len() as u64 + 1)).expect("length");
        packet.truncate(keep.max(23));
        node.handle_datagram(now, from, &packet);
    }
    let stats = node.stats();
    assert_eq!(stats.received, 50_000);
    assert_eq!(stats.dropped.values().sum::<u64>() + stats.handled.values().sum::<u64>(), 50_000);
    assert!(node.network().len() <= 1, "forged packets add no peers");
}

/// `count` introduction-requests to `to` signed with `key`, each with its signature's last byte
/// changed when `forged`.
fn requests(key: PrivateKey, to: SocketAddr, count: usize, forged: bool) -> Vec<Vec<u8>> {
    let now = Instant::now();
    let mut builder = Node::new(key, 7, now);
    DiscoveryCommunity::new().install(&mut builder, now).expect("installed");
    for _ in 0..count {
        builder.walk_to::<DiscoveryCommunity>(now, to).expect("a discovery community");
    }
    let mut packets: Vec<_> = std::iter::from_fn(|| builder.poll_transmit())
        .filter(|transmit| transmit.destination == to)
        .map(|transmit| transmit.contents)
        .collect();
    assert_eq!(packets.len(), count);
    for packet in packets.iter_mut().filter(|_| forged) {
        *packet.last_mut().expect("a signature") ^= 0x01;
    }
    packets
}

/// A peer with a legacy key can make a node spend 0.3 to 2.8 ms per forged packet checking its
/// signature; the node checks them within a budget of CPU time per second and drops the rest
/// unchecked. Good packets get through again as the budget refills; curve25519 is not bounded.
#[test]
fn legacy_signatures_are_checked_within_a_budget() {
    let (mut node, now) = node_a();
    node.set_legacy_check_budget(Duration::from_millis(31)); // 100 checks on very-low.
    let to = "192.168.1.10:8090".parse().expect("address");
    let from: SocketAddr = "198.51.100.30:7000".parse().expect("address");
    let legacy = PrivateKey::generate(Curve::VeryLow).expect("a legacy key");
    let forged = requests(legacy.clone(), to, 300, true);
    // One by one and in a batch, the path where curve25519 signatures are checked up front.
    for packet in &forged[..150] {
        node.handle_datagram(now, from, packet);
    }
    let batch: Vec<_> = forged[150..].iter().map(|packet| (from, packet.as_slice())).collect();
    node.handle_datagrams(now, &batch);
    assert_eq!(node.stats().dropped("bad_signature"), 100);
    assert_eq!(node.stats().dropped("check_budget"), 200);

    let good = requests(legacy, to, 1, false);
    node.handle_datagram(now, from, &good[0]);
    assert_eq!(node.stats().dropped("check_budget"), 201, "the budget is spent");
    node.handle_datagram(now + Duration::from_millis(100), from, &good[0]);
    assert_eq!(node.network().len(), 1, "a tenth of a second later, checked and accepted");

    let forged = requests(PrivateKey::generate(Curve::Curve25519).expect("a key"), to, 300, true);
    for packet in &forged {
        node.handle_datagram(now + Duration::from_millis(100), from, packet);
    }
    assert_eq!(node.stats().dropped("bad_signature"), 400);
    assert_eq!(node.stats().dropped("check_budget"), 201);
}
