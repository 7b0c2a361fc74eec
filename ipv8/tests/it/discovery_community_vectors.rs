//! The DiscoveryCommunity against py-ipv8's own packets (spec §6, V13–V17): with the scenario's
//! keys, addresses and global times, node A produces the similarity-request V13 and the ping V16,
//! and node B answers them with exactly the similarity-responses V14 and V15 and the pong V17. Each
//! node also handles the packets py-ipv8 sent it as py-ipv8 would.

use crate::common;

use common::Vectors;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ipv8::community;
use ipv8::crypto::PrivateKey;
use ipv8::proto::discovery::DiscoveryCommunity;
use ipv8::proto::{Community, CommunityId, Context, Node, Peer};

const A_LAN: &str = "192.168.1.10:8090";
const A_WAN: &str = "203.0.113.5:8090";
const B_LAN: &str = "10.0.0.7:8091";
const B_WAN: &str = "198.51.100.20:8091";

/// The scenario's application community, which B runs besides the DiscoveryCommunity for V15.
#[derive(Default)]
struct Interop {
    added: Vec<Peer>,
}

#[community]
impl Interop {}

impl Community for Interop {
    fn community_id(&self) -> CommunityId {
        interop_id()
    }

    fn on_peer_added(&mut self, _ctx: &mut Context<'_, Self>, peer: &Peer) {
        self.added.push(peer.clone());
    }
}

fn interop_id() -> CommunityId {
    "6970763820696e7465726f702074657374000001".parse().expect("id")
}

fn addr(text: &str) -> SocketAddr {
    text.parse().expect("address")
}

fn node(key: PrivateKey, lan: &str, wan: &str, now: Instant) -> Node {
    let mut node = Node::new(key, 1, now);
    node.set_address(addr(lan));
    node.set_wan_address(addr(wan));
    node.add_community(now, DiscoveryCommunity::new()).expect("added");
    node
}

/// Claims global time until the node's next message carries `next`.
fn claim_until(node: &mut Node, now: Instant, next: u64) {
    node.with_community::<DiscoveryCommunity, _>(
        now,
        |_, ctx| {
            while ctx.claim_global_time() + 1 < next {}
        },
    );
}

fn send(node: &mut Node, now: Instant, f: impl FnOnce(&mut Context<'_, DiscoveryCommunity>)) {
    node.with_community::<DiscoveryCommunity, _>(now, |_, ctx| f(ctx)).expect("running");
}

#[test]
#[allow(clippy::similar_names, reason = "A and B are the spec scenario's peers")]
fn similarity_and_ping_match_py_ipv8_byte_for_byte() {
    let vectors = Vectors::load();
    let now = Instant::now();
    let mut a = node(vectors.key("A"), A_LAN, A_WAN, now);
    let mut b = node(vectors.key("B"), B_LAN, B_WAN, now);
    let b_peer = Peer::new(b.public_key().clone(), addr(B_WAN));

    // A's messages V1–V4 took global times 1–4; V13 lists A's only community.
    claim_until(&mut a, now, 5);
    send(&mut a, now, |ctx| DiscoveryCommunity::send_similarity_request(ctx, addr(B_WAN)));
    let v13 = a.poll_transmit().expect("a similarity-request");
    assert_eq!((v13.destination, &v13.contents), (addr(B_WAN), &vectors.packet("V13 ")));

    // B's V5–V9 took 1–5; it answers V13 with V14.
    claim_until(&mut b, now, 6);
    b.handle_datagram(now, addr(A_WAN), &v13.contents);
    let v14 = b.poll_transmit().expect("a similarity-response");
    assert_eq!((v14.destination, &v14.contents), (addr(A_WAN), &vectors.packet("V14 ")));

    // A pings B (V16) and, at global time 9, asks B again; B now also runs the interop community.
    send(&mut a, now, |ctx| DiscoveryCommunity::send_ping(ctx, &b_peer));
    let v16 = a.poll_transmit().expect("a ping");
    assert_eq!((v16.destination, &v16.contents), (addr(B_WAN), &vectors.packet("V16 ")));
    claim_until(&mut a, now, 9);
    send(&mut a, now, |ctx| DiscoveryCommunity::send_similarity_request(ctx, addr(B_WAN)));
    let request_9 = a.poll_transmit().expect("a second similarity-request");
    b.add_community(now, Interop::default()).expect("added");
    b.handle_datagram(now, addr(A_WAN), &request_9.contents);
    let v15 = b.poll_transmit().expect("a similarity-response");
    assert_eq!((v15.destination, &v15.contents), (addr(A_WAN), &vectors.packet("V15 ")));

    // B answers the ping with V17, to wherever it came from.
    b.handle_datagram(now, addr(A_WAN), &v16.contents);
    let v17 = b.poll_transmit().expect("a pong");
    assert_eq!((v17.destination, &v17.contents), (addr(A_WAN), &vectors.packet("V17 ")));
    assert_eq!(b.stats().dropped.values().sum::<u64>(), 0);
}

#[test]
fn similarity_responses_from_py_ipv8_make_b_a_peer_of_every_listed_community() {
    let vectors = Vectors::load();
    let now = Instant::now();
    let mut a = node(vectors.key("A"), A_LAN, A_WAN, now);
    a.add_community(now, Interop::default()).expect("added");
    let b_key = vectors.key("B").public_key();

    // V14 makes B a verified peer of the DiscoveryCommunity only.
    a.handle_datagram(now, addr(B_WAN), &vectors.packet("V14 "));
    assert_eq!(a.network().peers_for(DiscoveryCommunity::ID).len(), 1);
    assert!(a.network().peers_for(interop_id()).is_empty());
    assert!(a.community::<Interop>().expect("running").added.is_empty());

    // V15 lists the interop community too: B joins that community's peers, and it is told.
    a.handle_datagram(now, addr(B_WAN), &vectors.packet("V15 "));
    let b_peer = Peer::new(b_key, addr(B_WAN));
    assert_eq!(a.network().peers_for(interop_id()), std::slice::from_ref(&b_peer));
    assert_eq!(a.community::<Interop>().expect("running").added, [b_peer]);
    assert_eq!(a.stats().dropped.values().sum::<u64>(), 0);
}

#[test]
fn pong_from_py_ipv8_finishes_the_ping_and_records_a_round_trip() {
    let vectors = Vectors::load();
    let now = Instant::now();
    let mut a = node(vectors.key("A"), A_LAN, A_WAN, now);
    let b_peer = Peer::new(vectors.key("B").public_key(), addr(B_WAN));
    a.add_peer(&b_peer, &[DiscoveryCommunity::ID]);

    claim_until(&mut a, now, 6);
    send(&mut a, now, |ctx| DiscoveryCommunity::send_ping(ctx, &b_peer));
    assert_eq!(a.poll_transmit().expect("a ping").contents, vectors.packet("V16 "));

    // V17 echoes identifier 6; a second copy finds no ping waiting and changes nothing.
    let later = now + Duration::from_millis(40);
    a.handle_datagram(later, addr(B_WAN), &vectors.packet("V17 "));
    a.handle_datagram(later, addr(B_WAN), &vectors.packet("V17 "));
    let entry = a.network().get(b_peer.key()).expect("known");
    assert_eq!(entry.pings, [Duration::from_millis(40)]);
    assert_eq!(entry.last_response, Some(later), "any datagram counts as a sign of life");
}

#[test]
fn a_pong_after_the_ping_timed_out_is_ignored() {
    let vectors = Vectors::load();
    let now = Instant::now();
    let mut a = node(vectors.key("A"), A_LAN, A_WAN, now);
    let b_peer = Peer::new(vectors.key("B").public_key(), addr(B_WAN));
    a.add_peer(&b_peer, &[DiscoveryCommunity::ID]);
    claim_until(&mut a, now, 6);
    send(&mut a, now, |ctx| DiscoveryCommunity::send_ping(ctx, &b_peer));

    let late = now + ipv8::proto::discovery::PING_TIMEOUT;
    a.handle_timeout(late);
    a.handle_datagram(late, addr(B_WAN), &vectors.packet("V17 "));
    assert!(a.network().get(b_peer.key()).expect("known").pings.is_empty());
}

#[test]
fn a_request_listing_three_communities_is_recorded_and_answered() {
    let vectors = Vectors::load();
    let now = Instant::now();
    let mut b = node(vectors.key("B"), B_LAN, B_WAN, now);
    let a_key = vectors.key("A").public_key();
    let request = vectors.packet("similarity-request listing three communities");

    // The request comes from A, whom B has not verified: its communities wait until it is.
    b.handle_datagram(now, addr(A_WAN), &request);
    let response = b.poll_transmit().expect("a similarity-response");
    assert_eq!(response.destination, addr(A_WAN));
    // Header, B's key, global time 1, then the echoed identifier: 2^40 mod 65536 = 0.
    let body = &response.contents[23 + 2 + 74..];
    assert_eq!(body[..12], [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
    assert!(b.network().get(&a_key).is_none(), "a request verifies nobody");

    let a_peer = Peer::new(a_key.clone(), addr(A_WAN));
    b.add_peer(&a_peer, &[]);
    let services = &b.network().get(&a_key).expect("verified").services;
    let tunnel: CommunityId = "81ded07332bdc775aa5a46f96de9f8f390bbc9f3".parse().expect("id");
    let dht: CommunityId = "8d0be1845d74d175f178197cad001591d04d73cc".parse().expect("id");
    assert_eq!(services.iter().copied().collect::<Vec<_>>(), {
        let mut ids = vec![DiscoveryCommunity::ID, tunnel, dht];
        ids.sort();
        ids
    });
    assert_eq!(b.network().peers_for(DiscoveryCommunity::ID), [a_peer]);
}
