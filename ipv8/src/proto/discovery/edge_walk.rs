//! [`EdgeWalk`]: py-ipv8's `EdgeWalk` (`ipv8/peerdiscovery/discovery.py`).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::{Strategy, Walker};
use crate::proto::Community;
use crate::proto::Peer;

/// Most finished edges kept for inspection; the oldest are forgotten first.
const COMPLETE_EDGES_LIMIT: usize = 64;

/// An edge being grown from one root of the neighbourhood.
#[derive(Debug, Clone)]
pub(super) struct Edge {
    /// The root first, then each peer it led to.
    peers: Vec<Peer>,
    /// When the edge last grew (or was started).
    last_growth: Instant,
}

/// A depth-first walk along edges: first gather a neighbourhood of `neighborhood_size` (6) peers,
/// then grow an edge from each of them, one introduction at a time, up to `edge_length` (4) peers,
/// and start over from the neighbourhood. An edge that does not grow for `edge_timeout` (3 s) is
/// finished as it is.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use ipv8::crypto::{Curve, PrivateKey};
/// use ipv8::proto::Node;
/// use ipv8::proto::discovery::{DiscoveryCommunity, EdgeWalk};
///
/// let now = Instant::now();
/// let mut node = Node::new(PrivateKey::generate(Curve::Curve25519)?, 1, now);
/// node.add_community(now, DiscoveryCommunity::new())?;
/// let walk = EdgeWalk::new().with_edge_length(3).with_edge_timeout(Duration::from_secs(5));
/// node.add_strategy::<DiscoveryCommunity>(walk, Some(20))?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct EdgeWalk {
    edge_length: usize,
    neighborhood_size: usize,
    edge_timeout: Duration,
    pub(super) neighborhood: Vec<Peer>,
    pub(super) under_construction: Vec<Edge>,
    complete_edges: VecDeque<Vec<Peer>>,
}

impl Default for EdgeWalk {
    fn default() -> Self {
        Self {
            edge_length: 4,
            neighborhood_size: 6,
            edge_timeout: Duration::from_secs(3),
            neighborhood: Vec::new(),
            under_construction: Vec::new(),
            complete_edges: VecDeque::new(),
        }
    }
}

impl EdgeWalk {
    /// An edge walk with py-ipv8's defaults: edges of 4 peers from a neighbourhood of 6, and a
    /// 3 s timeout.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets how many peers an edge holds, its root included, when it is complete.
    #[must_use]
    pub fn with_edge_length(self, edge_length: usize) -> Self {
        Self { edge_length, ..self }
    }

    /// Sets how many peers the neighbourhood (the roots of the edges) holds.
    #[must_use]
    pub fn with_neighborhood_size(self, neighborhood_size: usize) -> Self {
        Self { neighborhood_size, ..self }
    }

    /// Sets how long an edge may go without growing before it is finished.
    #[must_use]
    pub fn with_edge_timeout(self, edge_timeout: Duration) -> Self {
        Self { edge_timeout, ..self }
    }

    /// The most recently finished edges (root first), oldest first.
    pub fn complete_edges(&self) -> impl Iterator<Item = &[Peer]> {
        self.complete_edges.iter().map(Vec::as_slice)
    }

    /// Takes the first peers as the neighbourhood, and looks for more.
    fn discover_neighborhood<C: Community>(&mut self, walker: &mut Walker<'_, C>) {
        self.neighborhood = walker.peers().into_iter().take(self.neighborhood_size).collect();
        walker.bootstrap();
        for address in walker.walkable().into_iter().take(self.neighborhood_size) {
            walker.walk_to(address);
        }
    }

    /// A random root that is not growing an edge.
    fn available_root<C: Community>(&self, walker: &mut Walker<'_, C>) -> Option<Peer> {
        let busy =
            |peer: &&Peer| self.under_construction.iter().any(|e| e.peers.first() == Some(*peer));
        let available: Vec<_> = self.neighborhood.iter().filter(|p| !busy(p)).cloned().collect();
        walker.rng().choose(&available).cloned()
    }

    /// Grows each edge by a verified peer its tip introduced, and finishes those that are long
    /// enough or stopped growing.
    fn grow<C: Community>(&mut self, walker: &mut Walker<'_, C>) {
        let now = walker.now();
        for mut edge in std::mem::take(&mut self.under_construction) {
            let tip = edge.peers.last().map(|p| p.key().clone());
            let introduced = tip.map(|key| walker.introductions_from(&key)).unwrap_or_default();
            let mut verified = Vec::new();
            for address in introduced {
                match walker.network().peer_at(address) {
                    Some(peer) => verified.push(peer.clone()),
                    None => walker.walk_to(address),
                }
            }
            if let Some(next) = walker.rng().choose(&verified).cloned() {
                edge.last_growth = now;
                edge.peers.push(next.clone());
                if edge.peers.len() >= self.edge_length {
                    self.complete(edge.peers);
                    continue;
                }
                walker.walk_to(next.address());
            } else if now.duration_since(edge.last_growth) > self.edge_timeout {
                if edge.peers.len() > 1 {
                    self.complete(edge.peers);
                }
                continue;
            }
            self.under_construction.push(edge);
        }
    }

    fn complete(&mut self, edge: Vec<Peer>) {
        if self.complete_edges.len() >= COMPLETE_EDGES_LIMIT {
            self.complete_edges.pop_front();
        }
        self.complete_edges.push_back(edge);
    }
}

impl<C: Community> Strategy<C> for EdgeWalk {
    fn take_step(&mut self, walker: &mut Walker<'_, C>) {
        if self.neighborhood.len() < self.neighborhood_size || self.neighborhood.is_empty() {
            self.discover_neighborhood(walker);
        } else if let Some(root) = self.available_root(walker) {
            let now = walker.now();
            walker.send_introduction_request(&root);
            self.under_construction.push(Edge { peers: vec![root], last_growth: now });
        } else {
            self.grow(walker);
        }
    }
}
