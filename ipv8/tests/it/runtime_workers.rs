//! Signature work outside the node: the checks a batch needs (`Node::signature_checks`), verdicts
//! handed in (`Node::handle_checked_datagrams`), datagrams signed when taken (`Node::poll_outgoing`),
//! and a tracker on the runtime whose worker threads check and sign a burst of requests while the
//! answers keep their order.
#![cfg(feature = "runtime")]

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use ipv8::community;
use ipv8::crypto::{Curve, PrivateKey};
use ipv8::messages::IntroductionResponsePayload;
use ipv8::proto::{Community, CommunityId, HEADER_LEN, Node, PREFIX_LEN};
use ipv8::runtime::{self, Config, Endpoint, EndpointConfig};
use ipv8::wire::{Message, Payload};

struct Walk;

#[community]
impl Walk {}

impl Community for Walk {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"workers it community")
    }
}

fn key() -> PrivateKey {
    PrivateKey::generate(Curve::Curve25519).unwrap()
}

/// A fresh walker's signed introduction-request to `to`.
fn request(to: SocketAddr, seed: u64) -> Vec<u8> {
    let now = Instant::now();
    let mut walker = Node::new(key(), seed, now);
    walker.add_community(now, Walk).unwrap();
    walker.with_community::<Walk, _>(now, |_, ctx| ctx.walk_to(to)).unwrap();
    walker.poll_transmit().unwrap().contents
}

/// A node running `Walk` (and a tracker when `tracker`), at 127.0.0.1:1.
fn node(tracker: bool) -> Node {
    let now = Instant::now();
    let mut node = Node::new(key(), 9, now);
    node.set_address("127.0.0.1:1".parse().unwrap());
    if tracker {
        node.enable_tracker(now);
    } else {
        node.add_community(now, Walk).unwrap();
    }
    node
}

fn source() -> SocketAddr {
    "127.0.0.1:2".parse().unwrap()
}

#[test]
fn a_tracker_has_requests_under_any_prefix_checked_a_plain_node_only_its_own() {
    let packet = request("127.0.0.1:1".parse().unwrap(), 1);
    let mut foreign = packet.clone();
    foreign[2] ^= 0xff;
    let batch = [(source(), packet.as_slice()), (source(), foreign.as_slice())];
    let plain = node(false).signature_checks(&batch);
    assert!(plain[0].is_some() && plain[1].is_none(), "{plain:?}");
    let tracker = node(true).signature_checks(&batch);
    assert!(tracker.iter().all(Option::is_some), "{tracker:?}");
}

#[test]
fn verdicts_handed_in_are_final() {
    let packet = request("127.0.0.1:1".parse().unwrap(), 2);
    let batch = [(source(), packet.as_slice())];
    let answers = |verdict| {
        let mut node = node(false);
        node.handle_checked_datagrams(Instant::now(), &batch, &[verdict]);
        let answered = std::iter::from_fn(|| node.poll_transmit()).count();
        (answered, node.stats().dropped.get("bad_signature").copied().unwrap_or(0))
    };
    // A valid request refused on the verdict's word, answered when checked or left to the node.
    assert_eq!(answers(Some(false)), (0, 1));
    assert!(answers(Some(true)).0 > 0);
    assert!(answers(None).0 > 0);
}

#[test]
fn datagrams_taken_unsigned_finish_as_the_node_signs_them() {
    let (now, key) = (Instant::now(), key());
    let walked = || {
        let mut node = Node::new(key.clone(), 4, now);
        node.add_community(now, Walk).unwrap();
        node.with_community::<Walk, _>(now, |_, ctx| ctx.walk_to(source())).unwrap();
        node
    };
    let signed = walked().poll_transmit().unwrap();
    let outgoing = walked().poll_outgoing().unwrap();
    assert!(!outgoing.is_signed());
    assert_eq!(outgoing.transmit().contents.len(), signed.contents.len());
    assert_ne!(outgoing.transmit().contents, signed.contents, "the signature is not written yet");
    assert_eq!(std::thread::spawn(move || outgoing.finish()).join().unwrap(), signed);
}

/// The identifier of an old-style introduction-response.
fn response_identifier(packet: &[u8]) -> Option<u16> {
    if packet.get(PREFIX_LEN) != Some(&IntroductionResponsePayload::MSG_ID) {
        return None;
    }
    let key_len =
        usize::from(u16::from_be_bytes(packet.get(HEADER_LEN..HEADER_LEN + 2)?.try_into().ok()?));
    // Key, then the global time, then the payload, then a 64-byte signature.
    let body = packet.get(HEADER_LEN + 2 + key_len + 8..packet.len().checked_sub(64)?)?;
    IntroductionResponsePayload::from_bytes(body).ok().map(|payload| payload.identifier)
}

/// The identifier of an old-style introduction-request built by [`request`].
fn request_identifier(packet: &[u8]) -> u16 {
    let key_len = usize::from(u16::from_be_bytes([packet[HEADER_LEN], packet[HEADER_LEN + 1]]));
    let body = &packet[HEADER_LEN + 2 + key_len + 8..packet.len() - 64];
    ipv8::messages::IntroductionRequestPayload::from_bytes(body).unwrap().identifier
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tracker_with_workers_answers_a_burst_in_order() {
    let now = Instant::now();
    let mut tracker = Node::new(key(), 5, now);
    tracker.enable_tracker(now);
    let loopback = EndpointConfig::new().with_ipv4("127.0.0.1:0".parse().unwrap());
    let endpoint = Endpoint::bind(&loopback).unwrap();
    let to = endpoint.local_addrs().ipv4().unwrap();

    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut requests: Vec<_> = (0..48).map(|seed| request(to, 100 + seed)).collect();
    let forged = requests.len() / 2;
    *requests[forged].last_mut().unwrap() ^= 1;
    let expected: Vec<u16> = requests
        .iter()
        .enumerate()
        .filter(|(index, _)| *index != forged)
        .map(|(_, packet)| request_identifier(packet))
        .collect();
    // Waiting in the socket before the tracker runs, the requests reach it in batches of 32
    // (what one receive call takes), which the workers share.
    for packet in &requests {
        socket.send_to(packet, to).unwrap();
    }
    let config = Config::new().with_crypto_workers(2);
    let (handle, _events, _task) = runtime::spawn_with(&config, tracker, endpoint);
    let mut answered = Vec::new();
    let mut buf = [0; 2048];
    while answered.len() < expected.len() {
        let (len, _) = socket.recv_from(&mut buf).expect("every valid request is answered");
        answered.extend(response_identifier(&buf[..len]));
    }
    assert_eq!(answered, expected, "answers in the order of the requests, none to the forgery");
    let stats = handle.stats().await.unwrap();
    assert_eq!(stats.node.dropped.get("bad_signature"), Some(&1));
    assert!(stats.checked_on_workers > 0, "the workers checked part of the burst: {stats:?}");
    assert!(stats.signed_on_workers > 0, "the workers signed part of the answers: {stats:?}");
    handle.shutdown().await;
}
