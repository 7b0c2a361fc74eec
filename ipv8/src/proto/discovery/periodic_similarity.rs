//! [`PeriodicSimilarity`]: py-ipv8's `PeriodicSimilarity` (`ipv8/peerdiscovery/community.py`).

use std::time::{Duration, Instant};

use super::{DiscoveryCommunity, Strategy, Walker};

/// Sends a similarity-request to a random verified peer, at most once per interval (1 s), so that
/// peers keep learning which communities the others run. It runs in the DiscoveryCommunity.
///
/// # Examples
///
/// ```
/// use std::time::Instant;
/// use ipv8::crypto::{Curve, PrivateKey};
/// use ipv8::proto::Node;
/// use ipv8::proto::discovery::{DiscoveryCommunity, PeriodicSimilarity};
///
/// let now = Instant::now();
/// let mut node = Node::new(PrivateKey::generate(Curve::Curve25519)?, 1, now);
/// node.add_community(now, DiscoveryCommunity::new())?;
/// node.add_strategy::<DiscoveryCommunity>(PeriodicSimilarity::new(), None)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct PeriodicSimilarity {
    interval: Duration,
    last_step: Option<Instant>,
}

impl Default for PeriodicSimilarity {
    fn default() -> Self {
        Self { interval: Duration::from_secs(1), last_step: None }
    }
}

impl PeriodicSimilarity {
    /// At most one similarity-request per second, as py-ipv8.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the least time between two similarity-requests.
    #[must_use]
    pub fn with_interval(self, interval: Duration) -> Self {
        Self { interval, ..self }
    }
}

impl Strategy<DiscoveryCommunity> for PeriodicSimilarity {
    fn take_step(&mut self, walker: &mut Walker<'_, DiscoveryCommunity>) {
        let now = walker.now();
        if self.last_step.is_some_and(|last| now.duration_since(last) < self.interval) {
            return;
        }
        let peers = walker.verified_peers();
        let Some(peer) = walker.rng().choose(&peers) else { return };
        self.last_step = Some(now);
        DiscoveryCommunity::send_similarity_request(walker.context(), peer.address());
    }
}
