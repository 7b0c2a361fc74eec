//! [`UdpBroadcastBootstrapper`]: LAN discovery by UDP broadcast (spec §4.11, py-ipv8's
//! `UDPBroadcastBootstrapper`).
//!
//! A probe is `0000` ‖ `"IPv8"` ‖ `00` ‖ the overlay's 22-byte prefix (29 bytes), sent to
//! `255.255.255.255` on every port (py-ipv8 listens for probes on an ephemeral port). A node that
//! receives a probe for one of its overlays walks to its sender.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

use super::Bootstrapper;
use crate::proto::packet::PREFIX_LEN;
use crate::proto::{Network, Rng};

/// The 7 bytes every probe starts with: protocol version `0000`, `"IPv8"`, `00`.
const MAGIC: [u8; 7] = [0x00, 0x00, 0x49, 0x50, 0x76, 0x38, 0x00];
/// Length of a probe.
pub const PROBE_LEN: usize = MAGIC.len() + PREFIX_LEN;

/// The probe announcing the overlay with `prefix`.
///
/// # Examples
///
/// ```
/// use ipv8::proto::discovery::{parse_probe, probe};
///
/// let prefix = ipv8::proto::discovery::DiscoveryCommunity::ID.prefix();
/// let bytes = probe(&prefix);
/// assert_eq!(bytes.len(), 29);
/// assert_eq!(parse_probe(&bytes), Some(prefix));
/// ```
#[must_use]
pub fn probe(prefix: &[u8; PREFIX_LEN]) -> Vec<u8> {
    [MAGIC.as_slice(), prefix].concat()
}

/// The overlay prefix a probe announces, if `data` is a probe.
#[must_use]
pub fn parse_probe(data: &[u8]) -> Option<[u8; PREFIX_LEN]> {
    let rest = data.strip_prefix(MAGIC.as_slice())?;
    rest.try_into().ok()
}

/// Probes the LAN by broadcast, at most once per `timeout` (30 s, as py-ipv8).
#[derive(Debug, Clone)]
pub struct UdpBroadcastBootstrapper {
    ports: RangeInclusive<u16>,
    timeout: Duration,
    last: Option<Instant>,
}

impl Default for UdpBroadcastBootstrapper {
    fn default() -> Self {
        Self { ports: 0..=65_534, timeout: Duration::from_secs(30), last: None }
    }
}

impl UdpBroadcastBootstrapper {
    /// Probes every port 0–65534 of 255.255.255.255, as py-ipv8 does.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Probes only these ports (for tests and networks where the port is known).
    #[must_use]
    pub fn with_ports(self, ports: RangeInclusive<u16>) -> Self {
        Self { ports, ..self }
    }

    /// Sets the least time between two rounds of probes.
    #[must_use]
    pub fn with_timeout(self, timeout: Duration) -> Self {
        Self { timeout, ..self }
    }
}

impl Bootstrapper for UdpBroadcastBootstrapper {
    fn bootstrap(&mut self, _now: Instant, _network: &mut Network) -> Vec<SocketAddr> {
        Vec::new()
    }

    fn keep_alive(&mut self, _rng: &mut Rng) -> Option<SocketAddr> {
        None
    }

    fn probes(&mut self, now: Instant) -> Vec<SocketAddr> {
        if self.last.is_some_and(|last| now.duration_since(last) < self.timeout) {
            return Vec::new();
        }
        self.last = Some(now);
        self.ports
            .clone()
            .map(|port| SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::BROADCAST, port)))
            .collect()
    }
}
