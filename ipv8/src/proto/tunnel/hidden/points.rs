//! Serving others' hidden services (spec `tunnels.md` §8): as **introduction point** (the last
//! hop of a seeder's introduction circuit: announce it in the DHT and PEX, pass create-e2e
//! messages from the socket to the seeder), as **rendezvous point** (link two circuits' ends by a
//! cookie), and as **exit** answering a downloader's peers-request from the DHT.

use std::net::SocketAddr;
use std::time::Duration;

use super::pex::{PEX_WALK, PexAnnounce, PexCommunity, PexIntroPoints, pex_community_id};
use super::swarm::{IntroductionPoint, PeerSource};
use super::{Introducing, unsigned_packet};
use crate::messages::dht::DHTIntroPointPayload;
use crate::messages::tunnel::{
    CreateE2EPayload, DataPayload, EstablishIntroPayload, EstablishRendezvousPayload,
    IntroEstablishedPayload, IntroductionInfo, LinkE2EPayload, LinkedE2EPayload,
    PeersRequestPayload, PeersResponsePayload, RendezvousEstablishedPayload,
};
use crate::proto::dht::{DhtCommunity, FindValues, StoreValue};
use crate::proto::tunnel::cells::NOWHERE;
use crate::proto::tunnel::community::TunnelCommunity;
use crate::proto::tunnel::relay::RelayRoute;
use crate::proto::tunnel::{DESTROY_UNNEEDED, Direction};
use crate::proto::{Context, DropReason, Peer};
use crate::wire::Payload as _;
use crate::wire::format::Address;

/// Introduction points one peers-response lists, at most (py-ipv8 samples 7).
pub const MAX_PEERS_IN_RESPONSE: usize = 7;
/// How often an introduction point announces itself in the DHT again (stored values expire
/// after an hour).
pub const REANNOUNCE_INTERVAL: Duration = Duration::from_secs(1800);
/// The `LibNaCLPK:` prefix the DHT announcement leaves out of keys.
const KEY_PREFIX: &[u8] = b"LibNaCLPK:";

impl TunnelCommunity {
    /// A seeder asks us, the last hop of its circuit, to introduce it.
    pub(in crate::proto::tunnel) fn on_establish_intro(
        &mut self,
        ctx: &mut Context<'_, Self>,
        source: SocketAddr,
        p: &EstablishIntroPayload,
    ) -> Result<(), DropReason> {
        if !self.exits.lock().contains_key(&p.circuit_id) {
            return Err(DropReason::Refused("tunnel_exit_unknown"));
        }
        // One seeder per circuit (and per key): a circuit cannot make us announce, and load PEX
        // overlays, without bound.
        if self.hidden.intro_point_for.contains_key(&p.public_key)
            || self.is_introducing(p.circuit_id)
        {
            return Err(DropReason::Refused("tunnel_already_introducing"));
        }
        if ctx.parse_public_key(&p.public_key).is_none() {
            return Err(DropReason::Refused("tunnel_bad_key"));
        }
        let introducing =
            Introducing { exit: p.circuit_id, info_hash: p.info_hash, announced: None };
        self.hidden.intro_point_for.insert(p.public_key.clone(), introducing);
        self.pex_announce(ctx, p.info_hash, p.public_key.clone(), true);
        self.dht_announce(ctx, &p.public_key);
        let answer = IntroEstablishedPayload { circuit_id: p.circuit_id, identifier: p.identifier };
        self.send_cell(ctx, source, &answer);
        Ok(())
    }

    /// Starts (loading the swarm's PEX overlay if need be) or stops introducing `seeder_pk` in
    /// PEX; an overlay that introduces nobody any more is unloaded.
    fn pex_announce(
        &mut self,
        ctx: &mut Context<'_, Self>,
        info_hash: [u8; 20],
        seeder_pk: Vec<u8>,
        announce: bool,
    ) {
        let id = pex_community_id(&info_hash);
        if announce && !self.hidden.pex.contains_key(&info_hash) {
            let key = ctx.my_private_key().clone();
            if ctx.load_community(PexCommunity::new(info_hash), key, PEX_WALK).is_err() {
                return;
            }
            self.hidden.pex.insert(info_hash, id);
        }
        if !self.hidden.pex.contains_key(&info_hash) {
            return;
        }
        let request = PexAnnounce { seeder_pk, announce };
        let _ = ctx.ask_community::<PexCommunity, _>(id, request, move |tunnels, ctx, busy| {
            if busy == Ok(false) && tunnels.hidden.pex.remove(&info_hash).is_some() {
                let _ = ctx.unload_community(id);
            }
        });
    }

    /// Stores us in the DHT as introduction point of the seeder `seeder_pk` (unsigned, keys
    /// without their prefix, as py-ipv8's `DHTCommunityProvider.announce`).
    pub(in crate::proto::tunnel) fn dht_announce(
        &mut self,
        ctx: &mut Context<'_, Self>,
        seeder_pk: &[u8],
    ) {
        let now = ctx.now();
        let Some(address) = ctx.wan_address().or(ctx.my_address()) else { return };
        let Some(introducing) = self.hidden.intro_point_for.get_mut(seeder_pk) else { return };
        introducing.announced = Some(now);
        let value = DHTIntroPointPayload {
            address,
            last_seen: ctx.unix_seconds(),
            intro_pk: ctx.my_key().to_bin().strip_prefix(KEY_PREFIX).unwrap_or_default().to_vec(),
            seeder_pk: seeder_pk.strip_prefix(KEY_PREFIX).unwrap_or_default().to_vec(),
        };
        let Ok(data) = value.to_bytes() else { return };
        let store = StoreValue { key: introducing.info_hash, data, version: None };
        let _ = ctx.ask::<DhtCommunity, _>(store, |_, _, _| {});
    }

    /// Announces again what was announced [`REANNOUNCE_INTERVAL`] ago.
    pub(in crate::proto::tunnel) fn reannounce(&mut self, ctx: &mut Context<'_, Self>) {
        let now = ctx.now();
        let due: Vec<Vec<u8>> = self
            .hidden
            .intro_point_for
            .iter()
            .filter(|(_, i)| {
                i.announced.is_none_or(|at| now.duration_since(at) >= REANNOUNCE_INTERVAL)
            })
            .map(|(pk, _)| pk.clone())
            .collect();
        for seeder_pk in due {
            self.dht_announce(ctx, &seeder_pk);
        }
    }

    /// A create-e2e from the socket (a downloader's exit): pass it to the seeder it names, down
    /// the seeder's introduction circuit, with the exit's address as origin.
    pub(in crate::proto::tunnel) fn on_create_e2e_from_socket(
        &mut self,
        ctx: &mut Context<'_, Self>,
        source: SocketAddr,
        p: &CreateE2EPayload,
    ) -> Result<(), DropReason> {
        let Some(introducing) = self.hidden.intro_point_for.get(&p.node_public_key) else {
            return Err(DropReason::Refused("tunnel_not_introducing"));
        };
        let exit = introducing.exit;
        let Some(to) = self.exits.lock().get(&exit).map(|e| e.peer.address()) else {
            return Err(DropReason::Refused("tunnel_exit_unknown"));
        };
        let data = unsigned_packet(p).ok_or(DropReason::Refused("tunnel_bad_cell"))?;
        let payload = DataPayload {
            circuit_id: exit,
            dest_address: Address::Ip(NOWHERE),
            org_address: Address::Ip(source),
            data,
        };
        self.send_cell(ctx, to, &payload);
        Ok(())
    }

    /// A seeder asks us, the last hop of its circuit, to be a rendezvous point for `cookie`.
    pub(in crate::proto::tunnel) fn on_establish_rendezvous(
        &mut self,
        ctx: &mut Context<'_, Self>,
        source: SocketAddr,
        p: &EstablishRendezvousPayload,
    ) -> Result<(), DropReason> {
        if !self.exits.lock().contains_key(&p.circuit_id) {
            return Err(DropReason::Refused("tunnel_exit_unknown"));
        }
        let Some(address) = ctx.wan_address().or(ctx.my_address()) else {
            return Err(DropReason::Refused("tunnel_no_address"));
        };
        // One cookie per circuit: a circuit cannot fill our memory with cookies.
        self.hidden.rendezvous_point_for.retain(|_, exit| *exit != p.circuit_id);
        self.hidden.rendezvous_point_for.insert(p.cookie, p.circuit_id);
        let answer = RendezvousEstablishedPayload {
            circuit_id: p.circuit_id,
            identifier: p.identifier,
            rendezvous_point_addr: address,
        };
        self.send_cell(ctx, source, &answer);
        Ok(())
    }

    /// A downloader's circuit ends here with the cookie of a seeder's circuit: join the two ends
    /// into a rendezvous relay (neither may have let data out yet).
    pub(in crate::proto::tunnel) fn on_link_e2e(
        &mut self,
        ctx: &mut Context<'_, Self>,
        source: SocketAddr,
        p: &LinkE2EPayload,
    ) -> Result<(), DropReason> {
        let Some(&seeder_side) = self.hidden.rendezvous_point_for.get(&p.cookie) else {
            return Err(DropReason::Refused("tunnel_unknown_cookie"));
        };
        let downloader_side = p.circuit_id;
        let usable = |id| self.exits.lock().get(&id).is_some_and(|exit| !exit.enabled);
        if seeder_side == downloader_side || !usable(seeder_side) || !usable(downloader_side) {
            return Err(DropReason::Refused("tunnel_cannot_link"));
        }
        self.hidden.rendezvous_point_for.remove(&p.cookie);
        let mut exits = self.exits.lock();
        let pair = (exits.remove(&downloader_side), exits.remove(&seeder_side));
        drop(exits);
        let (Some(a), Some(b)) = pair else {
            return Err(DropReason::Refused("tunnel_cannot_link"));
        };
        let now = ctx.now();
        let mut to_seeder = RelayRoute::new(seeder_side, b.peer, a.keys, Direction::Forward, now);
        to_seeder.rendezvous = true;
        let mut to_downloader =
            RelayRoute::new(downloader_side, a.peer, b.keys, Direction::Forward, now);
        to_downloader.rendezvous = true;
        let mut relays = self.relays.lock();
        relays.insert(downloader_side, to_seeder);
        relays.insert(seeder_side, to_downloader);
        drop(relays);
        let answer = LinkedE2EPayload { circuit_id: downloader_side, identifier: p.identifier };
        self.send_cell(ctx, source, &answer);
        Ok(())
    }

    /// A downloader asks its exit (us) for introduction points: from our PEX overlay of the swarm
    /// if we have one, else from the DHT.
    pub(in crate::proto::tunnel) fn on_peers_request_cell(
        &mut self,
        ctx: &mut Context<'_, Self>,
        source: SocketAddr,
        p: PeersRequestPayload,
    ) -> Result<(), DropReason> {
        if !self.exits.lock().contains_key(&p.circuit_id) {
            return Err(DropReason::Refused("tunnel_exit_unknown"));
        }
        if let Some(&id) = self.hidden.pex.get(&p.info_hash) {
            let _ = ctx.ask_community::<PexCommunity, _>(id, PexIntroPoints, move |t, ctx, ips| {
                if let Ok(ips) = ips {
                    t.send_peers_response(ctx, source, &p, ips, true);
                }
            });
            return Ok(());
        }
        let find = FindValues { key: p.info_hash };
        let asked = ctx.ask::<DhtCommunity, _>(find, move |t, ctx, found| {
            if let Ok(Ok(values)) = found {
                let ips = values.iter().filter_map(|(data, _)| intro_point_of(ctx, data)).collect();
                t.send_peers_response(ctx, source, &p, ips, true);
            }
        });
        asked.map_err(|_| DropReason::Refused("tunnel_no_dht"))
    }

    /// A peers-request from the socket (a downloader's exit): answer from our PEX overlay.
    pub(in crate::proto::tunnel) fn on_peers_request_from_socket(
        &mut self,
        ctx: &mut Context<'_, Self>,
        source: SocketAddr,
        p: PeersRequestPayload,
    ) -> Result<(), DropReason> {
        let Some(&id) = self.hidden.pex.get(&p.info_hash) else {
            return Err(DropReason::Refused("tunnel_no_pex"));
        };
        let _ = ctx.ask_community::<PexCommunity, _>(id, PexIntroPoints, move |t, ctx, ips| {
            if let Ok(ips) = ips {
                t.send_peers_response(ctx, source, &p, ips, false);
            }
        });
        Ok(())
    }

    /// Answers a peers-request with up to [`MAX_PEERS_IN_RESPONSE`] random points: as a cell
    /// back down the circuit, or raw to the socket it came from.
    fn send_peers_response(
        &mut self,
        ctx: &mut Context<'_, Self>,
        to: SocketAddr,
        request: &PeersRequestPayload,
        mut ips: Vec<IntroductionPoint>,
        as_cell: bool,
    ) {
        while ips.len() > MAX_PEERS_IN_RESPONSE {
            let drop = usize::try_from(ctx.rng().below(ips.len() as u64)).unwrap_or(0);
            ips.swap_remove(drop);
        }
        let peers = ips
            .into_iter()
            .map(|ip| IntroductionInfo {
                address: ip.peer.address(),
                key: ip.peer.key().to_bin().to_vec(),
                seeder_pk: ip.seeder_pk,
                source: ip.source.to_byte(),
            })
            .collect();
        let response = PeersResponsePayload {
            circuit_id: request.circuit_id,
            identifier: request.identifier,
            info_hash: request.info_hash,
            peers,
        };
        if as_cell {
            self.send_cell(ctx, to, &response);
        } else if let Some(packet) = unsigned_packet(&response) {
            ctx.send_raw(to, packet);
        }
    }

    /// Forgets what exit `id` served as introduction or rendezvous point (it is going away).
    pub(in crate::proto::tunnel) fn forget_points_of(
        &mut self,
        ctx: &mut Context<'_, Self>,
        id: u32,
    ) {
        let gone: Vec<(Vec<u8>, [u8; 20])> = self
            .hidden
            .intro_point_for
            .iter()
            .filter(|(_, i)| i.exit == id)
            .map(|(pk, i)| (pk.clone(), i.info_hash))
            .collect();
        for (seeder_pk, info_hash) in gone {
            self.hidden.intro_point_for.remove(&seeder_pk);
            self.pex_announce(ctx, info_hash, seeder_pk, false);
        }
        self.hidden.rendezvous_point_for.retain(|_, exit| *exit != id);
    }

    /// Whether exit `id` is an introduction point (it may live `max_time_ip`).
    pub(in crate::proto::tunnel) fn is_introducing(&self, id: u32) -> bool {
        self.hidden.intro_point_for.values().any(|i| i.exit == id)
    }

    /// Tears down the circuits of a swarm we leave.
    pub(in crate::proto::tunnel) fn remove_swarm_circuits(
        &mut self,
        ctx: &mut Context<'_, Self>,
        info_hash: [u8; 20],
    ) {
        let ids: Vec<u32> = self
            .circuits
            .values()
            .filter(|c| c.info_hash == Some(info_hash))
            .map(|c| c.id)
            .collect();
        for id in ids {
            self.remove_circuit(ctx, id, "leaving hidden swarm", Some(DESTROY_UNNEEDED));
        }
    }
}

/// An introduction point from a DHT value (keys get their `LibNaCLPK:` prefix back).
fn intro_point_of(ctx: &Context<'_, TunnelCommunity>, data: &[u8]) -> Option<IntroductionPoint> {
    let value = DHTIntroPointPayload::from_bytes(data).ok()?;
    let key = ctx.parse_public_key(&[KEY_PREFIX, &value.intro_pk].concat())?;
    Some(IntroductionPoint {
        peer: Peer::new(key, value.address),
        seeder_pk: [KEY_PREFIX, &value.seeder_pk].concat(),
        source: PeerSource::Dht,
    })
}
