//! TLS for the REST server: [`TlsIdentity`], a certificate chain and its private key read from
//! PEM (py-ipv8's `--cert-file`, one file holding both), and the listener that serves HTTPS with
//! it (rustls with the *ring* provider).

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::{CryptoProvider, ring};
use tokio_rustls::rustls::pki_types::pem::{self, PemObject};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::server::TlsStream;

use super::TlsError;

/// At most this many TLS handshakes run at once; connections beyond are closed at once.
const MAX_HANDSHAKES: usize = 64;
/// A client that has not finished its handshake by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The certificate chain and private key the REST server proves itself with, ready for rustls.
///
/// py-ipv8 loads one PEM file that holds the certificate followed by its key; its documentation
/// makes one with `openssl req -newkey rsa:2048 -nodes -keyout private.key -x509 -days 365 -out
/// certfile.pem` and `cat private.key >> certfile.pem`. [`TlsIdentity::from_pem_file`] reads such
/// a file (or the key first, or separate PEM files concatenated): every `CERTIFICATE` section, in
/// order, and the first private key (PKCS #8, PKCS #1 RSA or SEC1 EC). The server speaks TLS 1.2
/// and 1.3 and offers HTTP/1.1 through ALPN.
///
/// # Examples
///
/// ```
/// use ipv8::rest::{TlsError, TlsIdentity};
///
/// let err = TlsIdentity::from_pem(b"no PEM here").unwrap_err();
/// assert!(matches!(err, TlsError::NoCertificate));
/// ```
#[derive(Clone)]
pub struct TlsIdentity {
    config: Arc<ServerConfig>,
}

impl TlsIdentity {
    /// Reads the certificate chain and private key in `pem`.
    ///
    /// # Errors
    ///
    /// [`TlsError::NoCertificate`], [`TlsError::NoPrivateKey`], [`TlsError::Pem`] for a section
    /// that is not valid PEM, or [`TlsError::Rejected`] when rustls cannot use the key with the
    /// certificate.
    pub fn from_pem(pem: &[u8]) -> Result<Self, TlsError> {
        let certificates = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| pem_error(&error))?;
        if certificates.is_empty() {
            return Err(TlsError::NoCertificate);
        }
        let key = match PrivateKeyDer::from_pem_slice(pem) {
            Err(pem::Error::NoItemsFound) => return Err(TlsError::NoPrivateKey),
            other => other.map_err(|error| pem_error(&error))?,
        };
        let rejected =
            |error: tokio_rustls::rustls::Error| TlsError::Rejected { message: error.to_string() };
        let mut config = ServerConfig::builder_with_provider(Arc::new(provider()))
            .with_safe_default_protocol_versions()
            .map_err(rejected)?
            .with_no_client_auth()
            .with_single_cert(certificates, key)
            .map_err(rejected)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self { config: Arc::new(config) })
    }

    /// Reads the PEM file `file`, as [`TlsIdentity::from_pem`].
    ///
    /// # Errors
    ///
    /// [`TlsError::Read`] if the file cannot be read, [`TlsError::InFile`] wrapping what
    /// [`TlsIdentity::from_pem`] finds wrong in it.
    pub fn from_pem_file(file: impl AsRef<Path>) -> Result<Self, TlsError> {
        let file = file.as_ref();
        let pem =
            std::fs::read(file).map_err(|error| TlsError::Read { file: file.into(), error })?;
        Self::from_pem(&pem)
            .map_err(|error| TlsError::InFile { file: file.into(), error: Box::new(error) })
    }
}

impl fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsIdentity").finish_non_exhaustive()
    }
}

/// rustls's *ring* provider, named explicitly so that no process-wide default is needed.
#[expect(
    deprecated,
    reason = "rustls deprecates *ring* for its lack of post-quantum key exchange; the alternative, \
              aws-lc-rs, needs cmake and a C toolchain to build, and a loopback API gains little"
)]
fn provider() -> CryptoProvider {
    ring::default_provider()
}

fn pem_error(error: &pem::Error) -> TlsError {
    TlsError::Pem { message: error.to_string() }
}

/// A TCP listener whose connections come out of a TLS handshake, for `axum::serve`.
///
/// Handshakes run in tasks of their own, so a client that stalls in one keeps no other waiting;
/// at most [`MAX_HANDSHAKES`] run at once, each for at most [`HANDSHAKE_TIMEOUT`]. Dropping the
/// listener ends those under way.
pub(super) struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    handshakes: JoinSet<Option<(TlsStream<TcpStream>, SocketAddr)>>,
}

impl TlsListener {
    /// Serves TLS with `identity` on `tcp`.
    pub(super) fn new(tcp: TcpListener, identity: &TlsIdentity) -> Self {
        let acceptor = TlsAcceptor::from(Arc::clone(&identity.config));
        Self { tcp, acceptor, handshakes: JoinSet::new() }
    }

    /// Starts the handshake of a connection just accepted, if there is room for it.
    async fn start(&mut self, accepted: io::Result<(TcpStream, SocketAddr)>) {
        match accepted {
            Ok((tcp, peer)) if self.handshakes.len() < MAX_HANDSHAKES => {
                let handshake = self.acceptor.accept(tcp);
                self.handshakes.spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake).await {
                        Ok(Ok(stream)) => Some((stream, peer)),
                        Ok(Err(error)) => {
                            tracing::debug!(%peer, %error, "REST API: TLS handshake failed");
                            None
                        }
                        Err(_) => None,
                    }
                });
            }
            Ok((_, peer)) => tracing::debug!(%peer, "REST API: too many TLS handshakes, closed"),
            Err(error) => accept_failed(&error).await,
        }
    }
}

/// After a failed `accept`: go on at once when only that connection failed, else (out of file
/// descriptors, say) wait a second rather than spin, as `axum::serve` does.
async fn accept_failed(error: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if !matches!(error.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
        tracing::error!(%error, "REST API: accepting a connection failed");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            tokio::select! {
                Some(done) = self.handshakes.join_next() => {
                    if let Ok(Some(connection)) = done {
                        return connection;
                    }
                }
                accepted = self.tcp.accept() => self.start(accepted).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}
