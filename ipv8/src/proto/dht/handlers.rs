//! The DHT's message handlers: pings, finds and stores answered, their responses matched to the
//! request caches that wait for them. Every DHT message is signed (no global time).

use super::community::{FindCache, MAX_AGE, MAX_IN_FIND, PingCache, StoreCache};
use super::{DhtCommunity, NodeId};
use crate::community;
use crate::messages::dht::{
    FindRequestPayload, FindResponsePayload, PingRequestPayload, PingResponsePayload,
    StoreRequestPayload, StoreResponsePayload,
};
use crate::proto::{Context, Peer};
use crate::wire::format::DhtNode;

/// Most values one store-request may carry (py-ipv8's `MAX_VALUES_IN_STORE`).
const MAX_VALUES_IN_STORE: usize = 8;

#[community]
impl DhtCommunity {
    /// Answers a ping (unless the sender asks too often) and learns the sender.
    #[lazy_handler]
    fn on_ping_request(&mut self, ctx: &mut Context<Self>, peer: &Peer, p: PingRequestPayload) {
        if self.admit(ctx, peer) {
            ctx.ez_send(peer, &PingResponsePayload { identifier: p.identifier });
        }
    }

    /// Finishes the ping this answers: the node answered, with its round-trip time.
    #[lazy_handler]
    fn on_ping_response(&mut self, ctx: &mut Context<Self>, peer: &Peer, p: PingResponsePayload) {
        let id = node_id(peer);
        let Some(ping) = ctx.request_cache().pop::<PingCache>(u64::from(p.identifier)) else {
            return;
        };
        let now = ctx.now();
        if ping.node == id
            && let Some(node) = self.table(ctx).and_then(|t| t.get_mut(&id))
        {
            node.answered(ping.sent_at, now);
        }
    }

    /// Answers a find with values stored under the target, else the closest nodes we know, and a
    /// token the requester may store with.
    #[lazy_handler]
    fn on_find_request(&mut self, ctx: &mut Context<Self>, peer: &Peer, p: FindRequestPayload) {
        if !self.admit(ctx, peer) {
            return;
        }
        let now = ctx.now();
        let values = if p.force_nodes {
            Vec::new()
        } else {
            self.storage.get(&p.target, p.offset as usize, MAX_IN_FIND)
        };
        let requester = node_id(peer);
        let nodes = if values.is_empty() {
            let target = NodeId::from(p.target);
            self.table(ctx)
                .map(|t| t.closest_nodes(&target, MAX_IN_FIND, Some(&requester), now))
                .unwrap_or_default()
                .into_iter()
                .map(|n| DhtNode {
                    address: n.peer.address(),
                    public_key: n.peer.key().to_bin().to_vec(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let Some(token) = self.tokens.as_ref().map(|t| t.token_for(peer.address(), peer.key()))
        else {
            return;
        };
        let response = FindResponsePayload { identifier: p.identifier, token, values, nodes };
        ctx.ez_send(peer, &response);
    }

    /// Hands the answer to the lookup that asked.
    #[lazy_handler]
    fn on_find_response(&mut self, ctx: &mut Context<Self>, peer: &Peer, p: FindResponsePayload) {
        let from = node_id(peer);
        let cache = ctx.request_cache().pop::<FindCache>(u64::from(p.identifier));
        let Some(cache) = cache.filter(|c| c.node == from) else { return };
        self.learn(ctx, peer);
        self.found(ctx, cache.lookup, from, p.token, p.values, p.nodes);
    }

    /// Stores the values of a request that carries a token we handed the sender.
    #[lazy_handler]
    fn on_store_request(&mut self, ctx: &mut Context<Self>, peer: &Peer, p: StoreRequestPayload) {
        if !self.admit(ctx, peer) {
            return;
        }
        let valid =
            self.tokens.as_ref().is_some_and(|t| t.accepts(&p.token, peer.address(), peer.key()));
        let oversized = p.values.iter().any(|v| v.len() > super::MAX_ENTRY_SIZE);
        if !valid || oversized || p.values.len() > MAX_VALUES_IN_STORE {
            return;
        }
        let now = ctx.now();
        for value in p.values {
            // Values that do not parse or verify are dropped; the store is still confirmed.
            let _ = self.storage.put(p.target, value, MAX_AGE, now);
        }
        ctx.ez_send(peer, &StoreResponsePayload { identifier: p.identifier });
    }

    /// Counts a confirmed store.
    #[lazy_handler]
    fn on_store_response(
        &mut self,
        ctx: &mut Context<Self>,
        _peer: &Peer,
        p: StoreResponsePayload,
    ) {
        if let Some(cache) = ctx.request_cache().pop::<StoreCache>(u64::from(p.identifier)) {
            self.store_done(ctx, cache.lookup, true);
        }
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
}

fn node_id(peer: &Peer) -> NodeId {
    NodeId::of(peer.address().ip(), &peer.mid())
}
