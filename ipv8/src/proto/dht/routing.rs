//! [`RoutingTable`]: the DHT's k-buckets (spec `dht.md` §4): a binary trie over node ids whose
//! leaves hold up to [`MAX_BUCKET_SIZE`] nodes each; only the bucket on our own id's path splits.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::NodeId;
use crate::proto::Peer;

/// Nodes per bucket (py-ipv8's `MAX_BUCKET_SIZE`, Kademlia's k).
pub const MAX_BUCKET_SIZE: usize = 8;
/// Unanswered requests in a row after which a node is bad.
const MAX_FAILED: u8 = 2;
/// How long an answer (or a query from a node that has answered) keeps a node good.
const GOOD_FOR: Duration = Duration::from_secs(15 * 60);
/// Queries within [`QUERY_WINDOW`] after which a node is blocked (py-ipv8's `NODE_LIMIT_QUERIES`).
const QUERY_LIMIT: usize = 10;
/// py-ipv8's `NODE_LIMIT_INTERVAL`.
const QUERY_WINDOW: Duration = Duration::from_secs(5);

/// How a node has behaved lately (BEP 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeStatus {
    /// Answered within 15 minutes, or has answered before and queried us within 15 minutes.
    Good,
    /// Neither good nor bad.
    Unknown,
    /// Failed to answer twice in a row.
    Bad,
}

/// A node in the routing table.
#[derive(Debug, Clone)]
pub struct RoutingNode {
    /// Its id (from the address we see it at and its key).
    pub id: NodeId,
    /// Its key and address.
    pub peer: Peer,
    /// When it last answered one of our requests.
    pub last_response: Option<Instant>,
    /// Its last round-trip time.
    pub rtt: Option<Duration>,
    /// Unanswered requests since its last answer.
    pub failed: u8,
    /// Its last queries to us, oldest first.
    queries: VecDeque<Instant>,
}

impl RoutingNode {
    /// A node we have not exchanged anything with yet.
    #[must_use]
    pub fn new(peer: Peer) -> Self {
        let id = NodeId::of(peer.address().ip(), &peer.mid());
        Self { id, peer, last_response: None, rtt: None, failed: 0, queries: VecDeque::new() }
    }

    /// Its status at `now`.
    #[must_use]
    pub fn status(&self, now: Instant) -> NodeStatus {
        let recent = |at: Option<&Instant>| at.is_some_and(|at| now.duration_since(*at) < GOOD_FOR);
        if self.failed >= MAX_FAILED {
            NodeStatus::Bad
        } else if recent(self.last_response.as_ref())
            || (self.last_response.is_some() && recent(self.queries.back()))
        {
            NodeStatus::Good
        } else {
            NodeStatus::Unknown
        }
    }

    /// Records an answer to a request sent at `sent_at`.
    pub fn answered(&mut self, sent_at: Instant, now: Instant) {
        self.failed = 0;
        self.last_response = Some(now);
        self.rtt = Some(now.saturating_duration_since(sent_at));
    }

    /// Records a request that went unanswered.
    pub fn timed_out(&mut self) {
        self.failed = self.failed.saturating_add(1);
    }

    /// When it last queried us.
    #[must_use]
    pub fn last_query(&self) -> Option<Instant> {
        self.queries.back().copied()
    }

    /// Records a query from the node.
    pub fn queried(&mut self, now: Instant) {
        if self.queries.len() >= QUERY_LIMIT {
            self.queries.pop_front();
        }
        self.queries.push_back(now);
    }

    /// Whether the node queried us too often lately (its requests go unanswered).
    #[must_use]
    pub fn is_blocked(&self, now: Instant) -> bool {
        self.queries.len() >= QUERY_LIMIT
            && self.queries.front().is_some_and(|first| now.duration_since(*first) < QUERY_WINDOW)
    }
}

/// A leaf of the trie: the nodes whose ids start with `prefix` (its first `len` bits).
#[derive(Debug, Clone)]
pub struct Bucket {
    prefix: NodeId,
    len: usize,
    nodes: Vec<RoutingNode>,
    /// When a node was last added or updated.
    pub last_changed: Option<Instant>,
}

impl Bucket {
    fn covers(&self, id: &NodeId) -> bool {
        (0..self.len).all(|bit| id.bit(bit) == self.prefix.bit(bit))
    }

    /// The bucket's prefix as a bit string (`""` for the root), as py-ipv8's REST API shows it.
    #[must_use]
    pub fn prefix(&self) -> String {
        (0..self.len).map(|bit| if self.prefix.bit(bit) { '1' } else { '0' }).collect()
    }

    /// Its nodes.
    #[must_use]
    pub fn nodes(&self) -> &[RoutingNode] {
        &self.nodes
    }

    /// A random id inside the bucket (its prefix bits, random bits after them): the target of a
    /// refresh. py-ipv8 draws refresh ids without the prefix bits (spec quirk Q2), so its
    /// refreshes mostly look up ids near zero; this one refreshes the bucket it is meant for.
    #[must_use]
    pub fn random_id(&self, rng: &mut crate::proto::Rng) -> NodeId {
        let mut id = [0_u8; 20];
        for chunk in id.chunks_mut(8) {
            let bytes = rng.next_u64().to_be_bytes();
            chunk.copy_from_slice(bytes.get(..chunk.len()).unwrap_or_default());
        }
        let prefix = self.prefix.as_bytes();
        for bit in 0..self.len {
            let mask = 0x80 >> (bit % 8);
            if let (Some(byte), Some(from)) = (id.get_mut(bit / 8), prefix.get(bit / 8)) {
                *byte = (*byte & !mask) | (from & mask);
            }
        }
        NodeId::from(id)
    }

    /// Splits into the buckets of `prefix + "0"` and `prefix + "1"`.
    fn split(self) -> (Bucket, Bucket) {
        let child = |one: bool| {
            let mut prefix = *self.prefix.as_bytes();
            if one {
                prefix[self.len / 8] |= 0x80 >> (self.len % 8);
            }
            Bucket {
                prefix: NodeId::from(prefix),
                len: self.len + 1,
                nodes: Vec::new(),
                last_changed: self.last_changed,
            }
        };
        let (mut zero, mut one) = (child(false), child(true));
        for node in self.nodes {
            if node.id.bit(self.len) { one.nodes.push(node) } else { zero.nodes.push(node) }
        }
        (zero, one)
    }
}

/// What [`RoutingTable::add`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// A new node.
    New,
    /// A known node (its address updated).
    Updated,
    /// Not added: its bucket is full of good nodes and may not split.
    Full,
    /// Not added: it is us.
    Ourselves,
}

/// The k-buckets around our own id.
///
/// # Examples
///
/// ```
/// use std::time::Instant;
/// use ipv8::crypto::{Curve, PrivateKey};
/// use ipv8::proto::Peer;
/// use ipv8::proto::dht::{Added, RoutingNode, NodeId, RoutingTable};
///
/// let mut table = RoutingTable::new(NodeId::from([0; 20]));
/// let peer = Peer::new(PrivateKey::generate(Curve::Curve25519)?.public_key(), "10.0.0.1:8090".parse()?);
/// let now = Instant::now();
/// assert_eq!(table.add(RoutingNode::new(peer.clone()), now), Added::New);
/// assert_eq!(table.add(RoutingNode::new(peer), now), Added::Updated);
/// assert_eq!(table.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct RoutingTable {
    my_id: NodeId,
    buckets: Vec<Bucket>,
}

impl RoutingTable {
    /// A table around `my_id` with one empty root bucket.
    #[must_use]
    pub fn new(my_id: NodeId) -> Self {
        let root =
            Bucket { prefix: NodeId::from([0; 20]), len: 0, nodes: Vec::new(), last_changed: None };
        Self { my_id, buckets: vec![root] }
    }

    /// Our own id.
    #[must_use]
    pub fn my_id(&self) -> NodeId {
        self.my_id
    }

    /// The buckets, in no particular order.
    #[must_use]
    pub fn buckets(&self) -> &[Bucket] {
        &self.buckets
    }

    /// How many nodes the table holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.buckets.iter().map(|b| b.nodes.len()).sum()
    }

    /// Whether the table holds no node.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn bucket_of(&self, id: &NodeId) -> Option<usize> {
        self.buckets.iter().position(|bucket| bucket.covers(id))
    }

    /// The node with `id`.
    #[must_use]
    pub fn get(&self, id: &NodeId) -> Option<&RoutingNode> {
        let bucket = self.buckets.get(self.bucket_of(id)?)?;
        bucket.nodes.iter().find(|node| node.id == *id)
    }

    /// The node with `id`, to record what it did.
    pub fn get_mut(&mut self, id: &NodeId) -> Option<&mut RoutingNode> {
        let index = self.bucket_of(id)?;
        self.buckets.get_mut(index)?.nodes.iter_mut().find(|node| node.id == *id)
    }

    /// Adds `node` (py-ipv8's `RoutingTable.add`): a known id gets its address updated; a full
    /// bucket first drops a bad node, and splits when it lies on our own id's path.
    pub fn add(&mut self, node: RoutingNode, now: Instant) -> Added {
        if node.id == self.my_id {
            return Added::Ourselves;
        }
        for _ in 0..=super::DISTANCE_BITS {
            let Some(index) = self.bucket_of(&node.id) else { return Added::Full };
            let bucket = &mut self.buckets[index];
            if let Some(known) = bucket.nodes.iter_mut().find(|n| n.id == node.id) {
                known.peer = node.peer;
                bucket.last_changed = Some(now);
                return Added::Updated;
            }
            if bucket.nodes.len() >= MAX_BUCKET_SIZE {
                evict(bucket, &node, now);
            }
            if bucket.nodes.len() < MAX_BUCKET_SIZE {
                bucket.nodes.push(node);
                bucket.last_changed = Some(now);
                return Added::New;
            }
            if !bucket.covers(&self.my_id) || bucket.len >= super::DISTANCE_BITS {
                return Added::Full;
            }
            let (zero, one) = self.buckets.swap_remove(index).split();
            self.buckets.push(zero);
            self.buckets.push(one);
        }
        Added::Full
    }

    /// The bucket whose prefix is the bit string `prefix`, to change it.
    pub fn bucket_mut(&mut self, prefix: &str) -> Option<&mut Bucket> {
        self.buckets.iter_mut().find(|b| b.prefix() == prefix)
    }

    /// Removes the node with `id`.
    pub fn remove(&mut self, id: &NodeId) -> Option<RoutingNode> {
        let index = self.bucket_of(id)?;
        let bucket = self.buckets.get_mut(index)?;
        let position = bucket.nodes.iter().position(|node| node.id == *id)?;
        Some(bucket.nodes.remove(position))
    }

    /// Up to `max` nodes closest to `target` that are not bad, nearest first, leaving out
    /// `exclude` (py-ipv8's `closest_nodes`).
    #[must_use]
    pub fn closest_nodes(
        &self,
        target: &NodeId,
        max: usize,
        exclude: Option<&NodeId>,
        now: Instant,
    ) -> Vec<&RoutingNode> {
        let mut nodes: Vec<&RoutingNode> = self
            .buckets
            .iter()
            .flat_map(|bucket| &bucket.nodes)
            .filter(|node| Some(&node.id) != exclude && node.status(now) != NodeStatus::Bad)
            .collect();
        nodes.sort_by(|a, b| {
            target.cmp_distance(&a.id, &b.id).then_with(|| a.status(now).cmp(&b.status(now)))
        });
        nodes.truncate(max);
        nodes
    }
}

/// Makes room in a full bucket for `node`: the first bad node goes, else the first node at least
/// twice as slow as `node` (when `node` has a round-trip time).
fn evict(bucket: &mut Bucket, node: &RoutingNode, now: Instant) {
    if let Some(bad) = bucket.nodes.iter().position(|n| n.status(now) == NodeStatus::Bad) {
        bucket.nodes.remove(bad);
        return;
    }
    let Some(fast) = node.rtt.filter(|rtt| !rtt.is_zero()) else { return };
    let slow = bucket
        .nodes
        .iter()
        .position(|n| n.rtt.is_some_and(|rtt| rtt.as_secs_f64() / fast.as_secs_f64() >= 2.0));
    if let Some(slow) = slow {
        bucket.nodes.remove(slow);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{Curve, PrivateKey};

    fn node(last_octet: u8) -> RoutingNode {
        let key = PrivateKey::generate(Curve::Curve25519).expect("a key").public_key();
        RoutingNode::new(Peer::new(key, std::net::SocketAddr::from(([10, 0, 0, last_octet], 8090))))
    }

    /// A node with exactly `id` (the id is normally derived; tests set it to steer buckets).
    fn node_with_id(id: [u8; 20]) -> RoutingNode {
        let mut node = node(1);
        node.id = NodeId::from(id);
        node
    }

    #[test]
    fn only_the_bucket_on_our_path_splits() {
        let now = Instant::now();
        let mut table = RoutingTable::new(NodeId::from([0; 20]));
        // Eight ids starting with bit 1 fill the root; a ninth splits it (the root covers us).
        for i in 0..8u8 {
            let mut id = [0; 20];
            id[0] = 0x80 | i;
            assert_eq!(table.add(node_with_id(id), now), Added::New);
        }
        let mut ninth = [0; 20];
        ninth[0] = 0x88;
        assert_eq!(table.add(node_with_id(ninth), now), Added::Full, "bucket 1 is not on our path");
        assert_eq!(table.buckets().len(), 2);
        let mut prefixes: Vec<_> = table.buckets().iter().map(Bucket::prefix).collect();
        prefixes.sort();
        assert_eq!(prefixes, ["0", "1"]);
        // Ids near ours keep splitting the bucket on our path.
        for i in 1..=9u8 {
            let mut id = [0; 20];
            id[19] = i;
            assert_eq!(table.add(node_with_id(id), now), Added::New);
        }
        assert!(table.buckets().len() > 2);
        assert_eq!(table.len(), 17);
        assert_eq!(table.add(node_with_id([0; 20]), now), Added::Ourselves);
    }

    #[test]
    fn a_full_bucket_drops_a_bad_node_for_a_new_one() {
        let now = Instant::now();
        let mut table = RoutingTable::new(NodeId::from([0; 20]));
        let ids: Vec<[u8; 20]> = (0..8u8)
            .map(|i| {
                let mut id = [0; 20];
                id[0] = 0x80 | i;
                id
            })
            .collect();
        for id in &ids {
            table.add(node_with_id(*id), now);
        }
        let split_first = table.add(node_with_id([0x01; 20]), now);
        assert_eq!(split_first, Added::New, "our half splits off");
        let bad = NodeId::from(ids[3]);
        table.get_mut(&bad).expect("known").timed_out();
        table.get_mut(&bad).expect("known").timed_out();
        let mut newcomer = [0; 20];
        newcomer[0] = 0x90;
        assert_eq!(table.add(node_with_id(newcomer), now), Added::New);
        assert!(table.get(&bad).is_none());
    }

    #[test]
    fn closest_nodes_are_sorted_by_xor_distance_without_bad_ones() {
        let now = Instant::now();
        let mut table = RoutingTable::new(NodeId::from([0xff; 20]));
        for first in [0x10u8, 0x20, 0x30, 0x40] {
            let mut id = [0; 20];
            id[0] = first;
            table.add(node_with_id(id), now);
        }
        let mut target = [0; 20];
        target[0] = 0x31;
        let target = NodeId::from(target);
        let order: Vec<u8> =
            table.closest_nodes(&target, 3, None, now).iter().map(|n| n.id.as_bytes()[0]).collect();
        assert_eq!(order, [0x30, 0x20, 0x10]);
        let mut bad = [0; 20];
        bad[0] = 0x30;
        let bad = NodeId::from(bad);
        table.get_mut(&bad).unwrap().timed_out();
        table.get_mut(&bad).unwrap().timed_out();
        let order: Vec<u8> =
            table.closest_nodes(&target, 3, None, now).iter().map(|n| n.id.as_bytes()[0]).collect();
        assert_eq!(order, [0x20, 0x10, 0x40]);
    }

    #[test]
    fn status_and_rate_limit_follow_py_ipv8() {
        let start = Instant::now();
        let mut node = node(7);
        assert_eq!(node.status(start), NodeStatus::Unknown);
        node.answered(start, start + Duration::from_millis(30));
        assert_eq!(node.rtt, Some(Duration::from_millis(30)));
        assert_eq!(node.status(start + Duration::from_secs(60)), NodeStatus::Good);
        assert_eq!(node.status(start + Duration::from_secs(16 * 60)), NodeStatus::Unknown);
        node.queried(start + Duration::from_secs(16 * 60));
        assert_eq!(node.status(start + Duration::from_secs(17 * 60)), NodeStatus::Good);
        node.timed_out();
        node.timed_out();
        assert_eq!(node.status(start), NodeStatus::Bad);

        let mut chatty = self::node(8);
        for i in 0..10 {
            chatty.queried(start + Duration::from_millis(i * 100));
        }
        assert!(chatty.is_blocked(start + Duration::from_secs(1)));
        assert!(!chatty.is_blocked(start + Duration::from_secs(6)));
    }
}
