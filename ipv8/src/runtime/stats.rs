//! [`Stats`]: a running node's counters together with its driver's.

use crate::proto;

/// What a running node and its driver counted.
///
/// # Examples
///
/// ```
/// let stats = ipv8::runtime::Stats::default();
/// assert_eq!(stats.node.received, 0);
/// assert_eq!(stats.send_errors, 0);
/// ```
#[derive(Debug, Default, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// The node's own counters: received, handled per message id, dropped per reason.
    pub node: proto::Stats,
    /// Datagrams read from the sockets.
    pub datagrams_received: u64,
    /// Bytes read from the sockets (py-ipv8's `bytes_down`).
    pub bytes_received: u64,
    /// Datagrams the sockets took for sending.
    pub datagrams_sent: u64,
    /// Bytes the sockets took for sending (py-ipv8's `bytes_up`).
    pub bytes_sent: u64,
    /// Datagrams that could not be sent (no socket of the family, or a socket error).
    pub send_errors: u64,
    /// Errors reading from a socket.
    pub receive_errors: u64,
    /// Datagrams an endpoint that sends through a SOCKS5 proxy dropped on the way in: from anyone
    /// but the proxy's relay, or without a valid SOCKS5 header for an IP address.
    pub proxy_dropped: u64,
    /// Events dropped because the [`Events`](super::Events) queue was full.
    pub events_dropped: u64,
    /// Closures sent through a [`NodeHandle`](super::NodeHandle) that panicked (the node caught
    /// them and went on; community code's own panics are in `node.panics`).
    pub handle_panics: u64,
    /// Signatures of received datagrams checked on worker threads rather than the loop
    /// ([`Config::with_crypto_workers`](super::Config::with_crypto_workers)).
    pub checked_on_workers: u64,
    /// Datagrams signed on worker threads rather than the loop.
    pub signed_on_workers: u64,
}
