//! The DHT's message handlers: pings, finds, stores, store-peers and connect-peers answered, their
//! responses matched to the request caches that wait for them. Every DHT message is signed (no
//! global time). Refused input is counted under a `dht_*` drop reason ([`Context::refuse`]).

use std::time::Duration;

use super::community::{FindCache, MAX_AGE, MAX_IN_FIND, PingCache, StoreCache};
use super::peers::{ConnectPeerCache, ConnectPingCache, StorePeerCache};
use super::{DhtCommunity, NodeId};
use crate::community;
use crate::messages::dht::{
    ConnectPeerRequestPayload, ConnectPeerResponsePayload, FindRequestPayload, FindResponsePayload,
    PingRequestPayload, PingResponsePayload, StorePeerRequestPayload, StorePeerResponsePayload,
    StoreRequestPayload, StoreResponsePayload,
};
use crate::proto::{Context, NumberCache, Peer};
use crate::wire::format::DhtNode;

/// Most values one store-request may carry (py-ipv8's `MAX_VALUES_IN_STORE`).
pub(super) const MAX_VALUES_IN_STORE: usize = 8;
/// Nodes nearer a key than we are after which the age of values stored for it halves (py-ipv8).
const CACHE_NEIGHBOURS: usize = 8;

#[community]
impl DhtCommunity {
    /// Answers a ping (unless the sender asks too often) and learns the sender.
    #[lazy_handler]
    fn on_ping_request(&mut self, ctx: &mut Context<Self>, peer: &Peer, p: PingRequestPayload) {
        if !self.admit(ctx, peer) {
            return;
        }
        self.stored_peer_pinged(peer, ctx.now());
        ctx.ez_send(peer, &PingResponsePayload { identifier: p.identifier });
    }

    /// Finishes the ping this answers: the node answered, with its round-trip time.
    #[lazy_handler]
    fn on_ping_response(&mut self, ctx: &mut Context<Self>, peer: &Peer, p: PingResponsePayload) {
        let id = node_id(peer);
        let number = u64::from(p.identifier);
        if ctx.request_cache().get::<ConnectPingCache>(number).is_some() {
            if let Some(ping) = take::<ConnectPingCache>(ctx, p.identifier, peer) {
                self.learn(ctx, peer);
                let ConnectPingCache { peer: asked, reply, .. } = ping;
                ctx.reply(reply, Ok(vec![asked]));
            }
            return;
        }
        let Some(ping) = take::<PingCache>(ctx, p.identifier, peer) else { return };
        let now = ctx.now();
        if let Some(node) = self.table(ctx).and_then(|t| t.get_mut(&id)) {
            node.answered(ping.sent_at, now);
        }
        self.storing_me_pinged(&id, Some((ping.sent_at, now)));
    }

    /// Answers a find with values stored under the target, else the closest nodes we know (the
    /// closest of which is asked to puncture toward the requester), and a token the requester
    /// may store with.
    #[lazy_handler]
    fn on_find_request(&mut self, ctx: &mut Context<Self>, peer: &Peer, p: FindRequestPayload) {
        if !self.admit(ctx, peer) {
            ctx.refuse("dht_rate_limited");
            return;
        }
        let values = if p.force_nodes {
            Vec::new()
        } else {
            self.storage.get(&p.target, p.offset as usize, MAX_IN_FIND)
        };
        let nodes = if values.is_empty() { self.closest_for(ctx, peer, &p) } else { Vec::new() };
        let Some(token) = self.tokens.as_ref().map(|t| t.token_for(peer.address(), peer.key()))
        else {
            return;
        };
        let response = FindResponsePayload { identifier: p.identifier, token, values, nodes };
        ctx.ez_send(peer, &response);
    }

    /// Hands the answer to the lookup that asked (or, from a puncture helper, asks the node it
    /// helped).
    #[lazy_handler]
    fn on_find_response(&mut self, ctx: &mut Context<Self>, peer: &Peer, p: FindResponsePayload) {
        let from = node_id(peer);
        let Some(cache) = take::<FindCache>(ctx, p.identifier, peer) else { return };
        self.learn(ctx, peer);
        if p.nodes.len() > MAX_IN_FIND || p.values.len() > MAX_IN_FIND {
            ctx.refuse("dht_oversized_response");
        }
        match cache.then {
            Some((node, target)) => {
                self.keep_token(ctx, from, p.token);
                self.helped(ctx, cache.lookup, &node, target);
            }
            None => self.found(ctx, cache.lookup, from, p.token, p.values, p.nodes),
        }
    }

    /// Stores the values of a request that carries a token we handed the sender.
    #[lazy_handler]
    fn on_store_request(&mut self, ctx: &mut Context<Self>, peer: &Peer, p: StoreRequestPayload) {
        if let Err(reason) = self.check_store(ctx, peer, &p) {
            ctx.refuse(reason);
            return;
        }
        let now = ctx.now();
        let max_age = self.max_age_for(ctx, &p.target);
        for value in p.values {
            // Values that do not parse or verify are dropped; the store is still confirmed.
            let _ = self.storage.put(p.target, value, max_age, now);
        }
        ctx.ez_send(peer, &StoreResponsePayload { identifier: p.identifier });
    }

    /// Counts a confirmed store.
    #[lazy_handler]
    fn on_store_response(&mut self, ctx: &mut Context<Self>, peer: &Peer, p: StoreResponsePayload) {
        if let Some(cache) = take::<StoreCache>(ctx, p.identifier, peer) {
            self.store_done(ctx, cache.lookup, true);
        }
    }

    /// Stores the sender under its own mid (`DHTDiscoveryCommunity` only).
    #[lazy_handler]
    fn on_store_peer_request(
        &mut self,
        ctx: &mut Context<Self>,
        peer: &Peer,
        p: StorePeerRequestPayload,
    ) {
        match self.on_store_peer(ctx, peer, &p.token, &p.target) {
            Ok(()) => ctx.ez_send(peer, &StorePeerResponsePayload { identifier: p.identifier }),
            Err(reason) => ctx.refuse(reason),
        }
    }

    /// Notes a node that stores us.
    #[lazy_handler]
    fn on_store_peer_response(
        &mut self,
        ctx: &mut Context<Self>,
        peer: &Peer,
        p: StorePeerResponsePayload,
    ) {
        if let Some(cache) = take::<StorePeerCache>(ctx, p.identifier, peer) {
            self.on_stored_me(cache.peer);
        }
    }

    /// Answers with the peers stored under the target, each asked to puncture toward the sender.
    #[lazy_handler]
    fn on_connect_peer_request(
        &mut self,
        ctx: &mut Context<Self>,
        peer: &Peer,
        p: ConnectPeerRequestPayload,
    ) {
        if !self.finds_peers() {
            ctx.refuse("dht_no_peer_discovery");
            return;
        }
        if !self.admit(ctx, peer) {
            ctx.refuse("dht_rate_limited");
            return;
        }
        let found = self.on_connect_peer(ctx, peer, p.lan_address, &p.target, p.identifier);
        let nodes = found
            .iter()
            .map(|n| DhtNode { address: n.address(), public_key: n.key().to_bin().to_vec() })
            .collect();
        ctx.ez_send(peer, &ConnectPeerResponsePayload { identifier: p.identifier, nodes });
    }

    /// Hands the peers a node knew to the lookup that asked.
    #[lazy_handler]
    fn on_connect_peer_response(
        &mut self,
        ctx: &mut Context<Self>,
        peer: &Peer,
        p: ConnectPeerResponsePayload,
    ) {
        let Some(cache) = take::<ConnectPeerCache>(ctx, p.identifier, peer) else { return };
        let peers = p
            .nodes
            .into_iter()
            .take(MAX_IN_FIND)
            .filter_map(|n| ctx.parse_public_key(&n.public_key).map(|k| Peer::new(k, n.address)))
            .collect();
        self.connect_done(ctx, cache.lookup, peers);
    }
}

impl DhtCommunity {
    /// Learns a requester and records its query; `false` if it asks too often (py-ipv8's rate
    /// limit: 10 queries in 5 s).
    fn admit(&mut self, ctx: &mut Context<'_, Self>, peer: &Peer) -> bool {
        let now = ctx.now();
        let Some(id) = self.learn(ctx, peer) else { return true };
        let Some(node) = self.table(ctx).and_then(|t| t.get_mut(&id)) else { return true };
        node.queried(now);
        !node.is_blocked(now)
    }

    /// Why a store-request is refused, if it is.
    fn check_store(
        &mut self,
        ctx: &mut Context<'_, Self>,
        peer: &Peer,
        p: &StoreRequestPayload,
    ) -> Result<(), &'static str> {
        if !self.admit(ctx, peer) {
            return Err("dht_rate_limited");
        }
        if !self.tokens.as_ref().is_some_and(|t| t.accepts(&p.token, peer.address(), peer.key())) {
            return Err("dht_bad_token");
        }
        if p.values.iter().any(|v| v.len() > super::MAX_ENTRY_SIZE) {
            return Err("dht_value_too_large");
        }
        if p.values.len() > MAX_VALUES_IN_STORE {
            return Err("dht_too_many_values");
        }
        if !self.quota.take(peer.address().ip(), p.values.len()) {
            return Err("dht_store_quota");
        }
        Ok(())
    }

    /// How long values stored for others under `key` live: [`MAX_AGE`], halved for each node
    /// beyond the eighth among the 20 closest we know that is nearer the key than we are (py-ipv8's
    /// guard against caching a popular key everywhere).
    fn max_age_for(&mut self, ctx: &mut Context<'_, Self>, key: &[u8; 20]) -> Duration {
        let now = ctx.now();
        let Some(table) = self.table(ctx) else { return MAX_AGE };
        let target = NodeId::from(*key);
        let me = table.my_id();
        let nearer = table
            .closest_nodes(&target, 20, None, now)
            .iter()
            .filter(|n| target.cmp_distance(&n.id, &me).is_lt())
            .count();
        let halvings = (nearer + 1).saturating_sub(CACHE_NEIGHBOURS).min(31);
        MAX_AGE / (1_u32 << halvings)
    }

    /// The nodes a find-request is answered with; the closest is asked to puncture toward the
    /// requester (py-ipv8 does the same).
    fn closest_for(
        &mut self,
        ctx: &mut Context<'_, Self>,
        peer: &Peer,
        p: &FindRequestPayload,
    ) -> Vec<DhtNode> {
        let now = ctx.now();
        let requester = node_id(peer);
        let target = NodeId::from(p.target);
        let closest: Vec<Peer> = self
            .table(ctx)
            .map(|t| t.closest_nodes(&target, MAX_IN_FIND, Some(&requester), now))
            .unwrap_or_default()
            .into_iter()
            .map(|n| n.peer.clone())
            .collect();
        if let Some(first) = closest.first() {
            let identifier = p.identifier as u16;
            let to = first.address();
            ctx.discovery().send_puncture_request(to, p.lan_address, peer.address(), identifier);
        }
        closest
            .iter()
            .map(|n| DhtNode { address: n.address(), public_key: n.key().to_bin().to_vec() })
            .collect()
    }
}

/// A request cache that knows which node its request went to.
pub(super) trait SentTo: NumberCache<DhtCommunity> {
    /// Whether the request went to `peer`.
    fn sent_to(&self, peer: &Peer) -> bool;
}

/// Takes the cache of type `T` waiting under `identifier` if its request went to `peer`. A
/// response nobody waits for is refused; so is one from a node the request did not go to (py-ipv8
/// does not check, spec quirk Q4), which leaves the cache in place for the real answer.
fn take<T: SentTo>(ctx: &mut Context<'_, DhtCommunity>, identifier: u32, peer: &Peer) -> Option<T> {
    let number = u64::from(identifier);
    match ctx.request_cache().get::<T>(number).map(|cache| cache.sent_to(peer)) {
        None => {
            ctx.refuse("dht_unexpected_response");
            None
        }
        Some(false) => {
            ctx.refuse("dht_response_from_elsewhere");
            None
        }
        Some(true) => ctx.request_cache().pop::<T>(number),
    }
}

impl SentTo for FindCache {
    fn sent_to(&self, peer: &Peer) -> bool {
        self.node == node_id(peer)
    }
}

impl SentTo for StoreCache {
    fn sent_to(&self, peer: &Peer) -> bool {
        self.node == node_id(peer)
    }
}

impl SentTo for PingCache {
    fn sent_to(&self, peer: &Peer) -> bool {
        self.node == node_id(peer)
    }
}

impl SentTo for ConnectPeerCache {
    fn sent_to(&self, peer: &Peer) -> bool {
        self.node == node_id(peer)
    }
}

impl SentTo for StorePeerCache {
    fn sent_to(&self, peer: &Peer) -> bool {
        self.peer.key() == peer.key()
    }
}

impl SentTo for ConnectPingCache {
    fn sent_to(&self, peer: &Peer) -> bool {
        self.peer.key() == peer.key()
    }
}

fn node_id(peer: &Peer) -> NodeId {
    NodeId::of(peer.address().ip(), &peer.mid())
}
