//! Hidden services (py-ipv8's `HiddenTunnelCommunity`, spec `tunnels.md` §8): a seeder offers a
//! swarm (a 20-byte info hash) behind introduction points it reaches through circuits; a
//! downloader finds those points through the DHT or PEX, and both meet at a rendezvous point
//! whose two circuit ends are linked into one end-to-end circuit. Nobody learns the other's
//! address.
//!
//! The roles, each in its own file: `seeder` (introduction and rendezvous circuits, created-e2e),
//! `downloader` (lookups, create-e2e, link), `points` (serving as introduction point, rendezvous
//! point, and exit answering peers-requests), [`PexCommunity`] (introduction points of one swarm
//! finding each other). Only [`TunnelCommunity::hidden`](super::TunnelCommunity::hidden) serves
//! them.

mod downloader;
mod estimate;
mod pex;
mod points;
mod requests;
mod seeder;
mod swarm;
#[cfg(all(test, feature = "test-util"))]
mod tests;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

pub use downloader::PEER_DISCOVERY_INTERVAL;
pub use estimate::EstimateSwarmSize;
pub use pex::{
    MAX_ANNOUNCED, MAX_PEX_POINTS, PEX_POINT_AGE, PEX_VERSION, PEX_WALK, PexAnnounce, PexCommunity,
    PexIntroPoints, pex_community_id,
};
pub use points::{MAX_PEERS_IN_RESPONSE, REANNOUNCE_INTERVAL};
pub use requests::{
    CreateIntroductionPoint, JoinSwarm, LeaveSwarm, RegisterService, SwarmInfo, Swarms,
};
pub use seeder::HIDDEN_REQUEST_TIMEOUT;
pub(super) use swarm::Swarm;
pub use swarm::{DHT_LOOKUP_AGE, DHT_LOOKUP_AGE_EMPTY, IntroductionPoint, MAX_IP_AGE, PeerSource};

use super::community::TunnelCommunity;
use crate::messages::tunnel::CreateE2EPayload;
use crate::proto::{CommunityId, Context, DropReason};
use crate::wire::Message;

/// The port of the pseudo address a linked rendezvous circuit is shown under (its circuit id as
/// an IPv4 address), as py-ipv8's `CIRCUIT_ID_PORT`.
pub const CIRCUIT_ID_PORT: u16 = 1024;

/// The pseudo address of a linked rendezvous circuit: its id as an IPv4 address, port 1024.
#[must_use]
pub fn circuit_address(circuit: u32) -> SocketAddr {
    SocketAddr::from((circuit.to_be_bytes(), CIRCUIT_ID_PORT))
}

/// What to do once one of our circuits is ready.
pub(super) enum OnReady {
    /// Ask its last hop to be our introduction point.
    EstablishIntro,
    /// Ask its last hop to be a rendezvous point for the downloader whose create-e2e came
    /// through introduction circuit `ip_circuit` from `source`.
    EstablishRendezvous { request: CreateE2EPayload, source: SocketAddr, ip_circuit: u32 },
    /// Link it at the rendezvous point with `cookie`; `keys` is the end-to-end layer.
    Link { cookie: [u8; 20], keys: super::SessionKeys },
}

/// An introduction point we serve.
pub(super) struct Introducing {
    /// The exit (circuit id) the seeder reaches us through.
    pub(super) exit: u32,
    pub(super) info_hash: [u8; 20],
    /// When we last announced it in the DHT.
    pub(super) announced: Option<Instant>,
}

/// What a hidden tunnel community keeps for hidden services.
#[derive(Default)]
pub(super) struct HiddenState {
    pub(super) swarms: HashMap<[u8; 20], Swarm>,
    /// Seeders we introduce, by their public key.
    pub(super) intro_point_for: HashMap<Vec<u8>, Introducing>,
    /// Exits waiting to be linked, by cookie.
    pub(super) rendezvous_point_for: HashMap<[u8; 20], u32>,
    /// The PEX overlays we loaded, by info hash.
    pub(super) pex: HashMap<[u8; 20], CommunityId>,
    /// Swarm-size estimates under way.
    pub(super) estimates: HashMap<u64, estimate::Estimate>,
    pub(super) next_estimate: u64,
}

/// Inner message ids of hidden services (spec §4).
pub(super) mod id {
    pub(in crate::proto::tunnel) const ESTABLISH_INTRO: u8 = 9;
    pub(in crate::proto::tunnel) const INTRO_ESTABLISHED: u8 = 10;
    pub(in crate::proto::tunnel) const ESTABLISH_RENDEZVOUS: u8 = 11;
    pub(in crate::proto::tunnel) const RENDEZVOUS_ESTABLISHED: u8 = 12;
    pub(in crate::proto::tunnel) const CREATE_E2E: u8 = 13;
    pub(in crate::proto::tunnel) const CREATED_E2E: u8 = 14;
    pub(in crate::proto::tunnel) const LINK_E2E: u8 = 15;
    pub(in crate::proto::tunnel) const LINKED_E2E: u8 = 16;
    pub(in crate::proto::tunnel) const PEERS_REQUEST: u8 = 17;
    pub(in crate::proto::tunnel) const PEERS_RESPONSE: u8 = 18;
}

/// The unsigned packet of `payload` in the tunnel community: prefix, message id, payload.
pub(super) fn unsigned_packet<P: Message>(payload: &P) -> Option<Vec<u8>> {
    let mut packet = super::COMMUNITY_ID.prefix().to_vec();
    packet.push(P::MSG_ID);
    packet.extend(payload.to_bytes().ok()?);
    Some(packet)
}

impl TunnelCommunity {
    /// A hidden-service message in a cell of circuit `circuit_id` from `source` (`body` is the
    /// rebuilt packet after the header).
    pub(super) fn on_hidden_cell(
        &mut self,
        ctx: &mut Context<'_, Self>,
        source: SocketAddr,
        inner: u8,
        body: &[u8],
    ) -> Result<(), DropReason> {
        if !self.is_hidden() {
            return Err(DropReason::Refused("tunnel_not_hidden"));
        }
        match inner {
            id::ESTABLISH_INTRO => self.on_establish_intro(ctx, source, &decode(body)?),
            id::INTRO_ESTABLISHED => Self::on_intro_established(ctx, &decode(body)?),
            id::ESTABLISH_RENDEZVOUS => self.on_establish_rendezvous(ctx, source, &decode(body)?),
            id::RENDEZVOUS_ESTABLISHED => self.on_rendezvous_established(ctx, &decode(body)?),
            id::LINK_E2E => self.on_link_e2e(ctx, source, &decode(body)?),
            id::LINKED_E2E => self.on_linked_e2e(ctx, &decode(body)?),
            id::PEERS_REQUEST => self.on_peers_request_cell(ctx, source, decode(body)?),
            id::PEERS_RESPONSE => self.on_peers_response(ctx, decode(body)?),
            _ => Err(DropReason::Refused("tunnel_unknown_cell")),
        }
    }

    /// A tunnel-community packet that came back through our circuit `circuit` from `origin` (an
    /// exit passed it on): create-e2e at a seeder, created-e2e or a peers-response at a
    /// downloader.
    pub(super) fn on_packet_from_circuit(
        &mut self,
        ctx: &mut Context<'_, Self>,
        circuit: u32,
        origin: SocketAddr,
        packet: &[u8],
    ) -> Result<(), DropReason> {
        if !self.is_hidden() {
            return Err(DropReason::Refused("tunnel_not_hidden"));
        }
        let Some((&msg_id, body)) =
            packet.get(crate::proto::PREFIX_LEN..).and_then(<[u8]>::split_first)
        else {
            return Err(DropReason::Refused("tunnel_bad_cell"));
        };
        match msg_id {
            id::CREATE_E2E => self.on_create_e2e_from_circuit(ctx, circuit, origin, decode(body)?),
            id::CREATED_E2E => self.on_created_e2e(ctx, &decode(body)?),
            id::PEERS_RESPONSE => self.on_peers_response(ctx, decode(body)?),
            _ => Err(DropReason::Refused("tunnel_unexpected_from_circuit")),
        }
    }
}

fn decode<P: crate::wire::Payload>(body: &[u8]) -> Result<P, DropReason> {
    P::from_bytes(body).map_err(DropReason::Malformed)
}
