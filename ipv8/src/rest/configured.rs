//! [`RestServer::bind_configured`]: the REST server a configuration's `[rest]` table describes.

use std::path::Path;

use super::{ApiKey, BindError, RestServer, TlsIdentity};
use crate::config::Rest;

impl RestServer {
    /// Binds the REST API as `rest` says: its address, its API key, and HTTPS with its
    /// `cert_file` (a relative path taken from `working_directory`, as key files are).
    ///
    /// An address that is not a loopback address needs an API key, unless
    /// `rest.allow_remote_without_key` is set: without either it is refused before anything is
    /// bound.
    ///
    /// # Errors
    ///
    /// [`BindError::NotLoopback`] for a remote address without a key (or leave to go without
    /// one), [`BindError::EmptyApiKey`], [`BindError::Tls`] if the certificate file cannot be
    /// used, [`BindError::Io`] if the operating system refuses the address.
    ///
    /// # Cancel safety
    ///
    /// As [`RestServer::bind_loopback`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::path::Path;
    ///
    /// use ipv8::config::Rest;
    /// use ipv8::rest::{BindError, RestServer};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut rest = Rest::default();
    /// rest.ip = "0.0.0.0".parse()?;
    /// let refused = RestServer::bind_configured(&rest, Path::new(".")).await;
    /// assert!(matches!(refused, Err(BindError::NotLoopback(_))));
    ///
    /// rest.ip = "127.0.0.1".parse()?;
    /// rest.port = 0;
    /// let server = RestServer::bind_configured(&rest, Path::new(".")).await?;
    /// assert!(server.local_addr()?.ip().is_loopback());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn bind_configured(rest: &Rest, working_directory: &Path) -> Result<Self, BindError> {
        let address = rest.address();
        let key = rest.api_key.as_deref().map(ApiKey::new).transpose()?;
        let tls = rest.cert_path(working_directory).map(TlsIdentity::from_pem_file).transpose()?;
        let server = match key {
            Some(key) => Self::bind_with_key(address, key).await?,
            None if rest.allow_remote_without_key => Self::bind_allow_remote(address).await?,
            None => Self::bind(address).await?,
        };
        Ok(match tls {
            Some(tls) => server.with_tls(tls),
            None => server,
        })
    }
}
