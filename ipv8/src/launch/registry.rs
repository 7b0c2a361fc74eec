//! [`OverlayRegistry`]: overlay classes by name, as a configuration names them (py-ipv8's
//! `extra_communities`), each a factory that adds its community to a node.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Instant;

use super::LaunchError;
use super::walkers::add_walker;
use crate::config;
use crate::proto::discovery::{DiscoveryCommunity, DispersyBootstrapper, UdpBroadcastBootstrapper};
use crate::proto::{Community, Node};

/// What a factory gets: the node to add its community to and the overlay's configuration.
pub struct OverlaySetup<'a> {
    /// The node being built.
    pub node: &'a mut Node,
    /// The current time.
    pub now: Instant,
    /// The overlay's configuration (class, walkers, bootstrappers, `initialize` settings).
    pub overlay: &'a config::Overlay,
    /// The bootstrap addresses of the overlay's Dispersy bootstrappers, host names resolved.
    pub bootstrap: Vec<SocketAddr>,
}

impl OverlaySetup<'_> {
    /// Adds `community`, with the strategies and bootstrappers the configuration gives it.
    pub fn add<C: Community>(&mut self, community: C) -> Result<(), LaunchError> {
        self.node.add_community(self.now, community)?;
        for walker in &self.overlay.walkers {
            add_walker::<C>(self.node, &self.overlay.class, walker)?;
        }
        if !self.bootstrap.is_empty() {
            self.node.add_bootstrapper::<C>(DispersyBootstrapper::new(self.bootstrap.clone()))?;
        }
        let broadcast = self
            .overlay
            .bootstrappers
            .iter()
            .any(|b| b.class == config::BootstrapperClass::UdpBroadcast);
        if broadcast {
            self.node.add_bootstrapper::<C>(UdpBroadcastBootstrapper::new())?;
        }
        Ok(())
    }
}

/// Makes one overlay class's community and adds it to a node.
pub type OverlayFactory =
    Box<dyn Fn(&mut OverlaySetup<'_>) -> Result<(), LaunchError> + Send + Sync>;

/// Overlay classes by name.
///
/// # Examples
///
/// ```
/// use ipv8::launch::OverlayRegistry;
///
/// let registry = OverlayRegistry::with_builtin();
/// assert!(registry.contains("DiscoveryCommunity"));
/// assert!(!registry.contains("HiddenTunnelCommunity"));
/// ```
pub struct OverlayRegistry {
    factories: BTreeMap<String, OverlayFactory>,
}

impl OverlayRegistry {
    /// A registry with no classes.
    #[must_use]
    pub fn new() -> Self {
        Self { factories: BTreeMap::new() }
    }

    /// A registry with the overlays this build provides (`DiscoveryCommunity`).
    #[must_use]
    pub fn with_builtin() -> Self {
        let mut registry = Self::new();
        registry.register("DiscoveryCommunity", |setup| setup.add(DiscoveryCommunity::new()));
        registry
    }

    /// Registers (or replaces) the factory of a class.
    pub fn register(
        &mut self,
        class: impl Into<String>,
        factory: impl Fn(&mut OverlaySetup<'_>) -> Result<(), LaunchError> + Send + Sync + 'static,
    ) {
        self.factories.insert(class.into(), Box::new(factory));
    }

    /// Whether `class` is registered.
    #[must_use]
    pub fn contains(&self, class: &str) -> bool {
        self.factories.contains_key(class)
    }

    pub(crate) fn get(&self, class: &str) -> Option<&OverlayFactory> {
        self.factories.get(class)
    }
}

impl Default for OverlayRegistry {
    fn default() -> Self {
        Self::with_builtin()
    }
}
