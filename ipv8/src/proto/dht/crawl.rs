//! [`Crawl`]: one iterative lookup for a target (spec `dht.md` §7), as a state machine: it hands out
//! the next node to ask, takes in what each answered, and says when it is done and what it found.
//! Sending, timing out and puncturing are the community's business.

use std::collections::HashSet;

use super::{NodeId, Value};
use crate::crypto::PublicKey;
use crate::proto::Peer;

/// Nodes a crawl starts from (py-ipv8's `MAX_CRAWL_NODES`).
pub const MAX_CRAWL_NODES: usize = 8;
/// Find-requests per crawl (py-ipv8's `MAX_CRAWL_REQUESTS`).
pub const MAX_CRAWL_REQUESTS: usize = 24;
/// Find-requests in flight at once (py-ipv8's `MAX_CRAWL_TASKS`).
pub const MAX_CRAWL_TASKS: usize = 4;
/// Values taken from one response.
const MAX_VALUES_PER_RESPONSE: usize = 8;
/// Nodes taken from one response (py-ipv8 sends at most 8).
pub const MAX_NODES_PER_RESPONSE: usize = 8;
/// Nodes a crawl keeps to ask at most; the farthest go first.
pub const MAX_TODO: usize = MAX_CRAWL_REQUESTS;

/// A node to ask, and the node that introduced it (which asks it to puncture toward us first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The node's id.
    pub id: NodeId,
    /// The node.
    pub peer: Peer,
    /// The responder that named it, unless it was the first of that response's list (which the
    /// responder already asked to puncture).
    pub helper: Option<Peer>,
    /// How many requests deep it was found: 1 for the nodes a crawl starts from, one more than
    /// its responder's for the nodes it names.
    pub hop: usize,
}

impl Candidate {
    /// A candidate with no helper, one hop away.
    #[must_use]
    pub fn new(peer: Peer) -> Self {
        Self { id: NodeId::of(peer.address().ip(), &peer.mid()), peer, helper: None, hop: 1 }
    }
}

/// What a crawl did (the `debug` part of py-ipv8's REST lookups).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CrawlStats {
    /// Find-requests sent.
    pub requests: usize,
    /// Responses received.
    pub responses: usize,
    /// Responses with nodes.
    pub responses_with_nodes: usize,
    /// Responses with values.
    pub responses_with_values: usize,
    /// Hops to the first value found (the fewest over the responses with values), or, with no
    /// value found, to the farthest node that answered: the lookup's depth.
    pub hops: usize,
}

/// One lookup of `target`.
///
/// # Examples
///
/// ```
/// use ipv8::crypto::{Curve, PrivateKey};
/// use ipv8::proto::Peer;
/// use ipv8::proto::dht::{Crawl, NodeId};
///
/// let peer = |port| -> Result<Peer, Box<dyn std::error::Error>> {
///     Ok(Peer::new(PrivateKey::generate(Curve::Curve25519)?.public_key(), ([10, 0, 0, 1], port).into()))
/// };
/// let first = peer(1)?;
/// let mut crawl = Crawl::new(NodeId::from([7; 20]), vec![first.clone()]);
/// let ask = crawl.next_request().expect("one node to ask");
/// assert_eq!(ask.peer, first);
/// crawl.on_values(&ask.id, vec![vec![0, b'h', b'i']]);
/// assert!(crawl.is_done());
/// assert_eq!(crawl.values(), [(b"hi".to_vec(), None)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Crawl {
    target: NodeId,
    /// Nodes still to ask, nearest first.
    todo: Vec<Candidate>,
    /// Nodes asked, in the order they were.
    tried: Vec<Candidate>,
    in_flight: HashSet<NodeId>,
    /// The values of each response that had some, in arrival order.
    values: Vec<Vec<Vec<u8>>>,
    /// Responders that answered with nodes, not values.
    node_responders: Vec<Candidate>,
    /// The fewest hops to a node that answered with values.
    value_hops: Option<usize>,
}

impl Crawl {
    /// A lookup of `target` that starts from `closest` (the closest nodes we know; at most
    /// [`MAX_CRAWL_NODES`] are used).
    #[must_use]
    pub fn new(target: NodeId, closest: Vec<Peer>) -> Self {
        let mut crawl = Self {
            target,
            todo: Vec::new(),
            tried: Vec::new(),
            in_flight: HashSet::new(),
            values: Vec::new(),
            node_responders: Vec::new(),
            value_hops: None,
        };
        for peer in closest.into_iter().take(MAX_CRAWL_NODES) {
            crawl.offer(Candidate::new(peer));
        }
        crawl
    }

    /// The target.
    #[must_use]
    pub fn target(&self) -> NodeId {
        self.target
    }

    /// The next node to send a find-request, if the crawl may send one now (fewer than
    /// [`MAX_CRAWL_TASKS`] in flight, fewer than [`MAX_CRAWL_REQUESTS`] sent).
    pub fn next_request(&mut self) -> Option<Candidate> {
        if self.in_flight.len() >= MAX_CRAWL_TASKS || self.tried.len() >= MAX_CRAWL_REQUESTS {
            return None;
        }
        if self.todo.is_empty() {
            return None;
        }
        let next = self.todo.remove(0);
        self.in_flight.insert(next.id);
        self.tried.push(next.clone());
        Some(next)
    }

    /// `from` answered with nodes: each may be asked next, nearest first (a node farther than
    /// the fourth to ask is ignored while four wait). Unknown responders are ignored, and so is
    /// anything past the first [`MAX_NODES_PER_RESPONSE`] nodes; the todo list keeps at most
    /// [`MAX_TODO`] nodes, so a stuffed response cannot grow a lookup's memory.
    pub fn on_nodes(&mut self, from: &NodeId, nodes: Vec<Peer>) {
        let Some(responder) = self.answered(from) else { return };
        self.node_responders.push(responder.clone());
        for (index, peer) in nodes.into_iter().take(MAX_NODES_PER_RESPONSE).enumerate() {
            let helper = (index > 0).then(|| responder.peer.clone());
            let candidate = Candidate { helper, hop: responder.hop + 1, ..Candidate::new(peer) };
            if self.tried.iter().any(|t| t.id == candidate.id) {
                continue;
            }
            let far = self.todo.len() >= MAX_CRAWL_TASKS
                && self.todo.get(MAX_CRAWL_TASKS - 1).is_some_and(|fourth| {
                    self.target.cmp_distance(&candidate.id, &fourth.id).is_gt()
                });
            if !far {
                self.todo.retain(|t| t.id != candidate.id);
                self.offer(candidate);
            }
        }
    }

    /// `from` answered with values (at most eight are taken). Unknown responders are ignored.
    pub fn on_values(&mut self, from: &NodeId, mut values: Vec<Vec<u8>>) {
        if let Some(responder) = self.answered(from) {
            values.truncate(MAX_VALUES_PER_RESPONSE);
            self.values.push(values);
            self.value_hops = Some(self.value_hops.map_or(responder.hop, |h| h.min(responder.hop)));
        }
    }

    /// The request to `id` timed out or failed.
    pub fn on_failed(&mut self, id: &NodeId) {
        self.in_flight.remove(id);
    }

    /// Whether the crawl is over: nothing in flight, and nothing more to ask or no requests left.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.in_flight.is_empty()
            && (self.todo.is_empty() || self.tried.len() >= MAX_CRAWL_REQUESTS)
    }

    /// The nodes asked, nearest to the target first (the result of a `find_nodes`).
    #[must_use]
    pub fn nodes(&self) -> Vec<Peer> {
        let mut tried: Vec<&Candidate> = self.tried.iter().collect();
        tried.sort_by(|a, b| self.target.cmp_distance(&a.id, &b.id));
        tried.into_iter().map(|c| c.peer.clone()).collect()
    }

    /// The values found (spec §6.3): byte-identical ones once, taken round-robin across the
    /// responses; of each signer only the highest version; signed values first, as
    /// `(data, Some(signer))`, then unsigned ones as `(data, None)`. Values that do not parse
    /// or verify are left out.
    #[must_use]
    pub fn values(&self) -> Vec<(Vec<u8>, Option<PublicKey>)> {
        let mut signed: Vec<(Vec<u8>, u32, PublicKey)> = Vec::new();
        let mut unsigned = Vec::new();
        for value in self.unique_values() {
            match Value::parse(value) {
                Ok(Value::Signed { data, version, public_key }) => {
                    match signed.iter_mut().find(|(_, _, key)| *key == public_key) {
                        Some(known) if known.1 < version => *known = (data, version, public_key),
                        Some(_) => {}
                        None => signed.push((data, version, public_key)),
                    }
                }
                Ok(Value::Unsigned(data)) => unsigned.push((data, None)),
                Err(_) => {}
            }
        }
        signed.into_iter().map(|(data, _, key)| (data, Some(key))).chain(unsigned).collect()
    }

    /// What the crawl did so far.
    #[must_use]
    pub fn stats(&self) -> CrawlStats {
        CrawlStats {
            requests: self.tried.len(),
            responses: self.node_responders.len() + self.values.len(),
            responses_with_nodes: self.node_responders.len(),
            responses_with_values: self.values.len(),
            hops: self
                .value_hops
                .unwrap_or_else(|| self.node_responders.iter().map(|c| c.hop).max().unwrap_or(0)),
        }
    }

    /// The serialized values found, byte-identical ones once, taken round-robin across the
    /// responses (what is cached on [`Crawl::cache_target`]).
    #[must_use]
    pub fn raw_values(&self) -> Vec<Vec<u8>> {
        self.unique_values().into_iter().cloned().collect()
    }

    fn unique_values(&self) -> Vec<&Vec<u8>> {
        let longest = self.values.iter().map(Vec::len).max().unwrap_or(0);
        let mut unique: Vec<&Vec<u8>> = Vec::new();
        for round in 0..longest {
            for value in self.values.iter().filter_map(|values| values.get(round)) {
                if !unique.contains(&value) {
                    unique.push(value);
                }
            }
        }
        unique
    }

    /// Where to cache the values found: the nearest responder that answered with nodes.
    #[must_use]
    pub fn cache_target(&self) -> Option<Peer> {
        if self.values.is_empty() {
            return None;
        }
        self.node_responders
            .iter()
            .min_by(|a, b| self.target.cmp_distance(&a.id, &b.id))
            .map(|c| c.peer.clone())
    }

    /// Marks `from`'s request answered; `None` if we did not ask it (or it answered before).
    fn answered(&mut self, from: &NodeId) -> Option<Candidate> {
        if !self.in_flight.remove(from) {
            return None;
        }
        self.tried.iter().find(|t| t.id == *from).cloned()
    }

    /// Adds a candidate to the todo list, keeping it sorted by distance.
    fn offer(&mut self, candidate: Candidate) {
        let position =
            self.todo.partition_point(|t| self.target.cmp_distance(&t.id, &candidate.id).is_lt());
        self.todo.insert(position, candidate);
        self.todo.truncate(MAX_TODO);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{Curve, PrivateKey};

    fn peers(n: u16) -> Vec<Peer> {
        (0..n)
            .map(|i| {
                let key = PrivateKey::generate(Curve::Curve25519).expect("a key").public_key();
                Peer::new(key, std::net::SocketAddr::from(([10, 1, (i >> 8) as u8, i as u8], 8090)))
            })
            .collect()
    }

    fn id(peer: &Peer) -> NodeId {
        NodeId::of(peer.address().ip(), &peer.mid())
    }

    /// What node `asked` answers for `target`: the eight nodes nearest to the target among those
    /// it "knows" (here: every other node whose id shares its first byte's top bit, plus a few).
    fn answer(all: &[Peer], asked: &NodeId, target: &NodeId) -> Vec<Peer> {
        let mut known: Vec<Peer> = all.iter().filter(|p| id(p) != *asked).cloned().collect();
        known.sort_by(|a, b| target.cmp_distance(&id(a), &id(b)));
        known.truncate(8);
        known
    }

    #[test]
    fn hops_count_the_depth_of_the_first_value() {
        let all = peers(3);
        let target = NodeId::from([0x22; 20]);
        let mut crawl = Crawl::new(target, vec![all[0].clone()]);
        let first = crawl.next_request().expect("the start node");
        crawl.on_nodes(&first.id, vec![all[1].clone()]);
        assert_eq!(crawl.stats().hops, 1, "only the start node answered");
        let second = crawl.next_request().expect("the named node");
        assert_eq!(second.hop, 2);
        crawl.on_values(&second.id, vec![vec![0, 1]]);
        let stats = crawl.stats();
        assert_eq!((stats.hops, stats.requests, stats.responses), (2, 2, 2));
        assert_eq!((stats.responses_with_nodes, stats.responses_with_values), (1, 1));
    }

    #[test]
    fn stuffed_and_repeated_responses_keep_a_crawl_bounded() {
        let all = peers(600);
        let target = NodeId::from([0x11; 20]);
        let mut crawl = Crawl::new(target, all.iter().take(4).cloned().collect());
        let mut rounds = 0;
        while let Some(asked) = crawl.next_request() {
            rounds += 1;
            // Every responder names 250 nodes, the same ones each time, duplicates included.
            let mut stuffed: Vec<Peer> = all.iter().skip(4).take(250).cloned().collect();
            stuffed.extend(stuffed.clone());
            crawl.on_nodes(&asked.id, stuffed);
            // A second answer from the same node is ignored.
            crawl.on_nodes(&asked.id, all.clone());
            assert!(crawl.todo.len() <= MAX_TODO);
            let unique: HashSet<NodeId> = crawl.todo.iter().map(|c| c.id).collect();
            assert_eq!(unique.len(), crawl.todo.len(), "no node twice");
        }
        assert!(crawl.is_done());
        assert!(rounds <= MAX_CRAWL_REQUESTS);
        // Of each response only the first eight nodes were considered.
        let named: HashSet<NodeId> = all.iter().take(4 + MAX_NODES_PER_RESPONSE).map(id).collect();
        assert!(crawl.tried.iter().all(|c| named.contains(&c.id)));
        assert_eq!(crawl.tried.len(), named.len());
    }

    #[test]
    fn a_crawl_converges_on_the_nearest_node_within_its_budget() {
        let all = peers(300);
        let target = NodeId::from([0x5a; 20]);
        let nearest = all.iter().min_by(|a, b| target.cmp_distance(&id(a), &id(b))).cloned();
        let start: Vec<Peer> = all.iter().rev().take(3).cloned().collect();
        let mut crawl = Crawl::new(target, start);
        let mut sent = 0;
        while !crawl.is_done() {
            let asked: Vec<Candidate> = std::iter::from_fn(|| crawl.next_request()).collect();
            assert!(asked.len() <= MAX_CRAWL_TASKS);
            assert!(!asked.is_empty(), "a crawl that is not done has a request to send");
            for candidate in asked {
                sent += 1;
                crawl.on_nodes(&candidate.id, answer(&all, &candidate.id, &target));
            }
        }
        assert!(sent <= MAX_CRAWL_REQUESTS);
        assert_eq!(crawl.nodes().first(), nearest.as_ref(), "found the nearest node");
        let hops = crawl.stats().hops;
        assert!(hops >= 2 && hops <= sent, "{hops} hops in {sent} requests");
    }

    #[test]
    fn helpers_far_nodes_and_strangers() {
        let all = peers(12);
        let target = id(&all[0]);
        let mut crawl = Crawl::new(target, vec![all[5].clone()]);
        let first = crawl.next_request().expect("the start node");
        crawl.on_nodes(&id(&all[9]), vec![all[1].clone()]);
        assert!(crawl.next_request().is_none(), "a stranger's answer adds nothing");
        let mut named: Vec<Peer> = all[1..5].to_vec();
        named.sort_by(|a, b| target.cmp_distance(&id(a), &id(b)));
        crawl.on_nodes(&first.id, named.clone());
        let asked: Vec<Candidate> = std::iter::from_fn(|| crawl.next_request()).collect();
        assert_eq!(asked.len(), 4);
        let first_named = asked.iter().find(|c| c.peer == named[0]).expect("asked");
        assert_eq!(first_named.helper, None, "the responder punctured the first node itself");
        assert!(
            asked
                .iter()
                .filter(|c| c.peer != named[0])
                .all(|c| c.helper.as_ref() == Some(&first.peer))
        );
        // Four wait; a node farther than the fourth is ignored, a nearer one is not.
        let mut crawl = Crawl::new(target, vec![all[5].clone()]);
        let first = crawl.next_request().expect("the start node");
        let mut d: Vec<Peer> = all[1..].iter().filter(|p| **p != all[5]).cloned().collect();
        d.sort_by(|a, b| target.cmp_distance(&id(a), &id(b)));
        let list = vec![
            d[1].clone(),
            d[2].clone(),
            d[3].clone(),
            d[4].clone(),
            d[9].clone(),
            d[0].clone(),
        ];
        crawl.on_nodes(&first.id, list);
        let asked: Vec<Peer> =
            std::iter::from_fn(|| crawl.next_request()).map(|c| c.peer).collect();
        assert_eq!(asked, d[..4], "the nearest four, the late near one included");
        crawl.on_failed(&id(&d[0]));
        assert_eq!(crawl.next_request().map(|c| c.peer), Some(d[4].clone()));
        for peer in &d[1..5] {
            crawl.on_failed(&id(peer));
        }
        assert!(crawl.next_request().is_none(), "the far node was never added");
        assert!(crawl.is_done());
    }

    #[test]
    fn found_values_are_deduplicated_and_the_newest_version_per_signer_wins() {
        let all = peers(3);
        let key = PrivateKey::generate(Curve::Curve25519).expect("a key");
        let mut crawl = Crawl::new(NodeId::from([1; 20]), all.clone());
        let asked: Vec<Candidate> = std::iter::from_fn(|| crawl.next_request()).collect();
        let old = Value::signed(b"old", 1, &key).unwrap();
        let new = Value::signed(b"new", 2, &key).unwrap();
        let plain = Value::unsigned(b"plain").unwrap();
        crawl.on_values(&asked[0].id, vec![plain.clone(), old]);
        crawl.on_values(&asked[1].id, vec![new, plain, vec![9, 9]]);
        crawl.on_nodes(&asked[2].id, Vec::new());
        assert!(crawl.is_done());
        assert_eq!(
            crawl.values(),
            [(b"new".to_vec(), Some(key.public_key())), (b"plain".to_vec(), None)]
        );
        assert_eq!(crawl.cache_target(), Some(asked[2].peer.clone()));
    }
}
