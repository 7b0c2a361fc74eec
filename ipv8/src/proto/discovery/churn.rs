//! [`RandomChurn`]: py-ipv8's `RandomChurn` (`ipv8/peerdiscovery/churn.py`): ping peers that went
//! quiet, and drop those that stay quiet.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::{Ping, Strategy, Walker};
use crate::proto::{Peer, PeerEntry};

/// Checks a random sample of verified peers on every step: a peer silent for longer than
/// `drop_time` that was pinged is removed from the whole network (its communities are told); a
/// peer silent for longer than `inactive_time`, or with fewer than
/// [`PeerEntry::MAX_PINGS`] round-trip times, is pinged, at most once per `ping_interval`.
///
/// "Silent" counts from the last datagram of any kind that arrived from the peer's address. A peer
/// from which nothing arrived since it was verified is never dropped, as in py-ipv8. It runs in a
/// community that can [`Ping`], such as the [`DiscoveryCommunity`](super::DiscoveryCommunity).
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use ipv8::crypto::{Curve, PrivateKey};
/// use ipv8::proto::Node;
/// use ipv8::proto::discovery::{DiscoveryCommunity, RandomChurn};
///
/// let now = Instant::now();
/// let mut node = Node::new(PrivateKey::generate(Curve::Curve25519)?, 1, now);
/// node.add_community(now, DiscoveryCommunity::new())?;
/// let churn = RandomChurn::new().with_drop_time(Duration::from_secs(30));
/// node.add_strategy::<DiscoveryCommunity>(churn, None)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct RandomChurn {
    sample_size: usize,
    ping_interval: Duration,
    inactive_time: Duration,
    drop_time: Duration,
    /// When each address was last pinged by this strategy.
    pinged: HashMap<SocketAddr, Instant>,
}

impl Default for RandomChurn {
    fn default() -> Self {
        Self {
            sample_size: 8,
            ping_interval: Duration::from_secs(10),
            inactive_time: Duration::from_millis(27_500),
            drop_time: Duration::from_millis(57_500),
            pinged: HashMap::new(),
        }
    }
}

impl RandomChurn {
    /// A churn with py-ipv8's defaults: 8 peers per step, pings at most every 10 s, inactive after
    /// 27.5 s, dropped after 57.5 s.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets how many peers are checked per step.
    #[must_use]
    pub fn with_sample_size(self, sample_size: usize) -> Self {
        Self { sample_size, ..self }
    }

    /// Sets the least time between two pings to the same peer.
    #[must_use]
    pub fn with_ping_interval(self, ping_interval: Duration) -> Self {
        Self { ping_interval, ..self }
    }

    /// Sets the silence after which a peer is pinged.
    #[must_use]
    pub fn with_inactive_time(self, inactive_time: Duration) -> Self {
        Self { inactive_time, ..self }
    }

    /// Sets the silence after which a pinged peer is dropped.
    #[must_use]
    pub fn with_drop_time(self, drop_time: Duration) -> Self {
        Self { drop_time, ..self }
    }

    /// Drops, pings or leaves one peer.
    fn check<C: Ping>(&mut self, walker: &mut Walker<'_, C>, peer: &Peer, now: Instant) {
        let Some(entry) = walker.network().get(peer.key()) else { return };
        let silent = entry.last_response.map(|last| now.saturating_duration_since(last));
        let address = peer.address();
        if silent.is_some_and(|s| s > self.drop_time) && self.pinged.remove(&address).is_some() {
            walker.remove_peer(peer.key());
            return;
        }
        let inactive = silent.is_some_and(|s| s > self.inactive_time);
        if !inactive && entry.pings.len() >= PeerEntry::MAX_PINGS {
            return;
        }
        if self.pinged.get(&address).is_some_and(|at| now.duration_since(*at) > self.ping_interval)
        {
            self.pinged.remove(&address);
        }
        if let Entry::Vacant(vacant) = self.pinged.entry(address) {
            vacant.insert(now);
            walker.send_ping(peer);
        }
    }
}

impl<C: Ping> Strategy<C> for RandomChurn {
    fn take_step(&mut self, walker: &mut Walker<'_, C>) {
        let now = walker.now();
        self.pinged.retain(|address, _| walker.is_verified(*address));
        for peer in walker.sample_verified_peers(self.sample_size) {
            self.check(walker, &peer, now);
        }
    }
}
