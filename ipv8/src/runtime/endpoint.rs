//! [`Endpoint`]: the UDP sockets a node talks through, as py-ipv8's `UDPEndpoint` and
//! `UDPv6Endpoint` behind its dispatcher: an IPv4 socket, an optional IPv6-only socket, and sends
//! routed to the socket of the destination's address family. Or, through a SOCKS5 proxy (as
//! py-ipv8's `TunnelEndpoint` through circuits), one socket whose datagrams all go to and come
//! from the proxy's relay, each with a SOCKS5 UDP header naming the peer.

use std::io;
use std::net::{IpAddr, SocketAddr};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;

use super::socks5::codec::wrap;
use super::socks5::{self, Association};
use super::udp::{self, Gso};
use super::{EndpointConfig, EndpointError};

/// The UDP sockets of one node: IPv4, IPv6, or both.
///
/// # Examples
///
/// ```
/// use ipv8::runtime::{Endpoint, EndpointConfig};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let a = Endpoint::bind(&EndpointConfig::new().with_ipv4("127.0.0.1:0".parse()?))?;
/// let b = Endpoint::bind(&EndpointConfig::new().with_ipv4("127.0.0.1:0".parse()?))?;
/// let to = b.local_addrs().ipv4().expect("an IPv4 socket");
/// a.send_to(b"hello", to).await?;
/// let mut buf = [0; 16];
/// let (len, from) = b.recv_from(&mut buf).await?;
/// assert_eq!((&buf[..len], Some(from)), (&b"hello"[..], a.local_addrs().ipv4()));
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Endpoint {
    ipv4: Option<(UdpSocket, Gso)>,
    ipv6: Option<(UdpSocket, Gso)>,
    local: LocalAddrs,
    /// The SOCKS5 association every datagram goes through, if any.
    proxy: Option<Association>,
}

/// The addresses an [`Endpoint`]'s sockets are bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalAddrs {
    ipv4: Option<SocketAddr>,
    ipv6: Option<SocketAddr>,
}

impl LocalAddrs {
    /// The IPv4 socket's address, if there is one.
    #[must_use]
    pub fn ipv4(&self) -> Option<SocketAddr> {
        self.ipv4
    }

    /// The IPv6 socket's address, if there is one.
    #[must_use]
    pub fn ipv6(&self) -> Option<SocketAddr> {
        self.ipv6
    }

    /// Every bound address, IPv4 first.
    pub fn iter(&self) -> impl Iterator<Item = SocketAddr> + use<> {
        self.ipv4.into_iter().chain(self.ipv6)
    }
}

impl Endpoint {
    /// Opens the sockets `config` asks for. A socket whose port is taken moves on to the next
    /// port, up to [`EndpointConfig::port_attempts`] ports, as py-ipv8 does; unlike py-ipv8, it
    /// fails (instead of reporting an endpoint that is not open) when none is free, and it stops at
    /// once on errors another port cannot fix (an address not on this machine, say).
    ///
    /// # Errors
    ///
    /// [`EndpointError`] says which address or which ports failed, and why. Opening needs a
    /// running tokio runtime ([`EndpointError::NoRuntime`] otherwise). A configuration with a
    /// SOCKS5 proxy needs [`Endpoint::open`] ([`EndpointError::Socks5NeedsOpen`]).
    pub fn bind(config: &EndpointConfig) -> Result<Self, EndpointError> {
        if config.socks5().is_some() {
            return Err(EndpointError::Socks5NeedsOpen);
        }
        if config.ipv4().is_none() && config.ipv6().is_none() {
            return Err(EndpointError::NoSocket);
        }
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(EndpointError::NoRuntime);
        }
        let ipv4 = config.ipv4().map(|address| open(address.into(), config)).transpose()?;
        let ipv6 = config.ipv6().map(|address| open(address.into(), config)).transpose()?;
        let local =
            LocalAddrs { ipv4: ipv4.as_ref().map(|s| s.1), ipv6: ipv6.as_ref().map(|s| s.1) };
        let with_gso = |socket: UdpSocket| {
            let gso = Gso::probe(&socket);
            (socket, gso)
        };
        let (ipv4, ipv6) = (ipv4.map(|s| with_gso(s.0)), ipv6.map(|s| with_gso(s.0)));
        Ok(Self { ipv4, ipv6, local, proxy: None })
    }

    /// Opens the endpoint `config` asks for: as [`Endpoint::bind`] without a SOCKS5 proxy; with
    /// one ([`EndpointConfig::with_socks5`]), connects to the proxy, binds one UDP socket on the
    /// local address of that connection (at the configured port of its family, counting up as
    /// [`Endpoint::bind`] does) and asks the proxy for a UDP association
    /// ([`socks5::HANDSHAKE_TIMEOUT`] at most). The control connection stays open for the
    /// endpoint's life: the proxy ends the association when it closes.
    ///
    /// Through a proxy, datagrams from anyone but the relay, and datagrams whose header is
    /// malformed, names a host or is a fragment, are dropped and counted
    /// ([`Endpoint::proxy_dropped`]). Sends take the simple path (one datagram per call).
    ///
    /// # Errors
    ///
    /// As [`Endpoint::bind`]; [`EndpointError::Socks5`] when the proxy gave no association.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropped before it completes, nothing stays open.
    pub async fn open(config: &EndpointConfig) -> Result<Self, EndpointError> {
        let Some(proxy) = config.socks5() else { return Self::bind(config) };
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(EndpointError::NoRuntime);
        }
        let failed = |source| EndpointError::Socks5 { proxy, source };
        let control = socks5::connect(proxy).await.map_err(failed)?;
        let ip = control.local_addr().map_err(|e| failed(e.into()))?.ip();
        let port = match ip {
            IpAddr::V4(_) => config.ipv4().map_or(0, |a| a.port()),
            IpAddr::V6(_) => config.ipv6().map_or(0, |a| a.port()),
        };
        let (socket, local) = open(SocketAddr::new(ip, port), config)?;
        let relay = socks5::associate(&control, local).await.map_err(failed)?;
        if relay.is_ipv4() != local.is_ipv4() {
            return Err(failed(socks5::Socks5Error::BadRelay));
        }
        let association = Association::new(control, relay).map_err(|e| failed(e.into()))?;
        let slot = Some((socket, Gso::disabled()));
        let (ipv4, ipv6, local) = if local.is_ipv4() {
            (slot, None, LocalAddrs { ipv4: Some(local), ipv6: None })
        } else {
            (None, slot, LocalAddrs { ipv4: None, ipv6: Some(local) })
        };
        Ok(Self { ipv4, ipv6, local, proxy: Some(association) })
    }

    /// The SOCKS5 proxy the endpoint sends through, if any.
    #[must_use]
    pub fn proxy(&self) -> Option<SocketAddr> {
        self.proxy.as_ref().map(Association::proxy)
    }

    /// The proxy's UDP relay, where every datagram goes, if the endpoint sends through a proxy.
    #[must_use]
    pub fn relay(&self) -> Option<SocketAddr> {
        self.proxy.as_ref().map(Association::relay)
    }

    /// Datagrams dropped on the way in through a proxy: from anyone but the relay, or without a
    /// valid SOCKS5 header for an IP address (0 without a proxy).
    #[must_use]
    pub fn proxy_dropped(&self) -> u64 {
        self.proxy.as_ref().map_or(0, Association::dropped)
    }

    /// The addresses the sockets are bound to (with the ports actually taken).
    #[must_use]
    pub fn local_addrs(&self) -> LocalAddrs {
        self.local
    }

    /// Sends one datagram from the socket of `destination`'s address family (an IPv4-mapped IPv6
    /// destination counts as IPv4).
    ///
    /// # Errors
    ///
    /// The socket's error, or [`io::ErrorKind::AddrNotAvailable`] if the endpoint has no socket of
    /// that family.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before it completes, the datagram was not sent.
    pub async fn send_to(&self, contents: &[u8], destination: SocketAddr) -> io::Result<usize> {
        let (socket, to) = self.socket_for(destination)?;
        if self.proxy.is_none() {
            return socket.0.send_to(contents, to).await;
        }
        socket.0.send_to(&wrap(destination, contents), to).await.map(|_| contents.len())
    }

    /// Receives one datagram on any socket into `buf` (a longer datagram is cut to `buf`'s length).
    /// Through a proxy, the source is the peer the relay names, and `buf` holds the data without
    /// the SOCKS5 header.
    ///
    /// # Errors
    ///
    /// The socket's error.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before it completes, no datagram was taken.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        loop {
            self.readable().await?;
            for socket in self.sockets() {
                match socket.try_recv_from(buf) {
                    Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                    Ok((len, source)) if self.proxy.is_some() => {
                        if let Some(received) = self.unwrap_into(buf, len, source) {
                            return Ok(received);
                        }
                    }
                    result => return result,
                }
            }
        }
    }

    /// Moves the data of a datagram from the relay to the front of `buf`; its length and sender.
    fn unwrap_into(
        &self,
        buf: &mut [u8],
        len: usize,
        source: SocketAddr,
    ) -> Option<(usize, SocketAddr)> {
        let datagram = buf.get(..len)?;
        let (sender, data) = self.proxy.as_ref()?.unwrap(source, datagram)?;
        let (data_len, header) = (data.len(), len - data.len());
        buf.copy_within(header..len, 0);
        Some((data_len, sender))
    }

    /// The datagrams of a batch as the node takes them: as read, or through a proxy, from the
    /// peers the relay names, without their headers (the others dropped and counted).
    pub(crate) fn inbound<'a>(
        &self,
        batch: Vec<(SocketAddr, &'a [u8])>,
    ) -> Vec<(SocketAddr, &'a [u8])> {
        match &self.proxy {
            None => batch,
            Some(proxy) => {
                batch.into_iter().filter_map(|(source, data)| proxy.unwrap(source, data)).collect()
            }
        }
    }

    /// The open sockets, IPv4 first.
    pub(crate) fn sockets(&self) -> impl Iterator<Item = &UdpSocket> {
        self.ipv4.iter().chain(&self.ipv6).map(|(socket, _)| socket)
    }

    /// Lets the kernel hand over datagrams of one source together (UDP GRO): only for an
    /// endpoint read by the driver, which splits them again ([`Endpoint::recv_from`] does not).
    pub(crate) fn enable_gro(&self) {
        self.sockets().for_each(udp::enable_gro);
    }

    /// Waits until a socket may have a datagram to read.
    pub(crate) async fn readable(&self) -> io::Result<()> {
        let sockets = (self.ipv4.as_ref().map(|s| &s.0), self.ipv6.as_ref().map(|s| &s.0));
        match sockets {
            (Some(ipv4), Some(ipv6)) => tokio::select! {
                result = ipv4.readable() => result,
                result = ipv6.readable() => result,
            },
            (Some(socket), None) | (None, Some(socket)) => socket.readable().await,
            (None, None) => std::future::pending().await,
        }
    }

    /// Waits until the socket for `destination` may take a datagram.
    pub(crate) async fn writable(&self, destination: SocketAddr) -> io::Result<()> {
        self.socket_for(destination)?.0.0.writable().await
    }

    /// Sends one datagram if the socket can take it now.
    pub(crate) fn try_send_to(
        &self,
        contents: &[u8],
        destination: SocketAddr,
    ) -> io::Result<usize> {
        let (socket, to) = self.socket_for(destination)?;
        match &self.proxy {
            None => socket.0.try_send_to(contents, to),
            Some(_) => socket.0.try_send_to(&wrap(destination, contents), to),
        }
    }

    /// How many datagrams of `size` bytes to `destination` one [`Endpoint::try_send_segments`]
    /// may carry: 1 if the socket cannot send runs (always through a proxy).
    pub(crate) fn max_segments(&self, destination: SocketAddr, size: usize) -> usize {
        if self.proxy.is_some() {
            return 1;
        }
        self.socket_for(destination).map_or(1, |((_, gso), _)| gso.segments(size))
    }

    /// Sends `contents` as datagrams of `segment` bytes each (the last may be shorter) in one
    /// call, all or none, if the socket can take them now; see [`Gso::try_send`].
    pub(crate) fn try_send_segments(
        &self,
        contents: &[u8],
        segment: usize,
        destination: SocketAddr,
    ) -> io::Result<()> {
        if self.proxy.is_some() {
            return Err(io::ErrorKind::Unsupported.into());
        }
        let ((socket, gso), destination) = self.socket_for(destination)?;
        gso.try_send(socket, contents, segment, destination)
    }

    /// The socket a datagram for `destination` leaves from and the address it is sent to: the
    /// destination's (canonical), or through a proxy, the relay's.
    fn socket_for(&self, destination: SocketAddr) -> io::Result<(&(UdpSocket, Gso), SocketAddr)> {
        let destination = match &self.proxy {
            Some(proxy) => proxy.relay(),
            None => SocketAddr::new(destination.ip().to_canonical(), destination.port()),
        };
        let socket = match destination {
            SocketAddr::V4(_) => self.ipv4.as_ref(),
            SocketAddr::V6(_) => self.ipv6.as_ref(),
        };
        let missing = || {
            io::Error::new(io::ErrorKind::AddrNotAvailable, "no socket of the destination's family")
        };
        socket.map(|socket| (socket, destination)).ok_or_else(missing)
    }
}

/// Binds a socket at `address` or the first free port after it, registers it with tokio, and
/// returns it with the address it got.
fn open(
    address: SocketAddr,
    config: &EndpointConfig,
) -> Result<(UdpSocket, SocketAddr), EndpointError> {
    let socket = bind_first_free(address, config)?;
    let register = || {
        let socket = UdpSocket::from_std(socket.into())?;
        let local = socket.local_addr()?;
        Ok((socket, local))
    };
    register().map_err(|source| EndpointError::Socket { address, source })
}

fn bind_first_free(address: SocketAddr, config: &EndpointConfig) -> Result<Socket, EndpointError> {
    let first = address.port();
    let last = last_port(first, config.port_attempts());
    let mut refused = io::Error::from(io::ErrorKind::AddrInUse);
    for port in first..=last {
        let candidate = SocketAddr::new(address.ip(), port);
        let socket = new_socket(candidate, config.recv_buffer_size())?;
        match socket.bind(&candidate.into()) {
            Ok(()) => return Ok(socket),
            Err(error) if worth_another_port(&error) => refused = error,
            Err(source) => return Err(EndpointError::Bind { address: candidate, source }),
        }
    }
    Err(EndpointError::NoFreePort { ip: address.ip(), first, last, source: refused })
}

/// The last port to try: port 0 (chosen by the system) is tried once; others count up.
fn last_port(first: u16, attempts: u32) -> u16 {
    if first == 0 {
        return 0;
    }
    let last = u32::from(first) + attempts.saturating_sub(1);
    u16::try_from(last).unwrap_or(u16::MAX)
}

/// A port in use, or a privileged one, may be followed by a free one.
fn worth_another_port(error: &io::Error) -> bool {
    matches!(error.kind(), io::ErrorKind::AddrInUse | io::ErrorKind::PermissionDenied)
}

/// A non-blocking UDP socket with py-ipv8's options, not yet bound.
fn new_socket(address: SocketAddr, recv_buffer_size: usize) -> Result<Socket, EndpointError> {
    let setup = || {
        let socket = Socket::new(Domain::for_address(address), Type::DGRAM, Some(Protocol::UDP))?;
        if address.is_ipv6() {
            socket.set_only_v6(true)?;
        } else {
            // LAN discovery sends probes to 255.255.255.255 (spec §4.11).
            socket.set_broadcast(true)?;
        }
        socket.set_recv_buffer_size(recv_buffer_size)?;
        socket.set_nonblocking(true)?;
        Ok(socket)
    };
    setup().map_err(|source| EndpointError::Socket { address, source })
}

#[cfg(test)]
mod tests {
    use super::last_port;

    #[test]
    fn ports_count_up_and_stop_at_the_last_port() {
        assert_eq!(last_port(8090, 10_000), 18_089);
        assert_eq!(last_port(8090, 1), 8090);
        assert_eq!(last_port(65_000, 10_000), u16::MAX);
        assert_eq!(last_port(0, 10_000), 0);
    }
}
