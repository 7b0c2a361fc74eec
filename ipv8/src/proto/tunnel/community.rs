//! [`TunnelCommunity`]: py-ipv8's `TunnelCommunity` (spec `tunnels.md`): circuits built for this
//! node, relays and exits served for others, the peers that offer to be hops, and the cells
//! between them. The handshake steps live in `originate` (our circuits) and `hop` (others'),
//! cells in `cells`, upkeep in `upkeep`, what applications ask in `requests`.

use std::collections::HashMap;
use std::net::SocketAddr;

use super::circuit::Circuit;
use super::{COMMUNITY_ID, Cell, Direction, EphemeralKey, PeerFlags, TunnelSettings, cell_message};
use crate::crypto::PublicKey;
use crate::proto::{
    Community, CommunityId, Context, DropReason, Incoming, Peer, SocketError, SocketId,
};
use crate::wire::Message;
use crate::wire::format::Address;

/// Why a circuit could not be built or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TunnelError {
    /// No candidate has the exit flags asked for.
    #[error("Could not create circuit, no available exit-nodes")]
    NoExit,
    /// No candidate can be the first hop.
    #[error("Could not create circuit, no first hop available")]
    NoFirstHop,
    /// Hops asked for is zero.
    #[error("a circuit needs at least one hop")]
    NoHops,
    /// No circuit by that id.
    #[error("no circuit {0}")]
    UnknownCircuit(u32),
    /// The circuit is not ready for data.
    #[error("circuit {0} is not ready")]
    NotReady(u32),
    /// The destination cannot be sent to (`0.0.0.0:0`, or not encodable).
    #[error("cannot send data to {0}")]
    BadDestination(String),
    /// The circuit was removed before it was ready; py-ipv8's reason.
    #[error("circuit removed: {0}")]
    Removed(String),
    /// A speed-test request on the circuit got no answer in time (its last hop may not offer
    /// `SPEED_TEST`).
    #[error("no speed-test response on circuit {0}")]
    TestTimeout(u32),
    /// Hidden services need a [hidden](TunnelCommunity::hidden) tunnel community.
    #[error("hidden services need a HiddenTunnelCommunity")]
    NotHidden,
    /// We do not seed that swarm.
    #[error("not seeding this swarm")]
    NotSeeding,
}

/// What a tunnel community tells the application, as [`Event::Community`](crate::proto::Event).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TunnelEvent {
    /// One of our circuits has all its hops.
    CircuitReady(super::CircuitInfo),
    /// One of our circuits was removed.
    CircuitRemoved {
        /// The circuit.
        circuit: u32,
        /// Why (py-ipv8's words: "no activity", "too old", "timeout", ...).
        reason: String,
    },
    /// A hidden service's rendezvous circuit is linked end to end (the downloader's side; the
    /// IPv8 documentation's `on_peer` of `register_service`): send to the seeder with
    /// [`TunnelCommunity::tunnel_data`] on `circuit` (any destination; `0.0.0.0:0` will do).
    ServicePeer {
        /// The swarm.
        info_hash: [u8; 20],
        /// The linked circuit.
        circuit: u32,
        /// Its pseudo address (py-ipv8's: the circuit id as IPv4 address, port 1024).
        address: SocketAddr,
    },
    /// Data came back through one of our circuits (from its exit's socket, or from the other
    /// end of a linked rendezvous circuit).
    Data {
        /// The circuit it came through.
        circuit: u32,
        /// Who sent it to the exit.
        origin: Address,
        /// The datagram.
        data: Vec<u8>,
    },
}

/// One direction of a circuit this node relays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelayInfo {
    /// The circuit id cells arrive under.
    pub circuit_from: u32,
    /// The circuit id they leave under.
    pub circuit_to: u32,
    /// `Forward`: toward the exit; `Backward`: toward the originator.
    pub direction: super::Direction,
    /// Whether it joins two circuits' ends at a rendezvous point (hidden services).
    pub rendezvous: bool,
    /// Bytes and time it has seen.
    pub traffic: super::Traffic,
}

/// A circuit this node is the last hop of.
#[derive(Debug, Clone)]
pub struct ExitInfo {
    /// The circuit id on the link to the previous hop.
    pub circuit_from: u32,
    /// The previous hop.
    pub previous: Peer,
    /// Whether data has left through it (its sockets are open).
    pub enabled: bool,
    /// Whether we introduce a hidden-service seeder through it.
    pub introduction: bool,
    /// Whether it waits, with a cookie, to be linked at our rendezvous point.
    pub rendezvous: bool,
    /// Bytes and time it has seen.
    pub traffic: super::Traffic,
}

/// The tunnel overlay (py-ipv8's `TunnelCommunity`), under community id
/// `81ded07332bdc775aa5a46f96de9f8f390bbc9f3`.
///
/// # Examples
///
/// A one-hop circuit through an exit, data out to an echo server on the (simulated) network and
/// back:
///
/// ```
/// use ipv8::proto::tunnel::{CreateCircuit, PeerFlags, TunnelCommunity, TunnelSettings};
/// use ipv8::testing::TestNetwork;
///
/// let mut net = TestNetwork::initialize(2, |i| {
///     let mut settings = TunnelSettings::default();
///     if i == 1 {
///         settings.peer_flags = PeerFlags::RELAY | PeerFlags::EXIT_BT;
///     }
///     TunnelCommunity::new(settings)
/// });
/// net.introduce_nodes();
/// let circuit = net.ask_and_wait::<TunnelCommunity, _>(0, CreateCircuit::new(1)).unwrap();
/// let circuit = circuit.expect("node 1 is an exit");
/// assert_eq!(circuit.hops[0].key(), net.public_key(1));
/// assert_eq!(net.community::<TunnelCommunity>(1).exit_count(), 1);
/// ```
pub struct TunnelCommunity {
    pub(super) settings: TunnelSettings,
    /// Peers that offer to be hops, by their key, with the flags they advertise.
    pub(super) candidates: HashMap<PublicKey, (Peer, PeerFlags)>,
    pub(super) circuits: HashMap<u32, Circuit>,
    /// Relay routes, shared with the fast path that moves their cells.
    pub(super) relays: super::relay::RelayTable,
    /// Exits, shared with the fast path that lets their data out.
    pub(super) exits: super::data_plane::ExitTable,
    /// The exit each exit socket belongs to.
    pub(super) exit_sockets: HashMap<SocketId, u32>,
    /// Circuits wanted per hop count (py-ipv8's `circuits_needed`).
    pub(super) circuits_needed: std::collections::BTreeMap<usize, usize>,
    /// Whether it stands for py-ipv8's `HiddenTunnelCommunity` (and serves hidden services).
    serves_hidden: bool,
    /// Hidden services' state: swarms, introduction and rendezvous points.
    pub(super) hidden: super::hidden::HiddenState,
    /// The communities whose traffic goes through our circuits.
    pub(super) anonymized: super::anonymize::Anonymized,
    /// Exit data waiting for its destination's name to resolve, by resolve request.
    pub(super) resolving: HashMap<u64, (u32, Vec<u8>)>,
}

impl TunnelCommunity {
    /// A tunnel community with these settings.
    #[must_use]
    pub fn new(settings: TunnelSettings) -> Self {
        Self {
            settings,
            candidates: HashMap::new(),
            circuits: HashMap::new(),
            relays: super::relay::RelayTable::default(),
            exits: super::data_plane::ExitTable::default(),
            exit_sockets: HashMap::new(),
            circuits_needed: std::collections::BTreeMap::new(),
            serves_hidden: false,
            hidden: super::hidden::HiddenState::default(),
            anonymized: super::anonymize::Anonymized::default(),
            resolving: HashMap::new(),
        }
    }

    /// py-ipv8's `HiddenTunnelCommunity` (a configuration's class of that name): circuits as
    /// [`TunnelCommunity::new`], plus hidden services: swarms it seeds or downloads
    /// ([`TunnelCommunity::join_swarm`], [`TunnelCommunity::register_service`]), and serving
    /// others as introduction point, rendezvous point and PEX member. Lookups and announcements
    /// go through the node's [`DhtCommunity`](crate::proto::dht::DhtCommunity), if it runs one.
    #[must_use]
    pub fn hidden(settings: TunnelSettings) -> Self {
        Self { serves_hidden: true, ..Self::new(settings) }
    }

    /// Whether it serves hidden services ([`TunnelCommunity::hidden`]).
    #[must_use]
    pub fn is_hidden(&self) -> bool {
        self.serves_hidden
    }

    /// Its settings.
    #[must_use]
    pub fn settings(&self) -> &TunnelSettings {
        &self.settings
    }

    /// The circuits this node built, in every state.
    pub fn circuits(&self) -> impl Iterator<Item = &Circuit> {
        self.circuits.values()
    }

    /// One of our circuits.
    #[must_use]
    pub fn circuit(&self, id: u32) -> Option<&Circuit> {
        self.circuits.get(&id)
    }

    /// Relay routes this node serves (two per relayed circuit, one per direction).
    #[must_use]
    pub fn relay_count(&self) -> usize {
        self.relays.lock().len()
    }

    /// Circuits this node is the last hop of.
    #[must_use]
    pub fn exit_count(&self) -> usize {
        self.exits.lock().len()
    }

    /// The relay routes this node serves, one per direction of each relayed circuit.
    #[must_use]
    pub fn relays(&self) -> Vec<RelayInfo> {
        let mut relays: Vec<RelayInfo> = self
            .relays
            .lock()
            .iter()
            .map(|(id, route)| RelayInfo {
                circuit_from: *id,
                circuit_to: route.next_id,
                direction: route.direction,
                rendezvous: route.rendezvous,
                traffic: route.traffic,
            })
            .collect();
        relays.sort_by_key(|relay| (relay.traffic.created_at, relay.circuit_from));
        relays
    }

    /// The circuits this node is the last hop of.
    #[must_use]
    pub fn exits(&self) -> Vec<ExitInfo> {
        let mut exits: Vec<ExitInfo> = self
            .exits
            .lock()
            .iter()
            .map(|(id, exit)| ExitInfo {
                circuit_from: *id,
                previous: exit.peer.clone(),
                enabled: exit.enabled,
                introduction: self.is_introducing(*id),
                rendezvous: self.hidden.rendezvous_point_for.values().any(|e| e == id),
                traffic: exit.traffic,
            })
            .collect();
        exits.sort_by_key(|exit| (exit.traffic.created_at, exit.circuit_from));
        exits
    }

    /// The peers that offer to be hops, with their flags.
    pub fn candidates(&self) -> impl Iterator<Item = &(Peer, PeerFlags)> {
        self.candidates.values()
    }

    /// Candidates with all of `flags` and a key that can do the handshake (curve25519).
    pub(super) fn candidates_with(&self, flags: PeerFlags) -> Vec<Peer> {
        let mut peers: Vec<_> = self
            .candidates
            .values()
            .filter(|(peer, have)| have.contains(flags) && peer.key().x25519().is_some())
            .map(|(peer, _)| peer.clone())
            .collect();
        // A stable order, so that a seeded simulation repeats.
        peers.sort_by_key(Peer::mid);
        peers
    }

    pub(super) fn flags_of(&self, key: &PublicKey) -> PeerFlags {
        self.candidates.get(key).map(|(_, flags)| *flags).unwrap_or_default()
    }

    /// A random circuit id that none of our circuits, relays or exits uses.
    pub(super) fn new_circuit_id(&self, ctx: &mut Context<'_, Self>) -> u32 {
        loop {
            let id = u32::try_from(ctx.rng().below(1 << 32)).unwrap_or(0);
            let taken = self.circuits.contains_key(&id)
                || self.relays.lock().contains_key(&id)
                || self.exits.lock().contains_key(&id);
            if id != 0 && !taken {
                return id;
            }
        }
    }

    /// Sends an inner message along circuit `circuit_id` to `to`, with the layers its role there
    /// calls for (spec §5): our circuit wraps it for every hop, an exit adds its BACKWARD layer,
    /// a relay that just joined (extended) adds the originator's BACKWARD layer. Create and created
    /// go in plaintext.
    pub(super) fn send_cell<P: Message>(
        &mut self,
        ctx: &mut Context<'_, Self>,
        to: SocketAddr,
        payload: &P,
    ) {
        let Ok(bytes) = payload.to_bytes() else { return };
        let Some(circuit_id) = bytes.get(..4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        else {
            return;
        };
        let mut message = cell_message(P::MSG_ID, &bytes);
        let plaintext = matches!(P::MSG_ID, 2 | 3);
        let mut relay_early = false;
        if !plaintext {
            if let Some(circuit) = self.circuits.get_mut(&circuit_id) {
                relay_early =
                    P::MSG_ID == 4 || circuit.relay_early_sent < self.settings.max_relay_early;
                if relay_early {
                    circuit.relay_early_sent += 1;
                }
                message = circuit.wrap(message);
            } else if let Some(exit) = self.exits.lock().get_mut(&circuit_id) {
                message = exit.keys.encrypt(Direction::Backward, &message);
            } else if let Some(wrapped) = self.relays.wrap(circuit_id, &message) {
                message = wrapped;
            } else {
                return;
            }
        }
        let cell = Cell { circuit_id, plaintext, relay_early, message };
        let packet = cell.encode(COMMUNITY_ID);
        let len = packet.len();
        ctx.send_direct(to, packet);
        if let Some(circuit) = self.circuits.get_mut(&circuit_id) {
            circuit.traffic.up(len);
        } else if let Some(route) = self.relays.lock().get_mut(&circuit_id) {
            route.traffic.up(len);
        }
    }

    /// Sends a signed destroy for `circuit_id` to `to` (reason 0 is never sent: relays would not
    /// pass it on).
    pub(super) fn send_destroy(
        ctx: &mut Context<'_, Self>,
        to: SocketAddr,
        circuit_id: u32,
        reason: u16,
    ) {
        let reason = reason.max(super::DESTROY_UNKNOWN);
        ctx.ez_send(to, &crate::messages::tunnel::DestroyPayload { circuit_id, reason });
    }
}

/// A fresh ephemeral key for one handshake, from the node's random source.
pub(super) fn ephemeral(ctx: &mut Context<'_, TunnelCommunity>) -> EphemeralKey {
    let mut secret = [0; 32];
    for chunk in secret.chunks_mut(8) {
        chunk.copy_from_slice(&ctx.rng().next_u64().to_le_bytes());
    }
    EphemeralKey::from_secret(secret)
}

impl Community for TunnelCommunity {
    fn community_id(&self) -> CommunityId {
        COMMUNITY_ID
    }

    fn name(&self) -> &'static str {
        if self.serves_hidden { "HiddenTunnelCommunity" } else { "TunnelCommunity" }
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        ctx.set_introduction_extra_bytes(self.settings.peer_flags.to_extra_bytes().to_vec());
        ctx.set_fast_path(super::data_plane::TunnelFastPath {
            relays: self.relays.clone(),
            exits: self.exits.clone(),
            flags: self.settings.peer_flags,
            max_relay_early: self.settings.max_relay_early,
        });
        Self::start_upkeep(ctx);
    }

    /// py-ipv8's names, which `/overlays/statistics` shows: cells go to `on_cell`, and the
    /// hidden services' messages that come straight from the socket, whose handlers here are
    /// named `on_socket_...`, to py-ipv8's `on_...`.
    fn handler_name(&self, msg_id: u8) -> Option<&'static str> {
        if msg_id == super::CELL_ID {
            return Some("on_cell");
        }
        let name = <Self as crate::proto::Dispatch>::handler_of(msg_id)?;
        Some(match name {
            "on_socket_create_e2e" => "on_create_e2e",
            "on_socket_peers_request" => "on_peers_request",
            "on_socket_peers_response" => "on_peers_response",
            other => other,
        })
    }

    fn on_packet(
        &mut self,
        ctx: &mut Context<'_, Self>,
        incoming: &Incoming<'_>,
    ) -> Result<(), DropReason> {
        if incoming.msg_id() == super::CELL_ID {
            self.on_cell(ctx, incoming.source(), incoming.data())
        } else {
            self.dispatch_message(ctx, incoming)
        }
    }

    fn introduction_request_callback(
        &mut self,
        _ctx: &mut Context<'_, Self>,
        peer: &Peer,
        request: &crate::proto::discovery::IntroductionRequest,
    ) {
        let flags = PeerFlags::from_extra_bytes(&request.extra_bytes);
        self.candidates.insert(peer.key().clone(), (peer.clone(), flags));
    }

    fn introduction_response_callback(
        &mut self,
        _ctx: &mut Context<'_, Self>,
        peer: &Peer,
        response: &crate::proto::discovery::IntroductionResponse,
    ) {
        let flags = PeerFlags::from_extra_bytes(&response.extra_bytes);
        self.candidates.insert(peer.key().clone(), (peer.clone(), flags));
    }

    fn on_peer_removed(&mut self, _ctx: &mut Context<'_, Self>, peer: &Peer) {
        self.candidates.remove(peer.key());
    }

    fn on_carried(&mut self, ctx: &mut Context<'_, Self>, transmit: crate::proto::Transmit) {
        self.carry_out(ctx, transmit);
    }

    fn on_resolved(
        &mut self,
        ctx: &mut Context<'_, Self>,
        id: u64,
        result: Result<Vec<SocketAddr>, crate::proto::ResolveError>,
    ) {
        self.exit_resolved(ctx, id, result);
    }

    fn on_socket_opened(
        &mut self,
        ctx: &mut Context<'_, Self>,
        socket: SocketId,
        result: Result<SocketAddr, SocketError>,
    ) {
        self.exit_socket_opened(ctx, socket, result.is_ok());
    }

    fn on_socket_datagram(
        &mut self,
        ctx: &mut Context<'_, Self>,
        socket: SocketId,
        source: SocketAddr,
        data: &[u8],
    ) -> Result<(), DropReason> {
        self.exit_received(ctx, socket, source, data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::tunnel::{CreateE2EPayload, DestroyPayload, PeersRequestPayload};

    #[test]
    fn handlers_have_py_ipv8_names() {
        let tunnels = TunnelCommunity::new(TunnelSettings::default());
        assert_eq!(tunnels.handler_name(super::super::CELL_ID), Some("on_cell"));
        assert_eq!(tunnels.handler_name(DestroyPayload::MSG_ID), Some("on_destroy"));
        assert_eq!(tunnels.handler_name(CreateE2EPayload::MSG_ID), Some("on_create_e2e"));
        assert_eq!(tunnels.handler_name(PeersRequestPayload::MSG_ID), Some("on_peers_request"));
    }
}
