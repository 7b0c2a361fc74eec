//! The seeder's side of a hidden service (spec `tunnels.md` §8 steps 1, 4–6): introduction
//! circuits (one hop longer than the swarm's), and for each downloader's create-e2e a rendezvous
//! circuit whose point and cookie go back, sealed in the end-to-end keys, as created-e2e.

use std::net::SocketAddr;

use super::{OnReady, unsigned_packet};
use crate::crypto::PrivateKey;
use crate::messages::tunnel::{
    CreateE2EPayload, CreatedE2EPayload, DataPayload, EstablishIntroPayload,
    EstablishRendezvousPayload, IntroEstablishedPayload, RendezvousEstablishedPayload,
    RendezvousInfo,
};
use crate::proto::tunnel::circuit::{CircuitType, EndToEnd};
use crate::proto::tunnel::community::{TunnelCommunity, TunnelError, ephemeral};
use crate::proto::tunnel::{Direction, ReplayWindow, respond};
use crate::proto::{Context, DropReason, NumberCache, Peer};
use crate::wire::Payload as _;
use crate::wire::format::Address;

/// How long an establish-intro, establish-rendezvous, create-e2e or link-e2e may go unanswered.
pub const HIDDEN_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Our establish-intro on circuit `circuit`.
struct IntroRequest {
    circuit: u32,
}

impl NumberCache<TunnelCommunity> for IntroRequest {
    fn timeout_delay(&self) -> std::time::Duration {
        HIDDEN_REQUEST_TIMEOUT
    }

    fn on_timeout(
        self: Box<Self>,
        t: &mut TunnelCommunity,
        ctx: &mut Context<'_, TunnelCommunity>,
    ) {
        t.remove_circuit(ctx, self.circuit, "establish-intro timeout", None);
    }
}

/// Our establish-rendezvous on circuit `circuit`, for the create-e2e it answers.
struct RendezvousRequest {
    circuit: u32,
    cookie: [u8; 20],
    request: CreateE2EPayload,
    source: SocketAddr,
    ip_circuit: u32,
}

impl NumberCache<TunnelCommunity> for RendezvousRequest {
    fn timeout_delay(&self) -> std::time::Duration {
        HIDDEN_REQUEST_TIMEOUT
    }

    fn on_timeout(
        self: Box<Self>,
        t: &mut TunnelCommunity,
        ctx: &mut Context<'_, TunnelCommunity>,
    ) {
        t.remove_circuit(ctx, self.circuit, "establish-rendezvous timeout", None);
    }
}

impl TunnelCommunity {
    /// Starts a circuit to a new introduction point of swarm `info_hash` (through `required_ip`,
    /// if given); once ready its last hop is asked to introduce us (py-ipv8's
    /// `create_introduction_point`). Returns the circuit id.
    ///
    /// # Errors
    ///
    /// [`TunnelError::NotSeeding`] if we do not seed that swarm; those of circuit creation.
    pub fn create_introduction_point(
        &mut self,
        ctx: &mut Context<'_, Self>,
        info_hash: [u8; 20],
        required_ip: Option<Peer>,
    ) -> Result<u32, TunnelError> {
        let hops = match self.hidden.swarms.get(&info_hash) {
            Some(swarm) if swarm.seeding() => swarm.hops + 1,
            _ => return Err(TunnelError::NotSeeding),
        };
        let id = self.create_circuit_with(ctx, hops, CircuitType::IpSeeder, None, required_ip)?;
        self.mark_hidden(id, info_hash, OnReady::EstablishIntro);
        Ok(id)
    }

    pub(in crate::proto::tunnel) fn mark_hidden(
        &mut self,
        id: u32,
        info_hash: [u8; 20],
        on_ready: OnReady,
    ) {
        if let Some(circuit) = self.circuits.get_mut(&id) {
            circuit.info_hash = Some(info_hash);
            circuit.on_ready = Some(on_ready);
        }
    }

    /// One of our circuits became ready: take the hidden-service step that waited for it.
    pub(in crate::proto::tunnel) fn hidden_circuit_ready(
        &mut self,
        ctx: &mut Context<'_, Self>,
        id: u32,
    ) {
        let Some(circuit) = self.circuits.get_mut(&id) else { return };
        let (Some(on_ready), Some(info_hash)) = (circuit.on_ready.take(), circuit.info_hash) else {
            return;
        };
        let Some(first_hop) = circuit.first_hop_address() else { return };
        match on_ready {
            OnReady::EstablishIntro => self.establish_intro(ctx, id, first_hop, info_hash),
            OnReady::EstablishRendezvous { request, source, ip_circuit } => {
                let mut cookie = [0; 20];
                for chunk in cookie.chunks_mut(4) {
                    chunk.copy_from_slice(&ctx.rng().next_u64().to_be_bytes()[..4]);
                }
                let cache = RendezvousRequest { circuit: id, cookie, request, source, ip_circuit };
                let Ok(number) = ctx.add_random_cache(cache) else { return };
                let identifier = u16::try_from(number).unwrap_or_default();
                let p = EstablishRendezvousPayload { circuit_id: id, identifier, cookie };
                self.send_cell(ctx, first_hop, &p);
            }
            OnReady::Link { cookie, keys } => {
                self.send_link(ctx, id, first_hop, info_hash, cookie, keys);
            }
        }
    }

    fn establish_intro(
        &mut self,
        ctx: &mut Context<'_, Self>,
        id: u32,
        first_hop: SocketAddr,
        info_hash: [u8; 20],
    ) {
        let Some(public_key) = self.hidden.swarms.get(&info_hash).and_then(super::Swarm::seeder_pk)
        else {
            self.remove_circuit(ctx, id, "no longer seeding", None);
            return;
        };
        let Ok(number) = ctx.add_random_cache(IntroRequest { circuit: id }) else { return };
        let identifier = u16::try_from(number).unwrap_or_default();
        let p = EstablishIntroPayload { circuit_id: id, identifier, info_hash, public_key };
        self.send_cell(ctx, first_hop, &p);
    }

    /// Our introduction point took us on.
    pub(in crate::proto::tunnel) fn on_intro_established(
        ctx: &mut Context<'_, Self>,
        p: &IntroEstablishedPayload,
    ) -> Result<(), DropReason> {
        let number = u64::from(p.identifier);
        match ctx.request_cache().get::<IntroRequest>(number) {
            Some(cache) if cache.circuit == p.circuit_id => {}
            _ => return Err(DropReason::Refused("tunnel_unexpected_answer")),
        }
        ctx.request_cache().pop::<IntroRequest>(number);
        Ok(())
    }

    /// A downloader's create-e2e came down our introduction circuit `circuit` from `origin` (its
    /// exit): build a rendezvous circuit, then answer.
    pub(in crate::proto::tunnel) fn on_create_e2e_from_circuit(
        &mut self,
        ctx: &mut Context<'_, Self>,
        circuit: u32,
        origin: SocketAddr,
        p: CreateE2EPayload,
    ) -> Result<(), DropReason> {
        let hops = match self.hidden.swarms.get(&p.info_hash) {
            Some(swarm) if swarm.seeding() => swarm.hops,
            _ => return Err(DropReason::Refused("tunnel_not_seeding")),
        };
        let info_hash = p.info_hash;
        let id = self
            .create_circuit_with(ctx, hops, CircuitType::RpSeeder, None, None)
            .map_err(|_| DropReason::Refused("tunnel_no_rendezvous_circuit"))?;
        let on_ready =
            OnReady::EstablishRendezvous { request: p, source: origin, ip_circuit: circuit };
        self.mark_hidden(id, info_hash, on_ready);
        Ok(())
    }

    /// Our rendezvous point is ready: answer the downloader with created-e2e, through the
    /// introduction circuit its create-e2e came by.
    pub(in crate::proto::tunnel) fn on_rendezvous_established(
        &mut self,
        ctx: &mut Context<'_, Self>,
        p: &RendezvousEstablishedPayload,
    ) -> Result<(), DropReason> {
        let number = u64::from(p.identifier);
        match ctx.request_cache().get::<RendezvousRequest>(number) {
            Some(cache) if cache.circuit == p.circuit_id => {}
            _ => return Err(DropReason::Refused("tunnel_unexpected_answer")),
        }
        let Some(cache) = ctx.request_cache().pop::<RendezvousRequest>(number) else {
            return Ok(());
        };
        let seeder_key =
            self.hidden.swarms.get(&cache.request.info_hash).and_then(|s| s.seeder_key.clone());
        let rp_key = self
            .circuits
            .get(&cache.circuit)
            .and_then(|c| c.hops.last())
            .map(|h| h.peer.key().clone());
        let (Some(seeder_key), Some(rp_key)) = (seeder_key, rp_key) else {
            return Err(DropReason::Refused("tunnel_not_seeding"));
        };
        let rp = RendezvousInfo {
            address: p.rendezvous_point_addr,
            key: rp_key.to_bin().to_vec(),
            cookie: cache.cookie,
        };
        let created = self.created_e2e(ctx, &seeder_key, &cache, &rp)?;
        let Some(ip) = self.circuits.get(&cache.ip_circuit) else {
            return Err(DropReason::Refused("tunnel_unknown_circuit"));
        };
        let first_hop =
            ip.first_hop_address().ok_or(DropReason::Refused("tunnel_unknown_circuit"))?;
        let data = unsigned_packet(&created).ok_or(DropReason::Refused("tunnel_bad_cell"))?;
        let payload = DataPayload {
            circuit_id: cache.ip_circuit,
            dest_address: Address::Ip(cache.source),
            org_address: Address::Ip(super::super::cells::NOWHERE),
            data,
        };
        self.send_cell(ctx, first_hop, &payload);
        Ok(())
    }

    /// The handshake with the downloader under the seeder key: created-e2e with the rendezvous
    /// point sealed in the new end-to-end keys, which the rendezvous circuit now carries.
    fn created_e2e(
        &mut self,
        ctx: &mut Context<'_, Self>,
        seeder_key: &PrivateKey,
        cache: &RendezvousRequest,
        rp: &RendezvousInfo,
    ) -> Result<CreatedE2EPayload, DropReason> {
        let x: [u8; 32] = cache
            .request
            .key
            .as_slice()
            .try_into()
            .map_err(|_| DropReason::Refused("tunnel_bad_key"))?;
        let secret = ephemeral(ctx);
        let created =
            respond(seeder_key, &secret, &x).map_err(|_| DropReason::Refused("tunnel_bad_key"))?;
        let mut keys = created.keys;
        let rp_bin = rp.to_bytes().map_err(|_| DropReason::Refused("tunnel_bad_cell"))?;
        let mut sealed = u16::try_from(rp_bin.len()).unwrap_or_default().to_be_bytes().to_vec();
        sealed.extend(rp_bin);
        let rp_info_enc = keys.encrypt(Direction::Forward, &sealed);
        if let Some(circuit) = self.circuits.get_mut(&cache.circuit) {
            circuit.e2e = Some(EndToEnd { keys, window: ReplayWindow::default() });
        }
        Ok(CreatedE2EPayload {
            identifier: cache.request.identifier,
            key: created.y.to_vec(),
            auth: created.auth,
            rp_info_enc,
        })
    }
}
