//! The HTTP server of the REST API: [`RestServer`] binds a TCP socket (loopback unless told
//! otherwise), guards it with an API key and TLS when given them, and serves a running node's
//! state through its [`NodeHandle`]; [`serve`] does the same, unguarded, on a listener the caller
//! bound.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};

use tokio::net::TcpListener;

use super::access::guard;
use super::routes::router;
use super::tls::TlsListener;
use super::{ApiKey, BindError, TlsIdentity};
use crate::runtime::{NodeHandle, Pseudonyms};

/// The REST API's TCP socket, bound and ready to serve a node, with py-ipv8's protections.
///
/// - **Address.** py-ipv8's `RESTManager` listens on `127.0.0.1` by default, and so does this
///   server: [`RestServer::bind`] refuses any address that is not a loopback address,
///   [`RestServer::bind_with_key`] takes any address with an API key, and only
///   [`RestServer::bind_allow_remote`] takes any address without one.
/// - **API key** ([`RestServer::with_api_key`]): every request must carry it in the `X-Api-Key`
///   header or the `apikey` query parameter, else it is answered `401` with
///   `{"error": "Unauthorized access"}`; paths that start with `/docs` or `/static` are exempt.
/// - **CORS**: a pre-flight (`OPTIONS` with `Access-Control-Request-Method`) that passes the key
///   check is answered `200` with py-ipv8's `Access-Control-Allow-*` and `Access-Control-Max-Age`
///   headers; other answers carry none.
/// - **TLS** ([`RestServer::with_tls`]): the socket speaks HTTPS only.
///
/// `docs/rest-security.md` shows the whole setup, with the openssl recipe for a certificate.
///
/// # Examples
///
/// A node on the loopback interface and its REST API, asked for `GET /network` over plain HTTP
/// with the API key in the `X-Api-Key` header.
///
/// ```
/// use std::io::{Read as _, Write as _};
/// use std::time::Instant;
///
/// use ipv8::crypto::{Curve, PrivateKey};
/// use ipv8::proto::Node;
/// use ipv8::rest::RestServer;
/// use ipv8::runtime::{self, Endpoint, EndpointConfig};
///
/// #[tokio::main]
/// async fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let node = Node::new(PrivateKey::generate(Curve::Curve25519)?, 1, Instant::now());
///     let loopback = EndpointConfig::new().with_ipv4("127.0.0.1:0".parse()?);
///     let (handle, _events, _task) = runtime::spawn(node, Endpoint::bind(&loopback)?);
///
///     let server = RestServer::bind_loopback(0).await?.with_api_key("my secret key".parse()?);
///     let address = server.local_addr()?;
///     tokio::spawn(server.run(handle.clone()));
///
///     let response = tokio::task::spawn_blocking(move || -> std::io::Result<String> {
///         let mut stream = std::net::TcpStream::connect(address)?;
///         stream.write_all(b"GET /network HTTP/1.1\r\nHost: localhost\r\n")?;
///         stream.write_all(b"X-Api-Key: my secret key\r\nConnection: close\r\n\r\n")?;
///         let mut response = String::new();
///         stream.read_to_string(&mut response)?;
///         Ok(response)
///     })
///     .await??;
///     assert!(response.starts_with("HTTP/1.1 200 OK\r\n"));
///     assert!(response.ends_with(r#"{"peers":{}}"#));
///
///     handle.shutdown().await;
///     Ok(())
/// }
/// ```
#[derive(Debug)]
pub struct RestServer {
    listener: TcpListener,
    api_key: Option<ApiKey>,
    tls: Option<TlsIdentity>,
    pseudonyms: Option<std::sync::Arc<Pseudonyms>>,
}

impl RestServer {
    /// Binds `127.0.0.1:port`, py-ipv8's default REST address (its default port is 8085); port 0
    /// picks a free port, which [`RestServer::local_addr`] tells.
    ///
    /// # Errors
    ///
    /// [`BindError::Io`] if the port is taken or refused.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropped before it completes, no socket stays open.
    pub async fn bind_loopback(port: u16) -> Result<Self, BindError> {
        Self::bind_allow_remote(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await
    }

    /// Binds `address`, which must be a loopback address (`127.0.0.0/8`, `::1`, or
    /// `::ffff:127.x.y.z`).
    ///
    /// # Errors
    ///
    /// [`BindError::NotLoopback`] for any other address, before anything is bound;
    /// [`BindError::Io`] if the operating system refuses the address.
    ///
    /// # Cancel safety
    ///
    /// As [`RestServer::bind_loopback`].
    pub async fn bind(address: SocketAddr) -> Result<Self, BindError> {
        if !address.ip().to_canonical().is_loopback() {
            return Err(BindError::NotLoopback(address));
        }
        Self::bind_allow_remote(address).await
    }

    /// Binds `address`, loopback or not, and asks every request for `key` (see
    /// [`RestServer::with_api_key`]). Over plain HTTP the key crosses the network readable:
    /// add [`RestServer::with_tls`] for an address other machines reach.
    ///
    /// # Errors
    ///
    /// [`BindError::Io`] if the operating system refuses the address.
    ///
    /// # Cancel safety
    ///
    /// As [`RestServer::bind_loopback`].
    pub async fn bind_with_key(address: SocketAddr, key: ApiKey) -> Result<Self, BindError> {
        Ok(Self::bind_allow_remote(address).await?.with_api_key(key))
    }

    /// Binds `address` whatever it is, `0.0.0.0` included, with no API key yet: whoever reaches
    /// the address can use the API. Only ask for this on a network you trust, or add a key with
    /// [`RestServer::with_api_key`].
    ///
    /// # Errors
    ///
    /// [`BindError::Io`] if the operating system refuses the address.
    ///
    /// # Cancel safety
    ///
    /// As [`RestServer::bind_loopback`].
    pub async fn bind_allow_remote(address: SocketAddr) -> Result<Self, BindError> {
        match TcpListener::bind(address).await {
            Ok(listener) => Ok(Self { listener, api_key: None, tls: None, pseudonyms: None }),
            Err(source) => Err(BindError::Io { address, source }),
        }
    }

    /// Asks every request for `key`, in the `X-Api-Key` header or, when that is missing or empty,
    /// the `apikey` query parameter (py-ipv8's `api_key`). A request without it is answered `401`
    /// with `{"error": "Unauthorized access"}`, except on paths that start with `/docs` or
    /// `/static`, which py-ipv8 leaves open.
    #[must_use]
    pub fn with_api_key(mut self, key: ApiKey) -> Self {
        self.api_key = Some(key);
        self
    }

    /// Serves `/identity/*` (py-ipv8's identity tutorial) for these pseudonyms; without them
    /// those routes are not found.
    #[must_use]
    pub fn with_pseudonyms(mut self, pseudonyms: std::sync::Arc<Pseudonyms>) -> Self {
        self.pseudonyms = Some(pseudonyms);
        self
    }

    /// Serves HTTPS with `identity` instead of plain HTTP (py-ipv8's `ssl_context`).
    #[must_use]
    pub fn with_tls(mut self, identity: TlsIdentity) -> Self {
        self.tls = Some(identity);
        self
    }

    /// The address the server listens on.
    ///
    /// # Errors
    ///
    /// What the operating system says when asked for the socket's address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves the node behind `handle` until the future is dropped; see [`serve`] for the
    /// routes.
    ///
    /// # Errors
    ///
    /// None in practice: failed accepts are retried, failed connections (TLS handshakes
    /// included) are dropped.
    ///
    /// # Cancel safety
    ///
    /// As [`serve`].
    pub async fn run(self, handle: NodeHandle) -> io::Result<()> {
        self.run_until(handle, std::future::pending()).await
    }

    /// Serves the node behind `handle` until `shutdown` completes, then stops accepting
    /// connections, lets the requests under way finish, and returns once every connection is
    /// closed.
    ///
    /// # Errors
    ///
    /// As [`RestServer::run`].
    ///
    /// # Cancel safety
    ///
    /// As [`serve`].
    pub async fn run_until(
        self,
        handle: NodeHandle,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()> {
        let app = guard(router(handle, self.pseudonyms, self.api_key.is_some()), self.api_key);
        match self.tls {
            None => axum::serve(self.listener, app).with_graceful_shutdown(shutdown).await,
            Some(tls) => {
                let listener = TlsListener::new(self.listener, &tls);
                axum::serve(listener, app).with_graceful_shutdown(shutdown).await
            }
        }
    }
}

/// Serves py-ipv8's REST API for the node behind `handle` on `listener`, whatever address it is
/// bound to, over plain HTTP and without an API key (prefer [`RestServer`], which keeps to
/// loopback addresses and offers both), until the future is dropped.
///
/// Routes: `GET /network` ([`network_json`](super::network_json)), `GET /overlays`
/// ([`overlays_json`](super::overlays_json)), `/overlays/statistics`, `POST /isolation`,
/// `/asyncio/*` (for the node's tokio loop), `/dht/*`, `/noblockdht/*` and `/tunnel/*`,
/// answered with `application/json`, and their `OpenAPI` document at `/docs/openapi.json` with
/// Swagger UI at `/docs`. Errors carry py-ipv8's body
/// `{"success": false, "error": {"code": …, "message": …}}`: an unknown path is `404` with code
/// `HTTPNotFound` and a known path with another method `405` with `HTTPMethodNotAllowed` (py-ipv8
/// sends both with status 500 and the same body); once the node has stopped, every route is `503`
/// with `HTTPServiceUnavailable`. CORS pre-flights get py-ipv8's answer (see [`RestServer`]).
///
/// The server and every connection it accepted hold a clone of `handle`, so they keep the node
/// running; stop it with [`NodeHandle::shutdown`].
///
/// # Examples
///
/// See [`RestServer`].
///
/// # Errors
///
/// None in practice: failed accepts are retried, failed connections are dropped.
///
/// # Cancel safety
///
/// Dropping the future stops accepting connections; those already accepted run in their own
/// tasks until the client closes them.
pub async fn serve(handle: NodeHandle, listener: TcpListener) -> io::Result<()> {
    axum::serve(listener, guard(router(handle, None, false), None)).await
}
