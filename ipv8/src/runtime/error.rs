//! [`EndpointError`] and [`RuntimeError`]: why an endpoint could not open, and why a request to a
//! running node could not be served.

use std::io;
use std::net::{IpAddr, SocketAddr};

/// Why an [`Endpoint`](super::Endpoint) could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// The configuration asks for neither an IPv4 nor an IPv6 socket.
    #[error("the endpoint is configured without any socket (neither IPv4 nor IPv6)")]
    NoSocket,
    /// No tokio runtime is running on this thread, so the sockets cannot be registered with one.
    #[error("opening an endpoint needs a running tokio runtime")]
    NoRuntime,
    /// A socket could not be created or configured before binding.
    #[error("could not set up a UDP socket for {address}")]
    Socket {
        /// The address the socket was meant for.
        address: SocketAddr,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// Binding failed with an error that trying another port cannot fix.
    #[error("could not bind a UDP socket to {address}")]
    Bind {
        /// The address that was refused.
        address: SocketAddr,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// A configuration with a SOCKS5 proxy was given to [`Endpoint::bind`](super::Endpoint::bind),
    /// which cannot wait for the proxy; [`Endpoint::open`](super::Endpoint::open) can.
    #[error("an endpoint through a SOCKS5 proxy is opened with Endpoint::open")]
    Socks5NeedsOpen,
    /// The SOCKS5 proxy gave no UDP association.
    #[error("no UDP association from the SOCKS5 proxy at {proxy}")]
    Socks5 {
        /// The proxy's address.
        proxy: SocketAddr,
        /// What went wrong.
        #[source]
        source: super::Socks5Error,
    },
    /// Every port that was tried is taken (or refused).
    #[error("no free UDP port on {ip}: tried ports {first} to {last}")]
    NoFreePort {
        /// The IP address the endpoint was binding to.
        ip: IpAddr,
        /// The first port tried (the configured one).
        first: u16,
        /// The last port tried.
        last: u16,
        /// Why the last port was refused.
        #[source]
        source: io::Error,
    },
}

/// Why a request to a running node failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuntimeError {
    /// The node's loop has ended: it was shut down or every handle was dropped.
    #[error("the node has stopped")]
    Stopped,
    /// A request to a community ([`NodeHandle::ask`](super::NodeHandle::ask)) got no answer.
    #[error(transparent)]
    Ask(#[from] crate::proto::AskError),
    /// The closure panicked; the node caught the panic and runs on.
    #[error("the closure panicked (the node runs on)")]
    Panicked,
    /// The node runs no community of the requested type.
    #[error("the node runs no community of type {0}")]
    NoSuchCommunity(&'static str),
}
