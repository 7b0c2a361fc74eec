//! Strategies built from a configuration's walker definitions (py-ipv8's `Strategy` names).

use std::time::Duration;

use super::LaunchError;
use crate::config::{Table, Walker};
use crate::proto::discovery::{EdgeWalk, PeriodicSimilarity, PingChurn, RandomChurn, RandomWalk};
use crate::proto::{Community, Node};

/// Reads optional numeric arguments of one walker definition.
struct Args<'a> {
    class: &'a str,
    init: &'a Table,
}

impl Args<'_> {
    fn seconds(&self, name: &str) -> Result<Option<Duration>, LaunchError> {
        self.number(name)?
            .map(|s| {
                Duration::try_from_secs_f64(s).map_err(|_| self.bad(name, "a number of seconds"))
            })
            .transpose()
    }

    fn count(&self, name: &str) -> Result<Option<usize>, LaunchError> {
        self.init
            .get(name)
            .map(|v| {
                v.as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| self.bad(name, "a count"))
            })
            .transpose()
    }

    fn number(&self, name: &str) -> Result<Option<f64>, LaunchError> {
        self.init
            .get(name)
            .map(|v| v.as_f64().ok_or_else(|| self.bad(name, "a number")))
            .transpose()
    }

    fn bad(&self, name: &str, expected: &'static str) -> LaunchError {
        LaunchError::BadArgument { class: self.class.to_owned(), name: name.to_owned(), expected }
    }
}

/// Adds the strategy a walker definition names to community `C`.
pub(crate) fn add_walker<C: Community>(
    node: &mut Node,
    class: &str,
    walker: &Walker,
) -> Result<(), LaunchError> {
    let args = Args { class, init: &walker.init };
    let target = walker.target_peers();
    match walker.strategy.as_str() {
        "RandomWalk" => {
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
            node.add_strategy::<C>(walk, target)?;
        }
        "RandomChurn" => {
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
            node.add_strategy::<C>(churn, target)?;
        }
        "PeriodicSimilarity" => node.add_strategy::<C>(PeriodicSimilarity::new(), target)?,
        "EdgeWalk" => {
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
            node.add_strategy::<C>(walk, target)?;
        }
        "PingChurn" => node.add_strategy::<C>(PingChurn::new(), target)?,
        other => {
            return Err(LaunchError::UnknownStrategy {
                class: class.to_owned(),
                strategy: other.to_owned(),
            });
        }
    }
    Ok(())
}
