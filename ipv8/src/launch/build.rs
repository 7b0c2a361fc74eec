//! Building a [`Node`] from a configuration without sockets or name lookups: keys resolved (key
//! files read or written as configured), overlays looked up in the [`OverlayRegistry`], each
//! added under its own key with its walkers, bootstrappers, settings and `on_start` calls. [`launch`](super::launch) does this for the runtime; the
//! simulator ([`TestNetwork::add_node_from_config`](crate::testing::TestNetwork)) does it for
//! whole simulated nodes.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::{LaunchError, OverlayRegistry, OverlaySetup};
use crate::config::{Config, Overlay};
use crate::proto::Node;

/// py-ipv8's default `bootstrap_timeout`.
const DEFAULT_BOOTSTRAP_TIMEOUT: Duration = Duration::from_secs(30);

/// A node built from a configuration, not running yet.
#[non_exhaustive]
pub struct Built {
    /// The node, with its overlays.
    pub node: Node,
    /// Overlay classes of the configuration that the registry does not provide.
    pub skipped: Vec<String>,
}

/// The bootstrap servers of one overlay's Dispersy bootstrappers.
#[derive(Debug, Clone)]
pub(crate) struct Bootstrap {
    /// Their addresses (host names resolved, where the caller resolves them).
    pub(crate) addresses: Vec<SocketAddr>,
    /// Host names still to resolve, with their ports.
    pub(crate) names: Vec<(String, u16)>,
    /// The least time between two bootstraps (the shortest `bootstrap_timeout`).
    pub(crate) timeout: Duration,
}

/// The IP bootstrap servers of `overlay`'s Dispersy bootstrappers, its host names, and their
/// `bootstrap_timeout` (the shortest, if they differ).
pub(crate) fn bootstrap_of(overlay: &Overlay) -> Result<Bootstrap, LaunchError> {
    let mut bootstrap =
        Bootstrap { addresses: Vec::new(), names: Vec::new(), timeout: DEFAULT_BOOTSTRAP_TIMEOUT };
    let mut shortest: Option<Duration> = None;
    for bootstrapper in &overlay.bootstrappers {
        let Some(dispersy) = bootstrapper.dispersy_init()? else { continue };
        if let Ok(timeout) = Duration::try_from_secs_f64(dispersy.bootstrap_timeout) {
            shortest = Some(shortest.map_or(timeout, |s| s.min(timeout)));
        }
        bootstrap.addresses.extend(dispersy.ip_addresses);
        bootstrap.names.extend(dispersy.dns_addresses);
    }
    bootstrap.timeout = shortest.unwrap_or(DEFAULT_BOOTSTRAP_TIMEOUT);
    Ok(bootstrap)
}

/// Builds a node as `config` describes, with the overlays `registry` provides, at `now`; its
/// random choices follow `seed`. Nothing is bound or resolved: bootstrap host names are skipped
/// (the runtime's [`launch`](super::launch) resolves them), and the node's address is `address`.
///
/// # Errors
///
/// An invalid configuration, an unusable key file, a walker with an unknown strategy, a setting
/// or `on_start` call the overlay refuses, or no runnable overlay at all.
///
/// # Examples
///
/// ```
/// use std::time::Instant;
/// use ipv8::config::Config;
/// use ipv8::launch::{OverlayRegistry, build};
///
/// let config = Config::loopback(0);
/// let built = build(&config, &OverlayRegistry::with_builtin(), Instant::now(), 7, None)?;
/// let names: Vec<_> = built.node.overlays().iter().map(|o| o.name).collect();
/// assert_eq!(names, ["DiscoveryCommunity", "HiddenTunnelCommunity", "DHTDiscoveryCommunity"]);
/// assert!(built.skipped.is_empty(), "every overlay of the default configuration runs");
/// # Ok::<(), ipv8::launch::LaunchError>(())
/// ```
pub fn build(
    config: &Config,
    registry: &OverlayRegistry,
    now: Instant,
    seed: u64,
    address: Option<SocketAddr>,
) -> Result<Built, LaunchError> {
    let bootstraps = config.overlays.iter().map(bootstrap_of).collect::<Result<Vec<_>, _>>()?;
    build_with(config, registry, now, seed, address, bootstraps)
}

/// [`build`] with each overlay's bootstrap servers given (in the order of `config.overlays`).
pub(crate) fn build_with(
    config: &Config,
    registry: &OverlayRegistry,
    now: Instant,
    seed: u64,
    address: Option<SocketAddr>,
    bootstraps: Vec<Bootstrap>,
) -> Result<Built, LaunchError> {
    config.validate()?;
    // Communities loaded at run time bootstrap where the configured ones do.
    let mut spawn_bootstrap: Vec<SocketAddr> = Vec::new();
    for address in bootstraps.iter().flat_map(|b| &b.addresses) {
        if !spawn_bootstrap.contains(address) {
            spawn_bootstrap.push(*address);
        }
    }
    let (runnable, skipped): (Vec<_>, Vec<_>) =
        config.overlays.iter().zip(bootstraps).partition(|(o, _)| registry.contains(&o.class));
    let skipped: Vec<String> = skipped.into_iter().map(|(o, _)| o.class.clone()).collect();
    let Some((first, _)) = runnable.first() else {
        return Err(LaunchError::NothingToRun(skipped));
    };
    let keys = config.resolve_keys()?;
    let key_of = |alias: &str| {
        keys.iter().find(|(a, _)| a == alias).map(|(_, k)| k.clone()).ok_or(LaunchError::NoKey)
    };
    // The node's own key (for what no overlay speaks for) is the first overlay's.
    let mut node = Node::new(key_of(&first.key)?, seed, now);
    if let Some(address) = address {
        node.set_address(address);
    }
    node.set_spawn_bootstrap(spawn_bootstrap);
    node.set_walker_interval(
        Duration::try_from_secs_f64(config.walker_interval)
            .unwrap_or(crate::proto::DEFAULT_WALKER_INTERVAL),
    );
    let mut anonymized = Vec::new();
    for (overlay, bootstrap) in runnable {
        let before = node.overlays().len();
        let mut setup = OverlaySetup {
            node: &mut node,
            now,
            overlay,
            bootstrap: bootstrap.addresses,
            bootstrap_timeout: bootstrap.timeout,
            key: key_of(&overlay.key)?,
            strategies: registry.strategies(),
            on_start: registry.on_start(),
            bootstrappers: registry.bootstrappers(),
        };
        if let Some(factory) = registry.get(&overlay.class) {
            factory(&mut setup)?;
        }
        if super::tunnel::wants_anonymity(overlay) {
            let added = node.overlays().into_iter().skip(before);
            anonymized.extend(added.map(|info| (overlay.class.clone(), info.community_id)));
        }
    }
    super::tunnel::anonymize(&mut node, now, &anonymized)?;
    Ok(Built { node, skipped })
}
