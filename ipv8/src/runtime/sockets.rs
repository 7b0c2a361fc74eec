//! The sockets communities open besides the node's endpoint (a tunnel exit's socket, a socket per
//! pseudonym), behind the [`Transport`] and [`DatagramSocket`] traits so that other transports plug
//! in without touching the core. Each open socket has a reader task that hands what arrives to the
//! driver through one bounded channel.

use std::collections::HashMap;
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::ReadBuf;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::udp::Gso;
use crate::proto::{SocketError, SocketId, SocketRequest};

/// Datagrams from all extra sockets that may wait for the node's loop; a reader waits beyond it.
const ARRIVALS: usize = 1024;

/// Opens datagram sockets for the communities of a node ([`Config::with_transport`](super::Config::with_transport)).
pub trait Transport: Send + Sync + 'static {
    /// Binds a datagram socket to `address` (port 0: any free port).
    fn bind(&self, address: SocketAddr) -> io::Result<Arc<dyn DatagramSocket>>;
}

/// A datagram socket, as a [`Transport`] opens it.
pub trait DatagramSocket: Send + Sync + 'static {
    /// The address it is bound to.
    fn local_addr(&self) -> io::Result<SocketAddr>;

    /// Receives one datagram into `buf`, returning its source (as tokio's `UdpSocket`).
    fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<SocketAddr>>;

    /// Sends one datagram if the socket can take it now.
    fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize>;

    /// Ready once the socket may take a datagram (after [`DatagramSocket::try_send_to`] said
    /// it would block), as tokio's `UdpSocket::poll_send_ready`.
    fn poll_send_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;

    /// How many datagrams of `size` bytes one [`DatagramSocket::try_send_segments`] may carry;
    /// 1 (the default) if the socket cannot send several in one call.
    fn max_segments(&self, size: usize) -> usize {
        let _ = size;
        1
    }

    /// Sends `buf` to `target` as datagrams of `segment` bytes each (the last may be shorter), in
    /// one call if the socket can take them now (UDP GSO): all of them or, on any error, none.
    /// The default says [`io::ErrorKind::Unsupported`]; after any error other than
    /// [`io::ErrorKind::WouldBlock`], the driver sends them one by one with
    /// [`DatagramSocket::try_send_to`].
    fn try_send_segments(&self, buf: &[u8], segment: usize, target: SocketAddr) -> io::Result<()> {
        let _ = (buf, segment, target);
        Err(io::ErrorKind::Unsupported.into())
    }
}

/// The default [`Transport`]: UDP sockets of the operating system.
#[derive(Debug, Default, Clone, Copy)]
pub struct UdpTransport;

impl Transport for UdpTransport {
    fn bind(&self, address: SocketAddr) -> io::Result<Arc<dyn DatagramSocket>> {
        let socket = std::net::UdpSocket::bind(address)?;
        socket.set_nonblocking(true)?;
        let socket = tokio::net::UdpSocket::from_std(socket)?;
        let gso = Gso::probe(&socket);
        Ok(Arc::new(UdpSocket { socket, gso }))
    }
}

/// A socket of [`UdpTransport`]: tokio's, sending runs of datagrams in one call where the system
/// can.
struct UdpSocket {
    socket: tokio::net::UdpSocket,
    gso: Gso,
}

impl DatagramSocket for UdpSocket {
    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<SocketAddr>> {
        self.socket.poll_recv_from(cx, buf)
    }

    fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.socket.try_send_to(buf, target)
    }

    fn poll_send_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.socket.poll_send_ready(cx)
    }

    fn max_segments(&self, size: usize) -> usize {
        self.gso.segments(size)
    }

    fn try_send_segments(&self, buf: &[u8], segment: usize, target: SocketAddr) -> io::Result<()> {
        self.gso.try_send(&self.socket, buf, segment, target)
    }
}

impl DatagramSocket for tokio::net::UdpSocket {
    fn local_addr(&self) -> io::Result<SocketAddr> {
        tokio::net::UdpSocket::local_addr(self)
    }

    fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<SocketAddr>> {
        tokio::net::UdpSocket::poll_recv_from(self, cx, buf)
    }

    fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        tokio::net::UdpSocket::try_send_to(self, buf, target)
    }

    fn poll_send_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        tokio::net::UdpSocket::poll_send_ready(self, cx)
    }
}

/// Ready once `socket` may take a datagram.
pub(crate) async fn send_ready(socket: Arc<dyn DatagramSocket>) -> io::Result<()> {
    poll_fn(|cx| socket.poll_send_ready(cx)).await
}

/// A datagram that arrived on an extra socket.
pub(crate) struct Arrival {
    pub(crate) id: SocketId,
    pub(crate) source: SocketAddr,
    pub(crate) data: Vec<u8>,
}

/// The open extra sockets of one driver.
pub(crate) struct ExtraSockets {
    transport: Arc<dyn Transport>,
    open: HashMap<SocketId, (Arc<dyn DatagramSocket>, JoinHandle<()>)>,
    tx: mpsc::Sender<Arrival>,
    pub(crate) arrivals: mpsc::Receiver<Arrival>,
}

impl fmt::Debug for ExtraSockets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtraSockets").field("open", &self.open.len()).finish_non_exhaustive()
    }
}

impl ExtraSockets {
    pub(crate) fn new(transport: Arc<dyn Transport>) -> Self {
        let (tx, arrivals) = mpsc::channel(ARRIVALS);
        Self { transport, open: HashMap::new(), tx, arrivals }
    }

    /// Carries out a request; an opened socket's outcome is returned for the node.
    pub(crate) fn handle(
        &mut self,
        request: SocketRequest,
    ) -> Option<(SocketId, Result<SocketAddr, SocketError>)> {
        match request {
            SocketRequest::Open { id, bind } => Some((id, self.open(id, bind))),
            SocketRequest::Close { id } => {
                if let Some((_, reader)) = self.open.remove(&id) {
                    reader.abort();
                }
                None
            }
        }
    }

    fn open(&mut self, id: SocketId, bind: SocketAddr) -> Result<SocketAddr, SocketError> {
        let opened = self.transport.bind(bind).and_then(|s| s.local_addr().map(|a| (s, a)));
        let (socket, address) = opened.map_err(|error| SocketError::Open(error.to_string()))?;
        let reader = tokio::spawn(read(id, Arc::clone(&socket), self.tx.clone()));
        self.open.insert(id, (socket, reader));
        Ok(address)
    }

    /// Sends from socket `id`, if it is open and can take the datagram now.
    pub(crate) fn send(&self, id: SocketId, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        let (socket, _) = self.open.get(&id).ok_or(io::ErrorKind::NotConnected)?;
        socket.try_send_to(buf, target)
    }

    /// How many datagrams of `size` bytes socket `id` may send in one call.
    pub(crate) fn max_segments(&self, id: SocketId, size: usize) -> usize {
        self.open.get(&id).map_or(1, |(socket, _)| socket.max_segments(size))
    }

    /// Sends datagrams of `segment` bytes laid end to end in `buf` from socket `id` in one call.
    pub(crate) fn send_segments(
        &self,
        id: SocketId,
        buf: &[u8],
        segment: usize,
        target: SocketAddr,
    ) -> io::Result<()> {
        let (socket, _) = self.open.get(&id).ok_or(io::ErrorKind::NotConnected)?;
        socket.try_send_segments(buf, segment, target)
    }

    /// Open socket `id`.
    pub(crate) fn socket(&self, id: SocketId) -> Option<Arc<dyn DatagramSocket>> {
        self.open.get(&id).map(|(socket, _)| Arc::clone(socket))
    }

    /// Whether any socket is open (so that arrivals are worth waiting for).
    pub(crate) fn any_open(&self) -> bool {
        !self.open.is_empty()
    }
}

impl Drop for ExtraSockets {
    fn drop(&mut self) {
        for (_, reader) in self.open.values() {
            reader.abort();
        }
    }
}

/// Reads datagrams from `socket` and hands them to the driver until the driver is gone or the
/// socket fails for good (ICMP errors reported on a UDP socket are skipped).
async fn read(id: SocketId, socket: Arc<dyn DatagramSocket>, tx: mpsc::Sender<Arrival>) {
    let mut buf = vec![0; 65_536];
    loop {
        let mut read = ReadBuf::new(&mut buf);
        match poll_fn(|cx| socket.poll_recv_from(cx, &mut read)).await {
            Ok(source) => {
                let arrival = Arrival { id, source, data: read.filled().to_vec() };
                if tx.send(arrival).await.is_err() {
                    return;
                }
            }
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset
                ) => {}
            Err(_) => return,
        }
    }
}
