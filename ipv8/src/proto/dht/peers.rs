//! Finding peers by key (py-ipv8's `DHTDiscoveryCommunity`, spec `dht.md` §9): every node stores
//! itself, under its own mid, on the nodes closest to that mid ("store-peer"); a searcher asks
//! those nodes for it ("connect-peer"), and they ask it to puncture toward the searcher.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::community::{Goal, REQUEST_TIMEOUT, TARGET_NODES};
use super::{DhtCommunity, DhtError, NodeId, NodeStatus, RoutingNode};
use crate::crypto::Mid;
use crate::messages::dht::{ConnectPeerRequestPayload, StorePeerRequestPayload};
use crate::proto::discovery::Ping;
use crate::proto::{Context, NumberCache, Peer, Reply, Request, Responder};

/// How often a node stores itself while fewer than four nodes store it (py-ipv8: 30 s).
pub const STORE_PEER_INTERVAL: Duration = Duration::from_secs(30);
/// How often it tries while no node stores it at all (py-ipv8 waits the full 30 s, so a node
/// that starts with an empty routing table is not findable for its first half minute).
const FIRST_STORE_PEER_INTERVAL: Duration = Duration::from_secs(5);
/// How often nodes storing us are pinged and stale stored peers dropped (py-ipv8: 10 s).
const PING_ALL_INTERVAL: Duration = Duration::from_secs(10);
/// How long between pings to a node storing us (py-ipv8's `PING_INTERVAL`).
const PING_INTERVAL: Duration = Duration::from_secs(25);
/// How long a stored peer lives without pinging us.
pub const STORED_PEER_EXPIRY: Duration = Duration::from_secs(60);
/// Peers one node stores at most (py-ipv8 has no limit); beyond it, new ones are refused.
pub const MAX_STORED_PEERS: usize = 10_000;
/// A node keeps storing itself until this many nodes store it (py-ipv8's `TARGET_NODES // 2`).
const MIN_STORING_ME: usize = TARGET_NODES / 2;

/// Finds a peer by its mid (py-ipv8's `connect_peer`): the nodes that store it, which have been
/// asked to puncture a hole toward us. With a `peer` we may know already, that peer is pinged
/// first and returned if it answers.
#[derive(Debug, Clone)]
pub struct ConnectPeer {
    /// The mid (SHA-1 of the public key) of the peer to find.
    pub mid: Mid,
    /// A peer we may know already, tried before any lookup.
    pub peer: Option<Peer>,
}

impl Request for ConnectPeer {
    type Response = Result<Vec<Peer>, DhtError>;
}

/// A peer stored here, and when it last queried us.
#[derive(Debug, Clone)]
struct StoredPeer {
    peer: Peer,
    last_query: Instant,
}

/// A node that stores us, and when we last pinged it.
#[derive(Debug, Clone)]
struct StoringMe {
    node: RoutingNode,
    last_ping: Option<Instant>,
}

/// The store-peer and connect-peer state of a DHT node that finds peers.
#[derive(Debug, Default)]
pub(super) struct PeerDiscovery {
    /// Peers that stored themselves here, by mid.
    stored: HashMap<Mid, StoredPeer>,
    /// Nodes that store us.
    storing_me: Vec<StoringMe>,
    /// When we last started storing ourselves.
    last_store_peer: Option<Instant>,
}

impl PeerDiscovery {
    /// The stored peers, by mid.
    pub(super) fn stored(&self) -> impl Iterator<Item = (&Mid, &Peer)> {
        self.stored.iter().map(|(mid, stored)| (mid, &stored.peer))
    }

    /// The nodes that store us.
    pub(super) fn storing_me(&self) -> impl Iterator<Item = &Peer> {
        self.storing_me.iter().map(|s| &s.node.peer)
    }
}

impl DhtCommunity {
    /// Starts the store-peer and ping tasks of a node that finds peers.
    pub(super) fn start_peer_discovery(ctx: &mut Context<'_, Self>) {
        let every = crate::proto::Schedule::every(FIRST_STORE_PEER_INTERVAL);
        let _ = ctx.register_task("dht store peer", every, Self::store_peer);
        let every = crate::proto::Schedule::every(PING_ALL_INTERVAL);
        let _ = ctx.register_task("dht ping all", every, Self::ping_all);
    }

    /// Stores ourselves on the nodes closest to our mid, unless enough do already: every
    /// [`STORE_PEER_INTERVAL`], or sooner while nobody stores us.
    fn store_peer(&mut self, ctx: &mut Context<'_, Self>) {
        let now = ctx.now();
        let Some(discovery) = &mut self.peer_discovery else { return };
        let interval = if discovery.storing_me.is_empty() {
            FIRST_STORE_PEER_INTERVAL
        } else {
            STORE_PEER_INTERVAL
        };
        let due = discovery.last_store_peer.is_none_or(|at| now.duration_since(at) >= interval);
        if discovery.storing_me.len() >= MIN_STORING_ME || !due {
            return;
        }
        discovery.last_store_peer = Some(now);
        let mid = ctx.my_key().mid();
        self.start(ctx, *mid.as_bytes(), true, Goal::StorePeer);
    }

    /// Pings the nodes that store us (dropping bad ones) and forgets peers that stopped pinging.
    fn ping_all(&mut self, ctx: &mut Context<'_, Self>) {
        let now = ctx.now();
        let Some(discovery) = &mut self.peer_discovery else { return };
        discovery.storing_me.retain(|s| s.node.status(now) != NodeStatus::Bad);
        discovery.stored.retain(|_, s| now.duration_since(s.last_query) <= STORED_PEER_EXPIRY);
        let due: Vec<Peer> = discovery
            .storing_me
            .iter_mut()
            .filter(|s| s.last_ping.is_none_or(|at| now.duration_since(at) >= PING_INTERVAL))
            .map(|s| {
                s.last_ping = Some(now);
                s.node.peer.clone()
            })
            .collect();
        for peer in due {
            self.ping(ctx, &peer);
        }
    }

    /// A lookup for our own mid is over: ask the closest nodes that do not store us yet, and
    /// that gave us a token, to store us.
    pub(super) fn send_store_peer(&mut self, ctx: &mut Context<'_, Self>, closest: Vec<Peer>) {
        let mid = ctx.my_key().mid();
        let Some(discovery) = &self.peer_discovery else { return };
        for peer in closest.into_iter().take(TARGET_NODES) {
            if discovery.storing_me.iter().any(|s| s.node.peer.key() == peer.key()) {
                continue;
            }
            let Some(token) = self.token_of(&peer, None) else { continue };
            let cache = StorePeerCache { peer: peer.clone() };
            let Ok(identifier) = ctx.add_random_cache(cache) else { continue };
            let request = StorePeerRequestPayload {
                identifier: identifier as u32,
                token,
                target: *mid.as_bytes(),
            };
            ctx.ez_send(&peer, &request);
        }
    }

    /// A lookup for a peer's mid is over: ask the closest nodes to introduce us to it.
    pub(super) fn send_connect_peer(
        ctx: &mut Context<'_, Self>,
        lookup: u64,
        mid: Mid,
        closest: Vec<Peer>,
    ) -> usize {
        let lan = ctx.my_address().unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)));
        let mut sent = 0;
        for peer in closest.into_iter().take(TARGET_NODES) {
            let node = NodeId::of(peer.address().ip(), &peer.mid());
            let Ok(identifier) = ctx.add_random_cache(ConnectPeerCache { lookup, node }) else {
                continue;
            };
            let request = ConnectPeerRequestPayload {
                identifier: identifier as u32,
                lan_address: lan,
                target: *mid.as_bytes(),
            };
            ctx.ez_send(&peer, &request);
            sent += 1;
        }
        sent
    }

    /// `peer` asks to be stored under `target`: allowed only under its own mid, with a token we
    /// gave it. Returns the refusal reason, if any.
    pub(super) fn on_store_peer(
        &mut self,
        ctx: &mut Context<'_, Self>,
        peer: &Peer,
        token: &[u8; 20],
        target: &[u8; 20],
    ) -> Result<(), &'static str> {
        let now = ctx.now();
        let valid =
            self.tokens.as_ref().is_some_and(|t| t.accepts(token, peer.address(), peer.key()));
        if !valid {
            return Err("dht_bad_token");
        }
        let mid = peer.mid();
        if mid.as_bytes() != target {
            return Err("dht_store_peer_not_self");
        }
        let Some(discovery) = &mut self.peer_discovery else { return Err("dht_no_peer_discovery") };
        if !discovery.stored.contains_key(&mid) && discovery.stored.len() >= MAX_STORED_PEERS {
            return Err("dht_peer_store_full");
        }
        discovery.stored.insert(mid, StoredPeer { peer: peer.clone(), last_query: now });
        Ok(())
    }

    /// `peer` confirmed it stores us.
    pub(super) fn on_stored_me(&mut self, peer: Peer) {
        let Some(discovery) = &mut self.peer_discovery else { return };
        if !discovery.storing_me.iter().any(|s| s.node.peer.key() == peer.key()) {
            discovery.storing_me.push(StoringMe { node: RoutingNode::new(peer), last_ping: None });
        }
    }

    /// The peers stored under `mid` that a connect-peer-request from `requester` (whose LAN
    /// address is `lan`) is answered with; each is asked to puncture toward the requester.
    pub(super) fn on_connect_peer(
        &mut self,
        ctx: &mut Context<'_, Self>,
        requester: &Peer,
        lan: SocketAddr,
        mid: &[u8; 20],
        identifier: u32,
    ) -> Vec<Peer> {
        let Some(discovery) = &self.peer_discovery else { return Vec::new() };
        let found: Vec<Peer> =
            discovery.stored.get(&Mid::from(*mid)).map(|s| s.peer.clone()).into_iter().collect();
        for peer in &found {
            ctx.discovery().send_puncture_request(
                peer.address(),
                lan,
                requester.address(),
                identifier as u16,
            );
        }
        found
    }

    /// A ping arrived from `peer`: if we store it, it is alive.
    pub(super) fn stored_peer_pinged(&mut self, peer: &Peer, now: Instant) {
        if let Some(stored) =
            self.peer_discovery.as_mut().and_then(|d| d.stored.get_mut(&peer.mid()))
            && stored.peer.key() == peer.key()
        {
            stored.last_query = now;
        }
    }

    /// A ping to `node` was answered (`Some(sent_at)`) or timed out (`None`): if it stores us,
    /// note it.
    pub(super) fn storing_me_pinged(&mut self, node: &NodeId, answer: Option<(Instant, Instant)>) {
        let Some(discovery) = &mut self.peer_discovery else { return };
        let Some(entry) = discovery.storing_me.iter_mut().find(|s| s.node.id == *node) else {
            return;
        };
        match answer {
            Some((sent_at, now)) => entry.node.answered(sent_at, now),
            None => entry.node.timed_out(),
        }
    }
}

impl Responder<ConnectPeer> for DhtCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: ConnectPeer,
        reply: Reply<Result<Vec<Peer>, DhtError>>,
    ) {
        let Some(discovery) = &self.peer_discovery else {
            ctx.reply(reply, Err(DhtError::NoPeerDiscovery));
            return;
        };
        if let Some(stored) = discovery.stored.get(&request.mid) {
            let peer = stored.peer.clone();
            ctx.reply(reply, Ok(vec![peer]));
            return;
        }
        match request.peer {
            Some(peer) => Self::ping_before_connect(ctx, &peer, request.mid, reply),
            None => self.start(
                ctx,
                *request.mid.as_bytes(),
                true,
                Goal::Connect { mid: request.mid, reply },
            ),
        }
    }
}

impl DhtCommunity {
    /// Pings a peer we may know before looking its mid up.
    fn ping_before_connect(
        ctx: &mut Context<'_, Self>,
        peer: &Peer,
        mid: Mid,
        reply: Reply<Result<Vec<Peer>, DhtError>>,
    ) {
        let cache = ConnectPingCache { peer: peer.clone(), mid, reply };
        // A full request cache drops the reply: the asker sees the ask cancelled.
        if let Ok(identifier) = ctx.add_random_cache(cache) {
            let ping = crate::messages::dht::PingRequestPayload { identifier: identifier as u32 };
            ctx.ez_send(peer, &ping);
        }
    }
}

/// A store-peer-request waiting for its response.
pub(super) struct StorePeerCache {
    pub(super) peer: Peer,
}

impl NumberCache<DhtCommunity> for StorePeerCache {
    fn timeout_delay(&self) -> Duration {
        REQUEST_TIMEOUT
    }
}

/// A connect-peer-request of lookup `lookup` to `node`, waiting for its response.
pub(super) struct ConnectPeerCache {
    pub(super) lookup: u64,
    pub(super) node: NodeId,
}

impl NumberCache<DhtCommunity> for ConnectPeerCache {
    fn timeout_delay(&self) -> Duration {
        REQUEST_TIMEOUT
    }

    fn on_timeout(self: Box<Self>, dht: &mut DhtCommunity, ctx: &mut Context<'_, DhtCommunity>) {
        dht.connect_done(ctx, self.lookup, Vec::new());
    }
}

/// A ping to a peer we may know, sent before looking up its mid.
pub(super) struct ConnectPingCache {
    pub(super) peer: Peer,
    pub(super) mid: Mid,
    pub(super) reply: Reply<Result<Vec<Peer>, DhtError>>,
}

impl NumberCache<DhtCommunity> for ConnectPingCache {
    fn timeout_delay(&self) -> Duration {
        REQUEST_TIMEOUT
    }

    fn on_timeout(self: Box<Self>, dht: &mut DhtCommunity, ctx: &mut Context<'_, DhtCommunity>) {
        let Self { mid, reply, .. } = *self;
        dht.start(ctx, *mid.as_bytes(), true, Goal::Connect { mid, reply });
    }
}
