//! [`SimConfig`]: the seed and link model of a simulated network.

use std::time::Duration;

/// Seed, latency, jitter and loss of a [`TestNetwork`](super::TestNetwork).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ipv8::testing::SimConfig;
///
/// let lossy = SimConfig::new(7).with_latency(Duration::from_millis(20)).with_loss(0.1);
/// assert_eq!(lossy.seed, 7);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    /// Seeds every random choice: node keys, the nodes' RNGs, jitter and loss.
    pub seed: u64,
    /// One-way delay of every datagram.
    pub latency: Duration,
    /// Extra random delay, up to this much, per datagram (so datagrams can overtake each other).
    pub jitter: Duration,
    /// Probability that a datagram is lost.
    pub loss: f64,
    /// How far [`deliver_messages`](super::TestNetwork::deliver_messages) may run virtual time.
    pub horizon: Duration,
    /// Whether every node starts as a verified peer of every other (as in py-ipv8's `TestBase`);
    /// turn it off for large networks and link nodes with [`TestNetwork::connect`](super::TestNetwork::connect).
    pub connect_all: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self::new(0)
    }
}

impl SimConfig {
    /// A reliable network with 1 ms latency, seeded with `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            latency: Duration::from_millis(1),
            jitter: Duration::ZERO,
            loss: 0.0,
            horizon: Duration::from_secs(60),
            connect_all: true,
        }
    }

    /// Sets the one-way latency.
    #[must_use]
    pub fn with_latency(self, latency: Duration) -> Self {
        Self { latency, ..self }
    }

    /// Sets the random extra delay.
    #[must_use]
    pub fn with_jitter(self, jitter: Duration) -> Self {
        Self { jitter, ..self }
    }

    /// Sets the loss probability (0.0 to 1.0).
    #[must_use]
    pub fn with_loss(self, loss: f64) -> Self {
        Self { loss, ..self }
    }

    /// Sets whether all nodes start connected to each other.
    #[must_use]
    pub fn with_connect_all(self, connect_all: bool) -> Self {
        Self { connect_all, ..self }
    }

    /// Sets how far `deliver_messages` may run virtual time.
    #[must_use]
    pub fn with_horizon(self, horizon: Duration) -> Self {
        Self { horizon, ..self }
    }
}
