//! [`ConfigError`]: why a configuration could not be read, is invalid, or a key could not be resolved.

use std::fmt;
use std::io;
use std::path::PathBuf;

use super::Transport;
use crate::crypto::{KeyError, KeyFileError};

/// Why a configuration could not be read or used.
///
/// Every error about the content names the offending key with a path in the configuration, written
/// as serde does it (`overlays[2].walkers[0].peers`), followed by what is wrong with it.
///
/// # Examples
///
/// ```
/// use ipv8::config::Config;
///
/// let text = ipv8::config::DEFAULT_TOML.replace("peers = 20", r#"peers = "x""#);
/// let err = Config::from_toml_str(&text).unwrap_err();
/// assert_eq!(err.to_string(), r#"overlays[0].walkers[0].peers: invalid type: string "x", expected i64"#);
/// assert_eq!(err.path(), Some("overlays[0].walkers[0].peers"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The text is not TOML or JSON, or a value has the wrong type, or a key is missing or unknown.
    #[error("{}", Parsed { path, message, location })]
    Parse {
        /// Where the problem is (`overlays[0].key`); empty for a syntax error.
        path: String,
        /// What the parser said, without position.
        message: String,
        /// Where in the text the parser stopped, when it knows.
        location: Option<Location>,
    },
    /// Two interfaces of the same kind: py-ipv8 would silently keep only the last one.
    #[error("{path}: a second {transport} interface (the first is {first})")]
    DuplicateInterface {
        /// The second interface (`interfaces[1]`).
        path: String,
        /// Its kind.
        transport: Transport,
        /// The path of the first one.
        first: String,
    },
    /// An interface's address is of the other IP family.
    #[error("{path}: {ip} is not an address for a {transport} interface")]
    AddressFamily {
        /// The address (`interfaces[0].ip`).
        path: String,
        /// The interface kind.
        transport: Transport,
        /// The address given.
        ip: std::net::IpAddr,
    },
    /// Two keys share an alias.
    #[error("{path}: duplicate key alias {alias:?} (the first is {first})")]
    DuplicateKeyAlias {
        /// The second alias (`keys[1].alias`).
        path: String,
        /// The alias.
        alias: String,
        /// The path of the first key with it.
        first: String,
    },
    /// A key has neither a file, nor `bin`, nor a `generation` curve.
    #[error("{path}: key {alias:?} has no file, bin or generation")]
    NoKeySource {
        /// The key (`keys[0]`).
        path: String,
        /// Its alias.
        alias: String,
    },
    /// A key's `bin` is not base64 of a private key.
    #[error("{path}: {error}")]
    InvalidKeyBin {
        /// The value (`keys[0].bin`).
        path: String,
        /// What is wrong with it.
        error: KeyError,
    },
    /// An overlay uses a key alias that no entry of `keys` has.
    #[error("{path}: unknown key alias {alias:?} (not in keys)")]
    UnknownKeyAlias {
        /// The reference (`overlays[1].key`).
        path: String,
        /// The alias.
        alias: String,
    },
    /// `walker_interval` is zero, negative or not finite.
    #[error("{path}: must be a positive number of seconds, not {value}")]
    WalkerInterval {
        /// Always `walker_interval`.
        path: String,
        /// The value given.
        value: f64,
    },
    /// A walker's `peers` is below -1.
    #[error("{path}: must be -1 (always run) or a peer count, not {peers}")]
    TargetPeers {
        /// The value (`overlays[0].walkers[1].peers`).
        path: String,
        /// The value given.
        peers: i64,
    },
    /// The REST API key is empty: py-ipv8 would take it for no key at all.
    #[error("{path}: must not be empty (leave it out to serve without a key)")]
    EmptyApiKey {
        /// Always `rest.api_key`.
        path: String,
    },
    /// A key's `bin` or generated key could not be made into a key.
    #[error("key {alias:?}: {error}")]
    Key {
        /// The key's alias.
        alias: String,
        /// What went wrong.
        error: KeyError,
    },
    /// A key file could not be read or written; the message names the file.
    #[error("key {alias:?}: {error}")]
    KeyFile {
        /// The key's alias.
        alias: String,
        /// What went wrong, with the file.
        error: KeyFileError,
    },
    /// A key's file does not exist and there is nothing to make the key from.
    #[error("key {alias:?}: {}", missing_material(file.as_ref()))]
    NoKeyMaterial {
        /// The key's alias.
        alias: String,
        /// Its file, if it has one.
        file: Option<PathBuf>,
    },
    /// A configuration file could not be read.
    #[error("cannot read config file {}: {error}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// What the operating system said.
        error: io::Error,
    },
    /// A configuration file's extension is neither `.toml` nor `.json`.
    #[error("cannot tell the format of config file {}: expected a .toml or .json extension", file.display())]
    UnknownFormat {
        /// The file.
        file: PathBuf,
    },
    /// The content of a configuration file is invalid.
    #[error("{}: {error}", file.display())]
    InFile {
        /// The file.
        file: PathBuf,
        /// What is wrong in it.
        error: Box<ConfigError>,
    },
    /// The configuration cannot be written in the requested format (TOML has no `null`, for one).
    #[error("cannot serialize the configuration: {message}")]
    Serialize {
        /// What the serializer said.
        message: String,
    },
}

impl ConfigError {
    /// The path of the offending key (`overlays[2].walkers[0].peers`), for errors about the content.
    #[must_use]
    pub fn path(&self) -> Option<&str> {
        match self {
            ConfigError::Parse { path, .. } if path.is_empty() => None,
            ConfigError::Parse { path, .. }
            | ConfigError::DuplicateInterface { path, .. }
            | ConfigError::AddressFamily { path, .. }
            | ConfigError::DuplicateKeyAlias { path, .. }
            | ConfigError::NoKeySource { path, .. }
            | ConfigError::InvalidKeyBin { path, .. }
            | ConfigError::UnknownKeyAlias { path, .. }
            | ConfigError::WalkerInterval { path, .. }
            | ConfigError::TargetPeers { path, .. }
            | ConfigError::EmptyApiKey { path } => Some(path),
            ConfigError::InFile { error, .. } => error.path(),
            _ => None,
        }
    }
}

impl ConfigError {
    /// The same error, its path taken as relative to `prefix` (for tables read on their own).
    pub(super) fn within(self, prefix: &str) -> ConfigError {
        match self {
            ConfigError::Parse { path, message, location } => {
                ConfigError::Parse { path: join(prefix, &path), message, location }
            }
            other => other,
        }
    }
}

/// `prefix` followed by the relative `path`, as serde writes paths (`a.b`, `a[0]`).
pub(super) fn join(prefix: &str, path: &str) -> String {
    match (prefix, path) {
        (prefix, "") => prefix.to_owned(),
        ("", path) => path.to_owned(),
        (prefix, path) if path.starts_with('[') => format!("{prefix}{path}"),
        (prefix, path) => format!("{prefix}.{path}"),
    }
}

/// A position in a configuration text, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    /// The line, from 1.
    pub line: usize,
    /// The column in characters, from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// How a [`ConfigError::Parse`] reads: the path when there is one, else the position.
struct Parsed<'a> {
    path: &'a str,
    message: &'a str,
    location: &'a Option<Location>,
}

impl fmt::Display for Parsed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.path, self.location) {
            ("", Some(location)) => write!(f, "{location}: {}", self.message),
            ("", None) => f.write_str(self.message),
            (path, _) => write!(f, "{path}: {}", self.message),
        }
    }
}

/// Why a key without `bin` or `generation` cannot be had.
fn missing_material(file: Option<&PathBuf>) -> String {
    match file {
        Some(file) => {
            format!(
                "key file {} does not exist and the key has no bin or generation",
                file.display()
            )
        }
        None => "the key has no file, bin or generation".to_owned(),
    }
}
