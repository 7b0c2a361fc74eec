//! [`EndpointConfig`] (which sockets to open, as py-ipv8's `UDPEndpoint`, and whether to send
//! through a SOCKS5 proxy) and [`Config`] (the sizes of the driver's queues, and the transport of
//! the sockets communities open).

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::sync::Arc;

use super::sockets::{Transport, UdpTransport};

/// py-ipv8's default UDP port.
pub const DEFAULT_PORT: u16 = 8090;
/// How many ports py-ipv8 tries, counting up from the configured one, before giving up.
pub const DEFAULT_PORT_ATTEMPTS: u32 = 10_000;
/// The receive buffer py-ipv8 asks for (`SO_RCVBUF`), in bytes.
pub const DEFAULT_RECV_BUFFER_SIZE: usize = 870_400;

/// Which UDP sockets an [`Endpoint`](super::Endpoint) opens.
///
/// The default is py-ipv8's: IPv4 on `0.0.0.0:8090`, no IPv6, up to 10 000 ports tried and an
/// 870 400-byte receive buffer. Port 0 lets the operating system choose (one attempt).
///
/// With [`EndpointConfig::with_socks5`], the endpoint sends and receives every datagram through a
/// SOCKS5 proxy's UDP relay instead; it must then be opened with
/// [`Endpoint::open`](super::Endpoint::open).
///
/// # Examples
///
/// ```
/// use ipv8::runtime::EndpointConfig;
///
/// let config = EndpointConfig::new()
///     .with_ipv4("127.0.0.1:0".parse()?)
///     .with_ipv6("[::1]:0".parse()?)
///     .with_port_attempts(100);
/// assert_eq!(config.port_attempts(), 100);
/// assert!(config.ipv6().is_some());
/// # Ok::<(), std::net::AddrParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointConfig {
    ipv4: Option<SocketAddrV4>,
    ipv6: Option<SocketAddrV6>,
    port_attempts: u32,
    recv_buffer_size: usize,
    socks5: Option<SocketAddr>,
}

impl Default for EndpointConfig {
    fn default() -> Self {
        Self {
            ipv4: Some(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, DEFAULT_PORT)),
            ipv6: None,
            port_attempts: DEFAULT_PORT_ATTEMPTS,
            recv_buffer_size: DEFAULT_RECV_BUFFER_SIZE,
            socks5: None,
        }
    }
}

impl EndpointConfig {
    /// py-ipv8's defaults (see the type's documentation).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Opens the IPv4 socket at `address` (the first port tried).
    #[must_use]
    pub fn with_ipv4(mut self, address: SocketAddrV4) -> Self {
        self.ipv4 = Some(address);
        self
    }

    /// Opens no IPv4 socket.
    #[must_use]
    pub fn without_ipv4(mut self) -> Self {
        self.ipv4 = None;
        self
    }

    /// Also opens an IPv6-only socket (`IPV6_V6ONLY`) at `address` (the first port tried).
    #[must_use]
    pub fn with_ipv6(mut self, address: SocketAddrV6) -> Self {
        self.ipv6 = Some(address);
        self
    }

    /// Opens no IPv6 socket.
    #[must_use]
    pub fn without_ipv6(mut self) -> Self {
        self.ipv6 = None;
        self
    }

    /// How many ports to try per socket, counting up from the configured one while they are taken
    /// (at least 1; the count stops early at port 65535).
    #[must_use]
    pub fn with_port_attempts(mut self, attempts: u32) -> Self {
        self.port_attempts = attempts.max(1);
        self
    }

    /// The receive buffer to ask for (`SO_RCVBUF`); the kernel may double or cap it.
    #[must_use]
    pub fn with_recv_buffer_size(mut self, bytes: usize) -> Self {
        self.recv_buffer_size = bytes;
        self
    }

    /// Sends and receives through the SOCKS5 proxy at `proxy` (RFC 1928 `UDP ASSOCIATE`, no
    /// authentication), as py-ipv8's `TunnelEndpoint` sends through circuits: the endpoint opens
    /// one UDP socket, on the local address of its TCP connection to the proxy (the address the
    /// proxy accepts datagrams from) at the configured port of that address family, and every
    /// datagram travels to and from the proxy's relay with a SOCKS5 UDP header. With a
    /// [`Socks5Server`](super::Socks5Server) as the proxy, peers see the node at its circuits'
    /// exits.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipv8::runtime::EndpointConfig;
    ///
    /// let config = EndpointConfig::new()
    ///     .with_ipv4("127.0.0.1:0".parse()?)
    ///     .with_socks5("127.0.0.1:1080".parse()?);
    /// assert_eq!(config.socks5(), Some("127.0.0.1:1080".parse()?));
    /// # Ok::<(), std::net::AddrParseError>(())
    /// ```
    #[must_use]
    pub fn with_socks5(mut self, proxy: SocketAddr) -> Self {
        self.socks5 = Some(proxy);
        self
    }

    /// Sends directly again (no SOCKS5 proxy).
    #[must_use]
    pub fn without_socks5(mut self) -> Self {
        self.socks5 = None;
        self
    }

    /// The SOCKS5 proxy datagrams go through, if any.
    #[must_use]
    pub fn socks5(&self) -> Option<SocketAddr> {
        self.socks5
    }

    /// The IPv4 address to bind, if any.
    #[must_use]
    pub fn ipv4(&self) -> Option<SocketAddrV4> {
        self.ipv4
    }

    /// The IPv6 address to bind, if any.
    #[must_use]
    pub fn ipv6(&self) -> Option<SocketAddrV6> {
        self.ipv6
    }

    /// How many ports are tried per socket.
    #[must_use]
    pub fn port_attempts(&self) -> u32 {
        self.port_attempts
    }

    /// The receive buffer asked for, in bytes.
    #[must_use]
    pub fn recv_buffer_size(&self) -> usize {
        self.recv_buffer_size
    }
}

/// The sizes of a driver's queues and batches, and the transport of extra sockets.
///
/// # Examples
///
/// ```
/// let config = ipv8::runtime::Config::new().with_event_capacity(16);
/// assert_eq!(config.event_capacity(), 16);
/// ```
#[derive(Clone)]
pub struct Config {
    event_capacity: usize,
    command_capacity: usize,
    receive_batch: usize,
    crypto_workers: Option<usize>,
    transport: Arc<dyn Transport>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("event_capacity", &self.event_capacity)
            .field("command_capacity", &self.command_capacity)
            .field("receive_batch", &self.receive_batch)
            .field("crypto_workers", &self.crypto_workers())
            .finish_non_exhaustive()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            event_capacity: 1024,
            command_capacity: 64,
            receive_batch: 64,
            crypto_workers: None,
            transport: Arc::new(UdpTransport),
        }
    }
}

impl Config {
    /// 1024 events, 64 commands, and batches of 64 datagrams per socket.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many events wait for [`Events::recv`](super::Events::recv) before new ones are dropped
    /// (and counted in [`Stats::events_dropped`](super::Stats::events_dropped)); at least 1.
    #[must_use]
    pub fn with_event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity.max(1);
        self
    }

    /// How many requests from [`NodeHandle`](super::NodeHandle)s may wait for the loop before
    /// senders wait in turn; at least 1.
    #[must_use]
    pub fn with_command_capacity(mut self, capacity: usize) -> Self {
        self.command_capacity = capacity.max(1);
        self
    }

    /// The most datagrams from one socket handed to the node before the loop looks at its timer
    /// and commands again, so that a flood cannot starve them (also the most datagrams taken from
    /// a community's own sockets at a time); at least 1. On Linux, up to 32 datagrams are read per
    /// system call, and more when the kernel hands same-size ones over together (UDP GRO): what
    /// does not fit the batch waits for the next turns.
    #[must_use]
    pub fn with_receive_batch(mut self, datagrams: usize) -> Self {
        self.receive_batch = datagrams.max(1);
        self
    }

    /// How many threads besides the loop check the signatures of received batches and sign the
    /// datagrams to send: a batch with at least [`PARALLEL_MIN`](super::PARALLEL_MIN)
    /// signatures is split among them and the loop. The node still handles datagrams in the
    /// order they arrived and they are sent in the order it queued them, so the traffic with each
    /// peer keeps its order. 0 does all signature work on the loop. The default is one less than
    /// the cores the process may use, at most 7: on one core, none.
    #[must_use]
    pub fn with_crypto_workers(mut self, workers: usize) -> Self {
        self.crypto_workers = Some(workers);
        self
    }

    /// Opens the sockets communities ask for ([`Context::open_socket`](crate::proto::Context::open_socket))
    /// with `transport` instead of the operating system's UDP ([`UdpTransport`]).
    #[must_use]
    pub fn with_transport(mut self, transport: impl Transport) -> Self {
        self.transport = Arc::new(transport);
        self
    }

    /// The transport extra sockets are opened with.
    #[must_use]
    pub fn transport(&self) -> Arc<dyn Transport> {
        Arc::clone(&self.transport)
    }

    /// The event queue's capacity.
    #[must_use]
    pub fn event_capacity(&self) -> usize {
        self.event_capacity
    }

    /// The command queue's capacity.
    #[must_use]
    pub fn command_capacity(&self) -> usize {
        self.command_capacity
    }

    /// The receive batch size.
    #[must_use]
    pub fn receive_batch(&self) -> usize {
        self.receive_batch
    }

    /// The number of signature threads besides the loop.
    #[must_use]
    pub fn crypto_workers(&self) -> usize {
        self.crypto_workers.unwrap_or_else(super::workers::Workers::default_count)
    }
}
