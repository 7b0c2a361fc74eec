//! [`Rest`]: the `[rest]` table, where and how a node serves its REST API. py-ipv8 passes these
//! to `RESTManager.start` and its plugin's command line rather than keeping them in its
//! configuration dictionary, so a py-ipv8 JSON configuration has no such table and loads as ever.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Where and how the REST API is served: the optional `[rest]` table of a configuration.
///
/// Every key has a default: py-ipv8's `127.0.0.1:8085`, no API key, plain HTTP. A node refuses to
/// serve the API on an address that is not a loopback address without an API key, unless
/// `allow_remote_without_key` says so. `Debug` does not show the key.
///
/// # Examples
///
/// ```
/// use ipv8::config::Config;
///
/// let mut text = Config::loopback(0).to_toml_string()?;
/// text.push_str("\n[rest]\nport = 14411\napi_key = \"my secret key\"\ncert_file = \"rest.pem\"\n");
/// let config = Config::from_toml_str(&text)?;
/// let rest = config.rest.expect("a [rest] table");
/// assert_eq!(rest.address().to_string(), "127.0.0.1:14411");
/// assert_eq!(rest.api_key.as_deref(), Some("my secret key"));
/// assert_eq!(rest.cert_path(&config.working_directory), Some("./rest.pem".into()));
/// # Ok::<(), ipv8::config::ConfigError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Rest {
    /// The address to listen on (default: `127.0.0.1`).
    #[serde(default = "default_ip")]
    pub ip: IpAddr,
    /// The TCP port (default: py-ipv8's 8085; 0 picks a free one).
    #[serde(default = "default_port")]
    pub port: u16,
    /// The key every request must carry in `X-Api-Key` or `?apikey=` (default: none). Must not
    /// be empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// A PEM file with the certificate and its private key: serve HTTPS (default: plain HTTP).
    /// A relative path is taken from the working directory, as key files are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_file: Option<PathBuf>,
    /// Serve an address that is not a loopback address even without an API key, to anyone who
    /// reaches it (default: false, refuse).
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_remote_without_key: bool,
}

fn default_ip() -> IpAddr {
    IpAddr::V4(Ipv4Addr::LOCALHOST)
}

fn default_port() -> u16 {
    8085
}

// serde's `skip_serializing_if` hands the field by reference.
#[expect(clippy::trivially_copy_pass_by_ref)]
fn is_false(value: &bool) -> bool {
    !value
}

impl Default for Rest {
    /// `127.0.0.1:8085`, no API key, plain HTTP.
    fn default() -> Self {
        Self {
            ip: default_ip(),
            port: default_port(),
            api_key: None,
            cert_file: None,
            allow_remote_without_key: false,
        }
    }
}

impl Rest {
    /// The socket address to listen on.
    #[must_use]
    pub fn address(&self) -> SocketAddr {
        SocketAddr::new(self.ip, self.port)
    }

    /// The certificate file, a relative one taken from `working_directory`.
    #[must_use]
    pub fn cert_path(&self, working_directory: &Path) -> Option<PathBuf> {
        self.cert_file.as_ref().map(|file| working_directory.join(file))
    }
}

impl fmt::Debug for Rest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rest")
            .field("ip", &self.ip)
            .field("port", &self.port)
            .field("api_key", &self.api_key.as_ref().map(|_| ".."))
            .field("cert_file", &self.cert_file)
            .field("allow_remote_without_key", &self.allow_remote_without_key)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::*;

    fn with_rest(table: &str) -> String {
        let text = Config::loopback(0).to_toml_string().expect("serializable");
        format!("{text}\n[rest]\n{table}\n")
    }

    #[test]
    fn an_empty_table_takes_the_defaults() {
        let config = Config::from_toml_str(&with_rest("")).expect("valid");
        assert_eq!(config.rest, Some(Rest::default()));
        assert_eq!(Rest::default().address().to_string(), "127.0.0.1:8085");
    }

    #[test]
    fn a_configuration_with_rest_round_trips_and_one_without_writes_none() {
        let table = "ip = \"::1\"\nport = 0\napi_key = \"k\"\nallow_remote_without_key = true";
        let config = Config::from_toml_str(&with_rest(table)).expect("valid");
        let toml = config.to_toml_string().expect("serializable");
        assert_eq!(Config::from_toml_str(&toml).expect("valid"), config);
        let json = config.to_json_string().expect("serializable");
        assert_eq!(Config::from_json_str(&json).expect("valid"), config);
        assert!(!Config::loopback(0).to_json_string().expect("serializable").contains("rest"));
    }

    #[test]
    fn an_empty_key_and_unknown_keys_are_refused() {
        let err = Config::from_toml_str(&with_rest("api_key = \"\"")).expect_err("refused");
        assert_eq!(
            err.to_string(),
            "rest.api_key: must not be empty (leave it out to serve without a key)"
        );
        let err = Config::from_toml_str(&with_rest("apikey = \"k\"")).expect_err("refused");
        assert_eq!(err.path(), Some("rest.apikey"));
    }

    #[test]
    fn debug_hides_the_key() {
        let rest = Rest { api_key: Some("secret".into()), ..Rest::default() };
        assert!(!format!("{rest:?}").contains("secret"));
    }
}
