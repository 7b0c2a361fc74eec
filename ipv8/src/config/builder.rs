//! [`Builder`]: py-ipv8's `ConfigBuilder`, making a [`Config`] step by step.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use super::{
    Bootstrapper, Config, ConfigError, Interface, KeySpec, LogLevel, Logger, OnStart, Overlay,
    Table, Transport, Walker,
};
use crate::crypto::Curve;

/// Makes a [`Config`], starting from the default (or from nothing) and checked by
/// [`Builder::finalize`]. It is py-ipv8's `ConfigBuilder`, with `with_*` for `set_*`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ipv8::config::{Bootstrapper, Builder, Table, Walker};
/// use ipv8::crypto::Curve;
///
/// let config = Builder::new()
///     .clear_keys()
///     .clear_overlays()
///     .add_key("my peer", Curve::Curve25519, "my_peer.pem")
///     .add_overlay(
///         "MyCommunity",
///         "my peer",
///         vec![Walker::new("RandomWalk", 10).with_arg("timeout", 3.0)],
///         vec![Bootstrapper::dispersy(&["127.0.0.1:7759".parse()?])],
///         Table::new(),
///         vec![],
///     )
///     .with_address("127.0.0.1".parse()?)
///     .with_walker_interval(Duration::from_millis(250))
///     .finalize()?;
/// assert_eq!(config.overlays.len(), 1);
/// assert_eq!(config.walker_interval, 0.25);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Builder {
    config: Config,
}

impl From<Config> for Builder {
    fn from(config: Config) -> Builder {
        Builder { config }
    }
}

impl Builder {
    /// A builder starting from [`Config::default`].
    #[must_use]
    pub fn new() -> Builder {
        Builder::default()
    }

    /// A builder starting from no interfaces, keys or overlays (py-ipv8's `ConfigBuilder(clean=True)`).
    #[must_use]
    pub fn empty() -> Builder {
        Builder::new().clear_interfaces().clear_keys().clear_overlays()
    }

    /// Removes every interface.
    #[must_use]
    pub fn clear_interfaces(mut self) -> Builder {
        self.config.interfaces.clear();
        self
    }

    /// Removes every key.
    #[must_use]
    pub fn clear_keys(mut self) -> Builder {
        self.config.keys.clear();
        self
    }

    /// Removes every overlay.
    #[must_use]
    pub fn clear_overlays(mut self) -> Builder {
        self.config.overlays.clear();
        self
    }

    /// Adds a key generated on `curve` and kept in `file`, replacing any key with that alias.
    #[must_use]
    pub fn add_key(
        self,
        alias: impl Into<String>,
        curve: Curve,
        file: impl Into<PathBuf>,
    ) -> Builder {
        self.add_key_spec(KeySpec::generate(alias, curve).with_file(file))
    }

    /// Adds a key given as base64 of its private key bytes, kept in no file, replacing any key with
    /// that alias.
    #[must_use]
    pub fn add_key_from_bin(self, alias: impl Into<String>, base64: impl Into<String>) -> Builder {
        self.add_key_spec(KeySpec::from_bin(alias, base64))
    }

    /// Adds a key, replacing any key with the same alias.
    #[must_use]
    pub fn add_key_spec(mut self, key: KeySpec) -> Builder {
        self.config.keys.retain(|existing| existing.alias != key.alias);
        self.config.keys.push(key);
        self
    }

    /// Adds an overlay, replacing any overlay of the same class (py-ipv8's `add_overlay`).
    #[must_use]
    pub fn add_overlay(
        self,
        class: impl Into<String>,
        key_alias: impl Into<String>,
        walkers: Vec<Walker>,
        bootstrappers: Vec<Bootstrapper>,
        initialize: Table,
        on_start: Vec<OnStart>,
    ) -> Builder {
        let mut overlay = Overlay::new(class, key_alias);
        (overlay.walkers, overlay.bootstrappers) = (walkers, bootstrappers);
        (overlay.initialize, overlay.on_start) = (initialize, on_start);
        self.add_overlay_spec(overlay)
    }

    /// Adds an overlay, replacing any overlay of the same class.
    #[must_use]
    pub fn add_overlay_spec(mut self, overlay: Overlay) -> Builder {
        self.config.overlays.retain(|existing| existing.class != overlay.class);
        self.config.overlays.push(overlay);
        self
    }

    /// Binds `ip`, on the interface of its family (added if missing): `127.0.0.1` or `::1` for this
    /// machine only, `0.0.0.0` or `::` for the Internet.
    #[must_use]
    pub fn with_address(mut self, ip: IpAddr) -> Builder {
        self.interface(Transport::of(ip)).ip = Some(ip);
        self
    }

    /// Tries `port` first on the interface of `transport` (added if missing); 0 means any free port.
    #[must_use]
    pub fn with_port(mut self, transport: Transport, port: u16) -> Builder {
        self.interface(transport).port = Some(port);
        self
    }

    /// Binds `address`: [`Builder::with_address`] and [`Builder::with_port`] at once.
    #[must_use]
    pub fn with_bind_address(self, address: SocketAddr) -> Builder {
        self.with_address(address.ip()).with_port(Transport::of(address.ip()), address.port())
    }

    /// Sets the log level.
    #[must_use]
    pub fn with_log_level(mut self, level: LogLevel) -> Builder {
        self.config.logger = Logger::new(level);
        self
    }

    /// Sets the working directory.
    #[must_use]
    pub fn with_working_directory(mut self, directory: impl Into<PathBuf>) -> Builder {
        self.config.working_directory = directory.into();
        self
    }

    /// Sets the time between two runs of the walkers.
    #[must_use]
    pub fn with_walker_interval(mut self, interval: Duration) -> Builder {
        self.config.walker_interval = interval.as_secs_f64();
        self
    }

    /// Bootstraps every overlay from `addresses` only ([`Config::replace_bootstrap`]).
    #[must_use]
    pub fn with_bootstrap(mut self, addresses: &[SocketAddr]) -> Builder {
        self.config.replace_bootstrap(addresses);
        self
    }

    /// The configuration, validated.
    ///
    /// # Errors
    ///
    /// What [`Config::validate`] finds.
    pub fn finalize(self) -> Result<Config, ConfigError> {
        self.config.validate()?;
        Ok(self.config)
    }

    /// The interface of `transport`, added if missing.
    fn interface(&mut self, transport: Transport) -> &mut Interface {
        let interfaces = &mut self.config.interfaces;
        let index = interfaces.iter().position(|interface| interface.transport == transport);
        let index = index.unwrap_or_else(|| {
            interfaces.push(Interface::unset(transport));
            interfaces.len() - 1
        });
        &mut interfaces[index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_builder_needs_nothing_but_is_empty() {
        let config = Builder::empty().finalize().unwrap();
        assert!(
            config.interfaces.is_empty() && config.keys.is_empty() && config.overlays.is_empty()
        );
    }

    #[test]
    fn addresses_go_to_the_interface_of_their_family() {
        let config = Builder::new().with_address("::1".parse().unwrap()).finalize().unwrap();
        assert_eq!(config.interfaces.len(), 2);
        assert_eq!(config.interfaces[1].bind_address(), "[::1]:0".parse().unwrap());
    }

    #[test]
    fn a_zero_interval_is_refused() {
        let err = Builder::new().with_walker_interval(Duration::ZERO).finalize().unwrap_err();
        assert_eq!(err.path(), Some("walker_interval"));
    }
}
