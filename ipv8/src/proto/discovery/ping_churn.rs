//! [`PingChurn`]: the liveness part of py-ipv8's DHT `PingChurn` (`ipv8/dht/churn.py`).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::time::{Duration, Instant};

use super::{Ping, Strategy, Walker};
use crate::crypto::PublicKey;
use crate::proto::Peer;

/// Unanswered pings in a row after which a peer is dropped (py-ipv8's DHT: `failed >= 2`).
const MAX_FAILED: u8 = 2;

/// What `PingChurn` knows of one peer.
#[derive(Debug, Clone, Copy)]
struct Pinged {
    sent_at: Instant,
    /// Whether the last ping was judged answered or not yet.
    judged: bool,
    failed: u8,
}

/// Pings every peer of its community once per `ping_interval` (25 s) and drops a peer after two
/// pings in a row went unanswered (py-ipv8's DHT node status "bad": two failed requests).
///
/// A ping counts as answered when any datagram arrived from the peer within `ping_timeout` (5 s)
/// of it. It runs in a community that can [`Ping`]: the DiscoveryCommunity, the DHT.
///
/// # Examples
///
/// ```
/// use std::time::Instant;
/// use ipv8::crypto::{Curve, PrivateKey};
/// use ipv8::proto::Node;
/// use ipv8::proto::discovery::{DiscoveryCommunity, PingChurn};
///
/// let now = Instant::now();
/// let mut node = Node::new(PrivateKey::generate(Curve::Curve25519)?, 1, now);
/// node.add_community(now, DiscoveryCommunity::new())?;
/// let churn = PingChurn::new().with_ping_interval(std::time::Duration::from_secs(10));
/// node.add_strategy::<DiscoveryCommunity>(churn, None)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PingChurn {
    ping_interval: Duration,
    ping_timeout: Duration,
    pinged: HashMap<PublicKey, Pinged>,
}

impl fmt::Debug for PingChurn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PingChurn")
            .field("ping_interval", &self.ping_interval)
            .field("ping_timeout", &self.ping_timeout)
            .field("pinged", &self.pinged.len())
            .finish_non_exhaustive()
    }
}

impl Default for PingChurn {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(25),
            ping_timeout: Duration::from_secs(5),
            pinged: HashMap::new(),
        }
    }
}

impl PingChurn {
    /// A ping churn with py-ipv8's DHT defaults: a ping every 25 s, answered within 5 s.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the time between two pings to the same peer.
    #[must_use]
    pub fn with_ping_interval(self, ping_interval: Duration) -> Self {
        Self { ping_interval, ..self }
    }

    /// Sets how long a peer has to answer a ping.
    #[must_use]
    pub fn with_ping_timeout(self, ping_timeout: Duration) -> Self {
        Self { ping_timeout, ..self }
    }

    /// Judges the last ping to `peer` once its timeout passed; returns whether to drop the peer.
    fn judge<C: Ping>(&mut self, walker: &Walker<'_, C>, peer: &Peer, now: Instant) -> bool {
        let Some(pinged) = self.pinged.get_mut(peer.key()) else { return false };
        if !pinged.judged && now.duration_since(pinged.sent_at) >= self.ping_timeout {
            let last = walker.network().get(peer.key()).and_then(|e| e.last_response);
            let answered = last.is_some_and(|last| last > pinged.sent_at);
            pinged.failed = if answered { 0 } else { pinged.failed.saturating_add(1) };
            pinged.judged = true;
        }
        pinged.failed >= MAX_FAILED
    }
}

impl<C: Ping> Strategy<C> for PingChurn {
    fn take_step(&mut self, walker: &mut Walker<'_, C>) {
        let now = walker.now();
        let peers = walker.peers();
        let current: HashSet<_> = peers.iter().map(Peer::key).collect();
        self.pinged.retain(|key, _| current.contains(key));
        for peer in peers {
            if walker.network().is_blacklisted(peer.address()) {
                continue;
            }
            if self.judge(walker, &peer, now) {
                self.pinged.remove(peer.key());
                walker.remove_peer(peer.key());
                continue;
            }
            let failed = self.pinged.get(peer.key()).map_or(0, |p| p.failed);
            let due = self
                .pinged
                .get(peer.key())
                .is_none_or(|p| now.duration_since(p.sent_at) >= self.ping_interval);
            if due {
                self.pinged
                    .insert(peer.key().clone(), Pinged { sent_at: now, judged: false, failed });
                walker.send_ping(&peer);
            }
        }
    }
}
