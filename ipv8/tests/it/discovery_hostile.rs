//! Hostile discovery traffic: a replayed introduction-response (py-ipv8's V5) and a flood of mutated
//! packets from one address never crash a node, never grow its tables without bound, and are counted.

use std::net::SocketAddr;
use std::time::Instant;

use crate::common;

use common::Vectors;
use ipv8::crypto::PrivateKey;
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
