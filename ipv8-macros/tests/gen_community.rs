//! Shapes `#[community]` must accept without warnings, with the dispatch table it generates.
#![deny(warnings, unused_qualifications)]

use std::net::SocketAddr;

use ipv8::proto::{Community, CommunityId, Context, Dispatch, Peer};
use ipv8::testing::TestNetwork;
use ipv8::wire::Message;
use ipv8::{community, payload};

#[payload(msg_id = 0)]
struct Lowest {
    n: i64,
}

#[payload(msg_id = 230)]
struct Highest {
    text: String,
}

#[derive(Default)]
struct Both {
    signed: Vec<i64>,
    unsigned: Vec<String>,
}

#[community]
impl Both {
    /// Doc comments and other attributes stay on handlers.
    #[lazy_handler]
    #[inline]
    fn on_lowest(&mut self, _ctx: &mut Context<Self>, _peer: &Peer, payload: Lowest) {
        self.signed.push(payload.n);
    }

    #[lazy_handler(unsigned)]
    fn on_highest(&mut self, _ctx: &mut Context<Self>, _source: SocketAddr, payload: Highest) {
        self.unsigned.push(payload.text);
    }

    /// A plain method beside the handlers is left alone.
    fn total(&self) -> usize {
        self.signed.len() + self.unsigned.len()
    }
}

impl Community for Both {
    fn community_id(&self) -> CommunityId {
        CommunityId([1; 20])
    }
}

#[test]
fn signed_and_unsigned_handlers_share_a_table() {
    assert_eq!(<Both as Dispatch>::MESSAGE_IDS, [Lowest::MSG_ID, Highest::MSG_ID]);
    assert_eq!(<Both as Dispatch>::HANDLER_NAMES, ["on_lowest", "on_highest"]);
    assert_eq!(<Both as Dispatch>::handler_of(Highest::MSG_ID), Some("on_highest"));
    let mut net = TestNetwork::initialize(2, |_| Both::default());
    let (peer1, address1) = (net.peer(1), net.address(1));
    net.with_overlay(0, |_, ctx| {
        ctx.ez_send(&peer1, &Lowest { n: -1 });
        ctx.ez_send_unsigned(address1, &Highest { text: "top".into() });
    });
    net.deliver_messages();
    assert_eq!(net.overlay(1).signed, [-1]);
    assert_eq!(net.overlay(1).unsigned, ["top"]);
    assert_eq!(net.overlay(1).total(), 2);
}

struct Silent;

#[community]
impl Silent {}

impl Community for Silent {
    fn community_id(&self) -> CommunityId {
        CommunityId([2; 20])
    }
}

#[test]
fn a_community_without_handlers_drops_every_message() {
    assert!(<Silent as Dispatch>::MESSAGE_IDS.is_empty());
    assert!(<Silent as Dispatch>::HANDLER_NAMES.is_empty());
    let mut net = TestNetwork::initialize(2, |_| Silent);
    let peer1 = net.peer(1);
    net.with_overlay(0, |_, ctx| ctx.ez_send(&peer1, &Lowest { n: 1 }));
    net.deliver_messages();
    assert_eq!(net.node(1).stats().dropped("unknown_message"), 1);
}

mod reexport {
    pub(crate) use ipv8 as renamed;
}

struct Renamed<T> {
    seen: Vec<T>,
}

#[community(crate = "reexport::renamed")]
impl<T: From<i64> + Send + 'static> Renamed<T> {
    #[lazy_handler]
    fn on_lowest(&mut self, _ctx: &mut Context<Self>, _peer: &Peer, payload: Lowest) {
        self.seen.push(T::from(payload.n));
    }
}

impl<T: From<i64> + Send + 'static> Community for Renamed<T> {
    fn community_id(&self) -> CommunityId {
        CommunityId([3; 20])
    }
}

#[test]
fn generic_communities_and_renamed_crate_paths() {
    let mut net = TestNetwork::initialize(2, |_| Renamed::<i128> { seen: Vec::new() });
    let peer1 = net.peer(1);
    net.with_overlay(0, |_, ctx| ctx.ez_send(&peer1, &Lowest { n: 5 }));
    net.deliver_messages();
    assert_eq!(net.overlay(1).seen, [5_i128]);
}
