//! [`Host`]: one community with its identity, tasks, request cache and strategies, behind the
//! object-safe [`Overlay`] trait so a node can hold communities of different types. Every call
//! into community code goes through [`Host::run`], which catches a panic, reports it and goes on.

use std::any::Any;
use std::fmt;
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Instant;

use super::discovery::{
    Bootstrapper, CORE_IDS, Core, Outcome, Strategy, WalkState, Walker, WalkerEntry,
};
use super::packet::PREFIX_LEN;
use super::shared::{Event, Shared};
use super::socket::{SocketError, SocketId};
use super::tasks::{TaskInfo, TaskManager};
use super::{
    Community, CommunityId, Context, DropReason, Incoming, Passthrough, Peer, RequestCache,
    Transmit,
};
use crate::crypto::{PrivateKey, PublicKey};

/// Most tasks and timeouts run in one `handle_timeout` call, so a zero-interval task cannot hang it.
const TIMEOUT_BUDGET: usize = 10_000;

/// What community code was running, for panic reports.
#[derive(Debug, Clone, Copy)]
pub(crate) enum During {
    Message(u8),
    Unclaimed,
    Carried,
    Socket,
    Task,
    Walk,
    Hook(&'static str),
    Request,
    Reply,
    Job,
    Handle,
}

impl fmt::Display for During {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Message(id) => write!(f, "message {id}"),
            Self::Unclaimed => f.write_str("unclaimed datagram"),
            Self::Carried => f.write_str("carried datagram"),
            Self::Socket => f.write_str("socket"),
            Self::Task => f.write_str("task or cache timeout"),
            Self::Walk => f.write_str("strategy step"),
            Self::Hook(name) => f.write_str(name),
            Self::Request => f.write_str("request"),
            Self::Reply => f.write_str("reply"),
            Self::Job => f.write_str("job"),
            Self::Handle => f.write_str("node handle call"),
        }
    }
}

/// The text of a panic's payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(not a string)".to_owned())
}

/// What a node needs of a community, whatever its type.
pub(crate) trait Overlay: Send {
    fn community_id(&self) -> CommunityId;
    fn start(&mut self, shared: &mut Shared);
    fn handle(&mut self, shared: &mut Shared, incoming: &Incoming<'_>) -> Result<(), DropReason>;
    fn listens_unclaimed(&self) -> bool;
    fn handle_unclaimed(
        &mut self,
        shared: &mut Shared,
        incoming: &Incoming<'_>,
    ) -> Result<(), DropReason>;
    fn carry(&mut self, shared: &mut Shared, transmit: Transmit);
    fn socket_opened(
        &mut self,
        shared: &mut Shared,
        id: SocketId,
        result: Result<SocketAddr, SocketError>,
    );
    fn socket_datagram(
        &mut self,
        shared: &mut Shared,
        id: SocketId,
        source: SocketAddr,
        data: &[u8],
    );
    fn resolved(
        &mut self,
        shared: &mut Shared,
        id: u64,
        result: Result<Vec<SocketAddr>, super::ResolveError>,
    );
    fn handle_timeout(&mut self, shared: &mut Shared);
    fn walk(&mut self, shared: &mut Shared);
    fn walk_to(&mut self, shared: &mut Shared, address: std::net::SocketAddr);
    fn info(&self) -> OverlayInfo;
    fn handler_name(&self, msg_id: u8) -> Option<&'static str>;
    fn add_bootstrapper(&mut self, bootstrapper: Box<dyn Bootstrapper>);
    fn add_bootstrap_address(&mut self, address: SocketAddr);
    fn next_deadline(&self) -> Option<Instant>;
    fn peer_added(&mut self, shared: &mut Shared, peer: &Peer);
    fn peer_removed(&mut self, shared: &mut Shared, peer: &Peer);
    fn set_passthrough(&mut self, passthrough: Passthrough);
    fn shutdown(&mut self);
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// A community's own settings: its id, the identity it speaks with, and what it adds to its
/// introductions.
pub(crate) struct Local {
    pub(crate) id: CommunityId,
    pub(crate) prefix: [u8; PREFIX_LEN],
    /// Shared with the datagrams still to be signed ([`Outgoing`](super::Outgoing)).
    pub(crate) key: Arc<PrivateKey>,
    pub(crate) public_key: PublicKey,
    /// The `extra_bytes` of this community's introduction-requests and -responses.
    pub(crate) extra_bytes: Vec<u8>,
    /// Whether datagrams under no community's prefix come to this community.
    pub(crate) listens_unclaimed: bool,
    /// Why a handler refused the packet it is handling ([`Context::refuse`]).
    pub(crate) refused: Option<&'static str>,
}

/// A community with its own identity, tasks, caches and strategies.
pub(crate) struct Host<C> {
    pub(crate) community: C,
    pub(crate) tasks: TaskManager<C>,
    pub(crate) cache: RequestCache<C>,
    pub(crate) local: Local,
    pub(crate) walk: WalkState<C>,
}

impl<C: Community> Host<C> {
    pub(crate) fn new(community: C, key: PrivateKey) -> Self {
        let id = community.community_id();
        let public_key = key.public_key();
        Self {
            community,
            tasks: TaskManager::default(),
            cache: RequestCache::default(),
            local: Local {
                id,
                prefix: id.prefix(),
                key: Arc::new(key),
                public_key,
                extra_bytes: Vec::new(),
                listens_unclaimed: false,
                refused: None,
            },
            walk: WalkState::default(),
        }
    }

    /// Runs `f` with the community and a context over `shared`, catching a panic: it is logged
    /// with the community and what was running, counted and reported as an event, and `None` is
    /// returned.
    pub(crate) fn run<R>(
        &mut self,
        shared: &mut Shared,
        during: During,
        f: impl FnOnce(&mut C, &mut Context<'_, C>) -> R,
    ) -> Option<R> {
        let mut ctx = Context {
            shared: &mut *shared,
            local: &mut self.local,
            tasks: &mut self.tasks,
            cache: &mut self.cache,
        };
        let community = &mut self.community;
        match catch_unwind(AssertUnwindSafe(|| f(community, &mut ctx))) {
            Ok(result) => Some(result),
            Err(panic) => {
                let message = panic_message(panic.as_ref());
                let community_id = self.local.id;
                tracing::error!(community = %community_id, %during, %message, "community code panicked");
                shared.stats.panics += 1;
                shared.emit(Event::Panicked { community_id, during: during.to_string(), message });
                None
            }
        }
    }

    /// Runs one due task or cache timeout; returns whether there was one.
    fn run_one_due(&mut self, shared: &mut Shared) -> bool {
        let now = shared.now;
        let task_due = self.tasks.next_deadline().filter(|due| *due <= now);
        let cache_due = self.cache.next_deadline().filter(|due| *due <= now);
        match (task_due, cache_due) {
            (Some(task), cache) if cache.is_none_or(|cache| task <= cache) => {
                let Some(mut due) = self.tasks.take_due(now) else { return false };
                self.run(shared, During::Task, |community, ctx| due.run(community, ctx));
                self.tasks.finish(due);
                true
            }
            (_, Some(_)) => {
                let Some(cache) = self.cache.take_expired(now) else { return false };
                self.run(shared, During::Task, |community, ctx| cache.on_timeout(community, ctx));
                true
            }
            _ => false,
        }
    }

    /// Adds a strategy, run on every walker tick while the community has fewer than
    /// `target_peers` peers.
    pub(crate) fn add_strategy(
        &mut self,
        strategy: Box<dyn Strategy<C>>,
        name: &'static str,
        target_peers: Option<usize>,
    ) {
        self.walk.strategies.push(WalkerEntry { strategy, name, target_peers });
    }

    fn core<'a>(shared: &'a mut Shared, local: &'a Local, max_peers: usize) -> Core<'a> {
        Core::new(shared, local, max_peers)
    }
}

impl<C: Community> Overlay for Host<C> {
    fn community_id(&self) -> CommunityId {
        self.local.id
    }

    fn start(&mut self, shared: &mut Shared) {
        self.run(shared, During::Hook("started"), C::started);
    }

    fn handle(&mut self, shared: &mut Shared, incoming: &Incoming<'_>) -> Result<(), DropReason> {
        let msg_id = incoming.msg_id();
        if !CORE_IDS.contains(&msg_id) {
            let during = During::Message(msg_id);
            self.local.refused = None;
            let handled = self
                .run(shared, during, |community, ctx| community.on_packet(ctx, incoming))
                .unwrap_or(Err(DropReason::Refused("handler_panicked")));
            return match self.local.refused.take() {
                Some(reason) => handled.and(Err(DropReason::Refused(reason))),
                None => handled,
            };
        }
        let max_peers = self.community.max_peers();
        let outcome = Self::core(shared, &self.local, max_peers).handle(incoming)?;
        let during = During::Message(msg_id);
        match outcome {
            Outcome::Nothing => {}
            Outcome::Request(peer, request) => {
                self.run(shared, during, |c, ctx| {
                    c.introduction_request_callback(ctx, &peer, &request);
                });
            }
            Outcome::Response(peer, response) => {
                self.run(shared, during, |c, ctx| {
                    c.introduction_response_callback(ctx, &peer, &response);
                });
            }
        }
        Ok(())
    }

    fn listens_unclaimed(&self) -> bool {
        self.local.listens_unclaimed
    }

    fn handle_unclaimed(
        &mut self,
        shared: &mut Shared,
        incoming: &Incoming<'_>,
    ) -> Result<(), DropReason> {
        self.run(shared, During::Unclaimed, |community, ctx| community.on_unclaimed(ctx, incoming))
            .unwrap_or(Err(DropReason::Refused("handler_panicked")))
    }

    fn carry(&mut self, shared: &mut Shared, transmit: Transmit) {
        self.run(shared, During::Carried, |community, ctx| community.on_carried(ctx, transmit));
    }

    fn socket_opened(
        &mut self,
        shared: &mut Shared,
        id: SocketId,
        result: Result<SocketAddr, SocketError>,
    ) {
        self.run(shared, During::Socket, |c, ctx| c.on_socket_opened(ctx, id, result));
    }

    fn resolved(
        &mut self,
        shared: &mut Shared,
        id: u64,
        result: Result<Vec<SocketAddr>, super::ResolveError>,
    ) {
        self.run(shared, During::Socket, |c, ctx| c.on_resolved(ctx, id, result));
    }

    fn socket_datagram(
        &mut self,
        shared: &mut Shared,
        id: SocketId,
        source: SocketAddr,
        data: &[u8],
    ) {
        let handled =
            self.run(shared, During::Socket, |c, ctx| c.on_socket_datagram(ctx, id, source, data));
        match handled {
            Some(Ok(())) => {}
            Some(Err(reason)) => shared.stats.drop(&reason),
            None => shared.stats.drop(&DropReason::Refused("handler_panicked")),
        }
    }

    fn walk(&mut self, shared: &mut Shared) {
        let mut walk = std::mem::take(&mut self.walk);
        self.run(shared, During::Walk, |community, ctx| {
            for entry in &mut walk.strategies {
                let peers = ctx.peers().len();
                if entry.target_peers.is_some_and(|target| peers >= target) {
                    continue;
                }
                let bootstrappers = &mut walk.bootstrappers;
                let ctx = ctx.reborrow();
                let mut walker = Walker { community: &mut *community, ctx, bootstrappers };
                entry.strategy.take_step(&mut walker);
            }
        });
        self.walk = walk;
    }

    fn walk_to(&mut self, shared: &mut Shared, address: std::net::SocketAddr) {
        let max_peers = self.community.max_peers();
        Self::core(shared, &self.local, max_peers).walk_to(address);
    }

    fn info(&self) -> OverlayInfo {
        OverlayInfo {
            community_id: self.local.id,
            name: self.community.name(),
            max_peers: self.community.max_peers(),
            public_key: self.local.public_key.clone(),
            isolated: false,
            strategies: self
                .walk
                .strategies
                .iter()
                .map(|e| StrategyInfo { name: e.name, target_peers: e.target_peers })
                .collect(),
            tasks: self.tasks.tasks().collect(),
        }
    }

    fn handler_name(&self, msg_id: u8) -> Option<&'static str> {
        core_handler_name(msg_id).or_else(|| self.community.handler_name(msg_id))
    }

    fn add_bootstrapper(&mut self, bootstrapper: Box<dyn Bootstrapper>) {
        self.walk.bootstrappers.push(bootstrapper);
    }

    fn add_bootstrap_address(&mut self, address: SocketAddr) {
        for bootstrapper in &mut self.walk.bootstrappers {
            bootstrapper.add_address(address);
        }
    }

    fn handle_timeout(&mut self, shared: &mut Shared) {
        for _ in 0..TIMEOUT_BUDGET {
            if !self.run_one_due(shared) {
                break;
            }
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        match (self.tasks.next_deadline(), self.cache.next_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn peer_added(&mut self, shared: &mut Shared, peer: &Peer) {
        self.run(shared, During::Hook("on_peer_added"), |c, ctx| c.on_peer_added(ctx, peer));
    }

    fn peer_removed(&mut self, shared: &mut Shared, peer: &Peer) {
        self.run(shared, During::Hook("on_peer_removed"), |c, ctx| c.on_peer_removed(ctx, peer));
    }

    fn set_passthrough(&mut self, passthrough: Passthrough) {
        self.cache.set_passthrough(passthrough);
    }

    fn shutdown(&mut self) {
        self.tasks.shutdown();
        self.cache.shutdown();
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// What a node tells about one of its communities (py-ipv8's `/overlays` entries).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OverlayInfo {
    /// The community id.
    pub community_id: CommunityId,
    /// The community's type name, without its module path.
    pub name: &'static str,
    /// Most peers it keeps.
    pub max_peers: usize,
    /// The public key the community speaks with (its identity).
    pub public_key: PublicKey,
    /// Whether it keeps a peer table of its own rather than the node's (py-ipv8's `is_isolated`):
    /// a community under another key, or one added with
    /// [`Node::add_isolated_community`](super::Node::add_isolated_community).
    pub isolated: bool,
    /// Its discovery strategies.
    pub strategies: Vec<StrategyInfo>,
    /// Its pending tasks.
    pub tasks: Vec<TaskInfo>,
}

/// The names py-ipv8 gives the handlers of the messages every community handles (the discovery
/// messages, which the node handles for each community here) and of Dispersy's retired message
/// ids, which py-ipv8 only logs and this node drops.
fn core_handler_name(msg_id: u8) -> Option<&'static str> {
    Some(match msg_id {
        231 => "on_new_puncture",
        232 => "on_new_puncture_request",
        233 => "on_new_introduction_response",
        234 => "on_new_introduction_request",
        245 => "on_old_introduction_response",
        246 => "on_old_introduction_request",
        249 => "on_puncture",
        250 => "on_old_puncture_request",
        235..=244 | 247 | 248 | 251..=255 => "on_deprecated_message",
        _ => return None,
    })
}

/// A discovery strategy of a community.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrategyInfo {
    /// The strategy's type name, without its module path.
    pub name: &'static str,
    /// The peer count below which it runs (`None`: always).
    pub target_peers: Option<usize>,
}

/// A type name without its module path (generic arguments keep theirs).
pub(crate) fn short_name(full: &'static str) -> &'static str {
    let base = full.split('<').next().unwrap_or(full);
    let start = base.rfind("::").map_or(0, |i| i + 2);
    full.get(start..).unwrap_or(full)
}
