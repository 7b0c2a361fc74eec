//! The seed's unit-testing tutorial: every `TestBase` shortcut, in its `TestNetwork` form, on the
//! simulated network (virtual time, no sockets). It prints facts, never keys, so its output is fixed.
//!
//! ```sh
//! cargo run -p ipv8 --features test-util --example tutorial_unit_testing
//! ```

use std::time::Duration;

use ipv8::crypto::Mid;
use ipv8::proto::discovery::IntroductionRequest;
use ipv8::proto::{Community, CommunityId, Context, NumberCache, Passthrough, Peer};
use ipv8::testing::{SimConfig, TestNetwork};
use ipv8::wire::Message as _;
use ipv8::{community, payload};

#[payload(msg_id = 1)]
struct Message1 {
    value: i64,
}

/// A cache whose timeout the tests fire at once with passthrough.
struct MyCache;

impl NumberCache<MyCommunity> for MyCache {
    fn on_timeout(self: Box<Self>, community: &mut MyCommunity, _: &mut Context<'_, MyCommunity>) {
        community.timed_out = true;
    }
}

/// The tutorial's community: a constant from its settings, the last peer that asked for an
/// introduction, and whether a cache timed out.
struct MyCommunity {
    some_constant: i64,
    last_peer: Option<Peer>,
    timed_out: bool,
    values: Vec<i64>,
}

impl MyCommunity {
    fn new(some_constant: Option<i64>) -> Self {
        Self {
            some_constant: some_constant.unwrap_or(42),
            last_peer: None,
            timed_out: false,
            values: Vec::new(),
        }
    }
}

#[community]
impl MyCommunity {
    #[lazy_handler]
    fn on_message1(&mut self, _ctx: &mut Context<Self>, _peer: &Peer, payload: Message1) {
        self.values.push(payload.value);
    }
}

impl Community for MyCommunity {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"unit testing example")
    }

    fn introduction_request_callback(
        &mut self,
        _: &mut Context<'_, Self>,
        peer: &Peer,
        _: &IntroductionRequest,
    ) {
        self.last_peer = Some(peer.clone());
    }
}

fn main() {
    // Creating instances: initialize(n, ...) with default or custom settings.
    let net = TestNetwork::initialize(1, |_| MyCommunity::new(None));
    println!("overlay(0).some_constant = {}", net.overlay(0).some_constant);
    let net = TestNetwork::initialize(1, |_| MyCommunity::new(Some(7)));
    println!("with settings: overlay(0).some_constant = {}", net.overlay(0).some_constant);

    // The shortcuts.
    let mut net = TestNetwork::with_config(SimConfig::new(3), 2, |_| MyCommunity::new(None));
    println!(
        "key_bin(0) is {} bytes, key_bin_private(0) is {} bytes",
        net.key_bin(0).len(),
        net.key_bin_private(0).len()
    );
    println!("mid(0) is the SHA-1 of key_bin(0): {}", net.mid(0) == Mid::hash(&net.key_bin(0)));
    println!(
        "public_key(0) belongs to private_key(0): {}",
        net.private_key(0).public_key() == *net.public_key(0)
    );
    println!("peer(1) is at address(1): {}", net.peer(1).address() == net.address(1));
    println!("node(0) has {} verified peer(s) in network(0)", net.network(0).len());

    // Communication: an introduction-request, delivered.
    let peer1 = net.peer(1);
    net.with_overlay(0, |_, ctx| ctx.send_introduction_request(&peer1));
    net.deliver_messages();
    println!("overlay(1).last_peer is peer(0): {}", net.overlay(1).last_peer == Some(net.peer(0)));

    // Piggybacking on introductions: introduce_nodes sends them for real.
    let config = SimConfig::new(4).with_connect_all(false);
    let mut fresh = TestNetwork::with_config(config, 2, |_| MyCommunity::new(None));
    fresh.introduce_nodes();
    println!(
        "after introduce_nodes: {} and {} peer(s)",
        fresh.network(0).len(),
        fresh.network(1).len()
    );

    // Using the RequestCache: passthrough fires the timeout at once.
    net.passthrough(0, &Passthrough::only::<MyCache>());
    let added = net.with_overlay(0, |_, ctx| ctx.add_cache(0, MyCache).is_ok());
    net.advance(Duration::ZERO);
    println!("cache added: {added}, timed out: {}", net.overlay(0).timed_out);

    // Asserting message delivery.
    let received = net.expect_received(1, [Message1::MSG_ID]).during(|net| {
        net.with_overlay(0, |_, ctx| ctx.ez_send(&peer1, &Message1 { value: 5 }));
        net.deliver_messages();
    });
    let value = received[0].payload::<Message1>().map(|m| m.value);
    println!(
        "node 1 received {} message(s), value {value:?}; its handler saw {:?}",
        received.len(),
        net.overlay(1).values
    );
}
