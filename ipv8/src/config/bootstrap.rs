//! [`Bootstrapper`]: how an overlay finds its first peers, with a typed view of
//! `DispersyBootstrapper`'s addresses ([`DispersyBootstrap`]).

use std::net::{IpAddr, SocketAddr};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;

use super::{ConfigError, Table, Value, parse};

/// py-ipv8's default `bootstrap_timeout`, in seconds.
pub(super) const DEFAULT_TIMEOUT: f64 = 30.0;

/// A bootstrapper: `{class, init}`.
///
/// `init` holds the bootstrapper's arguments as py-ipv8 passes them to its constructor; for a
/// `DispersyBootstrapper`, [`Bootstrapper::dispersy_init`] reads them as typed addresses.
///
/// # Examples
///
/// ```
/// use ipv8::config::{Bootstrapper, BootstrapperClass};
///
/// let bootstrapper = Bootstrapper::dispersy(&["127.0.0.1:7759".parse()?]);
/// assert_eq!(bootstrapper.class, BootstrapperClass::Dispersy);
/// let init = bootstrapper.dispersy_init()?.expect("a DispersyBootstrapper");
/// assert_eq!(init.ip_addresses, ["127.0.0.1:7759".parse()?]);
/// assert_eq!(init.bootstrap_timeout, 30.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Bootstrapper {
    /// The bootstrapper's class.
    pub class: BootstrapperClass,
    /// Its constructor arguments by name.
    #[serde(default)]
    pub init: Table,
}

/// The bootstrappers py-ipv8 can load from a configuration, and those an application registers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BootstrapperClass {
    /// `DispersyBootstrapper`: bootstrap servers by address and by DNS name.
    Dispersy,
    /// `UDPBroadcastBootstrapper`: probes every port of the LAN's broadcast address.
    UdpBroadcast,
    /// A bootstrapper registered by name with
    /// [`OverlayRegistry::register_bootstrapper`](crate::launch::OverlayRegistry::register_bootstrapper)
    /// (py-ipv8's loader); its `init` is the application's to read.
    Custom(String),
}

impl BootstrapperClass {
    /// The name a configuration gives the class.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Dispersy => "DispersyBootstrapper",
            Self::UdpBroadcast => "UDPBroadcastBootstrapper",
            Self::Custom(name) => name,
        }
    }
}

impl Serialize for BootstrapperClass {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for BootstrapperClass {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(match name.as_str() {
            "DispersyBootstrapper" => Self::Dispersy,
            "UDPBroadcastBootstrapper" => Self::UdpBroadcast,
            _ => Self::Custom(name),
        })
    }
}

impl Bootstrapper {
    /// A `DispersyBootstrapper` with these servers, no DNS names and the default 30 s timeout.
    #[must_use]
    pub fn dispersy(addresses: &[SocketAddr]) -> Bootstrapper {
        DispersyBootstrap::new(addresses.to_vec()).into()
    }

    /// py-ipv8's `default_bootstrap_defs`: the public IPv8 network's bootstrap servers (spec §4.10).
    /// Never use it in tests; see [`Config::loopback`](super::Config::loopback).
    #[must_use]
    pub fn dispersy_default() -> Bootstrapper {
        let default = &super::model::DEFAULT;
        default
            .overlays
            .iter()
            .flat_map(|overlay| &overlay.bootstrappers)
            .next()
            .cloned()
            .unwrap_or_else(|| Bootstrapper {
                class: BootstrapperClass::Dispersy,
                init: Table::new(),
            })
    }

    /// A `UDPBroadcastBootstrapper` (LAN discovery) with its default timeout.
    #[must_use]
    pub fn udp_broadcast() -> Bootstrapper {
        Bootstrapper { class: BootstrapperClass::UdpBroadcast, init: Table::new() }
    }

    /// The typed `init` of a `DispersyBootstrapper`; `None` for other classes.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Parse`] with a path below `init` if the arguments are not what
    /// py-ipv8's `DispersyBootstrapper` takes.
    pub fn dispersy_init(&self) -> Result<Option<DispersyBootstrap>, ConfigError> {
        match self.class {
            BootstrapperClass::Dispersy => parse_init(&self.init).map(Some),
            BootstrapperClass::UdpBroadcast | BootstrapperClass::Custom(_) => Ok(None),
        }
    }

    /// Checks that `init` holds what this class takes.
    pub(super) fn check(&self) -> Result<(), ConfigError> {
        match self.class {
            BootstrapperClass::Dispersy => parse_init::<DispersyBootstrap>(&self.init).map(drop),
            BootstrapperClass::UdpBroadcast => parse_init::<UdpBroadcastInit>(&self.init).map(drop),
            // Its factory reads `init` when the node is built.
            BootstrapperClass::Custom(_) => Ok(()),
        }
    }
}

/// The arguments of a `DispersyBootstrapper`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DispersyBootstrap {
    /// Bootstrap servers by address (`[ip, port]` pairs in the configuration). py-ipv8 takes them as
    /// IPv4 addresses.
    #[serde(deserialize_with = "ip_ports")]
    pub ip_addresses: Vec<SocketAddr>,
    /// Bootstrap servers by DNS name and port, resolved (to IPv4) when first used.
    pub dns_addresses: Vec<(String, u16)>,
    /// The least time between two bootstrap attempts, in seconds.
    #[serde(default = "default_timeout")]
    pub bootstrap_timeout: f64,
}

impl DispersyBootstrap {
    /// These servers, no DNS names and the default 30 s timeout.
    #[must_use]
    pub fn new(ip_addresses: Vec<SocketAddr>) -> DispersyBootstrap {
        DispersyBootstrap {
            ip_addresses,
            dns_addresses: Vec::new(),
            bootstrap_timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Adds a server by DNS name.
    #[must_use]
    pub fn with_dns(mut self, host: impl Into<String>, port: u16) -> DispersyBootstrap {
        self.dns_addresses.push((host.into(), port));
        self
    }

    /// The arguments as py-ipv8 writes them.
    pub(super) fn to_table(&self) -> Table {
        let ips = self
            .ip_addresses
            .iter()
            .map(|address| json!([address.ip().to_string(), address.port()]));
        let dns = self.dns_addresses.iter().map(|(host, port)| json!([host, port]));
        let mut init = Table::new();
        init.insert("ip_addresses".into(), ips.collect());
        init.insert("dns_addresses".into(), dns.collect());
        init.insert("bootstrap_timeout".into(), self.bootstrap_timeout.into());
        init
    }
}

impl From<DispersyBootstrap> for Bootstrapper {
    fn from(init: DispersyBootstrap) -> Bootstrapper {
        Bootstrapper { class: BootstrapperClass::Dispersy, init: init.to_table() }
    }
}

/// The arguments of a `UDPBroadcastBootstrapper`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UdpBroadcastInit {
    #[serde(default = "default_timeout")]
    #[allow(dead_code)] // Only checked, not used yet.
    bootstrap_timeout: f64,
}

fn default_timeout() -> f64 {
    DEFAULT_TIMEOUT
}

/// `[[ip, port], ...]` as socket addresses, each error at its entry.
fn ip_ports<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<SocketAddr>, D::Error> {
    Ok(Vec::<IpPort>::deserialize(deserializer)?
        .into_iter()
        .map(|IpPort(address)| address)
        .collect())
}

/// One `[ip, port]` pair.
struct IpPort(SocketAddr);

impl<'de> Deserialize<'de> for IpPort {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (ip, port) = <(String, u16)>::deserialize(deserializer)?;
        let ip: IpAddr = ip
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("invalid IP address {ip:?}")))?;
        Ok(IpPort(SocketAddr::new(ip, port)))
    }
}

/// Reads a bootstrapper's `init`; errors have paths starting at `init`.
fn parse_init<T: DeserializeOwned>(init: &Table) -> Result<T, ConfigError> {
    serde_path_to_error::deserialize(Value::Object(init.clone()))
        .map_err(|error| parse::value_error(&error).within("init"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typed_view_points_at_the_bad_entry() {
        let mut bootstrapper = Bootstrapper::dispersy(&[]);
        bootstrapper.init.insert("ip_addresses".into(), json!([["1.2.3.4", 5], ["x", 5]]));
        let err = bootstrapper.dispersy_init().unwrap_err();
        assert_eq!(err.to_string(), r#"init.ip_addresses[1]: invalid IP address "x""#);
    }

    #[test]
    fn the_default_is_the_public_network() {
        let init = Bootstrapper::dispersy_default().dispersy_init().unwrap().unwrap();
        assert_eq!(init.ip_addresses.len(), 13);
        assert_eq!(init.dns_addresses[6], ("dispersy4.tribler.org".into(), 6424));
    }
}
