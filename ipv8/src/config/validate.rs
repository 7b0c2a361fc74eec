//! [`Config::validate`]: what py-ipv8's `ConfigBuilder.finalize` asserts, and a little more, each
//! error naming the offending key.

use std::collections::HashMap;

use super::error::join;
use super::{Config, ConfigError, Interface, KeySpec, Overlay, Transport};
use crate::crypto::keyfile;

impl Config {
    /// Checks what the types cannot: interfaces are of distinct kinds and their addresses of the
    /// right family; key aliases are unique, each key has a source and its `bin` is a key; every
    /// overlay's key alias exists; `walker_interval` is positive; walkers' `peers` are -1 or more;
    /// bootstrappers' `init` tables are what their class takes; the REST API key, if any, is not
    /// empty. Parsing validates already.
    ///
    /// # Errors
    ///
    /// The first problem found, with the path of the offending key.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipv8::config::Config;
    ///
    /// let mut config = Config::default();
    /// config.overlays[1].key = "nobody".into();
    /// let err = config.validate().unwrap_err();
    /// assert_eq!(err.to_string(), r#"overlays[1].key: unknown key alias "nobody" (not in keys)"#);
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_interfaces(&self.interfaces)?;
        check_keys(&self.keys)?;
        let interval = self.walker_interval;
        if !(interval.is_finite() && interval > 0.0) {
            return Err(ConfigError::WalkerInterval {
                path: "walker_interval".into(),
                value: interval,
            });
        }
        for (index, overlay) in self.overlays.iter().enumerate() {
            check_overlay(&format!("overlays[{index}]"), overlay, &self.keys)?;
        }
        if self.rest.as_ref().is_some_and(|rest| rest.api_key.as_deref() == Some("")) {
            return Err(ConfigError::EmptyApiKey { path: "rest.api_key".into() });
        }
        Ok(())
    }
}

fn check_interfaces(interfaces: &[Interface]) -> Result<(), ConfigError> {
    let mut seen = HashMap::new();
    for (index, interface) in interfaces.iter().enumerate() {
        let path = format!("interfaces[{index}]");
        let transport = interface.transport;
        if let Some(ip) = interface.ip.filter(|ip| Transport::of(*ip) != transport) {
            return Err(ConfigError::AddressFamily { path: join(&path, "ip"), transport, ip });
        }
        if let Some(first) = seen.insert(transport, path.clone()) {
            return Err(ConfigError::DuplicateInterface { path, transport, first });
        }
    }
    Ok(())
}

fn check_keys(keys: &[KeySpec]) -> Result<(), ConfigError> {
    let mut seen = HashMap::new();
    for (index, key) in keys.iter().enumerate() {
        let path = format!("keys[{index}]");
        let alias = key.alias.clone();
        if let Some(first) = seen.insert(&key.alias, join(&path, "alias")) {
            return Err(ConfigError::DuplicateKeyAlias {
                path: join(&path, "alias"),
                alias,
                first,
            });
        }
        if let Some(bin) = &key.bin {
            keyfile::from_base64(bin)
                .map_err(|error| ConfigError::InvalidKeyBin { path: join(&path, "bin"), error })?;
        } else if key.file.is_none() && key.generation.is_none() {
            return Err(ConfigError::NoKeySource { path, alias });
        }
    }
    Ok(())
}

fn check_overlay(path: &str, overlay: &Overlay, keys: &[KeySpec]) -> Result<(), ConfigError> {
    if !keys.iter().any(|key| key.alias == overlay.key) {
        let alias = overlay.key.clone();
        return Err(ConfigError::UnknownKeyAlias { path: join(path, "key"), alias });
    }
    for (index, walker) in overlay.walkers.iter().enumerate() {
        if walker.peers < -1 {
            let path = join(path, &format!("walkers[{index}].peers"));
            return Err(ConfigError::TargetPeers { path, peers: walker.peers });
        }
    }
    for (index, bootstrapper) in overlay.bootstrappers.iter().enumerate() {
        bootstrapper
            .check()
            .map_err(|error| error.within(&join(path, &format!("bootstrappers[{index}]"))))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_valid() {
        Config::default().validate().unwrap();
        Config::loopback(0).validate().unwrap();
    }

    #[test]
    fn a_nan_interval_is_refused() {
        let mut config = Config::loopback(0);
        config.walker_interval = f64::NAN;
        assert_eq!(
            config.validate().unwrap_err().to_string(),
            "walker_interval: must be a positive number of seconds, not NaN"
        );
    }
}
