//! [`Config::replace_bootstrap`] and [`Config::public_bootstrap_addresses`]: what keeps tests off
//! the public IPv8 network, and [`BootstrapTarget`], what they would contact.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use super::bootstrap::{DEFAULT_TIMEOUT, DispersyBootstrap};
use super::{Bootstrapper, BootstrapperClass, Config, Value};

/// Somewhere outside this machine that a configuration's bootstrappers would contact.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BootstrapTarget {
    /// A bootstrap server by address.
    Address(SocketAddr),
    /// A bootstrap server by DNS name (or an entry of `ip_addresses` that is not an IP address).
    Host {
        /// The name.
        host: String,
        /// The port.
        port: u16,
    },
    /// The LAN, through a `UDPBroadcastBootstrapper`.
    Broadcast,
}

impl fmt::Display for BootstrapTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BootstrapTarget::Address(address) => address.fmt(f),
            BootstrapTarget::Host { host, port } => write!(f, "{host}:{port}"),
            BootstrapTarget::Broadcast => f.write_str("UDP broadcast"),
        }
    }
}

impl Config {
    /// Makes every overlay that has bootstrappers bootstrap from `addresses` only: its bootstrappers
    /// become one `DispersyBootstrapper` with these addresses and no DNS names (keeping the first
    /// one's other arguments, such as `bootstrap_timeout`), and UDP broadcast bootstrapping is
    /// dropped. Overlays without bootstrappers keep none. This is what the command line's
    /// `--bootstrap` does; with loopback addresses (or none), [`Config::public_bootstrap_addresses`]
    /// is empty afterwards.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipv8::config::Config;
    ///
    /// let mut config = Config::default();
    /// assert!(!config.public_bootstrap_addresses().is_empty());
    /// config.replace_bootstrap(&["127.0.0.1:7759".parse()?]);
    /// assert!(config.public_bootstrap_addresses().is_empty());
    /// # Ok::<(), std::net::AddrParseError>(())
    /// ```
    pub fn replace_bootstrap(&mut self, addresses: &[SocketAddr]) {
        for overlay in self.overlays.iter_mut().filter(|overlay| !overlay.bootstrappers.is_empty())
        {
            overlay.bootstrappers = vec![replaced(&overlay.bootstrappers, addresses)];
        }
    }

    /// Everything off this machine that the bootstrappers would contact: every non-loopback server
    /// address, every DNS name (even `localhost`: names are never resolved here) and UDP
    /// broadcasting, each once, in the order met. Tests assert that
    /// this is empty.
    ///
    /// It reads the bootstrappers' `init` tables leniently, so entries that would not even parse are
    /// listed rather than missed.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipv8::config::Config;
    ///
    /// assert!(Config::loopback(0).public_bootstrap_addresses().is_empty());
    /// let public = Config::default().public_bootstrap_addresses();
    /// assert_eq!(public[0].to_string(), "130.161.119.206:6421");
    /// assert_eq!(public.len(), 13 + 7);
    /// ```
    #[must_use]
    pub fn public_bootstrap_addresses(&self) -> Vec<BootstrapTarget> {
        let mut found = Vec::new();
        for bootstrapper in self.overlays.iter().flat_map(|overlay| &overlay.bootstrappers) {
            for target in targets(bootstrapper) {
                if !found.contains(&target) {
                    found.push(target);
                }
            }
        }
        found
    }
}

/// The one `DispersyBootstrapper` that replaces `bootstrappers`: the first one's `init`, with
/// `addresses` and no DNS names.
fn replaced(bootstrappers: &[Bootstrapper], addresses: &[SocketAddr]) -> Bootstrapper {
    let first = bootstrappers.iter().find(|b| b.class == BootstrapperClass::Dispersy);
    let mut init = first.map(|bootstrapper| bootstrapper.init.clone()).unwrap_or_default();
    let mut fresh = DispersyBootstrap::new(addresses.to_vec()).to_table();
    init.insert("ip_addresses".into(), fresh.remove("ip_addresses").unwrap_or_default());
    init.insert("dns_addresses".into(), Value::Array(Vec::new()));
    init.entry("bootstrap_timeout").or_insert(DEFAULT_TIMEOUT.into());
    Bootstrapper { class: BootstrapperClass::Dispersy, init }
}

/// What one bootstrapper contacts, loopback addresses left out.
fn targets(bootstrapper: &Bootstrapper) -> Vec<BootstrapTarget> {
    if bootstrapper.class == BootstrapperClass::UdpBroadcast {
        return vec![BootstrapTarget::Broadcast];
    }
    let entries = |name| bootstrapper.init.get(name).into_iter().flat_map(list);
    let ips = entries("ip_addresses").filter_map(|entry| {
        let target = target(entry);
        let loopback =
            matches!(target, BootstrapTarget::Address(a) if a.ip().to_canonical().is_loopback());
        (!loopback).then_some(target)
    });
    let names = entries("dns_addresses").map(|entry| match target(entry) {
        BootstrapTarget::Address(address) => {
            BootstrapTarget::Host { host: address.ip().to_string(), port: address.port() }
        }
        other => other,
    });
    ips.chain(names).collect()
}

/// The entries of a list, or the value itself if it is not one.
fn list(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(entries) => entries.iter().collect(),
        other => vec![other],
    }
}

/// An `[ip or host, port]` entry; anything odd becomes a host named by its JSON text.
fn target(entry: &Value) -> BootstrapTarget {
    let pair = entry.as_array().filter(|pair| pair.len() == 2);
    let host = pair.and_then(|pair| pair[0].as_str());
    let port = pair.and_then(|pair| pair[1].as_u64()).and_then(|port| u16::try_from(port).ok());
    match (host, port) {
        (Some(host), Some(port)) => match host.parse::<IpAddr>() {
            Ok(ip) => BootstrapTarget::Address(SocketAddr::new(ip, port)),
            Err(_) => BootstrapTarget::Host { host: host.to_owned(), port },
        },
        _ => BootstrapTarget::Host { host: entry.to_string(), port: 0 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn odd_entries_are_listed_not_missed() {
        let mut bootstrapper = Bootstrapper::dispersy(&[]);
        bootstrapper
            .init
            .insert("ip_addresses".into(), json!([["127.0.0.1", 1], ["nonsense", 2], 7]));
        let found = targets(&bootstrapper);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].to_string(), "nonsense:2");
        assert_eq!(found[1].to_string(), "7:0");
    }

    #[test]
    fn mapped_loopback_is_loopback() {
        let bootstrapper = Bootstrapper::dispersy(&["[::ffff:127.0.0.1]:5".parse().unwrap()]);
        assert!(targets(&bootstrapper).is_empty());
    }
}
