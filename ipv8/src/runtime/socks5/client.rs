//! The client side of `UDP ASSOCIATE` (RFC 1928, no authentication), for an
//! [`Endpoint`](crate::runtime::Endpoint) that sends through a SOCKS5 proxy: the control
//! connection, the handshake, and the relay address the proxy answers with.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::net::TcpStream;

use super::codec::{
    self, NO_AUTHENTICATION, UDP_ASSOCIATE, VERSION, push_address, read_address, read_exact,
    write_all,
};

/// How long connecting to the proxy and the whole handshake may take.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a SOCKS5 proxy gave no UDP association.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Socks5Error {
    /// The TCP control connection failed (connecting, or during the handshake).
    #[error("the control connection failed")]
    Io(#[from] io::Error),
    /// The proxy did not finish the handshake in [`HANDSHAKE_TIMEOUT`].
    #[error("the proxy did not answer in time")]
    Timeout,
    /// The proxy answered with another protocol version.
    #[error("the proxy speaks SOCKS version {0}, not 5")]
    Version(u8),
    /// The proxy wants authentication, which this client does not offer.
    #[error("the proxy refuses clients without authentication")]
    NoAcceptableMethod,
    /// The proxy refused the `UDP ASSOCIATE` request (its reply code: 1 general failure, 2 not
    /// allowed, 7 command not supported, ...).
    #[error("the proxy refused UDP ASSOCIATE with reply code {0}")]
    Refused(u8),
    /// The proxy named its relay by host name, or by an unusable address (port 0).
    #[error("the proxy named no usable relay address")]
    BadRelay,
}

/// Connects the control connection to `proxy` first, so that the UDP socket can be bound on the
/// address the proxy sees (the one it accepts datagrams from).
///
/// # Errors
///
/// [`Socks5Error::Io`] or [`Socks5Error::Timeout`].
pub(crate) async fn connect(proxy: SocketAddr) -> Result<TcpStream, Socks5Error> {
    tokio::time::timeout(HANDSHAKE_TIMEOUT, TcpStream::connect(proxy))
        .await
        .map_err(|_| Socks5Error::Timeout)?
        .map_err(Socks5Error::Io)
}

/// Asks the proxy at the other end of `control` (made with [`connect`]) to relay the datagrams
/// of the UDP socket at `udp`; returns the relay's address. The association lasts as long as
/// `control` is open.
///
/// # Errors
///
/// [`Socks5Error`]: the connection failed, the proxy refused, or it took longer than
/// [`HANDSHAKE_TIMEOUT`].
pub(crate) async fn associate(
    control: &TcpStream,
    udp: SocketAddr,
) -> Result<SocketAddr, Socks5Error> {
    let relay = tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake(control, udp))
        .await
        .map_err(|_| Socks5Error::Timeout)??;
    let proxy = control.peer_addr()?;
    // A proxy that answers "any address" means its own (a common reading of RFC 1928).
    Ok(if relay.ip().is_unspecified() { SocketAddr::new(proxy.ip(), relay.port()) } else { relay })
}

/// The method negotiation and the `UDP ASSOCIATE` request; the relay address of the reply.
async fn handshake(control: &TcpStream, udp: SocketAddr) -> Result<SocketAddr, Socks5Error> {
    write_all(control, &[VERSION, 1, NO_AUTHENTICATION]).await?;
    let choice = read_exact(control, 2).await?;
    match choice[..] {
        [VERSION, NO_AUTHENTICATION] => {}
        [VERSION, _] => return Err(Socks5Error::NoAcceptableMethod),
        [version, _] => return Err(Socks5Error::Version(version)),
        _ => return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into()),
    }
    // DST.ADDR and DST.PORT: where our datagrams will come from.
    let mut request = vec![VERSION, UDP_ASSOCIATE, 0];
    push_address(&mut request, udp);
    write_all(control, &request).await?;
    let reply = read_exact(control, 4).await?;
    let &[version, code, _, atyp] = &reply[..] else {
        return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
    };
    if version != VERSION {
        return Err(Socks5Error::Version(version));
    }
    if code != 0 {
        return Err(Socks5Error::Refused(code));
    }
    let relay = read_address(control, atyp).await.map_err(|error| match error.kind() {
        io::ErrorKind::InvalidData => Socks5Error::BadRelay,
        _ => Socks5Error::Io(error),
    })?;
    relay.filter(|relay| relay.port() != 0).ok_or(Socks5Error::BadRelay)
}

/// A UDP association an endpoint sends through: the proxy, its relay, and the control connection
/// that keeps the association alive.
#[derive(Debug)]
pub(crate) struct Association {
    proxy: SocketAddr,
    relay: SocketAddr,
    /// Held, never read: the proxy ends the association when it closes.
    _control: TcpStream,
    /// Datagrams not taken: from anyone but the relay, or without a valid header.
    dropped: AtomicU64,
}

impl Association {
    /// The association `control` (made with [`connect`]) got, relayed at `relay`.
    pub(crate) fn new(control: TcpStream, relay: SocketAddr) -> io::Result<Self> {
        let proxy = control.peer_addr()?;
        Ok(Self { proxy, relay: canonical(relay), _control: control, dropped: AtomicU64::new(0) })
    }

    /// The proxy's address (its TCP port).
    pub(crate) fn proxy(&self) -> SocketAddr {
        self.proxy
    }

    /// The relay's address: where every datagram goes, and the only source taken.
    pub(crate) fn relay(&self) -> SocketAddr {
        self.relay
    }

    /// How many datagrams were dropped on the way in.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// The sender and data of a datagram from `source`, if it came from the relay with a valid
    /// header for an IP address; anything else is dropped and counted.
    pub(crate) fn unwrap<'a>(
        &self,
        source: SocketAddr,
        datagram: &'a [u8],
    ) -> Option<(SocketAddr, &'a [u8])> {
        let taken =
            if canonical(source) == self.relay { codec::unwrap_ip(datagram).ok() } else { None };
        if taken.is_none() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        taken
    }
}

/// `address` with an IPv4-mapped IPv6 address as IPv4.
fn canonical(address: SocketAddr) -> SocketAddr {
    SocketAddr::new(address.ip().to_canonical(), address.port())
}
