//! A community's fast path (`Context::set_fast_path`), through the public API only: datagrams it
//! forwards leave the node without reaching the handlers and are counted as received, handled and
//! sent; what it leaves goes to the handlers; `Node::forward_fast` (the runtime's entry) appends to
//! the caller's buffer; the fast path goes with its community.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use ipv8::community;
use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::{
    Arrived, Community, CommunityId, Context, DropReason, FastPath, Forward, Incoming, Node,
};

const ID: CommunityId = CommunityId(*b"fast path reflector!");
/// The message id the fast path takes, when the body starts with `fast`.
const REFLECT: u8 = 201;

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// Sends `fast` datagrams of message 201 on to the address it shares with its community, with
/// the body upper-cased.
struct Reflect {
    to: Arc<Mutex<SocketAddr>>,
}

impl FastPath for Reflect {
    fn forward(&mut self, _: &Arrived, datagram: &[u8], out: &mut Vec<u8>) -> Option<Forward> {
        let (header, body) = datagram.split_at_checked(23)?;
        if header[22] != REFLECT || !body.starts_with(b"fast") {
            return None;
        }
        out.extend_from_slice(header);
        out.extend(body.iter().map(u8::to_ascii_uppercase));
        Some(Forward::to(*self.to.lock().unwrap()))
    }
}

/// Counts what reaches its handlers.
struct Reflector {
    to: Arc<Mutex<SocketAddr>>,
    handled: Vec<Vec<u8>>,
}

#[community]
impl Reflector {}

impl Community for Reflector {
    fn community_id(&self) -> CommunityId {
        ID
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        ctx.set_fast_path(Reflect { to: Arc::clone(&self.to) });
    }

    fn on_packet(
        &mut self,
        _ctx: &mut Context<'_, Self>,
        incoming: &Incoming<'_>,
    ) -> Result<(), DropReason> {
        self.handled.push(incoming.data()[23..].to_vec());
        Ok(())
    }
}

fn packet(body: &[u8]) -> Vec<u8> {
    [&ID.prefix()[..], &[REFLECT], body].concat()
}

fn node(now: Instant) -> Node {
    let mut node = Node::new(PrivateKey::generate(Curve::Curve25519).unwrap(), 1, now);
    let reflector = Reflector { to: Arc::new(Mutex::new(addr(7000))), handled: Vec::new() };
    node.add_community(now, reflector).unwrap();
    node
}

#[test]
fn forwarded_datagrams_skip_the_handlers_and_are_counted() {
    let now = Instant::now();
    let mut node = node(now);
    node.handle_datagram(now, addr(6000), &packet(b"fast one"));
    node.handle_datagram(now, addr(6000), &packet(b"slow one"));
    let sent: Vec<_> = std::iter::from_fn(|| node.poll_transmit()).collect();
    assert_eq!(sent.len(), 1, "only the fast datagram left");
    assert_eq!((sent[0].destination, &sent[0].contents), (addr(7000), &packet(b"FAST ONE")));
    let reflector = node.community::<Reflector>().unwrap();
    assert_eq!(reflector.handled, [b"slow one".to_vec()], "the fast one never reached it");
    let stats = node.stats();
    assert_eq!((stats.fast_forwarded, stats.received, stats.sent), (1, 2, 1));
    assert_eq!(stats.handled.get(&REFLECT), Some(&2));
}

#[test]
fn forward_fast_appends_to_the_callers_buffer_and_follows_the_shared_state() {
    let now = Instant::now();
    let mut node = node(now);
    let mut out = b"earlier".to_vec();
    let to = node.forward_fast(now, addr(6000), &packet(b"fast"), &mut out);
    assert_eq!(to, Some(Forward::to(addr(7000))));
    assert_eq!(out, [&b"earlier"[..], &packet(b"FAST")].concat());
    assert_eq!(node.forward_fast(now, addr(6000), &packet(b"slow"), &mut out), None);
    assert_eq!(out.len(), 7 + 27, "a datagram left alone adds nothing");
    assert!(node.poll_transmit().is_none(), "the caller sends what it forwards");

    *node.community::<Reflector>().unwrap().to.lock().unwrap() = addr(7001);
    let to = node.forward_fast(now, addr(6000), &packet(b"fast"), &mut Vec::new());
    assert_eq!(to, Some(Forward::to(addr(7001))), "the community steers its fast path");
}

#[test]
fn the_fast_path_goes_with_its_community() {
    let now = Instant::now();
    let mut node = node(now);
    node.remove_community(ID).unwrap();
    assert_eq!(node.forward_fast(now, addr(6000), &packet(b"fast"), &mut Vec::new()), None);
    node.handle_datagram(now, addr(6000), &packet(b"fast"));
    assert!(node.poll_transmit().is_none());
    assert_eq!(node.stats().dropped("unknown_community"), 1);
    assert_eq!(node.stats().fast_forwarded, 0);
}
