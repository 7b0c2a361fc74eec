//! [`TunnelSettings`]: the limits and roles of a tunnel community (py-ipv8's `TunnelSettings`, spec
//! `tunnels.md` §9), with py-ipv8's defaults.

use std::time::Duration;

use super::PeerFlags;

/// How a tunnel community builds, joins and ends circuits.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ipv8::proto::tunnel::{PeerFlags, TunnelSettings};
///
/// let mut settings = TunnelSettings::default();
/// settings.peer_flags = PeerFlags::RELAY | PeerFlags::EXIT_BT;
/// settings.max_time_inactive = Duration::from_secs(30);
/// assert_eq!(settings.max_circuits, 8);
/// assert_eq!(settings.tries_per_hop(), 6, "60 s to build / 10 s per hop");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TunnelSettings {
    /// Circuits below which `tunnels_ready` reports less than complete (py-ipv8 documents it but
    /// does not use it; neither do we).
    pub min_circuits: usize,
    /// Circuits built per hop count asked for with `BuildTunnels`.
    pub max_circuits: usize,
    /// Circuits of others this node serves at once as relay or exit; more creates are refused.
    pub max_joined_circuits: usize,
    /// Of those, how many one previous hop (one address) may have made (py-ipv8 has no such
    /// limit: one peer could take every slot).
    pub max_joined_per_peer: usize,
    /// Age at which a circuit or exit is removed.
    pub max_time: Duration,
    /// Age at which an introduction point's circuit is removed.
    pub max_time_ip: Duration,
    /// Idle time after which a ready circuit, relay or exit is removed.
    pub max_time_inactive: Duration,
    /// Bytes up and down after which a circuit, relay or exit is destroyed.
    pub max_traffic: u64,
    /// Time a circuit may take to build.
    pub circuit_timeout: Duration,
    /// Time during which the originator may ask a hop to extend again (to another next hop).
    pub unstable_timeout: Duration,
    /// Time one hop may take to answer before the next candidate is tried.
    pub next_hop_timeout: Duration,
    /// Time a closing circuit lingers before it is forgotten (late cells still count).
    pub remove_tunnel_delay: Duration,
    /// Least time between two lookups of a hidden-service swarm.
    pub swarm_lookup_interval: Duration,
    /// Connections a hidden-service swarm keeps.
    pub swarm_connection_limit: usize,
    /// What this node offers others (relaying, exiting, speed tests); advertised in introductions.
    pub peer_flags: PeerFlags,
    /// Cells with the relay-early flag a circuit may send, and a relay may pass.
    pub max_relay_early: u32,
}

impl Default for TunnelSettings {
    fn default() -> Self {
        Self {
            min_circuits: 1,
            max_circuits: 8,
            max_joined_circuits: 100,
            max_joined_per_peer: 25,
            max_time: Duration::from_secs(3600),
            max_time_ip: Duration::from_secs(24 * 3600),
            max_time_inactive: Duration::from_secs(20),
            max_traffic: 10 * 1024 * 1024 * 1024,
            circuit_timeout: Duration::from_secs(60),
            unstable_timeout: Duration::from_secs(60),
            next_hop_timeout: Duration::from_secs(10),
            remove_tunnel_delay: Duration::from_secs(5),
            swarm_lookup_interval: Duration::from_secs(30),
            swarm_connection_limit: 15,
            peer_flags: PeerFlags::DEFAULT,
            max_relay_early: 8,
        }
    }
}

impl TunnelSettings {
    /// Candidates tried for one hop before a circuit gives up (`circuit_timeout //
    /// next_hop_timeout`, at least 1).
    #[must_use]
    pub fn tries_per_hop(&self) -> u32 {
        let per_hop = self.next_hop_timeout.as_millis().max(1);
        u32::try_from(self.circuit_timeout.as_millis() / per_hop).unwrap_or(u32::MAX).max(1)
    }

    /// Whether this node exits data (it has `EXIT_BT` or `EXIT_IPV8`).
    #[must_use]
    pub fn is_exit(&self) -> bool {
        self.peer_flags.contains(PeerFlags::EXIT_BT)
            || self.peer_flags.contains(PeerFlags::EXIT_IPV8)
    }
}
