//! What applications ask of hidden services: join or leave a swarm (py-ipv8's `join_swarm`,
//! `leave_swarm`), register a service (the IPv8 documentation's `register_service`: join, and
//! keep an introduction point when seeding), add introduction points, and list the swarms.
//! Downloaders learn of each linked seeder through
//! [`TunnelEvent::ServicePeer`](crate::proto::tunnel::TunnelEvent::ServicePeer).

use std::time::Instant;

use super::swarm::{PeerSource, Swarm};
use crate::crypto::PrivateKey;
use crate::proto::tunnel::circuit::{CircuitState, CircuitType};
use crate::proto::tunnel::community::{TunnelCommunity, TunnelError};
use crate::proto::{Context, Peer, Reply, Request, Responder};

/// Joins swarm `info_hash` as seeder or downloader, with circuits of `hops` hops (rejoining
/// drops what the swarm had). Answers the seeder key's public half when seeding.
#[derive(Debug, Clone)]
pub struct JoinSwarm {
    /// The swarm.
    pub info_hash: [u8; 20],
    /// Hops between us and the swarm (introduction and downloader rendezvous circuits get one
    /// more).
    pub hops: usize,
    /// Seed (offer) rather than download.
    pub seeding: bool,
}

impl Request for JoinSwarm {
    type Response = Result<Option<Vec<u8>>, TunnelError>;
}

/// [`JoinSwarm`], and for a seeder an introduction point kept from then on (rebuilt when its
/// circuit goes): the IPv8 documentation's `register_service`.
#[derive(Debug, Clone)]
pub struct RegisterService {
    /// The service (swarm) identifier.
    pub service: [u8; 20],
    /// Hops between us and the service.
    pub hops: usize,
    /// Offer the service rather than look for it.
    pub seeding: bool,
}

impl Request for RegisterService {
    type Response = Result<Option<Vec<u8>>, TunnelError>;
}

/// Leaves swarm `info_hash`: its circuits are destroyed.
#[derive(Debug, Clone, Copy)]
pub struct LeaveSwarm {
    /// The swarm.
    pub info_hash: [u8; 20],
}

impl Request for LeaveSwarm {
    type Response = bool;
}

/// Builds a circuit to a new introduction point of a swarm we seed (through `required_ip` if
/// given); answers the circuit id.
#[derive(Debug, Clone)]
pub struct CreateIntroductionPoint {
    /// The swarm.
    pub info_hash: [u8; 20],
    /// The peer to introduce us, if it must be this one.
    pub required_ip: Option<Peer>,
}

impl Request for CreateIntroductionPoint {
    type Response = Result<u32, TunnelError>;
}

/// The swarms we are in.
#[derive(Debug, Clone, Copy)]
pub struct Swarms;

impl Request for Swarms {
    type Response = Vec<SwarmInfo>;
}

/// A swarm as the REST API shows it (py-ipv8's `/tunnel/swarms`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwarmInfo {
    /// The swarm.
    pub info_hash: [u8; 20],
    /// Hops between us and the swarm.
    pub hops: usize,
    /// Whether we seed it.
    pub seeding: bool,
    /// Distinct seeders among the known introduction points.
    pub num_seeders: usize,
    /// Linked rendezvous circuits.
    pub num_connections: usize,
    /// Rendezvous circuits not linked yet.
    pub num_connections_incomplete: usize,
    /// Introduction points learnt from the DHT.
    pub num_ips_from_dht: usize,
    /// Introduction points learnt from PEX.
    pub num_ips_from_pex: usize,
    /// When it last looked for peers.
    pub last_lookup: Option<Instant>,
    /// Bytes sent over its rendezvous circuits.
    pub bytes_up: u64,
    /// Bytes received over them.
    pub bytes_down: u64,
}

impl TunnelCommunity {
    /// Joins swarm `info_hash` (py-ipv8's `join_swarm`): a seeder gets a fresh curve25519 seeder
    /// key, whose public half (returned) is what the swarm sees. Rejoining leaves first.
    ///
    /// # Errors
    ///
    /// [`TunnelError::NoHops`] for zero hops, [`TunnelError::NotHidden`] unless this is a
    /// [hidden](TunnelCommunity::hidden) tunnel community.
    pub fn join_swarm(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: &JoinSwarm,
    ) -> Result<Option<Vec<u8>>, TunnelError> {
        if !self.is_hidden() {
            return Err(TunnelError::NotHidden);
        }
        if request.hops == 0 {
            return Err(TunnelError::NoHops);
        }
        self.leave_swarm(ctx, request.info_hash);
        let seeder_key = request.seeding.then(|| seeder_key(ctx)).flatten();
        let swarm = Swarm::new(request.info_hash, request.hops, seeder_key);
        let public = swarm.seeder_pk();
        self.hidden.swarms.insert(request.info_hash, swarm);
        self.do_circuits(ctx);
        Ok(public)
    }

    /// Leaves swarm `info_hash` (py-ipv8's `leave_swarm`); whether we were in it.
    pub fn leave_swarm(&mut self, ctx: &mut Context<'_, Self>, info_hash: [u8; 20]) -> bool {
        self.remove_swarm_circuits(ctx, info_hash);
        self.hidden.swarms.remove(&info_hash).is_some()
    }

    /// The IPv8 documentation's `register_service`: [`TunnelCommunity::join_swarm`], and for a
    /// seeder one introduction point kept from now on.
    ///
    /// # Errors
    ///
    /// As [`TunnelCommunity::join_swarm`].
    pub fn register_service(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: &RegisterService,
    ) -> Result<Option<Vec<u8>>, TunnelError> {
        let join =
            JoinSwarm { info_hash: request.service, hops: request.hops, seeding: request.seeding };
        let public = self.join_swarm(ctx, &join)?;
        if let Some(swarm) = self.hidden.swarms.get_mut(&request.service) {
            swarm.intro_points_wanted = usize::from(request.seeding);
        }
        self.do_circuits(ctx);
        Ok(public)
    }

    /// The swarms we are in.
    #[must_use]
    pub fn swarms(&self) -> Vec<SwarmInfo> {
        let mut swarms: Vec<SwarmInfo> =
            self.hidden.swarms.values().map(|s| self.swarm_info(s)).collect();
        swarms.sort_by_key(|s| s.info_hash);
        swarms
    }

    fn swarm_info(&self, swarm: &Swarm) -> SwarmInfo {
        let circuits: Vec<_> =
            swarm.connections.keys().filter_map(|id| self.circuits.get(id)).collect();
        let linked =
            circuits.iter().filter(|c| c.state == CircuitState::Ready && c.e2e.is_some()).count();
        let mut seeders: Vec<&Vec<u8>> =
            swarm.intro_points.iter().map(|(ip, _)| &ip.seeder_pk).collect();
        seeders.sort();
        seeders.dedup();
        let from = |source| swarm.intro_points.iter().filter(|(ip, _)| ip.source == source).count();
        SwarmInfo {
            info_hash: swarm.info_hash,
            hops: swarm.hops,
            seeding: swarm.seeding(),
            num_seeders: seeders.len(),
            num_connections: linked,
            num_connections_incomplete: swarm.connections.len() - linked,
            num_ips_from_dht: from(PeerSource::Dht),
            num_ips_from_pex: from(PeerSource::Pex),
            last_lookup: swarm.last_lookup,
            bytes_up: circuits.iter().map(|c| c.traffic.bytes_up).sum(),
            bytes_down: circuits.iter().map(|c| c.traffic.bytes_down).sum(),
        }
    }

    /// Keeps what swarms need (py-ipv8's `do_circuits` of the hidden community): a data circuit
    /// per swarm hop count (for lookups and create-e2e), and the introduction points seeders
    /// registered for.
    pub(in crate::proto::tunnel) fn do_hidden_circuits(&mut self, ctx: &mut Context<'_, Self>) {
        let mut hop_counts: Vec<usize> = self.hidden.swarms.values().map(|s| s.hops).collect();
        hop_counts.sort_unstable();
        hop_counts.dedup();
        for hops in hop_counts {
            let have = self.circuits.values().any(|c| {
                c.ctype == CircuitType::Data
                    && c.goal_hops == hops
                    && c.state != CircuitState::Closing
            });
            if !have {
                let _ = self.create_circuit(ctx, hops, CircuitType::Data, None);
            }
        }
        let wanted: Vec<([u8; 20], usize)> = self
            .hidden
            .swarms
            .values()
            .filter(|s| s.seeding() && s.intro_points_wanted > 0)
            .map(|s| (s.info_hash, s.intro_points_wanted))
            .collect();
        for (info_hash, count) in wanted {
            let have = self
                .circuits
                .values()
                .filter(|c| c.ctype == CircuitType::IpSeeder && c.info_hash == Some(info_hash))
                .filter(|c| c.state != CircuitState::Closing)
                .count();
            for _ in have..count {
                if self.create_introduction_point(ctx, info_hash, None).is_err() {
                    break;
                }
            }
        }
    }
}

/// A fresh curve25519 key from the node's random source (so a simulation repeats).
fn seeder_key(ctx: &mut Context<'_, TunnelCommunity>) -> Option<PrivateKey> {
    let mut bin = b"LibNaCLSK:".to_vec();
    for _ in 0..8 {
        bin.extend(ctx.rng().next_u64().to_le_bytes());
    }
    PrivateKey::from_bin(&bin).ok()
}

impl Responder<JoinSwarm> for TunnelCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: JoinSwarm,
        reply: Reply<Result<Option<Vec<u8>>, TunnelError>>,
    ) {
        let result = self.join_swarm(ctx, &request);
        ctx.reply(reply, result);
    }
}

impl Responder<RegisterService> for TunnelCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: RegisterService,
        reply: Reply<Result<Option<Vec<u8>>, TunnelError>>,
    ) {
        let result = self.register_service(ctx, &request);
        ctx.reply(reply, result);
    }
}

impl Responder<LeaveSwarm> for TunnelCommunity {
    fn on_request(&mut self, ctx: &mut Context<'_, Self>, request: LeaveSwarm, reply: Reply<bool>) {
        let left = self.leave_swarm(ctx, request.info_hash);
        ctx.reply(reply, left);
    }
}

impl Responder<CreateIntroductionPoint> for TunnelCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: CreateIntroductionPoint,
        reply: Reply<Result<u32, TunnelError>>,
    ) {
        let result = self.create_introduction_point(ctx, request.info_hash, request.required_ip);
        ctx.reply(reply, result);
    }
}

impl Responder<Swarms> for TunnelCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        _request: Swarms,
        reply: Reply<Vec<SwarmInfo>>,
    ) {
        let swarms = self.swarms();
        ctx.reply(reply, swarms);
    }
}
