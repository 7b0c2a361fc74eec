//! [`DhtCommunity`]: py-ipv8's `DHTCommunity` (spec `dht.md`), first slice: pings, stores and
//! finds between nodes, with the routing table, storage, tokens and crawls of this module, and the
//! `store_value` / `find_values` / `find_nodes` requests other communities and applications ask.
//! Not yet: puncture helpers in crawls, store-peer and connect-peer (`DHTDiscoveryCommunity`), the
//! IPv6 table, REST routes.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::{Crawl, NodeId, RoutingNode, RoutingTable, Storage, Tokens, Value};
use crate::crypto::PublicKey;
use crate::messages::dht::{FindRequestPayload, PingRequestPayload, StoreRequestPayload};
use crate::proto::discovery::Ping;
use crate::proto::{Community, CommunityId, Context, NumberCache, Peer, Reply, Request, Responder};
use crate::wire::format::DhtNode;

/// How long a find-request may go unanswered (py-ipv8: 2 s).
pub const FIND_TIMEOUT: Duration = Duration::from_secs(2);
/// How long pings and stores may go unanswered.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a value stored for others lives (py-ipv8's default `max_age`).
pub const MAX_AGE: Duration = Duration::from_secs(3600);
/// Nodes a value is stored on (py-ipv8's `TARGET_NODES`).
pub const TARGET_NODES: usize = 8;
/// Nodes and values per find-response (py-ipv8's `MAX_NODES_IN_FIND`, `MAX_VALUES_IN_FIND`).
pub const MAX_IN_FIND: usize = 8;
/// How long a token we received stays usable (py-ipv8's `TOKEN_EXPIRATION_TIME`).
const TOKEN_EXPIRATION: Duration = Duration::from_secs(600);
/// Lookups running at once; more are refused.
const MAX_LOOKUPS: usize = 64;

/// Why a DHT request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DhtError {
    /// The routing table has no node to start from.
    #[error("no nodes found in the routing table")]
    NoNodes,
    /// Too many lookups run already.
    #[error("too many lookups are running")]
    Busy,
    /// The value cannot be stored (too large, or not encodable).
    #[error("{0}")]
    BadValue(String),
    /// No node confirmed the store.
    #[error("no node stored the value")]
    NotStored,
}

/// Stores `data` under `key` on the nodes closest to it, signed with the community's key and
/// `version` unless `version` is `None`; answers how many nodes confirmed.
#[derive(Debug, Clone)]
pub struct StoreValue {
    /// The key.
    pub key: [u8; 20],
    /// The data (at most 23 bytes signed with a curve25519 key, 169 unsigned).
    pub data: Vec<u8>,
    /// Sign it with this version (py-ipv8 uses the Unix time in seconds: of a signer's values
    /// under one key, nodes keep the highest version), or store it unsigned.
    pub version: Option<u32>,
}

impl Request for StoreValue {
    type Response = Result<usize, DhtError>;
}

/// Values found under a key: `(data, signer)`, signed ones first, unsigned ones with no signer.
pub type FoundValues = Vec<(Vec<u8>, Option<PublicKey>)>;

/// Finds the values stored under `key`: `(data, signer)` pairs, signed ones first.
#[derive(Debug, Clone)]
pub struct FindValues {
    /// The key.
    pub key: [u8; 20],
}

impl Request for FindValues {
    type Response = Result<FoundValues, DhtError>;
}

/// Finds the nodes closest to `key`, nearest first.
#[derive(Debug, Clone)]
pub struct FindNodes {
    /// The key.
    pub key: [u8; 20],
}

impl Request for FindNodes {
    type Response = Result<Vec<Peer>, DhtError>;
}

/// What a lookup is for.
enum Goal {
    Values(Reply<Result<FoundValues, DhtError>>),
    Nodes(Reply<Result<Vec<Peer>, DhtError>>),
    Store { value: Vec<u8>, reply: Reply<Result<usize, DhtError>> },
}

/// A running lookup.
struct Lookup {
    crawl: Crawl,
    force_nodes: bool,
    goal: Option<Goal>,
    /// Stores sent, answered or timed out, and confirmed, once the crawl is over.
    stores: Stores,
}

/// The stores of a store lookup.
#[derive(Default)]
struct Stores {
    sent: usize,
    done: usize,
    confirmed: usize,
}

/// The DHT overlay (py-ipv8's `DHTCommunity`), under community id
/// `8d0be1845d74d175f178197cad001591d04d73cc`.
///
/// # Examples
///
/// ```
/// use ipv8::proto::dht::{DhtCommunity, FindValues, StoreValue};
/// use ipv8::testing::TestNetwork;
///
/// let mut net = TestNetwork::initialize(10, |_| DhtCommunity::new());
/// let now = net.now();
/// let stored = net.node_mut(0).ask::<DhtCommunity, _>(now, StoreValue {
///     key: [7; 20],
///     data: b"hello".to_vec(),
///     version: Some(1_700_000_000),
/// });
/// net.flush(0);
/// net.deliver_messages();
/// // The future answers: delivered (`Ok`), asked (`Ok`), stored on `n` nodes (`Ok`).
/// assert!(matches!(stored.try_take(), Some(Ok(Ok(Ok(n)))) if n > 0));
///
/// let now = net.now();
/// let found = net.node_mut(5).ask::<DhtCommunity, _>(now, FindValues { key: [7; 20] });
/// net.flush(5);
/// net.deliver_messages();
/// let Some(Ok(Ok(Ok(values)))) = found.try_take() else { panic!("found") };
/// assert_eq!(values, [(b"hello".to_vec(), Some(net.public_key(0).clone()))]);
/// ```
#[derive(Default)]
pub struct DhtCommunity {
    routing: Option<RoutingTable>,
    pub(super) storage: Storage,
    pub(super) tokens: Option<Tokens>,
    /// Tokens other nodes gave us, by their id, with when we got them.
    received_tokens: HashMap<NodeId, (Instant, [u8; 20])>,
    lookups: HashMap<u64, Lookup>,
    next_lookup: u64,
}

impl DhtCommunity {
    /// A DHT node with nothing stored.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The routing table, once our own address is known.
    #[must_use]
    pub fn routing_table(&self) -> Option<&RoutingTable> {
        self.routing.as_ref()
    }

    /// How many tokens other nodes gave us that we still keep (py-ipv8's `num_tokens`).
    #[must_use]
    pub fn token_count(&self) -> usize {
        self.received_tokens.len()
    }

    /// The values stored here for others.
    #[must_use]
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// The routing table, made around our id at our WAN address (py-ipv8 adds no node before it
    /// knows that address).
    pub(super) fn table(&mut self, ctx: &Context<'_, Self>) -> Option<&mut RoutingTable> {
        if self.routing.is_none() {
            let address = ctx.wan_address().filter(|a| !a.ip().is_unspecified())?;
            self.routing = Some(RoutingTable::new(NodeId::of(address.ip(), &ctx.my_key().mid())));
        }
        self.routing.as_mut()
    }

    /// Adds (or refreshes) `peer` in the routing table; returns its id.
    pub(super) fn learn(&mut self, ctx: &Context<'_, Self>, peer: &Peer) -> Option<NodeId> {
        let now = ctx.now();
        let table = self.table(ctx)?;
        let node = RoutingNode::new(peer.clone());
        let id = node.id;
        table.add(node, now);
        Some(id)
    }

    fn start(&mut self, ctx: &mut Context<'_, Self>, target: [u8; 20], force: bool, goal: Goal) {
        let now = ctx.now();
        let target = NodeId::from(target);
        let closest: Vec<Peer> = self
            .table(ctx)
            .map(|t| t.closest_nodes(&target, super::MAX_CRAWL_NODES, None, now))
            .unwrap_or_default()
            .into_iter()
            .map(|node| node.peer.clone())
            .collect();
        if closest.is_empty() || self.lookups.len() >= MAX_LOOKUPS {
            let error = if closest.is_empty() { DhtError::NoNodes } else { DhtError::Busy };
            fail(ctx, goal, error);
            return;
        }
        self.next_lookup += 1;
        let id = self.next_lookup;
        let crawl = Crawl::new(target, closest);
        let lookup =
            Lookup { crawl, force_nodes: force, goal: Some(goal), stores: Stores::default() };
        self.lookups.insert(id, lookup);
        self.drive(ctx, id);
    }

    /// Sends the find-requests a lookup may send now; finishes it when its crawl is over.
    pub(super) fn drive(&mut self, ctx: &mut Context<'_, Self>, id: u64) {
        let lan = ctx.my_address();
        let Some(lookup) = self.lookups.get_mut(&id) else { return };
        while let Some(candidate) = lookup.crawl.next_request() {
            let cache = FindCache { lookup: id, node: candidate.id };
            let Ok(identifier) = ctx.add_random_cache(cache) else {
                lookup.crawl.on_failed(&candidate.id);
                continue;
            };
            let request = FindRequestPayload {
                identifier: identifier as u32,
                lan_address: lan.unwrap_or_else(|| std::net::SocketAddr::from(([0, 0, 0, 0], 0))),
                target: *lookup.crawl.target().as_bytes(),
                offset: 0,
                force_nodes: lookup.force_nodes,
            };
            ctx.ez_send(&candidate.peer, &request);
        }
        if lookup.crawl.is_done() && lookup.stores.sent == 0 {
            self.finish(ctx, id);
        }
    }

    /// A lookup's crawl is over: answer it, or (for a store) send the stores.
    fn finish(&mut self, ctx: &mut Context<'_, Self>, id: u64) {
        let Some(lookup) = self.lookups.get_mut(&id) else { return };
        match lookup.goal.take() {
            Some(Goal::Values(reply)) => {
                ctx.reply(reply, Ok(lookup.crawl.values()));
                self.lookups.remove(&id);
            }
            Some(Goal::Nodes(reply)) => {
                ctx.reply(reply, Ok(lookup.crawl.nodes()));
                self.lookups.remove(&id);
            }
            Some(Goal::Store { value, reply }) => self.send_stores(ctx, id, value, reply),
            None => {}
        }
    }

    /// Stores `value` on the closest nodes that gave us a token.
    fn send_stores(
        &mut self,
        ctx: &mut Context<'_, Self>,
        id: u64,
        value: Vec<u8>,
        reply: Reply<Result<usize, DhtError>>,
    ) {
        let now = ctx.now();
        let my_id = self.table(ctx).map(|t| t.my_id());
        let Some(lookup) = self.lookups.get_mut(&id) else { return };
        let target = *lookup.crawl.target().as_bytes();
        let mut closest = lookup.crawl.nodes();
        closest.truncate(TARGET_NODES);
        // py-ipv8 also keeps the value itself when few nodes were found or it is nearer the key
        // than the farthest of them.
        let farthest = closest.last().map(|p| NodeId::of(p.address().ip(), &p.mid()));
        let key = NodeId::from(target);
        let nearer =
            my_id.zip(farthest).is_some_and(|(me, far)| key.cmp_distance(&me, &far).is_lt());
        if closest.len() < TARGET_NODES || nearer {
            let _ = self.storage.put(target, value.clone(), MAX_AGE, now);
        }
        let Some(lookup) = self.lookups.get_mut(&id) else { return };
        let mut sent = 0;
        for peer in closest {
            let node = NodeId::of(peer.address().ip(), &peer.mid());
            let token = self
                .received_tokens
                .get(&node)
                .filter(|(at, _)| now.duration_since(*at) < TOKEN_EXPIRATION);
            let Some((_, token)) = token else { continue };
            let Ok(identifier) = ctx.add_random_cache(StoreCache { lookup: id }) else { continue };
            let request = StoreRequestPayload {
                identifier: identifier as u32,
                token: *token,
                target,
                values: vec![value.clone()],
            };
            ctx.ez_send(&peer, &request);
            sent += 1;
        }
        if sent == 0 {
            ctx.reply(reply, Err(DhtError::NotStored));
            self.lookups.remove(&id);
            return;
        }
        lookup.stores.sent = sent;
        lookup.goal = Some(Goal::Store { value, reply });
    }

    /// One store of lookup `id` was answered (`true`) or timed out.
    pub(super) fn store_done(&mut self, ctx: &mut Context<'_, Self>, id: u64, confirmed: bool) {
        let Some(lookup) = self.lookups.get_mut(&id) else { return };
        let stores = &mut lookup.stores;
        stores.done += 1;
        stores.confirmed += usize::from(confirmed);
        if stores.done < stores.sent {
            return;
        }
        let confirmed = stores.confirmed;
        if let Some(Goal::Store { reply, .. }) = lookup.goal.take() {
            let result = if confirmed > 0 { Ok(confirmed) } else { Err(DhtError::NotStored) };
            ctx.reply(reply, result);
        }
        self.lookups.remove(&id);
    }

    /// A find-request of lookup `id` to `node` was answered with `values` or `nodes`.
    pub(super) fn found(
        &mut self,
        ctx: &mut Context<'_, Self>,
        id: u64,
        from: NodeId,
        token: [u8; 20],
        values: Vec<Vec<u8>>,
        nodes: Vec<DhtNode>,
    ) {
        self.received_tokens.insert(from, (ctx.now(), token));
        let Some(lookup) = self.lookups.get_mut(&id) else { return };
        if values.is_empty() {
            let peers = nodes
                .into_iter()
                .filter_map(|n| {
                    PublicKey::from_bin(&n.public_key).ok().map(|k| Peer::new(k, n.address))
                })
                .collect();
            lookup.crawl.on_nodes(&from, peers);
        } else {
            lookup.crawl.on_values(&from, values);
        }
        self.drive(ctx, id);
    }

    /// A find-request of lookup `id` to `node` timed out.
    pub(super) fn find_failed(&mut self, ctx: &mut Context<'_, Self>, id: u64, node: NodeId) {
        if let Some(table_node) = self.routing.as_mut().and_then(|t| t.get_mut(&node)) {
            table_node.timed_out();
        }
        if let Some(lookup) = self.lookups.get_mut(&id) {
            lookup.crawl.on_failed(&node);
        }
        self.drive(ctx, id);
    }
}

/// Answers a goal with an error.
fn fail(ctx: &mut Context<'_, DhtCommunity>, goal: Goal, error: DhtError) {
    match goal {
        Goal::Values(reply) => ctx.reply(reply, Err(error)),
        Goal::Nodes(reply) => ctx.reply(reply, Err(error)),
        Goal::Store { reply, .. } => ctx.reply(reply, Err(error)),
    }
}

/// A find-request waiting for its response.
pub(super) struct FindCache {
    pub(super) lookup: u64,
    pub(super) node: NodeId,
}

impl NumberCache<DhtCommunity> for FindCache {
    fn timeout_delay(&self) -> Duration {
        FIND_TIMEOUT
    }

    fn on_timeout(self: Box<Self>, dht: &mut DhtCommunity, ctx: &mut Context<'_, DhtCommunity>) {
        dht.find_failed(ctx, self.lookup, self.node);
    }
}

/// A store-request waiting for its response.
pub(super) struct StoreCache {
    pub(super) lookup: u64,
}

impl NumberCache<DhtCommunity> for StoreCache {
    fn timeout_delay(&self) -> Duration {
        REQUEST_TIMEOUT
    }

    fn on_timeout(self: Box<Self>, dht: &mut DhtCommunity, ctx: &mut Context<'_, DhtCommunity>) {
        dht.store_done(ctx, self.lookup, false);
    }
}

/// A ping waiting for its response.
pub(super) struct PingCache {
    pub(super) node: NodeId,
    pub(super) sent_at: Instant,
}

impl NumberCache<DhtCommunity> for PingCache {
    fn timeout_delay(&self) -> Duration {
        REQUEST_TIMEOUT
    }

    fn on_timeout(self: Box<Self>, dht: &mut DhtCommunity, _ctx: &mut Context<'_, DhtCommunity>) {
        if let Some(node) = dht.routing.as_mut().and_then(|t| t.get_mut(&self.node)) {
            node.timed_out();
        }
    }
}

impl Community for DhtCommunity {
    fn community_id(&self) -> CommunityId {
        super::COMMUNITY_ID
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        let now = ctx.now();
        self.tokens = Some(Tokens::new(ctx.rng(), now));
        let every = crate::proto::Schedule::every(super::TOKEN_ROTATION);
        let _ = ctx.register_task("dht maintenance", every, |dht: &mut Self, ctx| {
            let now = ctx.now();
            if let Some(tokens) = &mut dht.tokens {
                tokens.rotate(ctx.rng(), now);
            }
            dht.received_tokens.retain(|_, (at, _)| now.duration_since(*at) < TOKEN_EXPIRATION);
            dht.storage.clean(now);
        });
    }

    fn on_peer_added(&mut self, ctx: &mut Context<'_, Self>, peer: &Peer) {
        self.learn(ctx, peer);
    }
}

impl Ping for DhtCommunity {
    fn ping(&mut self, ctx: &mut Context<'_, Self>, peer: &Peer) {
        let node = NodeId::of(peer.address().ip(), &peer.mid());
        let sent_at = ctx.now();
        if let Ok(identifier) = ctx.add_random_cache(PingCache { node, sent_at }) {
            ctx.ez_send(peer, &PingRequestPayload { identifier: identifier as u32 });
        }
    }
}

impl Responder<StoreValue> for DhtCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: StoreValue,
        reply: Reply<Result<usize, DhtError>>,
    ) {
        let value = match request.version {
            Some(version) => Value::signed(&request.data, version, ctx.my_private_key()),
            None => Value::unsigned(&request.data),
        };
        match value {
            Ok(value) => self.start(ctx, request.key, true, Goal::Store { value, reply }),
            Err(error) => ctx.reply(reply, Err(DhtError::BadValue(error.to_string()))),
        }
    }
}

impl Responder<FindValues> for DhtCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: FindValues,
        reply: Reply<<FindValues as Request>::Response>,
    ) {
        self.start(ctx, request.key, false, Goal::Values(reply));
    }
}

impl Responder<FindNodes> for DhtCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: FindNodes,
        reply: Reply<Result<Vec<Peer>, DhtError>>,
    ) {
        self.start(ctx, request.key, true, Goal::Nodes(reply));
    }
}
