//! The receive pipeline against py-ipv8's own packets, and against hostile input.
//!
//! py-ipv8 3.2.1 signed `Clock(1700000000)` (vector V20) and sent `Clock(5)` unsigned (V22) under the
//! interop community id; a node must accept both, and with the same key produce V20 byte for byte.
//! Truncated, forged, unknown and random packets must be dropped and counted, never crash the node.

use std::net::SocketAddr;
use std::time::Instant;

use crate::common;

use common::Vectors;
use ipv8::crypto::PrivateKey;
use ipv8::proto::{Community, CommunityId, Context, Node, Peer, Rng};
use ipv8::{community, payload};

#[payload(msg_id = 1)]
struct Clock {
    clock: i64,
}

#[derive(Default)]
struct Interop {
    signed: Vec<(Vec<u8>, i64)>,
    unsigned: Vec<(SocketAddr, i64)>,
}

/// A community with one message, handled signed; and its unsigned twin under another id.
#[community]
impl Interop {
    #[lazy_handler]
    fn on_clock(&mut self, _ctx: &mut Context<Self>, peer: &Peer, payload: Clock) {
        self.signed.push((peer.key().to_bin().to_vec(), payload.clock));
    }
}

impl Community for Interop {
    fn community_id(&self) -> CommunityId {
        "6970763820696e7465726f702074657374000001".parse().expect("valid id")
    }
}

#[derive(Default)]
struct UnsignedInterop {
    inner: Interop,
}

#[community]
impl UnsignedInterop {
    #[lazy_handler(unsigned)]
    fn on_clock(&mut self, _ctx: &mut Context<Self>, source: SocketAddr, payload: Clock) {
        self.inner.unsigned.push((source, payload.clock));
    }
}

impl Community for UnsignedInterop {
    fn community_id(&self) -> CommunityId {
        self.inner.community_id()
    }
}

/// `(key A's private key, V20, V22)` from the captured vectors.
fn vectors() -> (PrivateKey, Vec<u8>, Vec<u8>) {
    let vectors = Vectors::load();
    (vectors.key("A"), vectors.packet("V20"), vectors.packet("V22"))
}

fn node_with<C: Community>(community: C) -> (Node, Instant) {
    let now = Instant::now();
    let key = PrivateKey::from_bin(&[b"LibNaCLSK:".as_slice(), &[7; 64]].concat()).expect("key");
    let mut node = Node::new(key, 1, now);
    node.add_community(now, community).expect("added");
    (node, now)
}

const PY_PEER: &str = "127.0.0.1:8090";

#[test]
fn accepts_py_ipv8_signed_and_unsigned_messages() {
    let (key_a, v20, v22) = vectors();
    let (mut node, now) = node_with(Interop::default());
    node.handle_datagram(now, PY_PEER.parse().unwrap(), &v20);
    let interop = node.community::<Interop>().expect("running");
    assert_eq!(interop.signed, [(key_a.public_key().to_bin().to_vec(), 1_700_000_000)]);

    let (mut node, now) = node_with(UnsignedInterop::default());
    node.handle_datagram(now, PY_PEER.parse().unwrap(), &v22);
    assert_eq!(
        node.community::<UnsignedInterop>().expect("running").inner.unsigned,
        [(PY_PEER.parse().unwrap(), 5)]
    );
}

#[test]
fn signs_exactly_as_py_ipv8_does() {
    let (key_a, v20, _) = vectors();
    let now = Instant::now();
    let mut node = Node::new(key_a, 1, now);
    node.add_community(now, Interop::default()).expect("added");
    let to: SocketAddr = PY_PEER.parse().unwrap();
    node.with_community::<Interop, _>(now, |_, ctx| {
        ctx.try_ez_send(to, &Clock { clock: 1_700_000_000 })
    })
    .expect("running")
    .expect("encodes");
    let transmit = node.poll_transmit().expect("a packet");
    assert_eq!(transmit.destination, to);
    assert_eq!(transmit.contents, v20);
}

#[test]
fn hostile_packets_are_dropped_and_counted() {
    let (_, v20, v22) = vectors();
    let (mut node, now) = node_with(Interop::default());
    let from: SocketAddr = PY_PEER.parse().unwrap();
    let mut forged = v20.clone();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    let mut tampered = v20.clone();
    tampered[100] ^= 1;
    let mut unknown_id = v20.clone();
    unknown_id[22] = 99;
    let mut other_community = v20.clone();
    other_community[5] ^= 1;
    let mut bad_key = v20.clone();
    bad_key[25] = b'X';
    let cases: [(&[u8], &str); 8] = [
        (&v20[..10], "too_short"),
        (&v20[..60], "too_short"),
        (&forged, "bad_signature"),
        (&tampered, "bad_signature"),
        (&unknown_id, "unknown_message"),
        (&other_community, "unknown_community"),
        (&bad_key, "invalid_key"),
        (&v22, "invalid_key"),
    ];
    for (packet, label) in cases {
        let before = node.stats().dropped(label);
        node.handle_datagram(now, from, packet);
        assert_eq!(node.stats().dropped(label), before + 1, "expected a {label} drop");
    }
    assert!(node.community::<Interop>().expect("running").signed.is_empty());
    assert!(node.poll_transmit().is_none());
}

#[test]
fn random_and_mutated_bytes_never_crash_the_node() {
    let (_, v20, v22) = vectors();
    let (mut node, now) = node_with(Interop::default());
    let from: SocketAddr = PY_PEER.parse().unwrap();
    let mut rng = Rng::new(42);
    for round in 0..20_000_u64 {
        let mut packet = if round % 2 == 0 { v20.clone() } else { v22.clone() };
        let cut = usize::try_from(rng.below(packet.len() as u64 + 1)).unwrap();
        packet.truncate(cut.max(if round % 3 == 0 { 23 } else { 0 }).min(packet.len()));
        for _ in 0..rng.below(4) {
            if let Some(len) = u64::try_from(packet.len()).ok().filter(|len| *len > 0) {
                let at = usize::try_from(rng.below(len)).unwrap();
                packet[at] = rng.next_u64() as u8;
            }
        }
        node.handle_datagram(now, from, &packet);
    }
    let stats = node.stats();
    assert_eq!(stats.received, 20_000);
    let dropped: u64 = stats.dropped.values().sum();
    let handled: u64 = stats.handled.values().sum();
    assert_eq!(dropped + handled, 20_000, "every packet is either handled or counted as dropped");
}

#[test]
fn a_batch_gives_the_same_verdicts_as_one_by_one() {
    let (_, v20, v22) = vectors();
    let mut forged = v20.clone();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    let from: SocketAddr = PY_PEER.parse().unwrap();
    let batch: Vec<(SocketAddr, &[u8])> =
        vec![(from, &v20), (from, &forged), (from, &v22), (from, &v20[..40]), (from, &v20)];

    let (mut one_by_one, now) = node_with(Interop::default());
    for (source, data) in &batch {
        one_by_one.handle_datagram(now, *source, data);
    }
    let (mut batched, now) = node_with(Interop::default());
    batched.handle_datagrams(now, &batch);

    let (batch, single) = (batched.stats(), one_by_one.stats());
    assert_eq!(
        (batch.received, &batch.handled, &batch.dropped),
        (single.received, &single.handled, &single.dropped)
    );
    assert_eq!(batched.stats().handled.values().sum::<u64>(), 2);
    assert_eq!(
        batched.stats().dropped("bad_signature"),
        1,
        "a forged signature inside a batch is still refused"
    );
    assert_eq!(batched.community::<Interop>().expect("running").signed.len(), 2);
}
