//! Helpers for the tunnel tests: a network of originator, relays and exits with an echo
//! server, circuits asked for and waited on, and what came back.
#![allow(dead_code, reason = "not every tunnel test uses every helper")]

use std::net::SocketAddr;

use ipv8::proto::tunnel::{
    CircuitInfo, CreateCircuit, PeerFlags, TunnelCommunity, TunnelData, TunnelError, TunnelEvent,
    TunnelSettings,
};
use ipv8::proto::{Community, CommunityId, Context, DropReason, Event, Incoming};
use ipv8::testing::{SimConfig, TestNetwork};
use ipv8::wire::format::Address;

/// Answers every datagram under no known prefix with the same bytes (a UDP echo server).
pub(crate) struct Echo;

#[ipv8::community]
impl Echo {}

impl Community for Echo {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"udp echo server here")
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        ctx.listen_unclaimed(true);
    }

    fn on_unclaimed(
        &mut self,
        ctx: &mut Context<'_, Self>,
        incoming: &Incoming<'_>,
    ) -> Result<(), DropReason> {
        ctx.send_raw(incoming.source(), incoming.data().to_vec());
        Ok(())
    }
}

pub(crate) fn settings(flags: PeerFlags) -> TunnelSettings {
    let mut settings = TunnelSettings::default();
    settings.peer_flags = flags;
    settings
}

pub(crate) const EXIT: PeerFlags = PeerFlags(PeerFlags::RELAY.0 | PeerFlags::EXIT_BT.0);

/// `relays` relay-only nodes, then `exits` exit nodes, then node 0 as the originator (no flags
/// beyond the default), all introduced, and an echo server; returns the echo server's index.
pub(crate) fn network(relays: usize, exits: usize) -> (TestNetwork<TunnelCommunity>, usize) {
    network_with(1, relays, exits, |_, _| {})
}

/// As [`network`], with a seed and a say in every node's settings.
pub(crate) fn network_with(
    seed: u64,
    relays: usize,
    exits: usize,
    mut tune: impl FnMut(usize, &mut TunnelSettings),
) -> (TestNetwork<TunnelCommunity>, usize) {
    let mut net = TestNetwork::with_config(SimConfig::new(seed), 1 + relays + exits, |i| {
        let mut settings = if i == 0 {
            TunnelSettings::default()
        } else if i <= relays {
            settings(PeerFlags::RELAY)
        } else {
            settings(EXIT)
        };
        tune(i, &mut settings);
        TunnelCommunity::new(settings)
    });
    net.introduce_nodes();
    let echo = net.add_node(|node, now| {
        node.add_community(now, Echo).expect("echo server");
    });
    (net, echo)
}

pub(crate) fn circuit(net: &mut TestNetwork<TunnelCommunity>, hops: usize) -> CircuitInfo {
    let answer = net.ask_and_wait::<TunnelCommunity, _>(0, CreateCircuit::new(hops));
    answer.expect("asked").expect("circuit ready")
}

/// What came back through node `i`'s circuits.
pub(crate) fn data_events(
    net: &mut TestNetwork<TunnelCommunity>,
    i: usize,
) -> Vec<(u32, Address, Vec<u8>)> {
    let mut found = Vec::new();
    while let Some(event) = net.node_mut(i).poll_event() {
        if let Event::Community { event, .. } = event
            && let Ok(event) = event.downcast::<TunnelEvent>()
            && let TunnelEvent::Data { circuit, origin, data } = *event
        {
            found.push((circuit, origin, data));
        }
    }
    found
}

pub(crate) fn send(
    net: &mut TestNetwork<TunnelCommunity>,
    circuit: u32,
    to: SocketAddr,
    data: &[u8],
) -> Result<(), TunnelError> {
    let request = TunnelData { circuit, destination: Address::Ip(to), data: data.to_vec() };
    let sent = net.ask_and_wait::<TunnelCommunity, _>(0, request).expect("asked");
    net.deliver_messages();
    sent
}

pub(crate) fn dropped(net: &TestNetwork<TunnelCommunity>, i: usize, reason: &str) -> u64 {
    net.node(i).stats().dropped.get(reason).copied().unwrap_or(0)
}

/// A bencoded message, which an exit with `EXIT_BT` lets out.
pub(crate) const BT: &[u8] = b"d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe";

/// The index of the node with `key`.
pub(crate) fn index_of(net: &TestNetwork<TunnelCommunity>, key: &ipv8::crypto::PublicKey) -> usize {
    (0..net.len()).find(|&i| net.public_key(i) == key).expect("a node of the network")
}
