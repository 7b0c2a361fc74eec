//! The downloader's side of a hidden service (spec `tunnels.md` §8 steps 2–3, 7–9): find
//! introduction points (DHT through our exit, or PEX at a known point), send each seeder a
//! create-e2e through one, and link the rendezvous circuit its created-e2e names.

use std::net::SocketAddr;
use std::time::Duration;

use super::seeder::HIDDEN_REQUEST_TIMEOUT;
use super::swarm::{IntroductionPoint, PeerSource};
use super::{OnReady, circuit_address, unsigned_packet};
use crate::messages::tunnel::{
    CreateE2EPayload, CreatedE2EPayload, DataPayload, LinkE2EPayload, LinkedE2EPayload,
    PeersRequestPayload, PeersResponsePayload, RendezvousInfo,
};
use crate::proto::tunnel::circuit::{CircuitState, CircuitType, EndToEnd};
use crate::proto::tunnel::community::{TunnelCommunity, TunnelEvent, ephemeral};
use crate::proto::tunnel::{Direction, EphemeralKey, ReplayWindow, SessionKeys, complete};
use crate::proto::{Context, DropReason, NumberCache, Peer};
use crate::wire::Payload as _;
use crate::wire::format::Address;

/// How often swarms look for peers (py-ipv8's `do_peer_discovery` task).
pub const PEER_DISCOVERY_INTERVAL: Duration = Duration::from_secs(10);

/// Our peers-request for a swarm, to our exit (`target` none: a DHT lookup) or to a point.
struct PeersRequest {
    info_hash: [u8; 20],
    target: Option<IntroductionPoint>,
    /// The swarm-size estimate it is for, if any (else the swarm's own lookup).
    estimate: Option<u64>,
}

impl NumberCache<TunnelCommunity> for PeersRequest {
    fn timeout_delay(&self) -> Duration {
        HIDDEN_REQUEST_TIMEOUT
    }

    fn on_timeout(
        self: Box<Self>,
        t: &mut TunnelCommunity,
        ctx: &mut Context<'_, TunnelCommunity>,
    ) {
        if let Some(estimate) = self.estimate {
            t.estimate_answered(ctx, estimate, Vec::new());
            return;
        }
        // A point that does not answer is dropped from the swarm.
        if let (Some(swarm), Some(target)) =
            (t.hidden.swarms.get_mut(&self.info_hash), &self.target)
        {
            swarm.remove_intro_point(target);
        }
    }
}

/// Our create-e2e to a seeder.
struct E2eRequest {
    info_hash: [u8; 20],
    ephemeral: EphemeralKey,
    intro_point: IntroductionPoint,
}

impl NumberCache<TunnelCommunity> for E2eRequest {
    fn timeout_delay(&self) -> Duration {
        HIDDEN_REQUEST_TIMEOUT
    }

    fn on_timeout(
        self: Box<Self>,
        t: &mut TunnelCommunity,
        _ctx: &mut Context<'_, TunnelCommunity>,
    ) {
        if let Some(swarm) = t.hidden.swarms.get_mut(&self.info_hash) {
            swarm.connecting.retain(|pk| *pk != self.intro_point.seeder_pk);
        }
    }
}

/// Our link-e2e on rendezvous circuit `circuit`.
struct LinkRequest {
    circuit: u32,
    info_hash: [u8; 20],
    keys: SessionKeys,
}

impl NumberCache<TunnelCommunity> for LinkRequest {
    fn timeout_delay(&self) -> Duration {
        HIDDEN_REQUEST_TIMEOUT
    }
}

impl TunnelCommunity {
    /// Looks for peers in the swarms we download (py-ipv8's `do_peer_discovery`): a DHT lookup
    /// through our exit when the last DHT answer is old, else PEX at every known point; at most
    /// every `swarm_lookup_interval`, and not with `swarm_connection_limit` connections.
    pub(in crate::proto::tunnel) fn do_peer_discovery(&mut self, ctx: &mut Context<'_, Self>) {
        let now = ctx.now();
        let interval = self.settings.swarm_lookup_interval;
        let limit = self.settings.swarm_connection_limit;
        let mut lookups = Vec::new();
        for swarm in self.hidden.swarms.values_mut() {
            let due =
                swarm.last_lookup.is_none_or(|at| now.saturating_duration_since(at) >= interval);
            let linked: Vec<IntroductionPoint> = swarm
                .connections
                .iter()
                .filter(|(id, _)| {
                    self.circuits
                        .get(id)
                        .is_some_and(|c| c.state == CircuitState::Ready && c.e2e.is_some())
                })
                .map(|(_, ip)| ip.clone())
                .collect();
            if swarm.seeding() || !due || linked.len() >= limit {
                continue;
            }
            swarm.remove_old_intro_points(now, &linked);
            swarm.last_lookup = Some(now);
            if swarm.dht_lookup_due(now) {
                lookups.push((swarm.info_hash, swarm.hops, None));
            } else {
                let targets = swarm.intro_points.iter().map(|(ip, _)| Some(ip.clone()));
                lookups.extend(targets.map(|ip| (swarm.info_hash, swarm.hops, ip)));
            }
        }
        for (info_hash, hops, target) in lookups {
            self.send_peers_request(ctx, info_hash, target, hops, None);
        }
        self.reannounce(ctx);
    }

    /// Asks for the introduction points of `info_hash`: the point `target` (PEX), or, without
    /// one or when it is our exit itself, our exit (which asks the DHT or its PEX overlay).
    /// Whether it was sent (it needs a ready data circuit of `hops` hops).
    pub(in crate::proto::tunnel) fn send_peers_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        info_hash: [u8; 20],
        target: Option<IntroductionPoint>,
        hops: usize,
        estimate: Option<u64>,
    ) -> bool {
        let Some((circuit, first_hop, exit_key)) = self.data_circuit_for(ctx, hops) else {
            return false;
        };
        let target_address = target
            .as_ref()
            .filter(|ip| Some(ip.peer.key()) != exit_key.as_ref())
            .map(|ip| ip.peer.address());
        let cache = PeersRequest { info_hash, target, estimate };
        let Ok(number) = ctx.add_random_cache(cache) else { return false };
        let identifier = u16::try_from(number).unwrap_or_default();
        let request = PeersRequestPayload { circuit_id: circuit, identifier, info_hash };
        match target_address {
            Some(to) => self.send_packet_through(ctx, circuit, first_hop, to, &request),
            None => self.send_cell(ctx, first_hop, &request),
        }
        true
    }

    /// A random ready data circuit of `hops` hops: its id, first hop and last hop's key.
    fn data_circuit_for(
        &self,
        ctx: &mut Context<'_, Self>,
        hops: usize,
    ) -> Option<(u32, SocketAddr, Option<crate::crypto::PublicKey>)> {
        let mut ready: Vec<_> = self
            .circuits
            .values()
            .filter(|c| {
                c.ctype == CircuitType::Data
                    && c.state == CircuitState::Ready
                    && c.goal_hops == hops
            })
            .map(|c| (c.id, c.first_hop_address(), c.hops.last().map(|h| h.peer.key().clone())))
            .collect();
        ready.sort_by_key(|(id, _, _)| *id);
        let (id, first_hop, exit) = ctx.rng().choose(&ready)?.clone();
        Some((id, first_hop?, exit))
    }

    /// Sends a tunnel-community packet out of our circuit's exit to `to`.
    fn send_packet_through<P: crate::wire::Message>(
        &mut self,
        ctx: &mut Context<'_, Self>,
        circuit: u32,
        first_hop: SocketAddr,
        to: SocketAddr,
        payload: &P,
    ) {
        let Some(data) = unsigned_packet(payload) else { return };
        let p = DataPayload {
            circuit_id: circuit,
            dest_address: Address::Ip(to),
            org_address: Address::Ip(super::super::cells::NOWHERE),
            data,
        };
        self.send_cell(ctx, first_hop, &p);
    }

    /// Introduction points for a swarm we asked about: remember them, and contact every seeder
    /// we are not connected to.
    pub(in crate::proto::tunnel) fn on_peers_response(
        &mut self,
        ctx: &mut Context<'_, Self>,
        p: PeersResponsePayload,
    ) -> Result<(), DropReason> {
        let number = u64::from(p.identifier);
        match ctx.request_cache().get::<PeersRequest>(number) {
            Some(cache) if cache.info_hash == p.info_hash => {}
            _ => return Err(DropReason::Refused("tunnel_unexpected_answer")),
        }
        let estimate = ctx.request_cache().pop::<PeersRequest>(number).and_then(|c| c.estimate);
        let now = ctx.now();
        let ips: Vec<IntroductionPoint> = p
            .peers
            .into_iter()
            .filter(|info| info.address != super::super::cells::NOWHERE)
            .filter_map(|info| {
                let key = ctx.parse_public_key(&info.key)?;
                let source = PeerSource::from_byte(info.source);
                Some(IntroductionPoint {
                    peer: Peer::new(key, info.address),
                    seeder_pk: info.seeder_pk,
                    source,
                })
            })
            .collect();
        if let Some(estimate) = estimate {
            self.estimate_answered(ctx, estimate, ips);
            return Ok(());
        }
        let Some(swarm) = self.hidden.swarms.get_mut(&p.info_hash) else { return Ok(()) };
        if ips.iter().any(|ip| ip.source == PeerSource::Dht) {
            swarm.last_dht_response = Some(now);
        }
        let own = swarm.seeder_pk();
        for ip in ips.into_iter().filter(|ip| Some(&ip.seeder_pk) != own.as_ref()) {
            swarm.add_intro_point(ip, now);
        }
        let wanted: Vec<IntroductionPoint> = swarm
            .intro_points
            .iter()
            .map(|(ip, _)| ip.clone())
            .filter(|ip| !swarm.has_connection(&ip.seeder_pk))
            .collect();
        let mut contacted: Vec<Vec<u8>> = Vec::new();
        for ip in wanted {
            if !contacted.contains(&ip.seeder_pk) {
                contacted.push(ip.seeder_pk.clone());
                self.create_e2e(ctx, p.info_hash, ip);
            }
        }
        Ok(())
    }

    /// Sends the seeder behind `ip` a create-e2e through one of our data circuits.
    fn create_e2e(
        &mut self,
        ctx: &mut Context<'_, Self>,
        info_hash: [u8; 20],
        ip: IntroductionPoint,
    ) {
        let Some(hops) = self.hidden.swarms.get(&info_hash).map(|s| s.hops) else { return };
        let Some((circuit, first_hop, _)) = self.data_circuit_for(ctx, hops) else { return };
        let secret = ephemeral(ctx);
        let key = secret.public().to_vec();
        let to = ip.peer.address();
        let seeder_pk = ip.seeder_pk.clone();
        let cache = E2eRequest { info_hash, ephemeral: secret, intro_point: ip };
        let Ok(number) = ctx.add_random_cache(cache) else { return };
        if let Some(swarm) = self.hidden.swarms.get_mut(&info_hash) {
            swarm.connecting.push(seeder_pk.clone());
        }
        let identifier = u16::try_from(number).unwrap_or_default();
        let request = CreateE2EPayload { identifier, info_hash, node_public_key: seeder_pk, key };
        self.send_packet_through(ctx, circuit, first_hop, to, &request);
    }

    /// The seeder answered: check its proof, open the rendezvous point it chose, and build a
    /// circuit that ends there.
    pub(in crate::proto::tunnel) fn on_created_e2e(
        &mut self,
        ctx: &mut Context<'_, Self>,
        p: &CreatedE2EPayload,
    ) -> Result<(), DropReason> {
        let number = u64::from(p.identifier);
        let Some(cache) = ctx.request_cache().pop::<E2eRequest>(number) else {
            return Err(DropReason::Refused("tunnel_unexpected_answer"));
        };
        let info_hash = cache.info_hash;
        if let Some(swarm) = self.hidden.swarms.get_mut(&info_hash) {
            swarm.connecting.retain(|pk| *pk != cache.intro_point.seeder_pk);
        }
        let seeder = ctx.parse_public_key(&cache.intro_point.seeder_pk);
        let y: Option<[u8; 32]> = p.key.as_slice().try_into().ok();
        let keys = seeder
            .zip(y)
            .and_then(|(seeder, y)| complete(&cache.ephemeral, &seeder, &y, &p.auth).ok());
        let Some(keys) = keys else { return Err(DropReason::Refused("tunnel_bad_auth")) };
        let rp = open_rendezvous_info(&keys, &p.rp_info_enc)
            .ok_or(DropReason::Refused("tunnel_bad_rendezvous"))?;
        let rp_key = ctx.parse_public_key(&rp.key).ok_or(DropReason::Refused("tunnel_bad_key"))?;
        let Some(hops) = self.hidden.swarms.get(&info_hash).map(|s| s.hops + 1) else {
            return Ok(());
        };
        let required = Peer::new(rp_key, rp.address);
        let id = self
            .create_circuit_with(ctx, hops, CircuitType::RpDownloader, None, Some(required))
            .map_err(|_| DropReason::Refused("tunnel_no_rendezvous_circuit"))?;
        self.mark_hidden(id, info_hash, OnReady::Link { cookie: rp.cookie, keys });
        if let Some(swarm) = self.hidden.swarms.get_mut(&info_hash) {
            swarm.connections.insert(id, cache.intro_point);
        }
        Ok(())
    }

    pub(in crate::proto::tunnel) fn send_link(
        &mut self,
        ctx: &mut Context<'_, Self>,
        id: u32,
        first_hop: SocketAddr,
        info_hash: [u8; 20],
        cookie: [u8; 20],
        keys: SessionKeys,
    ) {
        let Ok(number) = ctx.add_random_cache(LinkRequest { circuit: id, info_hash, keys }) else {
            return;
        };
        let identifier = u16::try_from(number).unwrap_or_default();
        self.send_cell(ctx, first_hop, &LinkE2EPayload { circuit_id: id, identifier, cookie });
    }

    /// The rendezvous point joined our circuit with the seeder's: it is end to end now.
    pub(in crate::proto::tunnel) fn on_linked_e2e(
        &mut self,
        ctx: &mut Context<'_, Self>,
        p: &LinkedE2EPayload,
    ) -> Result<(), DropReason> {
        let number = u64::from(p.identifier);
        match ctx.request_cache().get::<LinkRequest>(number) {
            Some(cache) if cache.circuit == p.circuit_id => {}
            _ => return Err(DropReason::Refused("tunnel_unexpected_answer")),
        }
        let Some(cache) = ctx.request_cache().pop::<LinkRequest>(number) else { return Ok(()) };
        let Some(circuit) = self.circuits.get_mut(&cache.circuit) else { return Ok(()) };
        circuit.e2e = Some(EndToEnd { keys: cache.keys, window: ReplayWindow::default() });
        ctx.emit(TunnelEvent::ServicePeer {
            info_hash: cache.info_hash,
            circuit: cache.circuit,
            address: circuit_address(cache.circuit),
        });
        Ok(())
    }
}

/// The rendezvous point a created-e2e names: one FORWARD layer of the end-to-end keys around a
/// length-prefixed `RendezvousInfo`.
fn open_rendezvous_info(keys: &SessionKeys, sealed: &[u8]) -> Option<RendezvousInfo> {
    let plain = keys.decrypt(Direction::Forward, sealed).ok()?;
    let (len, rest) = plain.split_first_chunk::<2>()?;
    let body = rest.get(..usize::from(u16::from_be_bytes(*len)))?;
    RendezvousInfo::from_bytes(body).ok()
}
