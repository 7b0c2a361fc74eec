//! [`OverlayRegistry`]: overlay classes by name, as a configuration names them (py-ipv8's
//! `extra_communities`), each a factory that adds its community to a node.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Instant;

use std::time::Duration;

use serde::de::DeserializeOwned;

use super::LaunchError;
use super::walkers::{ByCommunity, Strategies, StrategyArgs, add_walker};
use crate::config::{self, Value};
use crate::crypto::PrivateKey;
use crate::proto::dht::DhtCommunity;
use crate::proto::discovery::{
    Bootstrapper, DiscoveryCommunity, DispersyBootstrapper, Strategy, UdpBroadcastBootstrapper,
};
use crate::proto::{Community, Context, Node};

/// Makes a registered bootstrapper from its `init` table.
type BootstrapperFactory =
    Box<dyn Fn(&config::Table) -> Result<Box<dyn Bootstrapper>, LaunchError> + Send + Sync>;

/// An `on_start` method of community `C`: called with the community, its context and the
/// configuration's arguments.
type OnStartFn<C> =
    Box<dyn Fn(&mut C, &mut Context<'_, C>, &[Value]) -> Result<(), String> + Send + Sync>;

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
    /// The least time between two bootstraps (the Dispersy bootstrappers' `bootstrap_timeout`).
    pub bootstrap_timeout: Duration,
    /// The key the overlay's configuration names (its `key` alias): its identity.
    pub key: PrivateKey,
    pub(crate) strategies: &'a Strategies,
    pub(crate) on_start: &'a ByCommunity,
    pub(crate) bootstrappers: &'a BTreeMap<String, BootstrapperFactory>,
}

impl OverlaySetup<'_> {
    /// The overlay's `initialize` table as the community's own settings type, with defaults from
    /// `T`'s serde attributes; an error names the key path (`overlays.X.initialize.key: ...`).
    ///
    /// # Examples
    ///
    /// ```
    /// use ipv8::launch::OverlayRegistry;
    /// use ipv8::proto::discovery::DiscoveryCommunity;
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Settings {
    ///     #[serde(default = "thirty")]
    ///     max_peers: usize,
    /// }
    ///
    /// fn thirty() -> usize {
    ///     30
    /// }
    ///
    /// let mut registry = OverlayRegistry::with_builtin();
    /// registry.register("DiscoveryCommunity", |setup| {
    ///     let settings: Settings = setup.settings()?;
    ///     setup.add(DiscoveryCommunity::new().with_max_peers(settings.max_peers))
    /// });
    /// ```
    pub fn settings<T: DeserializeOwned>(&self) -> Result<T, LaunchError> {
        let table = Value::Object(self.overlay.initialize.clone());
        serde_path_to_error::deserialize(table).map_err(|error| LaunchError::Settings {
            class: self.overlay.class.clone(),
            path: error.path().to_string(),
            message: error.inner().to_string(),
        })
    }

    /// Adds `community` under the overlay's key, with the strategies and bootstrappers the
    /// configuration gives it, then calls its `on_start` methods.
    pub fn add<C: Community>(&mut self, community: C) -> Result<(), LaunchError> {
        self.add_with(community, false)
    }

    /// As [`OverlaySetup::add`], with a peer table of its own (py-ipv8's DHT keeps a private
    /// `Network`; see [`Node::add_isolated_community`]).
    pub fn add_isolated<C: Community>(&mut self, community: C) -> Result<(), LaunchError> {
        self.add_with(community, true)
    }

    fn add_with<C: Community>(&mut self, community: C, isolated: bool) -> Result<(), LaunchError> {
        let id = community.community_id();
        let key = self.key.clone();
        if isolated {
            self.node.add_isolated_community(self.now, community, key)?;
        } else {
            self.node.add_community_with_key(self.now, community, key)?;
        }
        for walker in &self.overlay.walkers {
            add_walker::<C>(self.node, id, &self.overlay.class, walker, self.strategies)?;
        }
        if !self.bootstrap.is_empty() {
            let bootstrapper = DispersyBootstrapper::new(self.bootstrap.clone())
                .with_timeout(self.bootstrap_timeout);
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
        for bootstrapper in &self.overlay.bootstrappers {
            let config::BootstrapperClass::Custom(name) = &bootstrapper.class else { continue };
            let factory =
                self.bootstrappers.get(name).ok_or_else(|| LaunchError::UnknownBootstrapper {
                    class: self.overlay.class.clone(),
                    bootstrapper: name.clone(),
                })?;
            self.node.add_bootstrapper_to(id, factory(&bootstrapper.init)?)?;
        }
        self.run_on_start::<C>(id)
    }

    /// Calls the overlay's `on_start` methods, in order.
    fn run_on_start<C: Community>(
        &mut self,
        id: crate::proto::CommunityId,
    ) -> Result<(), LaunchError> {
        let class = &self.overlay.class;
        for call in &self.overlay.on_start {
            let unknown = || LaunchError::UnknownOnStart {
                class: class.clone(),
                method: call.method.clone(),
            };
            let method = self.on_start.get::<C, OnStartFn<C>>(&call.method).ok_or_else(unknown)?;
            let outcome = self.node.with_community_id::<C, _>(self.now, id, |community, ctx| {
                method(community, ctx, &call.args)
            });
            outcome.ok_or_else(unknown)?.map_err(|message| LaunchError::OnStart {
                class: class.clone(),
                method: call.method.clone(),
                message,
            })?;
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
/// assert!(registry.contains("HiddenTunnelCommunity"));
/// assert!(!registry.contains("IdentityCommunity"));
/// ```
pub struct OverlayRegistry {
    factories: BTreeMap<String, OverlayFactory>,
    strategies: Strategies,
    on_start: ByCommunity,
    bootstrappers: BTreeMap<String, BootstrapperFactory>,
}

impl OverlayRegistry {
    /// A registry with no classes (and only the strategies that work in any community:
    /// `RandomWalk`, `EdgeWalk`).
    #[must_use]
    pub fn new() -> Self {
        Self {
            factories: BTreeMap::new(),
            strategies: Strategies::default(),
            on_start: ByCommunity::default(),
            bootstrappers: BTreeMap::new(),
        }
    }

    /// A registry with the overlays this build provides: `DiscoveryCommunity`, `DHTCommunity`
    /// (store and find) and `DHTDiscoveryCommunity` (also finds peers by key), both DHTs with a
    /// peer table of their own as py-ipv8's, and `TunnelCommunity` and `HiddenTunnelCommunity`
    /// (circuits, relays, exits; hidden services are not served yet).
    #[must_use]
    pub fn with_builtin() -> Self {
        let mut registry = Self { strategies: Strategies::builtin(), ..Self::new() };
        registry.register("DiscoveryCommunity", |setup| setup.add(DiscoveryCommunity::new()));
        registry.register("DHTCommunity", |setup| setup.add_isolated(DhtCommunity::new()));
        registry.register("DHTDiscoveryCommunity", |setup| {
            setup.add_isolated(DhtCommunity::with_peer_discovery())
        });
        super::tunnel::register(&mut registry);
        // `launch` resolves every DNS bootstrap name before the node starts.
        registry.register_on_start::<DiscoveryCommunity>(
            "resolve_dns_bootstrap_addresses",
            |_, _, _| Ok(()),
        );
        registry
    }

    /// Registers a method that a configuration's `on_start` list may name for overlays of type
    /// `C` (py-ipv8 calls the overlay's method of that name with the listed arguments once the
    /// node has started).
    ///
    /// # Examples
    ///
    /// ```
    /// use ipv8::launch::OverlayRegistry;
    /// use ipv8::proto::discovery::DiscoveryCommunity;
    ///
    /// let mut registry = OverlayRegistry::with_builtin();
    /// registry.register_on_start::<DiscoveryCommunity>("say_hello", |_, ctx, args| {
    ///     let greeting = args.first().and_then(|v| v.as_str()).ok_or("a greeting")?;
    ///     ctx.emit(greeting.to_owned());
    ///     Ok(())
    /// });
    /// ```
    pub fn register_on_start<C: Community>(
        &mut self,
        method: &str,
        call: impl Fn(&mut C, &mut Context<'_, C>, &[Value]) -> Result<(), String>
        + Send
        + Sync
        + 'static,
    ) {
        let call: OnStartFn<C> = Box::new(call);
        self.on_start.insert::<C, _>(method, call);
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

    pub(crate) fn on_start(&self) -> &ByCommunity {
        &self.on_start
    }

    pub(crate) fn bootstrappers(&self) -> &BTreeMap<String, BootstrapperFactory> {
        &self.bootstrappers
    }

    /// Registers a bootstrapper under `name`, so that a configuration's bootstrappers can name it
    /// (py-ipv8's loader). `make` builds it from the bootstrapper's `init` table.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipv8::launch::OverlayRegistry;
    /// use ipv8::proto::discovery::DispersyBootstrapper;
    ///
    /// let mut registry = OverlayRegistry::with_builtin();
    /// registry.register_bootstrapper("LocalTracker", |_init| {
    ///     Ok(DispersyBootstrapper::new(vec!["127.0.0.1:6421".parse().expect("an address")]))
    /// });
    /// ```
    pub fn register_bootstrapper<B: Bootstrapper + 'static>(
        &mut self,
        name: impl Into<String>,
        make: impl Fn(&config::Table) -> Result<B, LaunchError> + Send + Sync + 'static,
    ) {
        let factory: BootstrapperFactory =
            Box::new(move |init| make(init).map(|b| Box::new(b) as Box<dyn Bootstrapper>));
        self.bootstrappers.insert(name.into(), factory);
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
