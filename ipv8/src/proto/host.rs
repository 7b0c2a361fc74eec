//! [`Host`]: one community with its tasks and request cache, behind the object-safe [`Overlay`]
//! trait so a node can hold communities of different types.

use std::any::Any;
use std::time::Instant;

use super::discovery::{
    Bootstrapper, CORE_IDS, Core, Outcome, Strategy, WalkState, Walker, WalkerEntry,
};
use super::packet::PREFIX_LEN;
use super::shared::Shared;
use super::tasks::TaskManager;
use super::{
    Community, CommunityId, Context, DropReason, Incoming, Passthrough, Peer, RequestCache,
};

/// Most tasks and timeouts run in one `handle_timeout` call, so a zero-interval task cannot hang it.
const TIMEOUT_BUDGET: usize = 10_000;

/// What a node needs of a community, whatever its type.
pub(crate) trait Overlay: Send {
    fn community_id(&self) -> CommunityId;
    fn start(&mut self, shared: &mut Shared);
    fn handle(&mut self, shared: &mut Shared, incoming: &Incoming<'_>) -> Result<(), DropReason>;
    fn handle_timeout(&mut self, shared: &mut Shared);
    fn walk(&mut self, shared: &mut Shared);
    fn walk_to(&mut self, shared: &mut Shared, address: std::net::SocketAddr);
    fn add_strategy(
        &mut self,
        strategy: Box<dyn Strategy>,
        name: &'static str,
        target_peers: Option<usize>,
    );
    fn info(&self) -> OverlayInfo;
    fn add_bootstrapper(&mut self, bootstrapper: Box<dyn Bootstrapper>);
    fn next_deadline(&self) -> Option<Instant>;
    fn peer_added(&mut self, shared: &mut Shared, peer: &Peer);
    fn peer_removed(&mut self, shared: &mut Shared, peer: &Peer);
    fn set_passthrough(&mut self, passthrough: Passthrough);
    fn shutdown(&mut self);
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// A community with its own tasks and caches.
pub(crate) struct Host<C> {
    pub(crate) community: C,
    pub(crate) tasks: TaskManager<C>,
    pub(crate) cache: RequestCache<C>,
    walk: WalkState,
    strategy_names: Vec<StrategyInfo>,
    id: CommunityId,
    prefix: [u8; PREFIX_LEN],
}

impl<C: Community> Host<C> {
    pub(crate) fn new(community: C) -> Self {
        let id = community.community_id();
        Self {
            community,
            tasks: TaskManager::default(),
            cache: RequestCache::default(),
            walk: WalkState::default(),
            strategy_names: Vec::new(),
            id,
            prefix: id.prefix(),
        }
    }

    /// Runs `f` with the community and a context over `shared`.
    pub(crate) fn with<R>(
        &mut self,
        shared: &mut Shared,
        f: impl FnOnce(&mut C, &mut Context<'_, C>) -> R,
    ) -> R {
        let mut ctx = Context {
            shared,
            community_id: self.id,
            prefix: self.prefix,
            tasks: &mut self.tasks,
            cache: &mut self.cache,
        };
        f(&mut self.community, &mut ctx)
    }

    /// Runs one due task or cache timeout; returns whether there was one.
    fn run_one_due(&mut self, shared: &mut Shared) -> bool {
        let now = shared.now;
        let task_due = self.tasks.next_deadline().filter(|due| *due <= now);
        let cache_due = self.cache.next_deadline().filter(|due| *due <= now);
        match (task_due, cache_due) {
            (Some(task), cache) if cache.is_none_or(|cache| task <= cache) => {
                let Some(mut due) = self.tasks.take_due(now) else { return false };
                self.with(shared, |community, ctx| due.run(community, ctx));
                self.tasks.finish(due);
                true
            }
            (_, Some(_)) => {
                let Some(cache) = self.cache.take_expired(now) else { return false };
                self.with(shared, |community, ctx| cache.on_timeout(community, ctx));
                true
            }
            _ => false,
        }
    }
}

impl<C: Community> Overlay for Host<C> {
    fn community_id(&self) -> CommunityId {
        self.id
    }

    fn start(&mut self, shared: &mut Shared) {
        self.with(shared, C::started);
    }

    fn handle(&mut self, shared: &mut Shared, incoming: &Incoming<'_>) -> Result<(), DropReason> {
        if !CORE_IDS.contains(&incoming.msg_id()) {
            return self.with(shared, |community, ctx| community.on_packet(ctx, incoming));
        }
        let max_peers = self.community.max_peers();
        let mut core = Core { shared, community_id: self.id, prefix: self.prefix, max_peers };
        match core.handle(incoming)? {
            Outcome::Nothing => {}
            Outcome::Request(peer, request) => {
                self.with(shared, |c, ctx| c.introduction_request_callback(ctx, &peer, &request));
            }
            Outcome::Response(peer, response) => {
                self.with(shared, |c, ctx| c.introduction_response_callback(ctx, &peer, &response));
            }
        }
        Ok(())
    }

    fn walk(&mut self, shared: &mut Shared) {
        let max_peers = self.community.max_peers();
        for entry in &mut self.walk.strategies {
            let peers = shared.network.peers_for(self.id).len();
            if entry.target_peers.is_some_and(|target| peers >= target) {
                continue;
            }
            let core = Core {
                shared: &mut *shared,
                community_id: self.id,
                prefix: self.prefix,
                max_peers,
            };
            let mut walker = Walker { core, bootstrappers: &mut self.walk.bootstrappers };
            entry.strategy.take_step(&mut walker);
        }
    }

    fn walk_to(&mut self, shared: &mut Shared, address: std::net::SocketAddr) {
        let max_peers = self.community.max_peers();
        Core { shared, community_id: self.id, prefix: self.prefix, max_peers }.walk_to(address);
    }

    fn add_strategy(
        &mut self,
        strategy: Box<dyn Strategy>,
        name: &'static str,
        target_peers: Option<usize>,
    ) {
        self.walk.strategies.push(WalkerEntry { strategy, target_peers });
        self.strategy_names.push(StrategyInfo { name, target_peers });
    }

    fn info(&self) -> OverlayInfo {
        OverlayInfo {
            community_id: self.id,
            name: short_name(std::any::type_name::<C>()),
            max_peers: self.community.max_peers(),
            strategies: self.strategy_names.clone(),
        }
    }

    fn add_bootstrapper(&mut self, bootstrapper: Box<dyn Bootstrapper>) {
        self.walk.bootstrappers.push(bootstrapper);
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
        self.with(shared, |community, ctx| community.on_peer_added(ctx, peer));
    }

    fn peer_removed(&mut self, shared: &mut Shared, peer: &Peer) {
        self.with(shared, |community, ctx| community.on_peer_removed(ctx, peer));
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
pub struct OverlayInfo {
    /// The community id.
    pub community_id: CommunityId,
    /// The community's type name, without its module path.
    pub name: &'static str,
    /// Most peers it keeps.
    pub max_peers: usize,
    /// Its discovery strategies.
    pub strategies: Vec<StrategyInfo>,
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
