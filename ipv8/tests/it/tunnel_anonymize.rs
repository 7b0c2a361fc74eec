//! The IPv8 documentation's anonymization flow on the simulated network: two overlays of one node
//! send through a circuit whose exit has `EXIT_IPV8`, so their peer sees the exit's socket as the
//! sender, answers there, and the answers come back through the circuit; packets that reach an
//! anonymized overlay directly, not through a circuit, are dropped.
#![cfg(feature = "test-util")]

use std::net::SocketAddr;
use std::time::Duration;

use ipv8::proto::tunnel::{Anonymize, PeerFlags, TunnelCommunity, TunnelSettings};
use ipv8::proto::{Community, CommunityId, Context, Peer};
use ipv8::testing::TestNetwork;
use ipv8::{community, payload};

const CHAT: CommunityId = CommunityId(*b"anonymized chat one!");
const NEWS: CommunityId = CommunityId(*b"anonymized news two!");

#[payload(msg_id = 1)]
struct Hello {
    text: String,
}

/// Remembers who said what; answers every greeting with `re: ...`.
struct Chat {
    id: CommunityId,
    heard: Vec<(SocketAddr, String)>,
}

#[community]
impl Chat {
    #[lazy_handler]
    fn on_hello(&mut self, ctx: &mut Context<Self>, peer: &Peer, p: Hello) {
        self.heard.push((peer.address(), p.text.clone()));
        if !p.text.starts_with("re: ") {
            ctx.ez_send(peer.address(), &Hello { text: format!("re: {}", p.text) });
        }
    }
}

impl Community for Chat {
    fn community_id(&self) -> CommunityId {
        self.id
    }
}

/// Node 0 anonymizes CHAT and NEWS over one hop; node 1 is an IPv8 exit; node 2 is their peer.
fn network() -> TestNetwork<TunnelCommunity> {
    let mut net = TestNetwork::initialize(3, |i| {
        let mut settings = TunnelSettings::default();
        if i == 1 {
            settings.peer_flags = PeerFlags::RELAY | PeerFlags::EXIT_IPV8;
        }
        TunnelCommunity::new(settings)
    });
    net.introduce_nodes();
    for i in [0, 2] {
        let now = net.now();
        for id in [CHAT, NEWS] {
            net.node_mut(i).add_community(now, Chat { id, heard: Vec::new() }).expect("added");
        }
    }
    for community in [CHAT, NEWS] {
        net.ask_and_wait::<TunnelCommunity, _>(0, Anonymize { community, hops: 1 }).expect("asked");
    }
    net
}

fn heard(
    net: &TestNetwork<TunnelCommunity>,
    i: usize,
    id: CommunityId,
) -> Vec<(SocketAddr, String)> {
    net.node(i).community_by_id::<Chat>(id).map(|chat| chat.heard.clone()).unwrap_or_default()
}

/// Sends a greeting from node `i`'s overlay `id` to `to`.
fn say(
    net: &mut TestNetwork<TunnelCommunity>,
    i: usize,
    id: CommunityId,
    to: SocketAddr,
    text: &str,
) {
    let now = net.now();
    let hello = Hello { text: text.into() };
    net.node_mut(i).with_community_id::<Chat, _>(now, id, |_, ctx| ctx.ez_send(to, &hello));
    net.flush(i);
}

#[test]
fn two_overlays_talk_through_a_circuit_and_their_peer_sees_only_the_exit() {
    let mut net = network();
    let peer = net.address(2);
    for (id, text) in [(CHAT, "hi"), (NEWS, "extra!")] {
        say(&mut net, 0, id, peer, text);
    }
    net.advance(Duration::from_secs(2));
    let exit_ip = net.address(1).ip();
    for (id, text) in [(CHAT, "hi"), (NEWS, "extra!")] {
        let at_peer = heard(&net, 2, id);
        assert_eq!(at_peer.len(), 1, "{text}");
        assert_eq!(at_peer[0].1, text);
        assert_eq!(at_peer[0].0.ip(), exit_ip, "the peer sees the exit, not the sender");
        assert_ne!(at_peer[0].0, net.address(0));
        let back = heard(&net, 0, id);
        assert_eq!(
            back,
            [(peer, format!("re: {text}"))],
            "the answer came back through the circuit"
        );
    }
}

#[test]
fn an_anonymized_overlay_ignores_packets_that_did_not_come_through_a_circuit() {
    let mut net = network();
    let sender = net.address(0);
    say(&mut net, 2, CHAT, sender, "re: direct");
    net.deliver_messages();
    assert!(heard(&net, 0, CHAT).is_empty());
    assert_eq!(net.node(0).stats().dropped.get("not_through_carrier"), Some(&1));
}
