//! [`Config`]: the whole node configuration, py-ipv8's configuration dictionary.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::{ConfigError, DEFAULT_TOML, Interface, KeySpec, Logger, Overlay, Rest};
use crate::crypto::PrivateKey;

/// The parsed [`DEFAULT_TOML`].
pub(super) static DEFAULT: LazyLock<Config> = LazyLock::new(|| {
    // The embedded file is part of the crate: a unit test proves it parses and validates.
    Config::from_toml_str(DEFAULT_TOML).unwrap_or_else(|error| panic!("default.toml: {error}"))
});

/// A node's configuration, with py-ipv8's keys and meaning.
///
/// [`Config::default`] is py-ipv8 3.2.1's `default_config`: it binds `0.0.0.0:8090`, keeps its key in
/// `ec_multichain.pem` and bootstraps from the **public IPv8 network**. Tests must use
/// [`Config::loopback`] instead, which contacts nothing off this machine.
///
/// # Examples
///
/// ```
/// use ipv8::config::Config;
///
/// let config = Config::loopback(0);
/// assert_eq!(config.interfaces[0].bind_address().to_string(), "127.0.0.1:0");
/// assert!(config.public_bootstrap_addresses().is_empty());
/// let classes: Vec<_> = config.overlays.iter().map(|o| o.class.as_str()).collect();
/// assert_eq!(classes, ["DiscoveryCommunity", "HiddenTunnelCommunity", "DHTDiscoveryCommunity"]);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// The sockets to bind, at most one of each kind.
    pub interfaces: Vec<Interface>,
    /// The keys overlays may use, by alias.
    pub keys: Vec<KeySpec>,
    /// Logging (default: level `INFO`).
    #[serde(default)]
    pub logger: Logger,
    /// The base directory of overlays' files and of relative key files (default: `.`).
    #[serde(default = "default_working_directory")]
    pub working_directory: PathBuf,
    /// Seconds between two runs of the walkers (default: 0.5).
    #[serde(default = "default_walker_interval")]
    pub walker_interval: f64,
    /// The overlays to run.
    pub overlays: Vec<Overlay>,
    /// Where and how to serve the REST API (default: not at all). Not one of py-ipv8's keys: its
    /// configurations have no such table, and one without it is written without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rest: Option<Rest>,
}

fn default_working_directory() -> PathBuf {
    ".".into()
}

fn default_walker_interval() -> f64 {
    0.5
}

impl Default for Config {
    /// py-ipv8's `default_config`, from [`DEFAULT_TOML`]. It contacts the public IPv8 network.
    fn default() -> Config {
        DEFAULT.clone()
    }
}

impl Config {
    /// The configuration for tests and local experiments: the default overlays on
    /// `127.0.0.1:port` (0: any free port), with no bootstrap servers (add local ones with
    /// [`Config::replace_bootstrap`]) and a fresh curve25519 key that is kept in no file.
    ///
    /// **Tests must use this** (or otherwise make [`Config::public_bootstrap_addresses`] empty):
    /// nothing in this project contacts the public IPv8 network.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipv8::config::Config;
    ///
    /// let mut config = Config::loopback(0);
    /// config.replace_bootstrap(&["127.0.0.1:7759".parse()?]);
    /// assert!(config.public_bootstrap_addresses().is_empty());
    /// assert_eq!(config.keys[0].file, None);
    /// # Ok::<(), std::net::AddrParseError>(())
    /// ```
    #[must_use]
    pub fn loopback(port: u16) -> Config {
        let interface = Interface::new(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
        let mut config = Config { interfaces: vec![interface], ..Config::default() };
        for key in &mut config.keys {
            key.file = None;
        }
        config.replace_bootstrap(&[]);
        config
    }

    /// The key with `alias`.
    #[must_use]
    pub fn key(&self, alias: &str) -> Option<&KeySpec> {
        self.keys.iter().find(|key| key.alias == alias)
    }

    /// The first overlay of `class`.
    #[must_use]
    pub fn overlay(&self, class: &str) -> Option<&Overlay> {
        self.overlays.iter().find(|overlay| overlay.class == class)
    }

    /// Every key, by alias, in order, resolved with [`KeySpec::resolve`] against the working
    /// directory: existing key files are read, missing ones made.
    ///
    /// # Errors
    ///
    /// The first key's error, as [`KeySpec::resolve`].
    pub fn resolve_keys(&self) -> Result<Vec<(String, PrivateKey)>, ConfigError> {
        let resolve =
            |key: &KeySpec| Ok((key.alias.clone(), key.resolve(&self.working_directory)?));
        self.keys.iter().map(resolve).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_keeps_no_key_file() {
        let config = Config::loopback(7);
        assert!(config.keys.iter().all(|key| key.file.is_none()));
        assert_eq!(config.key("anonymous id").map(|key| key.alias.as_str()), Some("anonymous id"));
        assert!(config.overlay("HiddenTunnelCommunity").is_some());
    }
}
