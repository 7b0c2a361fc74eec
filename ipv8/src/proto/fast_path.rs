//! [`FastPath`]: a community's shortcut for datagrams that only pass through the node, such as
//! the cells a tunnel relay moves from one circuit link to the next. A community registers one
//! with [`Context::set_fast_path`](super::Context::set_fast_path); the node offers it each
//! datagram under the community's prefix before dispatching, and what it forwards never reaches
//! the community's handlers.
//!
//! The runtime asks it straight from the socket's receive buffers and sends what it forwards in
//! batches from one reused buffer ([`Node::forward_fast`](super::Node::forward_fast)); the
//! simulator and [`Node::handle_datagram`](super::Node::handle_datagram) ask it in the same way,
//! so both run one logic.

use std::net::SocketAddr;
use std::time::Instant;

use super::SocketId;

/// A datagram's arrival, as a fast path sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrived {
    /// When it arrived.
    pub now: Instant,
    /// Who sent it.
    pub source: SocketAddr,
    /// The node's own address, if it knows it ([`Context::my_address`](super::Context::my_address)).
    pub local: Option<SocketAddr>,
}

/// Where a forwarded datagram goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forward {
    /// Its destination.
    pub destination: SocketAddr,
    /// The community's socket it leaves from ([`Context::open_socket`](super::Context::open_socket)),
    /// or `None` for the node's endpoint.
    pub socket: Option<SocketId>,
}

impl Forward {
    /// Out of the node's endpoint to `destination`.
    #[must_use]
    pub fn to(destination: SocketAddr) -> Self {
        Self { destination, socket: None }
    }
}

/// A shortcut through the node for datagrams of one community that need no handler.
///
/// It shares its state with its community (an `Arc<Mutex<_>>` of routes, say): the community
/// adds and removes what the fast path serves, the fast path moves datagrams.
///
/// # Examples
///
/// A fast path that turns datagrams of one shape around to a fixed peer:
///
/// ```
/// use std::net::SocketAddr;
/// use std::time::Instant;
///
/// use ipv8::proto::{Arrived, FastPath, Forward};
///
/// struct Bounce {
///     to: SocketAddr,
/// }
///
/// impl FastPath for Bounce {
///     fn forward(&mut self, _: &Arrived, datagram: &[u8], out: &mut Vec<u8>) -> Option<Forward> {
///         // Only message id 200 under the prefix; anything else goes to the handlers.
///         (datagram.get(22) == Some(&200)).then(|| {
///             out.extend_from_slice(datagram);
///             Forward::to(self.to)
///         })
///     }
/// }
///
/// let mut bounce = Bounce { to: "127.0.0.1:9000".parse().unwrap() };
/// let mut out = Vec::new();
/// let mut packet = vec![0; 22];
/// packet.push(200);
/// let arrived =
///     Arrived { now: Instant::now(), source: "127.0.0.1:8000".parse().unwrap(), local: None };
/// assert_eq!(bounce.forward(&arrived, &packet, &mut out), Some(Forward::to(bounce.to)));
/// assert_eq!(out, packet);
/// ```
pub trait FastPath: Send {
    /// Offers a datagram that arrived under the community's prefix. To forward it, append the
    /// datagram to send to `out` (a buffer the caller reuses, which may already hold other
    /// datagrams: never touch what is there) and say where it goes. Return `None`, with `out`
    /// and the shared state as they were, for the node to hand the datagram to the community's
    /// handlers as usual, which is also how refusals get counted.
    fn forward(&mut self, arrived: &Arrived, datagram: &[u8], out: &mut Vec<u8>)
    -> Option<Forward>;
}
