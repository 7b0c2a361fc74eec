//! [`Strategy`] and the built-in [`RandomWalk`]: how a community looks for peers on each walker tick.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::Walker;
use crate::proto::Community;

/// A discovery strategy of community `C` (py-ipv8's `DiscoveryStrategy`): one step per walker
/// tick, with typed access to the community through the [`Walker`]. Strategies that work in any
/// community implement it for every `C: Community`.
///
/// # Examples
///
/// ```
/// use std::time::Instant;
/// use ipv8::crypto::{Curve, PrivateKey};
/// use ipv8::proto::{Community, Node};
/// use ipv8::proto::discovery::{DiscoveryCommunity, Strategy, Walker};
///
/// /// Asks a random peer for an introduction on every tick, in any community.
/// struct AlwaysAsk;
///
/// impl<C: Community> Strategy<C> for AlwaysAsk {
///     fn take_step(&mut self, walker: &mut Walker<'_, C>) {
///         walker.get_new_introduction();
///     }
/// }
///
/// let now = Instant::now();
/// let mut node = Node::new(PrivateKey::generate(Curve::Curve25519)?, 1, now);
/// node.add_community(now, DiscoveryCommunity::new())?;
/// node.add_strategy::<DiscoveryCommunity>(AlwaysAsk, None)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Strategy<C>: Send {
    /// Takes one step: send introduction-requests, pings, forget stale addresses, ...
    fn take_step(&mut self, walker: &mut Walker<'_, C>);
}

/// py-ipv8's `RandomWalk`: walk to random introduced addresses, at most `window_size` at a time,
/// and sometimes ask a known peer (or a bootstrap server) for a new introduction instead.
#[derive(Debug, Clone)]
pub struct RandomWalk {
    timeout: Duration,
    window_size: usize,
    reset_chance: u64,
    pending: HashMap<SocketAddr, Instant>,
}

impl Default for RandomWalk {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(3),
            window_size: 5,
            reset_chance: 50,
            pending: HashMap::new(),
        }
    }
}

impl RandomWalk {
    /// A random walk with py-ipv8's defaults: 3 s timeout, 5 outstanding walks, reset chance 50/256.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets how long a walk may stay unanswered.
    #[must_use]
    pub fn with_timeout(self, timeout: Duration) -> Self {
        Self { timeout, ..self }
    }

    /// Sets how many walks may be outstanding.
    #[must_use]
    pub fn with_window_size(self, window_size: usize) -> Self {
        Self { window_size, ..self }
    }

    /// Sets the chance, out of 256, of asking for a new introduction instead of walking.
    #[must_use]
    pub fn with_reset_chance(self, reset_chance: u8) -> Self {
        Self { reset_chance: u64::from(reset_chance), ..self }
    }
}

impl<C: Community> Strategy<C> for RandomWalk {
    fn take_step(&mut self, walker: &mut Walker<'_, C>) {
        let now = walker.now();
        let expired: Vec<_> = self
            .pending
            .iter()
            .filter(|(_, since)| now.duration_since(**since) >= self.timeout)
            .map(|(a, _)| *a)
            .collect();
        for address in expired {
            self.pending.remove(&address);
            if !walker.is_verified(address) {
                walker.forget_walkable(address);
            }
        }
        if self.pending.len() >= self.window_size {
            return;
        }
        let candidates: Vec<_> =
            walker.walkable().into_iter().filter(|a| !self.pending.contains_key(a)).collect();
        let walk = walker.rng().below(256) >= self.reset_chance;
        match walker.rng().choose(&candidates).copied() {
            Some(address) if walk => {
                self.pending.insert(address, now);
                walker.walk_to(address);
            }
            _ => walker.get_new_introduction(),
        }
    }
}
