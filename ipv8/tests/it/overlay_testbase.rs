//! The seed's unit-testing tutorial on the simulator: creating instances with settings, message
//! delivery, cache timeouts through passthrough, and asserting which messages arrive.

use std::time::Duration;

use ipv8::proto::{Community, CommunityId, Context, NumberCache, Passthrough, Peer};
use ipv8::testing::TestNetwork;
use ipv8::wire::Message;
use ipv8::{community, payload};

#[payload(msg_id = 1)]
#[derive(Debug, PartialEq)]
struct Message1 {
    value: i64,
}

#[payload(msg_id = 2)]
#[derive(Debug, PartialEq)]
struct Message2 {
    value: i64,
}

#[payload(msg_id = 3)]
struct Message3 {
    value: i64,
}

/// Settings with an optional constant (py-ipv8's `MyCommunitySettings`).
#[derive(Default)]
struct MySettings {
    some_constant: Option<i64>,
}

struct MyCache;

impl NumberCache<MyCommunity> for MyCache {
    fn on_timeout(
        self: Box<Self>,
        community: &mut MyCommunity,
        _ctx: &mut Context<'_, MyCommunity>,
    ) {
        community.timed_out = true;
    }
}

struct OtherCache;

impl NumberCache<MyCommunity> for OtherCache {
    fn timeout_delay(&self) -> Duration {
        Duration::from_secs(30)
    }
}

struct MyCommunity {
    some_constant: i64,
    last_peer: Option<Peer>,
    timed_out: bool,
}

impl MyCommunity {
    fn new(settings: &MySettings) -> Self {
        Self {
            some_constant: settings.some_constant.unwrap_or(42),
            last_peer: None,
            timed_out: false,
        }
    }

    fn send_msg_to(ctx: &mut Context<'_, Self>, peer: &Peer, which: i64) {
        match which {
            1 => ctx.ez_send(peer, &Message1 { value: 1 }),
            2 => ctx.ez_send(peer, &Message2 { value: 2 }),
            _ => ctx.ez_send(peer, &Message3 { value: 3 }),
        }
    }
}

#[community]
impl MyCommunity {
    #[lazy_handler]
    fn on_message1(&mut self, _ctx: &mut Context<Self>, peer: &Peer, _payload: Message1) {
        self.last_peer = Some(peer.clone());
    }

    #[lazy_handler]
    fn on_message2(&mut self, _ctx: &mut Context<Self>, peer: &Peer, _payload: Message2) {
        self.last_peer = Some(peer.clone());
    }

    #[lazy_handler]
    fn on_message3(&mut self, _ctx: &mut Context<Self>, peer: &Peer, _payload: Message3) {
        self.last_peer = Some(peer.clone());
    }
}

impl Community for MyCommunity {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"unit testing tutor!!")
    }
}

#[test]
fn call() {
    let net = TestNetwork::initialize(1, |_| MyCommunity::new(&MySettings::default()));
    assert_eq!(net.overlay(0).some_constant, 42);
}

#[test]
fn call_with_settings() {
    let net =
        TestNetwork::initialize(1, |_| MyCommunity::new(&MySettings { some_constant: Some(7) }));
    assert_eq!(net.overlay(0).some_constant, 7);
}

#[test]
fn message_arrives_from_the_right_peer() {
    let mut net = TestNetwork::initialize(2, |_| MyCommunity::new(&MySettings::default()));
    let peer1 = net.peer(1);
    net.with_overlay(0, |_, ctx| MyCommunity::send_msg_to(ctx, &peer1, 1));
    assert_eq!(net.deliver_messages(), 1);
    assert_eq!(net.overlay(1).last_peer, Some(net.peer(0)));
    assert_eq!(net.overlay(0).last_peer, None);
}

#[test]
fn passthrough_fires_the_timeout_at_once() {
    let mut net = TestNetwork::initialize(1, |_| MyCommunity::new(&MySettings::default()));
    net.passthrough(0, &Passthrough::All(Duration::ZERO));
    net.with_overlay(0, |_, ctx| ctx.add_cache(0, MyCache)).expect("cache added");
    net.advance(Duration::ZERO);
    assert!(net.overlay(0).timed_out);
}

#[test]
fn passthrough_filter_only_touches_the_named_cache_type() {
    let mut net = TestNetwork::initialize(1, |_| MyCommunity::new(&MySettings::default()));
    net.passthrough(0, &Passthrough::only::<OtherCache>());
    net.with_overlay(0, |_, ctx| {
        ctx.add_cache(0, MyCache).and_then(|_| ctx.add_cache(0, OtherCache)).map(|_| ())
    })
    .expect("both caches are added");
    net.advance(Duration::from_secs(1));
    assert!(!net.overlay(0).timed_out, "MyCache keeps its 10 s timeout");
    assert!(
        !net.with_overlay(0, |_, ctx| ctx.request_cache().has::<OtherCache>(0)),
        "OtherCache timed out"
    );
    net.advance(Duration::from_secs(10));
    assert!(net.overlay(0).timed_out);
}

#[test]
fn received_by_in_order() {
    let mut net = TestNetwork::initialize(2, |_| MyCommunity::new(&MySettings::default()));
    let peer1 = net.peer(1);
    let received = net.expect_received(1, [Message1::MSG_ID, Message2::MSG_ID]).during(|net| {
        net.with_overlay(0, |_, ctx| {
            MyCommunity::send_msg_to(ctx, &peer1, 1);
            MyCommunity::send_msg_to(ctx, &peer1, 2);
        });
        net.deliver_messages();
    });
    assert_eq!(received[0].payload::<Message1>(), Some(Message1 { value: 1 }));
    assert_eq!(received[1].payload::<Message2>(), Some(Message2 { value: 2 }));
}

#[test]
fn received_by_unordered_and_filtered() {
    let mut net = TestNetwork::initialize(2, |_| MyCommunity::new(&MySettings::default()));
    let peer1 = net.peer(1);
    net.expect_received(1, [Message1::MSG_ID, Message2::MSG_ID, Message2::MSG_ID])
        .unordered()
        .during(|net| {
            net.with_overlay(0, |_, ctx| {
                for m in [2, 1, 2] {
                    MyCommunity::send_msg_to(ctx, &peer1, m);
                }
            });
            net.deliver_messages();
        });
    net.expect_received(1, [Message1::MSG_ID, Message2::MSG_ID])
        .filter([Message1::MSG_ID, Message2::MSG_ID])
        .during(|net| {
            net.with_overlay(0, |_, ctx| {
                for m in [1, 3, 2] {
                    MyCommunity::send_msg_to(ctx, &peer1, m);
                }
            });
            net.deliver_messages();
        });
}

#[test]
fn received_by_reports_a_mismatch() {
    let outcome = std::panic::catch_unwind(|| {
        let mut net = TestNetwork::initialize(2, |_| MyCommunity::new(&MySettings::default()));
        let peer1 = net.peer(1);
        net.expect_received(1, [Message2::MSG_ID]).during(|net| {
            net.with_overlay(0, |_, ctx| MyCommunity::send_msg_to(ctx, &peer1, 1));
            net.deliver_messages();
        });
    });
    assert!(outcome.is_err(), "receiving Message1 instead of Message2 fails the assertion");
}
