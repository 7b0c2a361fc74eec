//! What a node learns of its own NAT from the addresses peers saw it at: each
//! introduction-response says where its sender saw the request come from. Two senders at different
//! IPs that saw the same address mean a NAT that keeps one public port for all destinations (a
//! cone, or no NAT); the same IP with different ports means one public port per destination (a
//! symmetric NAT). Birthday punching uses it to skip the half of a try that cannot work from
//! here.

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// How the node's NAT maps its endpoint toward different destinations, as far as it knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum NatMapping {
    /// Fewer than two peers at different IPs have said where they saw the node lately.
    #[default]
    Unknown,
    /// Peers at different IPs saw the same address: one public port for every destination (a
    /// cone NAT, or none).
    EndpointIndependent,
    /// Peers at different IPs saw the same IP with different ports: a port per destination (a
    /// symmetric NAT).
    EndpointDependent,
}

/// How many reports are kept (the latest per reporting IP).
const KEPT: usize = 16;
/// How long a report counts.
const FRESH_FOR: Duration = Duration::from_secs(600);

/// The latest address each reporting IP saw the node at, and when.
#[derive(Debug, Default)]
pub(crate) struct Sightings {
    reports: VecDeque<(Instant, IpAddr, SocketAddr)>,
}

impl Sightings {
    /// Records that the peer at `reporter` saw the node at `seen` (a public address), at `now`.
    pub(crate) fn record(&mut self, now: Instant, reporter: SocketAddr, seen: SocketAddr) {
        self.reports.retain(|(_, ip, _)| *ip != reporter.ip());
        if self.reports.len() >= KEPT {
            self.reports.pop_front();
        }
        self.reports.push_back((now, reporter.ip(), seen));
    }

    /// What the fresh reports at `now` say of the node's NAT.
    pub(crate) fn mapping(&self, now: Instant) -> NatMapping {
        let fresh: Vec<SocketAddr> = self
            .reports
            .iter()
            .filter(|(at, _, _)| now.saturating_duration_since(*at) < FRESH_FOR)
            .map(|(_, _, seen)| *seen)
            .collect();
        let Some(latest) = fresh.last() else { return NatMapping::Unknown };
        let same_ip: Vec<&SocketAddr> = fresh.iter().filter(|s| s.ip() == latest.ip()).collect();
        if same_ip.iter().any(|s| s.port() != latest.port()) {
            NatMapping::EndpointDependent
        } else if same_ip.len() >= 2 {
            NatMapping::EndpointIndependent
        } else {
            NatMapping::Unknown
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ip: [u8; 4], port: u16) -> SocketAddr {
        SocketAddr::from((ip, port))
    }

    #[test]
    fn two_reporters_tell_a_cone_from_a_symmetric_nat() {
        let now = Instant::now();
        let mut cone = Sightings::default();
        cone.record(now, at([1, 1, 1, 1], 8090), at([5, 5, 5, 5], 7000));
        assert_eq!(cone.mapping(now), NatMapping::Unknown, "one reporter");
        cone.record(now, at([1, 1, 1, 1], 8091), at([5, 5, 5, 5], 7001));
        assert_eq!(cone.mapping(now), NatMapping::Unknown, "the same reporting IP again");
        cone.record(now, at([2, 2, 2, 2], 8090), at([5, 5, 5, 5], 7001));
        assert_eq!(cone.mapping(now), NatMapping::EndpointIndependent);

        let mut symmetric = Sightings::default();
        symmetric.record(now, at([1, 1, 1, 1], 8090), at([5, 5, 5, 5], 7000));
        symmetric.record(now, at([2, 2, 2, 2], 8090), at([5, 5, 5, 5], 41_234));
        assert_eq!(symmetric.mapping(now), NatMapping::EndpointDependent);
        assert_eq!(symmetric.mapping(now + FRESH_FOR), NatMapping::Unknown, "reports go stale");
    }

    #[test]
    fn keeps_a_bounded_number_of_reports() {
        let now = Instant::now();
        let mut sightings = Sightings::default();
        for n in 0..100u8 {
            sightings.record(now, at([1, 1, 1, n], 1), at([5, 5, 5, 5], 7000));
        }
        assert_eq!(sightings.reports.len(), KEPT);
        assert_eq!(sightings.mapping(now), NatMapping::EndpointIndependent);
    }
}
