//! Starting a node from a configuration, as py-ipv8's `IPv8(config)` does: keys are loaded (or
//! generated and kept), sockets bound, overlays looked up by class name in an [`OverlayRegistry`],
//! their walkers and bootstrappers added, and the node spawned on the tokio runtime.
//!
//! Overlays whose class this build does not provide are skipped and reported in
//! [`Launched::skipped`]. Bootstrap host names are resolved here, the only place that does I/O for
//! them; use [`Config::replace_bootstrap`](crate::config::Config::replace_bootstrap) or
//! [`Config::loopback`](crate::config::Config::loopback) to keep tests off the public network.

mod error;
mod registry;
mod walkers;

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::time::{Duration, Instant};

pub use error::LaunchError;
pub use registry::{OverlayFactory, OverlayRegistry, OverlaySetup};
pub use walkers::StrategyArgs;

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
    let (runnable, skipped): (Vec<_>, Vec<_>) =
        config.overlays.iter().partition(|o| registry.contains(&o.class));
    if runnable.is_empty() {
        return Err(LaunchError::NothingToRun(skipped.iter().map(|o| o.class.clone()).collect()));
    }
    let keys = config.resolve_keys()?;
    let key_of = |alias: &str| {
        keys.iter().find(|(a, _)| a == alias).map(|(_, k)| k.clone()).ok_or(LaunchError::NoKey)
    };
    // The node's own key (for what no overlay speaks for) is the first overlay's.
    let key = key_of(&runnable[0].key)?;
    let endpoint = Endpoint::bind(&endpoint_config(config))?;
    let addresses = endpoint.local_addrs();
    let now = Instant::now();
    let mut node = Node::new(key, seed(), now);
    if let Some(address) = addresses.ipv4() {
        node.set_address(lan_address(address, local_ipv4_addresses()));
    }
    node.set_walker_interval(
        Duration::try_from_secs_f64(config.walker_interval)
            .unwrap_or(crate::proto::DEFAULT_WALKER_INTERVAL),
    );
    for overlay in runnable {
        let (bootstrap, bootstrap_timeout) = resolve_bootstrap(overlay).await?;
        let mut setup = OverlaySetup {
            node: &mut node,
            now,
            overlay,
            bootstrap,
            bootstrap_timeout,
            key: key_of(&overlay.key)?,
            strategies: registry.strategies(),
            on_start: registry.on_start(),
        };
        if let Some(factory) = registry.get(&overlay.class) {
            factory(&mut setup)?;
        }
    }
    let (handle, events, task) = crate::runtime::spawn(node, endpoint);
    Ok(Launched {
        handle,
        events,
        task,
        addresses,
        skipped: skipped.into_iter().map(|o| o.class.clone()).collect(),
    })
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

/// The IPv4 bootstrap addresses of an overlay's Dispersy bootstrappers, host names resolved, and
/// their `bootstrap_timeout` (the shortest, if they differ).
async fn resolve_bootstrap(
    overlay: &crate::config::Overlay,
) -> Result<(Vec<SocketAddr>, Duration), LaunchError> {
    let mut addresses = Vec::new();
    let mut timeout: Option<Duration> = None;
    for bootstrapper in &overlay.bootstrappers {
        let Some(dispersy) = bootstrapper.dispersy_init()? else { continue };
        let seconds = Duration::try_from_secs_f64(dispersy.bootstrap_timeout).ok();
        timeout = match (timeout, seconds) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        addresses.extend(dispersy.ip_addresses);
        for (host, port) in dispersy.dns_addresses {
            // A name that does not resolve is skipped, as py-ipv8 does.
            if let Ok(found) = tokio::net::lookup_host((host.as_str(), port)).await {
                addresses.extend(found.filter(SocketAddr::is_ipv4));
            }
        }
    }
    Ok((addresses, timeout.unwrap_or(DEFAULT_BOOTSTRAP_TIMEOUT)))
}

/// py-ipv8's default `bootstrap_timeout`.
const DEFAULT_BOOTSTRAP_TIMEOUT: Duration = Duration::from_secs(30);

/// A seed for the node's non-cryptographic random choices, different on every start.
fn seed() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::process::id())
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
