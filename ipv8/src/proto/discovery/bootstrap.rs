//! [`Bootstrapper`] and the built-in [`DispersyBootstrapper`]: where a community without peers starts.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::proto::{Network, Rng};

/// A source of first contacts (py-ipv8's `Bootstrapper`), sans-IO: it names addresses to walk to.
pub trait Bootstrapper: Send {
    /// Addresses to send introduction-requests to now (it may rate-limit itself).
    fn bootstrap(&mut self, now: Instant, network: &mut Network) -> Vec<SocketAddr>;

    /// One address to keep alive, if any.
    fn keep_alive(&mut self, rng: &mut Rng) -> Option<SocketAddr>;

    /// Addresses to send the overlay's broadcast probe to now (LAN discovery); none by default.
    fn probes(&mut self, now: Instant) -> Vec<SocketAddr> {
        let _ = now;
        Vec::new()
    }
}

impl<B: Bootstrapper + ?Sized> Bootstrapper for Box<B> {
    fn bootstrap(&mut self, now: Instant, network: &mut Network) -> Vec<SocketAddr> {
        (**self).bootstrap(now, network)
    }

    fn keep_alive(&mut self, rng: &mut Rng) -> Option<SocketAddr> {
        (**self).keep_alive(rng)
    }

    fn probes(&mut self, now: Instant) -> Vec<SocketAddr> {
        (**self).probes(now)
    }
}

/// py-ipv8's `DispersyBootstrapper`: known bootstrap servers (trackers), walked to at most once per
/// `bootstrap_timeout`; they are blacklisted so they never become peers. Resolve host names before
/// building it (the runtime does; the core performs no I/O).
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use ipv8::proto::Network;
/// use ipv8::proto::discovery::{Bootstrapper, DispersyBootstrapper};
///
/// let tracker = "127.0.0.1:6421".parse()?;
/// let mut bootstrapper = DispersyBootstrapper::new(vec![tracker]);
/// let mut network = Network::default();
/// let now = Instant::now();
/// assert_eq!(bootstrapper.bootstrap(now, &mut network), [tracker]);
/// assert!(network.is_blacklisted(tracker));
/// assert!(bootstrapper.bootstrap(now + Duration::from_secs(1), &mut network).is_empty());
/// # Ok::<(), std::net::AddrParseError>(())
/// ```
#[derive(Debug, Clone)]
pub struct DispersyBootstrapper {
    addresses: Vec<SocketAddr>,
    timeout: Duration,
    last: Option<Instant>,
}

impl DispersyBootstrapper {
    /// Bootstraps from `addresses`, at most once per 30 s (py-ipv8's `bootstrap_timeout`).
    #[must_use]
    pub fn new(addresses: Vec<SocketAddr>) -> Self {
        Self { addresses, timeout: Duration::from_secs(30), last: None }
    }

    /// Sets the least time between two bootstraps.
    #[must_use]
    pub fn with_timeout(self, timeout: Duration) -> Self {
        Self { timeout, ..self }
    }

    /// The bootstrap addresses.
    #[must_use]
    pub fn addresses(&self) -> &[SocketAddr] {
        &self.addresses
    }
}

impl Bootstrapper for DispersyBootstrapper {
    fn bootstrap(&mut self, now: Instant, network: &mut Network) -> Vec<SocketAddr> {
        if self.last.is_some_and(|last| now.duration_since(last) < self.timeout) {
            return Vec::new();
        }
        self.last = Some(now);
        for address in &self.addresses {
            network.blacklist(*address);
        }
        self.addresses.clone()
    }

    fn keep_alive(&mut self, rng: &mut Rng) -> Option<SocketAddr> {
        rng.choose(&self.addresses).copied()
    }
}
