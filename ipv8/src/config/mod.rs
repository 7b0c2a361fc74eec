//! The node configuration, with the content of py-ipv8 3.2.1's: the same keys, the same defaults,
//! the same meaning, so a py-ipv8 JSON configuration loads unchanged.
//!
//! A [`Config`] lists the sockets to bind ([`Interface`]), the keys by alias ([`KeySpec`]), logging,
//! the working directory, the walker interval, and the overlays to run ([`Overlay`]) with their
//! peer-discovery strategies ([`Walker`]), bootstrappers ([`Bootstrapper`]), settings and start-up
//! calls ([`OnStart`]), and, beyond py-ipv8's keys, where to serve the REST API ([`Rest`]).
//! Overlay-specific tables (`initialize`, walkers' and bootstrappers' `init`)
//! stay free-form [`Table`]s for the overlays to interpret.
//!
//! - [`Config::default`] is py-ipv8's `default_config`, kept in [`DEFAULT_TOML`]
//!   (see [py-ipv8's `configuration.py`](https://github.com/Tribler/py-ipv8/blob/master/ipv8/configuration.py)).
//! - [`Config::from_toml_str`], [`Config::from_json_str`] and [`Config::from_path`] read and
//!   validate; every [`ConfigError`] about the content names the key, as
//!   `overlays[2].walkers[0].peers: invalid type: string "x", expected i64`.
//! - [`Builder`] is py-ipv8's `ConfigBuilder`.
//! - [`KeySpec::resolve`] turns a key entry into a key, making and keeping it on first use.
//!
//! **Nothing in this project contacts the public IPv8 network from tests**: tests start from
//! [`Config::loopback`], and [`Config::replace_bootstrap`] and [`Config::public_bootstrap_addresses`]
//! redirect and check the bootstrappers.
//!
//! # Examples
//!
//! ```
//! use ipv8::config::Config;
//!
//! let mut config = Config::loopback(0);
//! config.replace_bootstrap(&["127.0.0.1:7759".parse()?]);
//! assert!(config.public_bootstrap_addresses().is_empty());
//!
//! let again = Config::from_toml_str(&config.to_toml_string()?)?;
//! assert_eq!(again, config);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod bootstrap;
mod builder;
mod error;
mod interface;
mod key;
mod logger;
mod model;
mod overlay;
mod parse;
mod public;
mod rest;
mod validate;

pub use bootstrap::{Bootstrapper, BootstrapperClass, DispersyBootstrap};
pub use builder::Builder;
pub use error::{ConfigError, Location};
pub use interface::{Interface, Transport};
pub use key::KeySpec;
pub use logger::{LogLevel, Logger};
pub use model::Config;
pub use overlay::{OnStart, Overlay, Walker};
pub use public::BootstrapTarget;
pub use rest::Rest;
pub use serde_json::Value;

/// A free-form table of named values: an overlay's `initialize`, a walker's or bootstrapper's `init`.
pub type Table = serde_json::Map<String, Value>;

/// The built-in configuration, py-ipv8's `default_config`, as TOML: what [`Config::default`] reads.
pub const DEFAULT_TOML: &str = include_str!("default.toml");
