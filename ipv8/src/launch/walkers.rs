//! Strategies built from a configuration's walker definitions (py-ipv8's `Strategy` names): the
//! ones that work in any community here, the others from the [`OverlayRegistry`]'s strategies,
//! registered per community type.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::time::Duration;

use super::LaunchError;
use crate::config::{Table, Walker};
use crate::proto::dht::DhtCommunity;
use crate::proto::discovery::{
    DiscoveryCommunity, EdgeWalk, PeriodicSimilarity, PingChurn, RandomChurn, RandomWalk, Strategy,
};
use crate::proto::{Community, CommunityId, Node};

/// The arguments of one walker definition (its `init` table), read with the error a user should
/// see.
pub struct StrategyArgs<'a> {
    class: &'a str,
    init: &'a Table,
}

impl<'a> StrategyArgs<'a> {
    /// The arguments of `walker`, for an overlay of `class`.
    #[must_use]
    pub fn new(class: &'a str, walker: &'a Walker) -> Self {
        Self { class, init: &walker.init }
    }

    /// An optional duration in seconds.
    pub fn seconds(&self, name: &str) -> Result<Option<Duration>, LaunchError> {
        self.number(name)?
            .map(|s| {
                Duration::try_from_secs_f64(s).map_err(|_| self.bad(name, "a number of seconds"))
            })
            .transpose()
    }

    /// An optional count.
    pub fn count(&self, name: &str) -> Result<Option<usize>, LaunchError> {
        self.init
            .get(name)
            .map(|v| {
                v.as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| self.bad(name, "a count"))
            })
            .transpose()
    }

    /// An optional number.
    pub fn number(&self, name: &str) -> Result<Option<f64>, LaunchError> {
        self.init
            .get(name)
            .map(|v| v.as_f64().ok_or_else(|| self.bad(name, "a number")))
            .transpose()
    }

    /// The error for argument `name` not being what it must be.
    #[must_use]
    pub fn bad(&self, name: &str, expected: &'static str) -> LaunchError {
        LaunchError::BadArgument { class: self.class.to_owned(), name: name.to_owned(), expected }
    }
}

/// Makes a strategy of community `C` from its walker definition.
type Factory<C> =
    Box<dyn Fn(&StrategyArgs<'_>) -> Result<Box<dyn Strategy<C>>, LaunchError> + Send + Sync>;

/// Values registered by name for one community type each: strategy factories, `on_start` methods.
#[derive(Default)]
pub(crate) struct ByCommunity {
    values: HashMap<(String, TypeId), Box<dyn Any + Send + Sync>>,
}

impl ByCommunity {
    pub(crate) fn insert<C: Community, T: Any + Send + Sync>(&mut self, name: &str, value: T) {
        self.values.insert((name.to_owned(), TypeId::of::<C>()), Box::new(value));
    }

    pub(crate) fn get<C: Community, T: Any>(&self, name: &str) -> Option<&T> {
        self.values.get(&(name.to_owned(), TypeId::of::<C>()))?.downcast_ref()
    }
}

/// Strategies by name and community type, beyond those that work in any community.
#[derive(Default)]
pub(crate) struct Strategies {
    factories: ByCommunity,
}

impl Strategies {
    pub(crate) fn register<C, S>(
        &mut self,
        name: &str,
        make: impl Fn(&StrategyArgs<'_>) -> Result<S, LaunchError> + Send + Sync + 'static,
    ) where
        C: Community,
        S: Strategy<C> + 'static,
    {
        let factory: Factory<C> =
            Box::new(move |args| make(args).map(|s| Box::new(s) as Box<dyn Strategy<C>>));
        let short = crate::proto::short_name(std::any::type_name::<S>());
        self.factories.insert::<C, _>(name, (short, factory));
    }

    fn get<C: Community>(&self, name: &str) -> Option<&(&'static str, Factory<C>)> {
        self.factories.get::<C, _>(name)
    }

    /// The strategies of the DiscoveryCommunity (it can ping, and speaks similarity).
    pub(crate) fn builtin() -> Self {
        let mut strategies = Self::default();
        strategies.register::<DiscoveryCommunity, _>("RandomChurn", random_churn);
        strategies.register::<DiscoveryCommunity, _>("PeriodicSimilarity", |_| {
            Ok(PeriodicSimilarity::new())
        });
        strategies.register::<DiscoveryCommunity, _>("PingChurn", |_| Ok(PingChurn::new()));
        strategies.register::<DhtCommunity, _>("PingChurn", |_| Ok(PingChurn::new()));
        strategies
    }
}

fn random_churn(args: &StrategyArgs<'_>) -> Result<RandomChurn, LaunchError> {
    let mut churn = RandomChurn::new();
    if let Some(n) = args.count("sample_size")? {
        churn = churn.with_sample_size(n);
    }
    if let Some(t) = args.seconds("ping_interval")? {
        churn = churn.with_ping_interval(t);
    }
    if let Some(t) = args.seconds("inactive_time")? {
        churn = churn.with_inactive_time(t);
    }
    if let Some(t) = args.seconds("drop_time")? {
        churn = churn.with_drop_time(t);
    }
    Ok(churn)
}

fn random_walk(args: &StrategyArgs<'_>) -> Result<RandomWalk, LaunchError> {
    let mut walk = RandomWalk::new();
    if let Some(timeout) = args.seconds("timeout")? {
        walk = walk.with_timeout(timeout);
    }
    if let Some(window) = args.count("window_size")? {
        walk = walk.with_window_size(window);
    }
    if let Some(chance) = args.count("reset_chance")? {
        walk = walk.with_reset_chance(
            u8::try_from(chance).map_err(|_| args.bad("reset_chance", "0 to 255"))?,
        );
    }
    Ok(walk)
}

fn edge_walk(args: &StrategyArgs<'_>) -> Result<EdgeWalk, LaunchError> {
    let mut walk = EdgeWalk::new();
    if let Some(n) = args.count("edge_length")? {
        walk = walk.with_edge_length(n);
    }
    if let Some(n) = args.count("neighborhood_size")? {
        walk = walk.with_neighborhood_size(n);
    }
    if let Some(t) = args.seconds("edge_timeout")? {
        walk = walk.with_edge_timeout(t);
    }
    Ok(walk)
}

/// Adds the strategy a walker definition names to the community `id` of type `C`.
pub(crate) fn add_walker<C: Community>(
    node: &mut Node,
    id: CommunityId,
    class: &str,
    walker: &Walker,
    strategies: &Strategies,
) -> Result<(), LaunchError> {
    let args = StrategyArgs::new(class, walker);
    let target = walker.target_peers();
    match walker.strategy.as_str() {
        "RandomWalk" => node.add_strategy_to::<C>(id, random_walk(&args)?, target)?,
        "EdgeWalk" => node.add_strategy_to::<C>(id, edge_walk(&args)?, target)?,
        name => {
            let Some((short, factory)) = strategies.get::<C>(name) else {
                return Err(LaunchError::UnknownStrategy {
                    class: class.to_owned(),
                    strategy: name.to_owned(),
                });
            };
            node.add_boxed_strategy_to::<C>(id, short, factory(&args)?, target)?;
        }
    }
    Ok(())
}
