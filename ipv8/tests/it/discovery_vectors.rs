//! Peer discovery against py-ipv8's own packets (spec §6): with the scenario's keys, addresses and
//! global times, our nodes produce the introduction-request V1, answer it with exactly the
//! puncture-request V6 and introduction-response V5, and the introduced peer punctures with V10.

use crate::common;

use common::Vectors;

use std::net::SocketAddr;
use std::time::Instant;

use ipv8::community;
use ipv8::crypto::PrivateKey;
use ipv8::proto::{Community, CommunityId, Node, Peer};

/// The DiscoveryCommunity's id; introductions are handled by the node core in every community.
struct Discovery;

#[community]
impl Discovery {}

impl Community for Discovery {
    fn community_id(&self) -> CommunityId {
        "7e313685c1912a141279f8248fc8db5899c5df5a".parse().expect("id")
    }
}

fn addr(text: &str) -> SocketAddr {
    text.parse().expect("address")
}

fn node(key: PrivateKey, lan: &str, wan: &str, now: Instant) -> Node {
    let mut node = Node::new(key, 1, now);
    node.set_address(addr(lan));
    node.set_wan_address(addr(wan));
    node.add_community(now, Discovery).expect("added");
    node
}

#[test]
#[allow(clippy::similar_names, reason = "A, B and C are the spec scenario's peers")]
fn introduction_flow_matches_py_ipv8_byte_for_byte() {
    let vectors = Vectors::load();
    let now = Instant::now();
    let (a_lan, a_wan) = ("192.168.1.10:8090", "203.0.113.5:8090");
    let (b_lan, b_wan) = ("10.0.0.7:8091", "198.51.100.20:8091");
    let (c_lan, c_wan) = ("192.168.2.20:7000", "198.51.100.7:7001");
    let mut a = node(vectors.key("A"), a_lan, a_wan, now);
    let mut b = node(vectors.key("B"), b_lan, b_wan, now);
    let mut c = node(vectors.key("C"), c_lan, c_wan, now);

    // A walks to B: V1.
    a.walk_to::<Discovery>(now, addr(b_wan)).expect("running");
    let v1 = a.poll_transmit().expect("a request");
    assert_eq!((v1.destination, &v1.contents), (addr(b_wan), &vectors.packet("V1 ")));

    // B knows C (who reported its LAN address), so it introduces C: V6 to C, then V5 to A.
    let c_peer = Peer::new(c.public_key().clone(), addr(c_wan));
    b.add_peer(&c_peer, &[Discovery.community_id()]);
    b.network_mut().get_mut(c_peer.key()).expect("known").lan_address = Some(addr(c_lan));
    b.handle_datagram(now, addr(a_wan), &v1.contents);
    let v6 = b.poll_transmit().expect("a puncture-request");
    assert_eq!((v6.destination, &v6.contents), (addr(c_wan), &vectors.packet("V6 ")));
    let v5 = b.poll_transmit().expect("a response");
    assert_eq!((v5.destination, &v5.contents), (addr(a_wan), &vectors.packet("V5 ")));

    // C punctures towards A: V10.
    c.handle_datagram(now, addr(b_wan), &v6.contents);
    let v10 = c.poll_transmit().expect("a puncture");
    assert_eq!((v10.destination, &v10.contents), (addr(a_wan), &vectors.packet("V10 ")));

    // A takes B as a peer and C as an address to walk to.
    a.handle_datagram(now, addr(b_wan), &v5.contents);
    assert!(a.network().peer_at(addr(b_wan)).is_some());
    let id = Discovery.community_id();
    assert_eq!(a.network().walkable_for(id), [addr(c_lan), addr(c_wan)]);
    a.handle_datagram(now, addr(c_wan), &v10.contents);
    assert_eq!(a.stats().dropped.values().sum::<u64>(), 0, "the puncture verifies");
}
