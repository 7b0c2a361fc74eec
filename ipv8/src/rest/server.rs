//! The HTTP server of the REST API: [`RestServer`] binds a TCP socket (loopback unless told
//! otherwise) and serves a running node's state through its [`NodeHandle`]; [`serve`] does the same
//! on a listener the caller bound.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};

use tokio::net::TcpListener;

use super::BindError;
use super::routes::router;
use crate::runtime::NodeHandle;

/// The REST API's TCP socket, bound and ready to serve a node.
///
/// py-ipv8's `RESTManager` listens on `127.0.0.1` by default, and so does this server:
/// [`RestServer::bind`] refuses any address that is not a loopback address, and only
/// [`RestServer::bind_allow_remote`] accepts others. Not implemented yet: py-ipv8's API key
/// (`X-Api-Key` / `?apikey=`), its CORS pre-flight answers and TLS, so anyone who can reach the
/// socket can use the API.
///
/// # Examples
///
/// A node on the loopback interface and its REST API, asked for `GET /network` over plain HTTP.
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
///     let server = RestServer::bind_loopback(0).await?;
///     let address = server.local_addr()?;
///     tokio::spawn(server.run(handle.clone()));
///
///     let response = tokio::task::spawn_blocking(move || -> std::io::Result<String> {
///         let mut stream = std::net::TcpStream::connect(address)?;
///         stream.write_all(b"GET /network HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
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

    /// Binds `address` whatever it is, `0.0.0.0` included. Without an API key or TLS (neither
    /// is implemented yet), whoever reaches the address can use the API: only ask for this on a
    /// network you trust.
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
            Ok(listener) => Ok(Self { listener }),
            Err(source) => Err(BindError::Io { address, source }),
        }
    }

    /// The address the server listens on.
    ///
    /// # Errors
    ///
    /// What the operating system says when asked for the socket's address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves the node behind `handle` until the future is dropped; see [`serve`].
    ///
    /// # Errors
    ///
    /// None in practice: failed accepts are retried, failed connections are dropped.
    ///
    /// # Cancel safety
    ///
    /// As [`serve`].
    pub async fn run(self, handle: NodeHandle) -> io::Result<()> {
        serve(handle, self.listener).await
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
        axum::serve(self.listener, router(handle)).with_graceful_shutdown(shutdown).await
    }
}

/// Serves py-ipv8's REST API for the node behind `handle` on `listener`, whatever address it is
/// bound to (prefer [`RestServer`], which keeps to loopback addresses), until the future is
/// dropped.
///
/// Routes: `GET /network` ([`network_json`](super::network_json)) and `GET /overlays`
/// ([`overlays_json`](super::overlays_json)), answered `200` with `application/json`. Errors
/// carry py-ipv8's body `{"success": false, "error": {"code": …, "message": …}}`: an unknown path
/// is `404` with code `HTTPNotFound` and a known path with another method `405` with
/// `HTTPMethodNotAllowed` (py-ipv8 sends both with status 500 and the same body); once the node
/// has stopped, every route is `503` with `HTTPServiceUnavailable`. The API key, CORS and TLS of
/// py-ipv8 are not implemented yet.
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
    axum::serve(listener, router(handle)).await
}
