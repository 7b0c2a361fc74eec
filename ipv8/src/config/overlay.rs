//! [`Overlay`], [`Walker`] and [`OnStart`]: py-ipv8's `overlays` entries.

use std::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Bootstrapper, Table, Value};

/// An overlay to run: `{class, key, walkers, bootstrappers, initialize, on_start}`.
///
/// `initialize` (the overlay's settings) and the walkers' `init` are free-form tables that the
/// overlay's own code interprets. `walkers`, `bootstrappers`, `initialize` and `on_start` may be left
/// out when empty.
///
/// # Examples
///
/// ```
/// use ipv8::config::{Bootstrapper, OnStart, Overlay, Walker};
///
/// let overlay = Overlay::new("MyCommunity", "my peer")
///     .with_walker(Walker::new("RandomWalk", 20).with_arg("timeout", 3.0))
///     .with_bootstrapper(Bootstrapper::udp_broadcast())
///     .with_setting("max_peers", 30)
///     .with_on_start(OnStart::new("started"));
/// assert_eq!(overlay.walkers[0].target_peers(), Some(20));
/// assert_eq!(overlay.initialize["max_peers"], 30);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Overlay {
    /// The overlay (community) class name, such as `DiscoveryCommunity`.
    pub class: String,
    /// The alias of the key this overlay uses, from [`Config::keys`](super::Config::keys).
    pub key: String,
    /// The peer-discovery strategies to run.
    #[serde(default)]
    pub walkers: Vec<Walker>,
    /// How the overlay finds its first peers.
    #[serde(default)]
    pub bootstrappers: Vec<Bootstrapper>,
    /// The overlay's settings by name (py-ipv8 sets them on the overlay's settings object).
    #[serde(default)]
    pub initialize: Table,
    /// Methods to call once the node has started.
    #[serde(default)]
    pub on_start: Vec<OnStart>,
}

impl Overlay {
    /// An overlay of `class` using the key `key_alias`, with nothing else yet.
    #[must_use]
    pub fn new(class: impl Into<String>, key_alias: impl Into<String>) -> Overlay {
        Overlay {
            class: class.into(),
            key: key_alias.into(),
            walkers: Vec::new(),
            bootstrappers: Vec::new(),
            initialize: Table::new(),
            on_start: Vec::new(),
        }
    }

    /// Adds a walker.
    #[must_use]
    pub fn with_walker(mut self, walker: Walker) -> Overlay {
        self.walkers.push(walker);
        self
    }

    /// Adds a bootstrapper.
    #[must_use]
    pub fn with_bootstrapper(mut self, bootstrapper: Bootstrapper) -> Overlay {
        self.bootstrappers.push(bootstrapper);
        self
    }

    /// Sets one entry of `initialize`.
    #[must_use]
    pub fn with_setting(mut self, name: impl Into<String>, value: impl Into<Value>) -> Overlay {
        self.initialize.insert(name.into(), value.into());
        self
    }

    /// Adds a method to call on start.
    #[must_use]
    pub fn with_on_start(mut self, call: OnStart) -> Overlay {
        self.on_start.push(call);
        self
    }
}

/// A peer-discovery strategy: `{strategy, peers, init}`.
///
/// py-ipv8 knows `RandomWalk` and `EdgeWalk` everywhere; overlays add their own (`RandomChurn`,
/// `PeriodicSimilarity`, `PingChurn`, …).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Walker {
    /// The strategy's class name.
    pub strategy: String,
    /// Run only while the overlay has fewer peers than this; -1 means always.
    pub peers: i64,
    /// The strategy's arguments by name.
    #[serde(default)]
    pub init: Table,
}

impl Walker {
    /// A walker of `strategy` that runs while there are fewer than `peers` peers (-1: always).
    #[must_use]
    pub fn new(strategy: impl Into<String>, peers: i64) -> Walker {
        Walker { strategy: strategy.into(), peers, init: Table::new() }
    }

    /// Sets one of the strategy's arguments.
    #[must_use]
    pub fn with_arg(mut self, name: impl Into<String>, value: impl Into<Value>) -> Walker {
        self.init.insert(name.into(), value.into());
        self
    }

    /// The peer count below which the strategy runs: `None` for -1 (always).
    #[must_use]
    pub fn target_peers(&self) -> Option<usize> {
        usize::try_from(self.peers).ok()
    }
}

/// A method to call on the overlay once the node has started: `[name, args...]`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct OnStart {
    /// The method's name.
    pub method: String,
    /// Its positional arguments.
    pub args: Vec<Value>,
}

impl OnStart {
    /// A call of `method` with no arguments.
    #[must_use]
    pub fn new(method: impl Into<String>) -> OnStart {
        OnStart { method: method.into(), args: Vec::new() }
    }

    /// Adds a positional argument.
    #[must_use]
    pub fn with_arg(mut self, value: impl Into<Value>) -> OnStart {
        self.args.push(value.into());
        self
    }
}

impl Serialize for OnStart {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(1 + self.args.len()))?;
        seq.serialize_element(&self.method)?;
        for arg in &self.args {
            seq.serialize_element(arg)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for OnStart {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(OnStartVisitor)
    }
}

struct OnStartVisitor;

impl<'de> Visitor<'de> for OnStartVisitor {
    type Value = OnStart;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of a method name and its arguments")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OnStart, A::Error> {
        let method = seq.next_element()?.ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let mut args = Vec::new();
        while let Some(arg) = seq.next_element()? {
            args.push(arg);
        }
        Ok(OnStart { method, args })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_start_is_a_list() {
        let call = OnStart::new("build_tunnels").with_arg(1);
        let json = serde_json::to_string(&call).unwrap();
        assert_eq!(json, r#"["build_tunnels",1]"#);
        assert_eq!(serde_json::from_str::<OnStart>(&json).unwrap(), call);
    }

    #[test]
    fn on_start_needs_a_method_name() {
        let err = serde_json::from_str::<OnStart>("[]").unwrap_err().to_string();
        assert!(err.starts_with("invalid length 0, expected a list of a method name"), "{err}");
        let err = serde_json::from_str::<OnStart>("[1]").unwrap_err().to_string();
        assert!(err.starts_with("invalid type: integer `1`, expected a string"), "{err}");
    }

    #[test]
    fn minus_one_peers_means_always() {
        assert_eq!(Walker::new("RandomChurn", -1).target_peers(), None);
    }
}
