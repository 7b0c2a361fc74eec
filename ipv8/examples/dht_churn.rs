//! The DHT under churn on the simulator: N nodes, 20% of them leaving and as many new ones joining
//! during a run of virtual time, with lookups of stored keys throughout. Prints the lookup success
//! rate, hop counts (p50/p95) and the wall time.
//!
//! ```sh
//! cargo run --release -p ipv8 --features test-util --example dht_churn -- 10000 60
//! ```
//!
//! The network starts warm, as one that has run for a while: every node's routing table holds up
//! to 8 nodes of each subtree that branches off its own id's path (Kademlia's steady state), with
//! no peer-table entries or messages spent on it. At 8 s, 200 keys are stored from random nodes. From
//! 10 s on, a fifth of the nodes leave for good at random times and as many fresh nodes join as
//! Kademlia nodes do: knowing 16 random online nodes, they look their own id up. From 12 s to 4 s before the end, 1000 lookups of stored keys start
//! from random online nodes, at an even pace. Latency 20 ms ± 10 ms.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use ipv8::proto::dht::{
    CrawlStats, DhtCommunity, FindNodes, FoundValues, LookupValues, NodeId, StoreValue,
};
use ipv8::proto::oneshot::Response;
use ipv8::proto::{AskError, Rng};
use ipv8::testing::{SimConfig, TestNetwork};

const KEYS: usize = 200;
const LOOKUPS: usize = 1000;
const CONTACTS: usize = 16;
const TICK: Duration = Duration::from_millis(100);

type Store = Response<Result<Result<usize, ipv8::proto::dht::DhtError>, AskError>>;
type Lookup =
    Response<Result<Result<(FoundValues, CrawlStats), ipv8::proto::dht::DhtError>, AskError>>;

struct Run {
    net: TestNetwork<DhtCommunity>,
    rng: Rng,
    online: Vec<bool>,
}

impl Run {
    fn random_online(&mut self) -> usize {
        loop {
            let i = usize::try_from(self.rng.below(self.online.len() as u64)).unwrap_or(0);
            if self.online.get(i).copied().unwrap_or(false) {
                return i;
            }
        }
    }

    /// Node `i` learns `CONTACTS` random online nodes (both ways).
    fn meet_random(&mut self, i: usize) {
        for _ in 0..CONTACTS {
            let j = self.random_online();
            if i != j {
                self.net.connect(i, j);
                self.net.connect(j, i);
            }
        }
    }

    /// A node joins: it learns `CONTACTS` random online nodes and looks itself up.
    fn join(&mut self, i: usize) {
        self.meet_random(i);
        let own = NodeId::of(self.net.address(i).ip(), &self.net.mid(i));
        let now = self.net.now();
        // The join's result is not needed: the lookup fills the routing table as it goes.
        drop(self.net.node_mut(i).ask::<DhtCommunity, _>(now, FindNodes { key: *own.as_bytes() }));
        self.net.flush(i);
    }
}

/// Fills every routing table as a long-running network would have: for each depth `d` along a
/// node's id, up to 8 random nodes whose ids share exactly `d` leading bits with it. In the list
/// of ids sorted as numbers, those nodes are one contiguous run.
fn warm_up(run: &mut Run) {
    let nodes = run.online.len();
    let mut by_id: Vec<(NodeId, usize)> =
        (0..nodes).map(|i| (NodeId::of(run.net.address(i).ip(), &run.net.mid(i)), i)).collect();
    by_id.sort_unstable();
    let ids: Vec<NodeId> = by_id.iter().map(|(id, _)| *id).collect();
    for &(own, i) in &by_id {
        let mut contacts = Vec::new();
        for depth in 0..ipv8::proto::dht::DISTANCE_BITS {
            // The sibling subtree at `depth`: our first `depth` bits, then the other bit.
            let (low, high) = subtree(&own, depth);
            let from = ids.partition_point(|id| *id < low);
            let to = ids.partition_point(|id| *id <= high);
            if from >= to {
                continue;
            }
            for _ in 0..8.min(to - from) {
                let pick = from + usize::try_from(run.rng.below((to - from) as u64)).unwrap_or(0);
                if let Some(&(_, j)) = by_id.get(pick) {
                    contacts.push(j);
                }
            }
        }
        for j in contacts {
            let peer = run.net.peer(j);
            run.net.with_overlay(i, |dht, ctx| {
                dht.learn(ctx, &peer);
            });
        }
    }
}

/// The lowest and highest ids of the subtree that shares `depth` leading bits with `own` and
/// differs from it in the next one.
fn subtree(own: &NodeId, depth: usize) -> (NodeId, NodeId) {
    let mut low = [0_u8; 20];
    let mut high = [0xff_u8; 20];
    for bit in 0..=depth {
        let set = if bit == depth { !own.bit(bit) } else { own.bit(bit) };
        let mask = 0x80 >> (bit % 8);
        if let (Some(l), Some(h)) = (low.get_mut(bit / 8), high.get_mut(bit / 8)) {
            if set {
                *l |= mask;
            } else {
                *h &= !mask;
            }
        }
    }
    (NodeId::from(low), NodeId::from(high))
}

fn percentile(sorted: &[usize], p: f64) -> usize {
    if sorted.is_empty() {
        return 0;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted.get(index).copied().unwrap_or(0)
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[allow(clippy::cast_precision_loss, clippy::too_many_lines, reason = "a measurement script")]
fn main() {
    let mut args = std::env::args().skip(1);
    let nodes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(60);
    let started = Instant::now();
    let config = SimConfig::new(3)
        .with_connect_all(false)
        .with_latency(Duration::from_millis(20))
        .with_jitter(Duration::from_millis(10));
    let net = TestNetwork::with_config(config, nodes, |_| DhtCommunity::new());
    let mut run = Run { net, rng: Rng::new(4), online: vec![true; nodes] };
    warm_up(&mut run);

    let churn = nodes / 5;
    let end = Duration::from_secs(seconds);
    let churn_window = (Duration::from_secs(10), end.saturating_sub(Duration::from_secs(5)));
    let lookup_window = (Duration::from_secs(12), end.saturating_sub(Duration::from_secs(4)));
    let span = |rng: &mut Rng, (from, to): (Duration, Duration)| {
        let width = to.saturating_sub(from).as_millis().max(1) as u64;
        from + Duration::from_millis(rng.below(width))
    };
    let mut leaves: Vec<Duration> = (0..churn).map(|_| span(&mut run.rng, churn_window)).collect();
    let mut joins: Vec<Duration> = (0..churn).map(|_| span(&mut run.rng, churn_window)).collect();
    leaves.sort();
    joins.sort();
    let lookup_step = lookup_window.1.saturating_sub(lookup_window.0) / LOOKUPS as u32;

    let mut elapsed = Duration::ZERO;
    let mut pending_stores: Vec<(usize, Store)> = Vec::new();
    let mut stored: HashMap<usize, bool> = HashMap::new();
    let mut lookups: Vec<(usize, Lookup)> = Vec::new();
    let (mut found, mut failed, mut hops) = (0_usize, 0_usize, Vec::new());
    let (mut left, mut joined, mut started_lookups) = (0, 0, 0);
    while elapsed < end {
        if elapsed == Duration::from_secs(8) {
            for key in 0..KEYS {
                let i = run.random_online();
                let now = run.net.now();
                let request = StoreValue { key: key_of(key), data: value_of(key), version: None };
                pending_stores
                    .push((key, run.net.node_mut(i).ask::<DhtCommunity, _>(now, request)));
                run.net.flush(i);
            }
        }
        while leaves.get(left).is_some_and(|at| *at <= elapsed) {
            let i = run.random_online();
            run.net.set_online(i, false);
            run.online[i] = false;
            left += 1;
        }
        while joins.get(joined).is_some_and(|at| *at <= elapsed) {
            let i = run.net.add_node(|node, now| {
                let _ = node.add_community(now, DhtCommunity::new());
            });
            run.online.push(true);
            run.join(i);
            joined += 1;
        }
        while started_lookups < LOOKUPS
            && lookup_window.0 + lookup_step * started_lookups as u32 <= elapsed
        {
            let keys: Vec<usize> = stored.iter().filter(|(_, ok)| **ok).map(|(k, _)| *k).collect();
            let Some(&key) = run.rng.choose(&keys) else { break };
            let i = run.random_online();
            let now = run.net.now();
            lookups.push((
                key,
                run.net.node_mut(i).ask::<DhtCommunity, _>(now, LookupValues { key: key_of(key) }),
            ));
            run.net.flush(i);
            started_lookups += 1;
        }
        run.net.advance(TICK);
        elapsed += TICK;
        pending_stores.retain(|(key, response)| match response.try_take() {
            Some(answer) => {
                stored.insert(*key, matches!(answer, Ok(Ok(Ok(n))) if n > 0));
                false
            }
            None => true,
        });
        lookups.retain(|(key, response)| match response.try_take() {
            Some(Ok(Ok(Ok((values, stats)))))
                if values.iter().any(|(data, _)| *data == value_of(*key)) =>
            {
                found += 1;
                hops.push(stats.hops);
                false
            }
            Some(_) => {
                failed += 1;
                false
            }
            None => true,
        });
    }
    failed += lookups.len();
    let handled: u64 =
        (0..run.online.len()).map(|i| run.net.node(i).stats().handled.values().sum::<u64>()).sum();
    hops.sort_unstable();
    let wall = started.elapsed();
    let total = found + failed;
    let rate = if total == 0 { 0.0 } else { found as f64 * 100.0 / total as f64 };
    let stored_ok = stored.values().filter(|ok| **ok).count();
    println!(
        "nodes={nodes} virtual_s={seconds} wall_s={:.2} left={left} joined={joined} keys_stored={stored_ok}/{KEYS} \
         lookups={total} found={found} success_pct={rate:.2} hops_p50={} hops_p95={} hops_max={} \
         handled={handled} lost_datagrams={} peak_rss_mib={:.1}",
        wall.as_secs_f64(),
        percentile(&hops, 0.5),
        percentile(&hops, 0.95),
        hops.last().copied().unwrap_or(0),
        run.net.lost(),
        peak_rss_kib().unwrap_or_default() as f64 / 1024.0,
    );
}

fn key_of(key: usize) -> [u8; 20] {
    let mut bytes = [0x6b; 20];
    bytes[..8].copy_from_slice(&(key as u64).to_be_bytes());
    let digest = ipv8::crypto::Mid::hash(&bytes);
    *digest.as_bytes()
}

fn value_of(key: usize) -> Vec<u8> {
    format!("value {key}").into_bytes()
}
