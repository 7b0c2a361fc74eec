//! Communities that communities load and unload while the node runs: py-ipv8's hidden tunnel
//! community starts a `PexCommunity` per swarm it introduces, the identity layer a pair of
//! overlays per pseudonym. [`Context::load_community`] asks for one, the node adds it once the
//! handler returns (with its own peer table, the walk asked for, and the node's
//! [spawn bootstrap servers](super::Node::set_spawn_bootstrap)), and
//! [`Context::unload_community`] takes it away again.

use std::collections::VecDeque;
use std::time::Duration;

use super::discovery::{DispersyBootstrapper, Paced, Ping, RandomChurn, RandomWalk};
use super::{CommunityId, Context, Node, NodeError};
use crate::crypto::PrivateKey;

/// Loads and unloads asked for at once, at most; more are refused with
/// [`LoadError::Busy`].
pub const LOAD_LIMIT: usize = 64;

/// How a community loaded at run time finds peers: py-ipv8's `RandomWalk` (one step per
/// `interval`) while it has fewer than `target_peers`, and `RandomChurn` beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Walk {
    /// Stop walking at this many peers.
    pub target_peers: usize,
    /// The time between two steps of the walk.
    pub interval: Duration,
}

impl Default for Walk {
    /// py-ipv8's defaults for an overlay: 20 peers, a step every walker tick (0.5 s).
    fn default() -> Self {
        Self { target_peers: 20, interval: super::DEFAULT_WALKER_INTERVAL }
    }
}

/// Why a load or unload was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// [`LOAD_LIMIT`] loads and unloads wait already.
    #[error("too many communities waiting to be loaded or unloaded")]
    Busy,
}

type Action = Box<dyn FnOnce(&mut Node) -> Result<(), NodeError> + Send>;

/// Loads and unloads waiting for the node.
#[derive(Default)]
pub(crate) struct Loads {
    queue: VecDeque<Action>,
}

impl Loads {
    fn push(&mut self, action: Action) -> Result<(), LoadError> {
        if self.queue.len() >= LOAD_LIMIT {
            return Err(LoadError::Busy);
        }
        self.queue.push_back(action);
        Ok(())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    pub(crate) fn take(&mut self) -> VecDeque<Action> {
        std::mem::take(&mut self.queue)
    }
}

impl<C: 'static> Context<'_, C> {
    /// Asks the node to load `community` under `key` once this handler returns, with a peer
    /// table of its own, `walk` to find peers, `RandomChurn` to forget the silent ones (hence
    /// [`Ping`]) and the node's spawn bootstrap servers. A community
    /// whose id already runs is not loaded (the node logs it).
    ///
    /// # Errors
    ///
    /// [`LoadError::Busy`] if [`LOAD_LIMIT`] loads and unloads wait already.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipv8::proto::discovery::Ping;
    /// use ipv8::proto::{Community, CommunityId, Context, Peer, Walk};
    ///
    /// struct Child;
    /// #[ipv8::community]
    /// impl Child {}
    /// impl Community for Child {
    ///     fn community_id(&self) -> CommunityId {
    ///         CommunityId([7; 20])
    ///     }
    /// }
    /// impl Ping for Child {
    ///     fn ping(&mut self, ctx: &mut Context<'_, Self>, peer: &Peer) {
    ///         ctx.send_introduction_request(peer);
    ///     }
    /// }
    ///
    /// struct Parent;
    /// #[ipv8::community]
    /// impl Parent {}
    /// impl Community for Parent {
    ///     fn community_id(&self) -> CommunityId {
    ///         CommunityId([1; 20])
    ///     }
    ///     fn started(&mut self, ctx: &mut Context<'_, Self>) {
    ///         let key = ctx.my_private_key().clone();
    ///         ctx.load_community(Child, key, Walk::default()).expect("nothing else waits");
    ///     }
    /// }
    ///
    /// let mut net = ipv8::testing::TestNetwork::initialize(1, |_| Parent);
    /// net.flush(0);
    /// let ids: Vec<_> = net.node(0).overlays().iter().map(|o| o.community_id).collect();
    /// assert_eq!(ids, [CommunityId([1; 20]), CommunityId([7; 20])]);
    /// ```
    pub fn load_community<L: Ping>(
        &mut self,
        community: L,
        key: PrivateKey,
        walk: Walk,
    ) -> Result<(), LoadError> {
        let action: Action = Box::new(move |node: &mut Node| {
            let id = community.community_id();
            let now = node.now();
            node.add_isolated_community(now, community, key)?;
            let strategy = Paced::new(RandomWalk::new(), walk.interval);
            node.add_strategy_to::<L>(id, strategy, Some(walk.target_peers))?;
            node.add_strategy_to::<L>(id, RandomChurn::new(), None)?;
            let bootstrap = node.spawn_bootstrap().to_vec();
            if !bootstrap.is_empty() {
                node.add_bootstrapper_to(id, DispersyBootstrapper::new(bootstrap))?;
            }
            Ok(())
        });
        self.shared.loads.push(action)
    }

    /// Asks the node to stop and remove the community `id` once this handler returns (as
    /// [`Node::remove_community`]).
    ///
    /// # Errors
    ///
    /// [`LoadError::Busy`] if [`LOAD_LIMIT`] loads and unloads wait already.
    pub fn unload_community(&mut self, id: CommunityId) -> Result<(), LoadError> {
        self.shared.loads.push(Box::new(move |node: &mut Node| node.remove_community(id)))
    }
}
