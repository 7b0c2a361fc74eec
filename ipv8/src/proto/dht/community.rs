//! [`DhtCommunity`]: py-ipv8's `DHTCommunity` and `DHTDiscoveryCommunity` (spec `dht.md`): pings,
//! stores and finds between nodes, with the routing table, storage, tokens and crawls of this
//! module, and the [`StoreValue`], [`FindValues`], [`FindNodes`] and
//! [`ConnectPeer`](super::ConnectPeer) requests other communities and applications ask.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::peers::PeerDiscovery;
use super::{Crawl, CrawlStats, NodeId, RoutingNode, RoutingTable, Storage, Tokens, Value};
use crate::crypto::{Mid, PublicKey};
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
    #[error("No nodes found in the routing table")]
    NoNodes,
    /// Too many lookups run already.
    #[error("too many lookups are running")]
    Busy,
    /// The value cannot be stored (too large, or not encodable).
    #[error("{0}")]
    BadValue(String),
    /// No node confirmed the store.
    #[error("Value was not stored")]
    NotStored,
    /// No node knew the peer asked for (py-ipv8's "Failed to connect peer").
    #[error("Failed to connect peer")]
    PeerNotFound,
    /// This DHT node does not find peers (a plain `DHTCommunity`, not `DHTDiscoveryCommunity`).
    #[error("this DHT community does not find peers")]
    NoPeerDiscovery,
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

/// As [`FindValues`], with what the lookup did (the REST API's `debug` counters).
#[derive(Debug, Clone)]
pub struct LookupValues {
    /// The key.
    pub key: [u8; 20],
}

impl Request for LookupValues {
    type Response = Result<(FoundValues, CrawlStats), DhtError>;
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

/// Refreshes the bucket whose prefix is the given bit string (`"0110"`; `""` for the root): a
/// lookup of a random id in it (py-ipv8's bucket refresh, also the REST API's
/// `/dht/buckets/{prefix}/refresh`).
#[derive(Debug, Clone)]
pub struct RefreshBucket {
    /// The bucket's prefix.
    pub prefix: String,
}

impl Request for RefreshBucket {
    /// `None` if there is no such bucket, else how the lookup went.
    type Response = Option<Result<(), DhtError>>;
}

/// What a lookup is for.
pub(super) enum Goal {
    Values(Reply<Result<FoundValues, DhtError>>),
    Lookup(Reply<Result<(FoundValues, CrawlStats), DhtError>>),
    Nodes(Reply<Result<Vec<Peer>, DhtError>>),
    Store { value: Vec<u8>, reply: Reply<Result<usize, DhtError>> },
    Connect { mid: Mid, reply: Reply<Result<Vec<Peer>, DhtError>> },
    StorePeer,
    Refresh(Option<Reply<Option<Result<(), DhtError>>>>),
}

/// A running lookup.
struct Lookup {
    crawl: Crawl,
    force_nodes: bool,
    goal: Option<Goal>,
    /// The requests sent once the crawl is over (stores, connect-peers) and their answers.
    after: After,
}

/// The requests a lookup sends once its crawl is over.
#[derive(Default)]
struct After {
    sent: usize,
    done: usize,
    confirmed: usize,
    peers: Vec<Peer>,
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
    pub(super) routing: Option<RoutingTable>,
    pub(super) storage: Storage,
    pub(super) tokens: Option<Tokens>,
    /// Tokens other nodes gave us, by their id, with when we got them.
    received_tokens: HashMap<NodeId, (Instant, [u8; 20])>,
    lookups: HashMap<u64, Lookup>,
    next_lookup: u64,
    /// Store-peer and connect-peer, for a `DHTDiscoveryCommunity`.
    pub(super) peer_discovery: Option<PeerDiscovery>,
    /// Values each requester IP has stored here (the per-peer storage quota).
    pub(super) quota: super::quota::StoreQuota,
}

impl DhtCommunity {
    /// A DHT node with nothing stored (py-ipv8's `DHTCommunity`): stores and finds values.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A DHT node that also finds peers by key (py-ipv8's `DHTDiscoveryCommunity`, the one the
    /// default configuration loads): it stores itself under its mid on the nodes closest to it,
    /// keeps others that do the same, and answers [`ConnectPeer`](super::ConnectPeer).
    #[must_use]
    pub fn with_peer_discovery() -> Self {
        Self { peer_discovery: Some(PeerDiscovery::default()), ..Self::default() }
    }

    /// Whether this node finds peers ([`DhtCommunity::with_peer_discovery`]).
    #[must_use]
    pub fn finds_peers(&self) -> bool {
        self.peer_discovery.is_some()
    }

    /// The peers stored here under their mids (none unless this node finds peers).
    pub fn stored_peers(&self) -> impl Iterator<Item = (&Mid, &Peer)> {
        self.peer_discovery.iter().flat_map(PeerDiscovery::stored)
    }

    /// The nodes that confirmed they store us (none unless this node finds peers).
    pub fn storing_me(&self) -> impl Iterator<Item = &Peer> {
        self.peer_discovery.iter().flat_map(PeerDiscovery::storing_me)
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

    /// The store token `peer` gave us in its last find-response, however old.
    #[must_use]
    pub fn token_from(&self, peer: &Peer) -> Option<[u8; 20]> {
        self.token_of(peer, None)
    }

    /// Adds (or refreshes) `peer` in the routing table, as a node that talked to us; returns its
    /// id, or `None` before our own WAN address (hence our node id) is known.
    pub fn learn(&mut self, ctx: &Context<'_, Self>, peer: &Peer) -> Option<NodeId> {
        let now = ctx.now();
        let table = self.table(ctx)?;
        let node = RoutingNode::new(peer.clone());
        let id = node.id;
        table.add(node, now);
        Some(id)
    }

    /// The token `peer` gave us, if we hold one younger than the token expiry (as of `now`), or
    /// of any age (`None`; py-ipv8's store-peer does not check the age).
    pub(super) fn token_of(&self, peer: &Peer, now: Option<Instant>) -> Option<[u8; 20]> {
        let node = NodeId::of(peer.address().ip(), &peer.mid());
        let (at, token) = self.received_tokens.get(&node)?;
        let fresh = now.is_none_or(|now| now.duration_since(*at) < TOKEN_EXPIRATION);
        fresh.then_some(*token)
    }

    pub(super) fn start(
        &mut self,
        ctx: &mut Context<'_, Self>,
        target: [u8; 20],
        force: bool,
        goal: Goal,
    ) {
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
            Lookup { crawl, force_nodes: force, goal: Some(goal), after: After::default() };
        self.lookups.insert(id, lookup);
        self.drive(ctx, id);
    }

    /// Sends the find-requests a lookup may send now; finishes it when its crawl is over.
    pub(super) fn drive(&mut self, ctx: &mut Context<'_, Self>, id: u64) {
        let Some(lookup) = self.lookups.get_mut(&id) else { return };
        let (target, force) = (*lookup.crawl.target().as_bytes(), lookup.force_nodes);
        while let Some(candidate) = lookup.crawl.next_request() {
            if let Some(helper) = candidate.helper.clone() {
                // The node that named this one asks it to puncture toward us first.
                let then = Some((candidate.peer.clone(), target));
                let cache = FindCache { lookup: id, node: helper_id(&helper), then };
                send_find(ctx, &helper, cache, *candidate.id.as_bytes(), force);
            } else {
                let cache = FindCache { lookup: id, node: candidate.id, then: None };
                if !send_find(ctx, &candidate.peer, cache, target, force) {
                    lookup.crawl.on_failed(&candidate.id);
                }
            }
        }
        if lookup.crawl.is_done() && lookup.after.sent == 0 {
            self.finish(ctx, id);
        }
    }

    /// A puncture helper of lookup `id` answered (or timed out): now ask the node it helped.
    pub(super) fn helped(
        &mut self,
        ctx: &mut Context<'_, Self>,
        id: u64,
        node: &Peer,
        target: [u8; 20],
    ) {
        let Some(lookup) = self.lookups.get_mut(&id) else { return };
        let node_id = helper_id(node);
        let cache = FindCache { lookup: id, node: node_id, then: None };
        if !send_find(ctx, node, cache, target, lookup.force_nodes) {
            lookup.crawl.on_failed(&node_id);
            self.drive(ctx, id);
        }
    }

    /// A lookup's crawl is over: answer it, or (for a store) send the stores.
    fn finish(&mut self, ctx: &mut Context<'_, Self>, id: u64) {
        let Some(lookup) = self.lookups.get_mut(&id) else { return };
        match lookup.goal.take() {
            Some(goal @ (Goal::Values(_) | Goal::Lookup(_))) => {
                let values = lookup.crawl.values();
                match goal {
                    Goal::Lookup(reply) => ctx.reply(reply, Ok((values, lookup.crawl.stats()))),
                    Goal::Values(reply) => ctx.reply(reply, Ok(values)),
                    _ => {}
                }
                let target = *lookup.crawl.target().as_bytes();
                let cache =
                    lookup.crawl.cache_target().map(|peer| (peer, lookup.crawl.raw_values()));
                self.lookups.remove(&id);
                if let Some((peer, values)) = cache {
                    self.cache_values(ctx, &peer, target, values);
                }
            }
            Some(Goal::Nodes(reply)) => {
                ctx.reply(reply, Ok(lookup.crawl.nodes()));
                self.lookups.remove(&id);
            }
            Some(Goal::Store { value, reply }) => self.send_stores(ctx, id, value, reply),
            Some(Goal::Connect { mid, reply }) => {
                let closest = lookup.crawl.nodes();
                let sent = Self::send_connect_peer(ctx, id, mid, closest);
                match self.lookups.get_mut(&id) {
                    Some(lookup) if sent > 0 => {
                        lookup.after.sent = sent;
                        lookup.goal = Some(Goal::Connect { mid, reply });
                    }
                    _ => {
                        ctx.reply(reply, Err(DhtError::PeerNotFound));
                        self.lookups.remove(&id);
                    }
                }
            }
            Some(Goal::StorePeer) => {
                let closest = lookup.crawl.nodes();
                self.lookups.remove(&id);
                self.send_store_peer(ctx, closest);
            }
            Some(Goal::Refresh(reply)) => {
                if let Some(reply) = reply {
                    ctx.reply(reply, Some(Ok(())));
                }
                self.lookups.remove(&id);
            }
            None => {}
        }
    }

    /// A connect-peer-request of lookup `id` was answered with `peers` (or timed out: none).
    pub(super) fn connect_done(&mut self, ctx: &mut Context<'_, Self>, id: u64, peers: Vec<Peer>) {
        let Some(lookup) = self.lookups.get_mut(&id) else { return };
        let after = &mut lookup.after;
        after.done += 1;
        for peer in peers {
            if !after
                .peers
                .iter()
                .any(|known| known.key() == peer.key() && known.address() == peer.address())
            {
                after.peers.push(peer);
            }
        }
        if after.done < after.sent {
            return;
        }
        let peers = std::mem::take(&mut after.peers);
        if let Some(Goal::Connect { reply, .. }) = lookup.goal.take() {
            let result = if peers.is_empty() { Err(DhtError::PeerNotFound) } else { Ok(peers) };
            ctx.reply(reply, result);
        }
        self.lookups.remove(&id);
    }

    /// Stores values a lookup found on the nearest node that answered it with nodes instead
    /// (py-ipv8's caching along the lookup path), if it gave us a token.
    fn cache_values(
        &mut self,
        ctx: &mut Context<'_, Self>,
        peer: &Peer,
        target: [u8; 20],
        values: Vec<Vec<u8>>,
    ) {
        let Some(token) = self.token_of(peer, Some(ctx.now())) else { return };
        let cache = StoreCache { lookup: 0, node: helper_id(peer) };
        let Ok(identifier) = ctx.add_random_cache(cache) else { return };
        let values = values.into_iter().take(super::handlers::MAX_VALUES_IN_STORE).collect();
        let request = StoreRequestPayload { identifier: identifier as u32, token, target, values };
        ctx.ez_send(peer, &request);
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
        let mut sent = 0;
        for peer in closest {
            let Some(token) = self.token_of(&peer, Some(now)) else { continue };
            let cache = StoreCache { lookup: id, node: helper_id(&peer) };
            let Ok(identifier) = ctx.add_random_cache(cache) else { continue };
            let request = StoreRequestPayload {
                identifier: identifier as u32,
                token,
                target,
                values: vec![value.clone()],
            };
            ctx.ez_send(&peer, &request);
            sent += 1;
        }
        let Some(lookup) = self.lookups.get_mut(&id).filter(|_| sent > 0) else {
            ctx.reply(reply, Err(DhtError::NotStored));
            self.lookups.remove(&id);
            return;
        };
        lookup.after.sent = sent;
        lookup.goal = Some(Goal::Store { value, reply });
    }

    /// One store of lookup `id` was answered (`true`) or timed out.
    pub(super) fn store_done(&mut self, ctx: &mut Context<'_, Self>, id: u64, confirmed: bool) {
        let Some(lookup) = self.lookups.get_mut(&id) else { return };
        let stores = &mut lookup.after;
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
        let me = ctx.my_key().clone();
        let Some(lookup) = self.lookups.get_mut(&id) else { return };
        if values.is_empty() {
            let peers = nodes
                .into_iter()
                .take(MAX_IN_FIND)
                .filter(|n| !n.address.ip().is_unspecified() && n.address.port() != 0)
                .filter_map(|n| {
                    ctx.parse_public_key(&n.public_key).map(|k| Peer::new(k, n.address))
                })
                .filter(|peer| *peer.key() != me)
                .collect();
            lookup.crawl.on_nodes(&from, peers);
        } else {
            lookup.crawl.on_values(&from, values);
        }
        self.drive(ctx, id);
    }

    /// Keeps the token `from` gave us.
    pub(super) fn keep_token(&mut self, ctx: &Context<'_, Self>, from: NodeId, token: [u8; 20]) {
        self.received_tokens.insert(from, (ctx.now(), token));
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
#[allow(clippy::match_same_arms, reason = "the replies are of different types")]
fn fail(ctx: &mut Context<'_, DhtCommunity>, goal: Goal, error: DhtError) {
    match goal {
        Goal::Values(reply) => ctx.reply(reply, Err(error)),
        Goal::Lookup(reply) => ctx.reply(reply, Err(error)),
        Goal::Nodes(reply) => ctx.reply(reply, Err(error)),
        Goal::Store { reply, .. } => ctx.reply(reply, Err(error)),
        Goal::Connect { reply, .. } => ctx.reply(reply, Err(error)),
        Goal::Refresh(Some(reply)) => ctx.reply(reply, Some(Err(error))),
        Goal::Refresh(None) | Goal::StorePeer => {}
    }
}

/// Sends `to` a find-request for `target` under `cache`; `false` if the cache is full.
fn send_find(
    ctx: &mut Context<'_, DhtCommunity>,
    to: &Peer,
    cache: FindCache,
    target: [u8; 20],
    force_nodes: bool,
) -> bool {
    let lan = ctx.my_address().unwrap_or_else(|| std::net::SocketAddr::from(([0, 0, 0, 0], 0)));
    let Ok(identifier) = ctx.add_random_cache(cache) else { return false };
    let request = FindRequestPayload {
        identifier: identifier as u32,
        lan_address: lan,
        target,
        offset: 0,
        force_nodes,
    };
    ctx.ez_send(to, &request);
    true
}

fn helper_id(peer: &Peer) -> NodeId {
    NodeId::of(peer.address().ip(), &peer.mid())
}

/// A find-request waiting for its response: to a node a lookup asks, or to the puncture helper
/// of one (`then`: the node to ask once the helper answered, and the lookup's target).
pub(super) struct FindCache {
    pub(super) lookup: u64,
    pub(super) node: NodeId,
    pub(super) then: Option<(Peer, [u8; 20])>,
}

impl NumberCache<DhtCommunity> for FindCache {
    fn timeout_delay(&self) -> Duration {
        FIND_TIMEOUT
    }

    fn on_timeout(self: Box<Self>, dht: &mut DhtCommunity, ctx: &mut Context<'_, DhtCommunity>) {
        match self.then {
            Some((node, target)) => dht.helped(ctx, self.lookup, &node, target),
            None => dht.find_failed(ctx, self.lookup, self.node),
        }
    }
}

/// A store-request of lookup `lookup` (0: a cached copy) to `node`, waiting for its response.
pub(super) struct StoreCache {
    pub(super) lookup: u64,
    pub(super) node: NodeId,
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
        dht.storing_me_pinged(&self.node, None);
    }
}

impl Community for DhtCommunity {
    fn community_id(&self) -> CommunityId {
        super::COMMUNITY_ID
    }

    fn name(&self) -> &'static str {
        if self.finds_peers() { "DHTDiscoveryCommunity" } else { "DHTCommunity" }
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
            dht.quota.reset();
        });
        let every = crate::proto::Schedule::every(super::maintenance::NODE_MAINTENANCE);
        let _ = ctx.register_task("dht node maintenance", every, Self::refresh_stale_buckets);
        if self.finds_peers() {
            Self::start_peer_discovery(ctx);
        }
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

impl Responder<LookupValues> for DhtCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: LookupValues,
        reply: Reply<<LookupValues as Request>::Response>,
    ) {
        self.start(ctx, request.key, false, Goal::Lookup(reply));
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
