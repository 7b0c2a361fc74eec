//! Serving others' circuits (spec `tunnels.md` §6.2): joining one (create → created, as its exit
//! for now), extending it to the next hop (extend → create there, created → extended back, after
//! which we relay it), and taking it down when the right neighbour says so (destroy).

use std::collections::HashMap;
use std::net::SocketAddr;

use super::community::{TunnelCommunity, ephemeral};
use super::exit::ExitSocket;
use super::relay::RelayRoute;
use super::{Candidates, Direction, MAX_OFFERED, PeerFlags, respond};
use crate::community;
use crate::messages::tunnel::{
    CreateE2EPayload, CreatePayload, CreatedPayload, DestroyPayload, ExtendPayload,
    ExtendedPayload, PeersRequestPayload, PeersResponsePayload,
};
use crate::proto::dht::{ConnectPeer, DhtCommunity};
use crate::proto::{Context, DropReason, NumberCache, Peer};

/// How long the hop that asked us to extend waits for the next hop's created.
const CREATE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// We joined a circuit (py-ipv8's `CreatedRequestCache`): its originator may ask us to extend it,
/// to one of the candidates we offered or to an address it names, until the cache times out.
pub(super) struct CreatedCache {
    /// The candidates we offered, by their key.
    offered: HashMap<Vec<u8>, Peer>,
    timeout: std::time::Duration,
}

impl NumberCache<TunnelCommunity> for CreatedCache {
    fn timeout_delay(&self) -> std::time::Duration {
        self.timeout
    }
}

/// An extend to carry out: circuit `from_id` grows to `next`, with the originator's ephemeral key.
#[derive(Clone)]
struct Extend {
    from_id: u32,
    identifier: u16,
    key: Vec<u8>,
    next: Peer,
}

/// Silence after which a relay asks the DHT to connect an extend's target first (py-ipv8: 57.5 s).
pub const CONNECT_BEFORE_EXTEND: std::time::Duration = std::time::Duration::from_millis(57_500);

/// We asked the next hop to join a circuit we extend (py-ipv8's `CreateRequestCache`).
pub(super) struct CreateCache {
    /// The identifier of the originator's extend, echoed in our extended.
    extend_identifier: u16,
    /// The circuit id toward the next hop.
    to_id: u32,
    /// The circuit id toward the originator.
    from_id: u32,
    previous: Peer,
    next: Peer,
}

impl NumberCache<TunnelCommunity> for CreateCache {
    fn timeout_delay(&self) -> std::time::Duration {
        CREATE_TIMEOUT
    }
}

impl TunnelCommunity {
    /// Someone asks us to join its circuit: we become its last hop (an exit, for now) and offer
    /// candidates it may extend to.
    pub(super) fn on_create(
        &mut self,
        ctx: &mut Context<'_, Self>,
        source: SocketAddr,
        p: &CreatePayload,
    ) -> Result<(), DropReason> {
        let id = p.circuit_id;
        if self.settings.peer_flags.is_empty() {
            return Err(DropReason::Refused("tunnel_not_relaying"));
        }
        if ctx.request_cache().has::<CreatedCache>(u64::from(id))
            || self.exits.lock().contains_key(&id)
            || self.relays.lock().contains_key(&id)
        {
            return Err(DropReason::Refused("tunnel_duplicate_create"));
        }
        if self.relays.lock().len() + self.exits.lock().len() >= self.settings.max_joined_circuits {
            return Err(DropReason::Refused("tunnel_too_many_joined"));
        }
        if self.joined_from(source) >= self.settings.max_joined_per_peer {
            return Err(DropReason::Refused("tunnel_too_many_from_peer"));
        }
        let key = ctx
            .parse_public_key(&p.node_public_key)
            .ok_or(DropReason::Refused("tunnel_bad_key"))?;
        let x: [u8; 32] =
            p.key.as_slice().try_into().map_err(|_| DropReason::Refused("tunnel_bad_key"))?;
        let secret = ephemeral(ctx);
        let mut created = respond(ctx.my_private_key(), &secret, &x)
            .map_err(|_| DropReason::Refused("tunnel_handshake"))?;
        let (offer, offered) = self.offer();
        let candidates_enc = offer.seal(&mut created.keys);
        let cache = CreatedCache { offered, timeout: self.settings.unstable_timeout };
        ctx.add_cache(u64::from(id), cache)
            .map_err(|_| DropReason::Refused("tunnel_duplicate_create"))?;
        let previous = Peer::new(key, source);
        self.exits.lock().insert(id, ExitSocket::new(previous, created.keys, ctx.now()));
        let reply = CreatedPayload {
            circuit_id: id,
            identifier: p.identifier,
            key: created.y.to_vec(),
            auth: created.auth,
            candidates_enc,
        };
        self.send_cell(ctx, source, &reply);
        Ok(())
    }

    /// The circuits of others whose previous hop is at `address` (exits, and relays' routes back
    /// toward their originators).
    fn joined_from(&self, address: SocketAddr) -> usize {
        let exits =
            self.exits.lock().values().filter(|exit| exit.peer.address() == address).count();
        let relays = self
            .relays
            .lock()
            .values()
            .filter(|r| r.direction == Direction::Backward && r.peer.address() == address)
            .count();
        exits + relays
    }

    /// The candidates a new circuit may extend to: up to 4 relays that do not exit, then up to 4
    /// exits (spec §4).
    fn offer(&self) -> (Candidates, HashMap<Vec<u8>, Peer>) {
        let exits: Vec<Peer> = self
            .candidates_with(PeerFlags::EXIT_BT | PeerFlags::RELAY)
            .into_iter()
            .take(MAX_OFFERED)
            .collect();
        let relays: Vec<Peer> = self
            .candidates_with(PeerFlags::RELAY)
            .into_iter()
            .filter(|peer| !self.flags_of(peer.key()).contains(PeerFlags::EXIT_BT))
            .take(MAX_OFFERED)
            .collect();
        let offered =
            relays.iter().chain(&exits).map(|p| (p.key().to_bin().to_vec(), p.clone())).collect();
        let bins = |peers: &[Peer]| peers.iter().map(|p| p.key().to_bin().to_vec()).collect();
        (Candidates { relays: bins(&relays), exits: bins(&exits) }, offered)
    }

    /// The originator asks us, its last hop, to extend its circuit.
    pub(super) fn on_extend(
        &mut self,
        ctx: &mut Context<'_, Self>,
        p: ExtendPayload,
    ) -> Result<(), DropReason> {
        if !self.settings.peer_flags.contains(PeerFlags::RELAY) {
            return Err(DropReason::Refused("tunnel_not_relaying"));
        }
        let from_id = p.circuit_id;
        let Some(cache) = ctx.request_cache().get::<CreatedCache>(u64::from(from_id)) else {
            return Err(DropReason::Refused("tunnel_unexpected_extend"));
        };
        let (next, offered) = match cache.offered.get(&p.node_public_key) {
            Some(peer) => (peer.clone(), true),
            None if p.node_addr == super::cells::NOWHERE => {
                return Err(DropReason::Refused("tunnel_extend_unknown_target"));
            }
            None => {
                let key = ctx
                    .parse_public_key(&p.node_public_key)
                    .ok_or(DropReason::Refused("tunnel_bad_key"))?;
                let known = ctx.network().get(&key).map(|entry| entry.peer.clone());
                (known.unwrap_or_else(|| Peer::new(key, p.node_addr)), false)
            }
        };
        let extend = Extend { from_id, identifier: p.identifier, key: p.key, next };
        if offered || !Self::not_heard_from(ctx, &extend.next) {
            return self.extend_to(ctx, extend);
        }
        // py-ipv8 has the DHT connect a target it has not heard from lately (a puncture on
        // its way) before it sends the create; whatever the answer, the create follows.
        let connect = ConnectPeer { mid: extend.next.mid(), peer: Some(extend.next.clone()) };
        let pending = extend.clone();
        let asked = ctx.ask::<DhtCommunity, _>(connect, move |tunnels, ctx, answer| {
            let mut extend = pending;
            if let Ok(Ok(found)) = answer {
                let same = found.into_iter().find(|peer| peer.key() == extend.next.key());
                extend.next = same.unwrap_or(extend.next);
            }
            let _ = tunnels.extend_to(ctx, extend);
        });
        match asked {
            Ok(()) => Ok(()),
            Err(_) => self.extend_to(ctx, extend),
        }
    }

    /// Whether we have not heard from `peer` for [`CONNECT_BEFORE_EXTEND`] (or ever).
    fn not_heard_from(ctx: &Context<'_, Self>, peer: &Peer) -> bool {
        let heard = ctx.network().get(peer.key()).and_then(|entry| entry.last_response);
        heard.is_none_or(|at| ctx.now().saturating_duration_since(at) > CONNECT_BEFORE_EXTEND)
    }

    /// Sends the create for an extend of circuit `from_id` (still ours to extend) to its target.
    fn extend_to(&mut self, ctx: &mut Context<'_, Self>, extend: Extend) -> Result<(), DropReason> {
        let Extend { from_id, identifier, key, next } = extend;
        let Some(previous) = self.exits.lock().get(&from_id).map(|exit| exit.peer.clone()) else {
            return Err(DropReason::Refused("tunnel_unexpected_extend"));
        };
        if next.key() == ctx.my_key() || next.key() == previous.key() {
            return Err(DropReason::Refused("tunnel_extend_loop"));
        }
        let to_id = self.new_circuit_id(ctx);
        let address = next.address();
        let cache = CreateCache { extend_identifier: identifier, to_id, from_id, previous, next };
        let number = ctx.add_random_cache(cache).map_err(|_| DropReason::Refused("tunnel_busy"))?;
        let create = CreatePayload {
            circuit_id: to_id,
            identifier: u16::try_from(number).unwrap_or_default(),
            node_public_key: ctx.my_key().to_bin().to_vec(),
            key,
        };
        self.send_cell(ctx, address, &create);
        Ok(())
    }

    /// A hop answered a create: the one we sent for an extend (we become a relay and tell the
    /// originator), or the first hop of one of our circuits.
    pub(super) fn on_created(
        &mut self,
        ctx: &mut Context<'_, Self>,
        source: SocketAddr,
        p: CreatedPayload,
    ) -> Result<(), DropReason> {
        let number = u64::from(p.identifier);
        let ours = match ctx.request_cache().get::<CreateCache>(number) {
            Some(cache) if cache.to_id == p.circuit_id => {
                if cache.next.address() != source {
                    return Err(DropReason::Refused("tunnel_response_from_elsewhere"));
                }
                false
            }
            _ => true,
        };
        if ours {
            let answer = super::originate::HopAnswer {
                identifier: p.identifier,
                key: p.key,
                auth: p.auth,
                candidates_enc: p.candidates_enc,
            };
            return self.hop_answered(ctx, source, p.circuit_id, &answer);
        }
        let Some(cache) = ctx.request_cache().pop::<CreateCache>(number) else {
            return Err(DropReason::Refused("tunnel_unexpected_created"));
        };
        let Some(exit) = self.exits.lock().remove(&cache.from_id) else {
            return Err(DropReason::Refused("tunnel_unexpected_created"));
        };
        for socket in exit.sockets() {
            self.exit_sockets.remove(&socket);
            ctx.close_socket(socket);
        }
        let now = ctx.now();
        let back = RelayRoute::new(
            cache.from_id,
            cache.previous.clone(),
            exit.keys.clone(),
            Direction::Backward,
            now,
        );
        let forward = RelayRoute::new(cache.to_id, cache.next, exit.keys, Direction::Forward, now);
        let mut relays = self.relays.lock();
        relays.insert(cache.to_id, back);
        relays.insert(cache.from_id, forward);
        drop(relays);
        let extended = ExtendedPayload {
            circuit_id: cache.from_id,
            identifier: cache.extend_identifier,
            key: p.key,
            auth: p.auth,
            candidates_enc: p.candidates_enc,
        };
        self.send_cell(ctx, cache.previous.address(), &extended);
        Ok(())
    }

    /// Our last hop extended one of our circuits.
    pub(super) fn on_extended(
        &mut self,
        ctx: &mut Context<'_, Self>,
        source: SocketAddr,
        p: ExtendedPayload,
    ) -> Result<(), DropReason> {
        let answer = super::originate::HopAnswer {
            identifier: p.identifier,
            key: p.key,
            auth: p.auth,
            candidates_enc: p.candidates_enc,
        };
        self.hop_answered(ctx, source, p.circuit_id, &answer)
    }
}

#[community]
impl TunnelCommunity {
    /// A neighbour takes a circuit down: accepted only from the peer on the side the destroy
    /// comes from (a relay passes it on to the other side, with the same reason).
    #[lazy_handler]
    fn on_destroy(&mut self, ctx: &mut Context<Self>, peer: &Peer, p: DestroyPayload) {
        let id = p.circuit_id;
        let reason = format!("got destroy with reason {}", p.reason);
        let mut relays = self.relays.lock();
        let next = relays.get(&id).map(|route| route.next_id);
        let from_previous = next
            .and_then(|next| relays.get(&next))
            .is_some_and(|route| route.peer.key() == peer.key());
        let removed = if from_previous { relays.remove(&id) } else { None };
        if let Some(route) = &removed {
            relays.remove(&route.next_id);
        }
        drop(relays);
        if from_previous {
            if let Some(route) = removed
                && p.reason != 0
            {
                Self::send_destroy(ctx, route.peer.address(), route.next_id, p.reason);
            }
        } else if self.exits.lock().get(&id).is_some_and(|exit| exit.peer.key() == peer.key()) {
            self.remove_exit(ctx, id);
        } else if self
            .circuits
            .get(&id)
            .and_then(|circuit| circuit.hops.first())
            .is_some_and(|hop| hop.peer.key() == peer.key())
        {
            self.remove_circuit(ctx, id, &reason, None);
        } else {
            ctx.refuse("tunnel_destroy_unauthorized");
        }
    }

    /// A create-e2e from the socket: a downloader's exit asks us, an introduction point, to pass
    /// it to a seeder.
    #[lazy_handler(unsigned)]
    fn on_socket_create_e2e(
        &mut self,
        ctx: &mut Context<Self>,
        source: SocketAddr,
        p: CreateE2EPayload,
    ) {
        let result = if self.is_hidden() {
            self.on_create_e2e_from_socket(ctx, source, &p)
        } else {
            Err(DropReason::Refused("tunnel_not_hidden"))
        };
        refuse_on_error(ctx, &result);
    }

    /// A peers-request from the socket: a downloader's exit asks us, an introduction point, for
    /// the swarm's other points (PEX).
    #[lazy_handler(unsigned)]
    fn on_socket_peers_request(
        &mut self,
        ctx: &mut Context<Self>,
        source: SocketAddr,
        p: PeersRequestPayload,
    ) {
        let result = if self.is_hidden() {
            self.on_peers_request_from_socket(ctx, source, p)
        } else {
            Err(DropReason::Refused("tunnel_not_hidden"))
        };
        refuse_on_error(ctx, &result);
    }

    /// A peers-response from the socket: ours come back through our circuits, so this one is
    /// refused (py-ipv8 would take any with a matching 16-bit identifier).
    #[lazy_handler(unsigned)]
    fn on_socket_peers_response(
        &mut self,
        ctx: &mut Context<Self>,
        _source: SocketAddr,
        _p: PeersResponsePayload,
    ) {
        ctx.refuse("tunnel_peers_response_not_via_circuit");
    }
}

/// Counts a handler's refusal.
fn refuse_on_error(ctx: &mut Context<'_, TunnelCommunity>, result: &Result<(), DropReason>) {
    match result {
        Ok(()) => {}
        Err(DropReason::Refused(reason)) => ctx.refuse(reason),
        Err(_) => ctx.refuse("tunnel_bad_message"),
    }
}
