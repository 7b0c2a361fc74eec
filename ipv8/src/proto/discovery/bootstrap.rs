//! [`Bootstrapper`] and the built-in [`DispersyBootstrapper`]: where a community without peers starts.

use std::collections::VecDeque;
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

    /// Takes one more bootstrap server (REST `POST /isolation` with `bootstrapnode`); returns
    /// whether this bootstrapper keeps a list of servers and took it. Refused by default.
    fn add_address(&mut self, address: SocketAddr) -> bool {
        let _ = address;
        false
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

    fn add_address(&mut self, address: SocketAddr) -> bool {
        (**self).add_address(address)
    }
}

/// How long after a bootstrap that brought no peer the first retry comes; each further retry
/// waits twice as long, up to the bootstrap timeout.
pub const FIRST_RETRY: Duration = Duration::from_secs(1);
/// Bootstraps (so requests to each server) a community makes in a minute at most.
pub const MAX_BOOTSTRAPS_PER_MINUTE: usize = 6;
const MINUTE: Duration = Duration::from_secs(60);

/// py-ipv8's `DispersyBootstrapper`: known bootstrap servers (trackers), blacklisted so they never
/// become peers. Resolve host names before building it (the runtime does; the core performs no
/// I/O).
///
/// py-ipv8 walks to them at most once per `bootstrap_timeout` (30 s), so a node whose first
/// exchange is lost waits half a minute for its first peer. Here a community that still has no
/// peer retries after 1 s, then 2 s, 4 s, … up to that timeout, and never more than
/// [`MAX_BOOTSTRAPS_PER_MINUTE`] times a minute, so servers see a bounded load.
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
/// assert!(bootstrapper.bootstrap(now + Duration::from_millis(500), &mut network).is_empty());
/// // Still no peer a second later: a retry, then after 2 s, 4 s, ...
/// assert_eq!(bootstrapper.bootstrap(now + Duration::from_secs(1), &mut network), [tracker]);
/// assert!(bootstrapper.bootstrap(now + Duration::from_secs(2), &mut network).is_empty());
/// assert_eq!(bootstrapper.bootstrap(now + Duration::from_secs(3), &mut network), [tracker]);
/// # Ok::<(), std::net::AddrParseError>(())
/// ```
#[derive(Debug, Clone)]
pub struct DispersyBootstrapper {
    addresses: Vec<SocketAddr>,
    timeout: Duration,
    last: Option<Instant>,
    /// Bootstraps in a row with no quiet spell (peers) between them: the backoff's exponent.
    attempts: u32,
    /// When the bootstraps of the last minute were made.
    recent: VecDeque<Instant>,
}

impl DispersyBootstrapper {
    /// Bootstraps from `addresses`; retries back off up to 30 s (py-ipv8's `bootstrap_timeout`).
    #[must_use]
    pub fn new(addresses: Vec<SocketAddr>) -> Self {
        let timeout = Duration::from_secs(30);
        Self { addresses, timeout, last: None, attempts: 0, recent: VecDeque::new() }
    }

    /// Sets the longest time between two bootstraps (the backoff's cap).
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
        if let Some(last) = self.last {
            let since = now.saturating_duration_since(last);
            // Not asked for twice the timeout: the community had peers meanwhile; start over.
            if since >= self.timeout.saturating_mul(2) {
                self.attempts = 0;
            }
            let exponent = self.attempts.saturating_sub(1).min(16);
            let wait = FIRST_RETRY.saturating_mul(1 << exponent).min(self.timeout);
            if since < wait {
                return Vec::new();
            }
        }
        while self.recent.front().is_some_and(|at| now.saturating_duration_since(*at) >= MINUTE) {
            self.recent.pop_front();
        }
        if self.recent.len() >= MAX_BOOTSTRAPS_PER_MINUTE {
            return Vec::new();
        }
        self.recent.push_back(now);
        self.attempts = self.attempts.saturating_add(1);
        self.last = Some(now);
        for address in &self.addresses {
            network.blacklist(*address);
        }
        self.addresses.clone()
    }

    fn keep_alive(&mut self, rng: &mut Rng) -> Option<SocketAddr> {
        rng.choose(&self.addresses).copied()
    }

    /// Bootstraps from `address` too, from the next bootstrap on.
    fn add_address(&mut self, address: SocketAddr) -> bool {
        if !self.addresses.contains(&address) {
            self.addresses.push(address);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dispersy_bootstrapper_takes_more_servers_once() {
        let first: SocketAddr = "127.0.0.1:6421".parse().expect("an address");
        let second: SocketAddr = "127.0.0.1:6422".parse().expect("an address");
        let mut bootstrapper = DispersyBootstrapper::new(vec![first]);
        assert!(bootstrapper.add_address(second));
        assert!(bootstrapper.add_address(second));
        assert_eq!(bootstrapper.addresses(), [first, second]);
        let mut network = Network::default();
        assert_eq!(bootstrapper.bootstrap(Instant::now(), &mut network), [first, second]);
        assert!(network.is_blacklisted(second));
    }

    #[test]
    fn other_bootstrappers_refuse_servers() {
        struct Nothing;
        impl Bootstrapper for Nothing {
            fn bootstrap(&mut self, _: Instant, _: &mut Network) -> Vec<SocketAddr> {
                Vec::new()
            }
            fn keep_alive(&mut self, _: &mut Rng) -> Option<SocketAddr> {
                None
            }
        }
        let address = "127.0.0.1:6421".parse().expect("an address");
        assert!(!Box::new(Nothing).add_address(address));
    }
}
