//! The [`DiscoveryCommunity`] itself: its id and settings, its hooks, and what users call.

use std::net::SocketAddr;
use std::time::Instant;

use super::{ping, similarity};
use crate::proto::discovery::{
    IntroductionResponse, PeriodicSimilarity, Ping, RandomChurn, RandomWalk,
};
use crate::proto::{Community, CommunityId, Context, Node, NodeError, Peer};

/// py-ipv8's `max_peers` for the DiscoveryCommunity (as for every community).
const DEFAULT_MAX_PEERS: usize = 30;
/// py-ipv8's default target of the DiscoveryCommunity's random walk.
const RANDOM_WALK_TARGET: usize = 20;

/// The community through which peers learn which communities other peers run (py-ipv8's
/// `DiscoveryCommunity`, id `7e313685c1912a141279f8248fc8db5899c5df5a`).
///
/// After every accepted introduction-response it sends the responder a similarity-request listing
/// this node's communities; the answer lists the responder's, and the responder becomes a peer of
/// each of them that this node runs. Pair it with the [`RandomChurn`] and [`PeriodicSimilarity`]
/// strategies, as [`DiscoveryCommunity::install`] does.
///
/// # Examples
///
/// ```
/// use ipv8::proto::discovery::DiscoveryCommunity;
/// use ipv8::testing::{SimConfig, TestNetwork};
///
/// // Two nodes that do not know each other; node 0 walks to node 1.
/// let config = SimConfig::new(1).with_connect_all(false);
/// let mut net = TestNetwork::with_config(config, 2, |_| DiscoveryCommunity::new());
/// let (now, address) = (net.now(), net.address(1));
/// net.node_mut(0).walk_to::<DiscoveryCommunity>(now, address)?;
/// net.flush(0);
/// net.deliver_messages();
/// // The introduction made them peers; the similarity exchange that followed told each which
/// // communities the other runs.
/// assert_eq!(net.network(0).peers_for(DiscoveryCommunity::ID), [net.peer(1)]);
/// assert_eq!(net.network(1).peers_for(DiscoveryCommunity::ID), [net.peer(0)]);
/// # Ok::<(), ipv8::proto::NodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveryCommunity {
    pub(super) max_peers: usize,
}

impl Default for DiscoveryCommunity {
    fn default() -> Self {
        Self { max_peers: DEFAULT_MAX_PEERS }
    }
}

impl DiscoveryCommunity {
    /// The DiscoveryCommunity's community id, `7e313685c1912a141279f8248fc8db5899c5df5a`.
    pub const ID: CommunityId = CommunityId([
        0x7e, 0x31, 0x36, 0x85, 0xc1, 0x91, 0x2a, 0x14, 0x12, 0x79, 0xf8, 0x24, 0x8f, 0xc8, 0xdb,
        0x58, 0x99, 0xc5, 0xdf, 0x5a,
    ]);

    /// A DiscoveryCommunity with py-ipv8's defaults (at most 30 peers).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets how many peers it keeps: introduction-requests are refused beyond it, and so are
    /// similarity-responses from peers that are not verified yet.
    #[must_use]
    pub fn with_max_peers(self, max_peers: usize) -> Self {
        Self { max_peers }
    }

    /// Adds the community to `node` with py-ipv8's default strategies: [`RandomWalk`] while it
    /// has fewer than 20 peers, and [`RandomChurn`] and [`PeriodicSimilarity`] always. Add a
    /// bootstrapper with [`Node::add_bootstrapper`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Instant;
    /// use ipv8::crypto::{Curve, PrivateKey};
    /// use ipv8::proto::Node;
    /// use ipv8::proto::discovery::DiscoveryCommunity;
    ///
    /// let now = Instant::now();
    /// let mut node = Node::new(PrivateKey::generate(Curve::Curve25519)?, 1, now);
    /// DiscoveryCommunity::new().install(&mut node, now)?;
    /// let strategies: Vec<_> = node.overlays()[0].strategies.iter().map(|s| s.name).collect();
    /// assert_eq!(strategies, ["RandomWalk", "RandomChurn", "PeriodicSimilarity"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn install(self, node: &mut Node, now: Instant) -> Result<(), NodeError> {
        node.add_community(now, self)?;
        node.add_strategy::<Self>(RandomWalk::new(), Some(RANDOM_WALK_TARGET))?;
        node.add_strategy::<Self>(RandomChurn::new(), None)?;
        node.add_strategy::<Self>(PeriodicSimilarity::new(), None)
    }

    /// Sends a similarity-request listing this node's communities to `address` (py-ipv8's
    /// `send_similarity_request`).
    pub fn send_similarity_request(ctx: &mut Context<'_, Self>, address: SocketAddr) {
        similarity::send_request(ctx, address);
    }

    /// Pings `peer`; its pong, if it comes within
    /// [`PING_TIMEOUT`](crate::proto::discovery::PING_TIMEOUT), adds a round-trip time to the
    /// peer's [`PeerEntry::pings`](crate::proto::PeerEntry::pings).
    pub fn send_ping(ctx: &mut Context<'_, Self>, peer: &Peer) {
        ping::send(ctx, peer);
    }
}

impl Community for DiscoveryCommunity {
    fn community_id(&self) -> CommunityId {
        Self::ID
    }

    fn max_peers(&self) -> usize {
        self.max_peers
    }

    fn introduction_response_callback(
        &mut self,
        ctx: &mut Context<'_, Self>,
        peer: &Peer,
        _response: &IntroductionResponse,
    ) {
        Self::send_similarity_request(ctx, peer.address());
    }
}

impl Ping for DiscoveryCommunity {
    fn ping(&mut self, ctx: &mut Context<'_, Self>, peer: &Peer) {
        ping::send(ctx, peer);
    }
}
