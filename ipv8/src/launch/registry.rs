//! [`OverlayRegistry`]: overlay classes by name, as a configuration names them (py-ipv8's
//! `extra_communities`), each a factory that adds its community to a node.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Instant;

use super::LaunchError;
use super::walkers::{Strategies, StrategyArgs, add_walker};
use crate::config;
use crate::crypto::PrivateKey;
use crate::proto::discovery::{
    DiscoveryCommunity, DispersyBootstrapper, Strategy, UdpBroadcastBootstrapper,
};
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
    /// The key the overlay's configuration names (its `key` alias): its identity.
    pub key: PrivateKey,
    pub(crate) strategies: &'a Strategies,
}

impl OverlaySetup<'_> {
    /// Adds `community` under the overlay's key, with the strategies and bootstrappers the
    /// configuration gives it.
    pub fn add<C: Community>(&mut self, community: C) -> Result<(), LaunchError> {
        let id = community.community_id();
        self.node.add_community_with_key(self.now, community, self.key.clone())?;
        for walker in &self.overlay.walkers {
            add_walker::<C>(self.node, id, &self.overlay.class, walker, self.strategies)?;
        }
        if !self.bootstrap.is_empty() {
            let bootstrapper = DispersyBootstrapper::new(self.bootstrap.clone());
            self.node.add_bootstrapper_to(id, bootstrapper)?;
        }
        let broadcast = self
            .overlay
            .bootstrappers
            .iter()
            .any(|b| b.class == config::BootstrapperClass::UdpBroadcast);
        if broadcast {
            self.node.add_bootstrapper_to(id, UdpBroadcastBootstrapper::new())?;
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
    strategies: Strategies,
}

impl OverlayRegistry {
    /// A registry with no classes (and only the strategies that work in any community:
    /// `RandomWalk`, `EdgeWalk`).
    #[must_use]
    pub fn new() -> Self {
        Self { factories: BTreeMap::new(), strategies: Strategies::default() }
    }

    /// A registry with the overlays this build provides (`DiscoveryCommunity`).
    #[must_use]
    pub fn with_builtin() -> Self {
        let mut registry = Self { factories: BTreeMap::new(), strategies: Strategies::builtin() };
        registry.register("DiscoveryCommunity", |setup| setup.add(DiscoveryCommunity::new()));
        registry
    }

    /// Registers a strategy of community `C` under `name`, so that a configuration's walkers of
    /// overlays of type `C` can name it (py-ipv8's loader names). `make` builds it from the
    /// walker's `init` arguments.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipv8::launch::OverlayRegistry;
    /// use ipv8::proto::discovery::{DiscoveryCommunity, RandomWalk};
    ///
    /// let mut registry = OverlayRegistry::with_builtin();
    /// registry.register_strategy::<DiscoveryCommunity, _>("PatientWalk", |args| {
    ///     let timeout = args.seconds("timeout")?.unwrap_or(std::time::Duration::from_secs(10));
    ///     Ok(RandomWalk::new().with_timeout(timeout))
    /// });
    /// ```
    pub fn register_strategy<C, S>(
        &mut self,
        name: &str,
        make: impl Fn(&StrategyArgs<'_>) -> Result<S, LaunchError> + Send + Sync + 'static,
    ) where
        C: Community,
        S: Strategy<C> + 'static,
    {
        self.strategies.register::<C, S>(name, make);
    }

    pub(crate) fn strategies(&self) -> &Strategies {
        &self.strategies
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
