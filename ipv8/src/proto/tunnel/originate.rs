//! Building our circuits (spec `tunnels.md` §6.1): pick a first hop, create, then extend hop by
//! hop through the candidates each new hop offers, retrying another candidate when a hop stays
//! silent, until the circuit has its hops or runs out of tries.

use std::net::SocketAddr;

use super::cells::NOWHERE;
use super::circuit::{Circuit, CircuitState, CircuitType, Hop, PendingHop};
use super::community::{TunnelCommunity, TunnelError, TunnelEvent, ephemeral};
use super::{Candidates, PeerFlags, complete};
use crate::crypto::PublicKey;
use crate::messages::tunnel::{CreatePayload, ExtendPayload};
use crate::proto::{Context, DropReason, NumberCache, Peer};

/// A hop's answer to our create or extend: created or extended.
pub(super) struct HopAnswer {
    pub(super) identifier: u16,
    pub(super) key: Vec<u8>,
    pub(super) auth: [u8; 32],
    pub(super) candidates_enc: Vec<u8>,
}

/// Who else may be tried for the hop being added.
enum Alternatives {
    /// First hops.
    First(Vec<Peer>),
    /// Keys the last hop offered.
    Extend(Vec<Vec<u8>>),
}

/// The hop being added to circuit `number` (py-ipv8's `RetryRequestCache`): the identifier its
/// answer must echo, and who to try next if it stays silent.
pub(super) struct RetryCache {
    circuit: u32,
    identifier: u16,
    alternatives: Alternatives,
    tries: u32,
    timeout: std::time::Duration,
}

impl NumberCache<TunnelCommunity> for RetryCache {
    fn timeout_delay(&self) -> std::time::Duration {
        self.timeout
    }

    fn on_timeout(
        self: Box<Self>,
        tunnels: &mut TunnelCommunity,
        ctx: &mut Context<'_, TunnelCommunity>,
    ) {
        let id = self.circuit;
        let Some(circuit) = tunnels.circuits.get(&id) else { return };
        if circuit.state == CircuitState::Closing {
            return;
        }
        let tries = self.tries;
        match self.alternatives {
            Alternatives::First(peers) if !peers.is_empty() && tries > 0 => {
                tunnels.send_initial_create(ctx, id, peers, tries);
            }
            Alternatives::Extend(keys) if !keys.is_empty() && tries > 0 => {
                tunnels.send_extend(ctx, id, keys, tries);
            }
            _ => tunnels.remove_circuit(ctx, id, &format!("timeout, {tries} tries left"), None),
        }
    }
}

impl TunnelCommunity {
    /// Starts a circuit of `goal_hops` hops; returns its id.
    pub(super) fn create_circuit(
        &mut self,
        ctx: &mut Context<'_, Self>,
        goal_hops: usize,
        ctype: CircuitType,
        exit_flags: Option<PeerFlags>,
    ) -> Result<u32, TunnelError> {
        self.create_circuit_with(ctx, goal_hops, ctype, exit_flags, None)
    }

    /// As [`TunnelCommunity::create_circuit`], ending at `required_exit` if given (a rendezvous
    /// or introduction point).
    pub(super) fn create_circuit_with(
        &mut self,
        ctx: &mut Context<'_, Self>,
        goal_hops: usize,
        ctype: CircuitType,
        exit_flags: Option<PeerFlags>,
        required_exit: Option<Peer>,
    ) -> Result<u32, TunnelError> {
        if goal_hops == 0 {
            return Err(TunnelError::NoHops);
        }
        let required_exit = match (required_exit, ctype, exit_flags) {
            (Some(exit), _, _) => Some(exit),
            (None, CircuitType::IpSeeder, _) | (None, _, Some(_)) => {
                self.select_exit(ctx, exit_flags, ctype)
            }
            _ => None,
        };
        let first_hops = if goal_hops == 1 {
            let exit = required_exit.clone().or_else(|| self.select_exit(ctx, exit_flags, ctype));
            vec![exit.ok_or(TunnelError::NoExit)?]
        } else {
            self.first_hops(ctx, ctype, required_exit.as_ref())
        };
        if first_hops.is_empty() {
            return Err(TunnelError::NoFirstHop);
        }
        let id = self.new_circuit_id(ctx);
        let mut circuit = Circuit::new(id, goal_hops, ctype, ctx.now());
        circuit.required_exit = required_exit;
        circuit.exit_flags = exit_flags.unwrap_or_default();
        self.circuits.insert(id, circuit);
        let tries = self.settings.tries_per_hop();
        self.send_initial_create(ctx, id, first_hops, tries);
        Ok(id)
    }

    /// A random candidate that may end a circuit of `ctype` (py-ipv8's `select_exit`).
    fn select_exit(
        &self,
        ctx: &mut Context<'_, Self>,
        exit_flags: Option<PeerFlags>,
        ctype: CircuitType,
    ) -> Option<Peer> {
        let with = |flags| self.candidates_with(flags);
        let choices = match (exit_flags, ctype) {
            (Some(flags), _) => with(flags),
            (None, CircuitType::Data) => with(PeerFlags::EXIT_BT),
            (None, CircuitType::IpSeeder) => {
                [PeerFlags::EXIT_BT, PeerFlags::EXIT_IPV8, PeerFlags::RELAY]
                    .into_iter()
                    .map(with)
                    .find(|peers| !peers.is_empty())
                    .unwrap_or_default()
            }
            (None, _) => Some(with(PeerFlags::RELAY))
                .filter(|peers| !peers.is_empty())
                .unwrap_or_else(|| with(PeerFlags::EXIT_BT)),
        };
        ctx.rng().choose(&choices).cloned()
    }

    /// First hops for a longer circuit: relays, least used first (exits and peers that already
    /// are first hops of circuits of this type count as used), never the required exit.
    fn first_hops(
        &self,
        ctx: &mut Context<'_, Self>,
        ctype: CircuitType,
        required_exit: Option<&Peer>,
    ) -> Vec<Peer> {
        let mut uses: Vec<(Peer, usize)> = Vec::new();
        let in_use = self
            .circuits
            .values()
            .filter(|c| c.ctype == ctype)
            .filter_map(|c| c.hops.first().map(|hop| hop.peer.clone()));
        let relays = self.candidates_with(PeerFlags::RELAY);
        let exits = self.candidates_with(PeerFlags::RELAY | PeerFlags::EXIT_BT);
        for peer in in_use.chain(relays).chain(exits) {
            match uses.iter_mut().find(|(known, _)| known.key() == peer.key()) {
                Some((_, count)) => *count += 1,
                None => uses.push((peer, 1)),
            }
        }
        shuffle(ctx, &mut uses);
        uses.sort_by_key(|(_, count)| *count);
        uses.into_iter()
            .map(|(peer, _)| peer)
            .filter(|peer| required_exit.is_none_or(|exit| exit.key() != peer.key()))
            .collect()
    }

    /// Sends a create to the first of `candidates`, keeping the rest to retry with.
    pub(super) fn send_initial_create(
        &mut self,
        ctx: &mut Context<'_, Self>,
        id: u32,
        candidates: Vec<Peer>,
        tries: u32,
    ) {
        ctx.request_cache().pop::<RetryCache>(u64::from(id));
        let mut candidates = candidates.into_iter();
        let Some(first) = candidates.next() else { return };
        let alternatives: Vec<Peer> = candidates.filter(|p| p.key() != first.key()).collect();
        let secret = ephemeral(ctx);
        let x = secret.public().to_vec();
        let flags = self.flags_of(first.key());
        let Some(circuit) = self.circuits.get_mut(&id) else { return };
        circuit.pending = Some(PendingHop {
            key: first.key().clone(),
            address: first.address(),
            flags,
            ephemeral: secret,
        });
        let alternatives = Alternatives::First(alternatives);
        let Some(identifier) = self.add_retry(ctx, id, alternatives, tries) else { return };
        let create = CreatePayload {
            circuit_id: id,
            identifier,
            node_public_key: ctx.my_key().to_bin().to_vec(),
            key: x,
        };
        self.send_cell(ctx, first.address(), &create);
    }

    fn add_retry(
        &mut self,
        ctx: &mut Context<'_, Self>,
        id: u32,
        alternatives: Alternatives,
        tries: u32,
    ) -> Option<u16> {
        let identifier = u16::try_from(ctx.rng().below(1 << 16)).unwrap_or_default();
        let timeout = self.settings.next_hop_timeout;
        let cache = RetryCache {
            circuit: id,
            identifier,
            alternatives,
            tries: tries.saturating_sub(1),
            timeout,
        };
        ctx.add_cache(u64::from(id), cache).ok()?;
        Some(identifier)
    }

    /// A hop of circuit `id` answered (created or extended): verify it, add it, and extend on or
    /// declare the circuit ready.
    pub(super) fn hop_answered(
        &mut self,
        ctx: &mut Context<'_, Self>,
        source: SocketAddr,
        id: u32,
        answer: &HopAnswer,
    ) -> Result<(), DropReason> {
        let number = u64::from(id);
        let tries = match ctx.request_cache().get::<RetryCache>(number) {
            Some(cache) if cache.identifier == answer.identifier => cache.tries,
            _ => return Err(DropReason::Refused("tunnel_unexpected_created")),
        };
        let Some(circuit) = self.circuits.get_mut(&id) else {
            return Err(DropReason::Refused("tunnel_unknown_circuit"));
        };
        if circuit.first_hop_address() != Some(source) {
            return Err(DropReason::Refused("tunnel_response_from_elsewhere"));
        }
        let Some(pending) = circuit.pending.take() else {
            return Err(DropReason::Refused("tunnel_unexpected_created"));
        };
        let y: Option<[u8; 32]> = answer.key.as_slice().try_into().ok();
        let keys =
            y.and_then(|y| complete(&pending.ephemeral, &pending.key, &y, &answer.auth).ok());
        let Some(mut keys) = keys else {
            self.remove_circuit(ctx, id, "error while verifying shared secret", None);
            return Err(DropReason::Refused("tunnel_bad_auth"));
        };
        let offered = Candidates::open(&answer.candidates_enc, &keys);
        // The hop sealed the candidates under the FORWARD counter we start from: skip it, so
        // that no nonce is used twice (py-ipv8 reuses it).
        keys.skip(super::Direction::Forward);
        let peer = Peer::new(pending.key, pending.address);
        circuit.hops.push(Hop {
            peer,
            flags: pending.flags,
            keys,
            window: super::ReplayWindow::default(),
        });
        ctx.request_cache().pop::<RetryCache>(number);
        if circuit.hops.len() >= circuit.goal_hops {
            circuit.state = CircuitState::Ready;
            let info = circuit.info();
            for reply in std::mem::take(&mut circuit.waiting) {
                ctx.reply(reply, Ok(info.clone()));
            }
            ctx.emit(TunnelEvent::CircuitReady(info));
            self.flush_anonymized(ctx);
            self.hidden_circuit_ready(ctx, id);
            return Ok(());
        }
        let Ok(offered) = offered else {
            self.remove_circuit(ctx, id, "bad candidate list", None);
            return Err(DropReason::Refused("tunnel_bad_candidates"));
        };
        let become_exit = circuit.goal_hops - 1 == circuit.hops.len();
        let keys =
            if become_exit || offered.relays.is_empty() { offered.exits } else { offered.relays };
        self.send_extend(ctx, id, keys, tries);
        Ok(())
    }

    /// Asks the last hop of circuit `id` to extend it to one of `candidates` (or, for the last
    /// hop of a circuit with a required exit, to that exit).
    pub(super) fn send_extend(
        &mut self,
        ctx: &mut Context<'_, Self>,
        id: u32,
        candidates: Vec<Vec<u8>>,
        tries: u32,
    ) {
        let Some((target, address, alternatives)) = self.next_hop(ctx, id, candidates) else {
            self.remove_circuit(ctx, id, "no candidates to extend", None);
            return;
        };
        ctx.request_cache().pop::<RetryCache>(u64::from(id));
        let secret = ephemeral(ctx);
        let x = secret.public().to_vec();
        let flags = self.flags_of(&target);
        let node_public_key = target.to_bin().to_vec();
        let Some(circuit) = self.circuits.get_mut(&id) else { return };
        let Some(first_hop) = circuit.first_hop_address() else { return };
        circuit.pending = Some(PendingHop { key: target, address, flags, ephemeral: secret });
        let alternatives = Alternatives::Extend(alternatives);
        let Some(identifier) = self.add_retry(ctx, id, alternatives, tries) else { return };
        let extend = ExtendPayload {
            circuit_id: id,
            identifier,
            node_public_key,
            key: x,
            node_addr: address,
        };
        self.send_cell(ctx, first_hop, &extend);
    }

    /// The next hop of circuit `id`: its required exit if this hop is the last, else the first
    /// usable offered candidate (not in the circuit, not us), else a random exit we know of (by
    /// address); with the candidates left to retry with.
    fn next_hop(
        &self,
        ctx: &mut Context<'_, Self>,
        id: u32,
        candidates: Vec<Vec<u8>>,
    ) -> Option<(PublicKey, SocketAddr, Vec<Vec<u8>>)> {
        let circuit = self.circuits.get(&id)?;
        let become_exit = circuit.goal_hops - 1 == circuit.hops.len();
        if let (Some(exit), true) = (&circuit.required_exit, become_exit) {
            return Some((exit.key().clone(), exit.address(), Vec::new()));
        }
        let mut exclude: Vec<&PublicKey> = circuit.hops.iter().map(|hop| hop.peer.key()).collect();
        let me = ctx.my_key().clone();
        exclude.push(&me);
        exclude.extend(circuit.required_exit.as_ref().map(Peer::key));
        let mut usable = candidates.into_iter().filter_map(|bin| {
            let key = ctx.parse_public_key(&bin)?;
            (key.x25519().is_some() && !exclude.contains(&&key)).then_some((key, bin))
        });
        if let Some((key, _)) = usable.next() {
            return Some((key, NOWHERE, usable.map(|(_, bin)| bin).collect()));
        }
        let exits: Vec<Peer> = self
            .candidates_with(PeerFlags::EXIT_BT | PeerFlags::RELAY)
            .into_iter()
            .filter(|peer| !exclude.contains(&peer.key()))
            .collect();
        let exit = ctx.rng().choose(&exits)?;
        Some((exit.key().clone(), exit.address(), Vec::new()))
    }

    /// Marks circuit `id` closing (it is forgotten after `remove_tunnel_delay`), sends a destroy
    /// with `destroy` as reason if given, and tells whoever waits for it.
    pub(super) fn remove_circuit(
        &mut self,
        ctx: &mut Context<'_, Self>,
        id: u32,
        reason: &str,
        destroy: Option<u16>,
    ) {
        ctx.request_cache().pop::<RetryCache>(u64::from(id));
        let remove_at = ctx.now() + self.settings.remove_tunnel_delay;
        let Some(circuit) = self.circuits.get_mut(&id) else { return };
        if let (Some(reason), Some(hop)) = (destroy, circuit.hops.first()) {
            Self::send_destroy(ctx, hop.peer.address(), id, reason);
        }
        if circuit.state == CircuitState::Closing {
            return;
        }
        circuit.state = CircuitState::Closing;
        circuit.remove_at = Some(remove_at);
        circuit.pending = None;
        circuit.on_ready = None;
        if let Some(swarm) = circuit.info_hash.and_then(|h| self.hidden.swarms.get_mut(&h)) {
            swarm.connections.remove(&id);
        }
        for reply in std::mem::take(&mut circuit.waiting) {
            ctx.reply(reply, Err(TunnelError::Removed(reason.to_owned())));
        }
        ctx.emit(TunnelEvent::CircuitRemoved { circuit: id, reason: reason.to_owned() });
    }

    /// Forgets the exit of circuit `id` and closes its sockets.
    pub(super) fn remove_exit(&mut self, ctx: &mut Context<'_, Self>, id: u32) {
        self.forget_points_of(ctx, id);
        if let Some(exit) = self.exits.lock().remove(&id) {
            for socket in exit.sockets() {
                self.exit_sockets.remove(&socket);
                ctx.close_socket(socket);
            }
        }
    }
}

fn shuffle<T>(ctx: &mut Context<'_, TunnelCommunity>, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = usize::try_from(ctx.rng().below(i as u64 + 1)).unwrap_or(0);
        items.swap(i, j);
    }
}
