//! [`launch`]: a node built from a configuration, on the tokio runtime: bootstrap host names
//! resolved, sockets bound, the node spawned.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::time::Instant;

use super::build::{bootstrap_of, build_with};
use super::{LaunchError, OverlayRegistry};
use crate::config::{Config, Transport};
use crate::proto::Node;
use crate::runtime::{Endpoint, EndpointConfig, Events, LocalAddrs, NodeHandle};

/// A running node.
pub struct Launched {
    /// Talks to the node.
    pub handle: NodeHandle,
    /// The node's events.
    pub events: Events,
    /// The node's task; it returns the node when the handle shuts it down.
    pub task: tokio::task::JoinHandle<Node>,
    /// The bound addresses.
    pub addresses: LocalAddrs,
    /// Overlay classes of the configuration that this build does not provide.
    pub skipped: Vec<String>,
}

/// Starts a node as `config` describes, with the overlays `registry` provides.
///
/// # Errors
///
/// An invalid configuration, an unusable key file, a socket that cannot be bound, a walker with an
/// unknown strategy, or no runnable overlay at all.
pub async fn launch(config: &Config, registry: &OverlayRegistry) -> Result<Launched, LaunchError> {
    config.validate()?;
    let mut bootstraps = Vec::with_capacity(config.overlays.len());
    for overlay in &config.overlays {
        let mut bootstrap = bootstrap_of(overlay)?;
        for (host, port) in std::mem::take(&mut bootstrap.names) {
            // A name that does not resolve is skipped, as py-ipv8 does.
            if let Ok(found) = tokio::net::lookup_host((host.as_str(), port)).await {
                bootstrap.addresses.extend(found.filter(SocketAddr::is_ipv4));
            }
        }
        bootstraps.push(bootstrap);
    }
    let endpoint = Endpoint::bind(&endpoint_config(config))?;
    let addresses = endpoint.local_addrs();
    let address = addresses.ipv4().map(|a| lan_address(a, local_ipv4_addresses()));
    let mut built = build_with(config, registry, Instant::now(), 0, address, bootstraps)?;
    // Identifiers on a real network must not be predictable: a generator from the OS.
    built.node.set_rng(crate::proto::Rng::from_os());
    let (handle, events, task) = crate::runtime::spawn(built.node, endpoint);
    Ok(Launched { handle, events, task, addresses, skipped: built.skipped })
}

fn endpoint_config(config: &Config) -> EndpointConfig {
    let mut endpoint = EndpointConfig::new().without_ipv4().without_ipv6();
    for interface in &config.interfaces {
        match (interface.transport, interface.bind_address()) {
            (Transport::UdpIpv4, SocketAddr::V4(v4)) => endpoint = endpoint.with_ipv4(v4),
            (Transport::UdpIpv6, SocketAddr::V6(v6)) => endpoint = endpoint.with_ipv6(v6),
            (Transport::UdpIpv4, _) => {
                endpoint = endpoint.with_ipv4(SocketAddrV4::new([0, 0, 0, 0].into(), 8090));
            }
            (Transport::UdpIpv6, _) => {
                endpoint = endpoint.with_ipv6(SocketAddrV6::new([0; 16].into(), 8090, 0, 0));
            }
        }
    }
    endpoint
}

/// The address to advertise as our LAN address: the bound one, or, for a wildcard bind, the first
/// local IPv4 address that is not loopback (py-ipv8's guess), falling back to 127.0.0.1.
fn lan_address(bound: SocketAddr, local: Vec<Ipv4Addr>) -> SocketAddr {
    if !bound.ip().is_unspecified() {
        return bound;
    }
    let ip = local
        .into_iter()
        .find(|ip| !ip.is_loopback() && !ip.is_unspecified())
        .unwrap_or(Ipv4Addr::LOCALHOST);
    SocketAddr::new(ip.into(), bound.port())
}

/// The machine's IPv4 interface addresses, in the order the system lists them.
fn local_ipv4_addresses() -> Vec<Ipv4Addr> {
    if_addrs::get_if_addrs()
        .map(|interfaces| {
            interfaces
                .into_iter()
                .filter_map(|interface| match interface.ip() {
                    std::net::IpAddr::V4(ip) => Some(ip),
                    std::net::IpAddr::V6(_) => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_bind_advertises_the_first_non_loopback_address() {
        let bound: SocketAddr = "0.0.0.0:8090".parse().unwrap();
        let local =
            vec![Ipv4Addr::LOCALHOST, Ipv4Addr::new(192, 168, 1, 10), Ipv4Addr::new(10, 0, 0, 7)];
        assert_eq!(lan_address(bound, local), "192.168.1.10:8090".parse().unwrap());
        assert_eq!(
            lan_address(bound, vec![Ipv4Addr::LOCALHOST]),
            "127.0.0.1:8090".parse().unwrap()
        );
    }

    #[test]
    fn an_explicit_bind_is_advertised_as_is() {
        let bound: SocketAddr = "127.0.0.1:9000".parse().unwrap();
        assert_eq!(lan_address(bound, vec![Ipv4Addr::new(192, 168, 1, 10)]), bound);
    }
}
