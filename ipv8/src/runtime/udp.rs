//! Batched UDP I/O for the driver. On Linux, many datagrams per system call: reads with `recvmmsg`
//! and UDP GRO (the kernel hands over same-size datagrams of one source in one buffer, split here),
//! and runs of same-size datagrams to one destination sent in one `sendmsg` with UDP GSO (the
//! kernel cuts them into the very datagrams that separate sends would have made). Elsewhere, or
//! where the kernel refuses an offload, one datagram per call. Nothing changes on the wire.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::net::UdpSocket;

use super::Stats;

/// Room for any UDP datagram, whole (and for any GRO batch, which the kernel keeps under 64 KiB).
const MAX_DATAGRAM: usize = 65_536;
/// The most datagrams one GSO send may carry (the kernel's `UDP_MAX_SEGMENTS` of older kernels).
const MAX_SEGMENTS: usize = 64;
/// The most bytes one GSO send may carry: under the 65,507 bytes of an IPv4 UDP payload, and
/// under IPv6's with a few extension headers.
const MAX_GSO_BYTES: usize = 65_000;

/// Whether a socket may send runs of datagrams in one call (UDP GSO), and up to which datagram
/// size: the kernel refuses segments that do not fit the route's MTU, and this learns from it.
#[derive(Debug)]
pub(crate) struct Gso {
    /// The largest datagram a run may be made of; 0: no GSO.
    limit: AtomicUsize,
}

impl Gso {
    /// What `socket` supports.
    pub(crate) fn probe(socket: &UdpSocket) -> Self {
        let limit = if imp::gso_supported(socket) { MAX_GSO_BYTES } else { 0 };
        Self { limit: AtomicUsize::new(limit) }
    }

    /// A socket that sends one datagram per call.
    pub(crate) fn disabled() -> Self {
        Self { limit: AtomicUsize::new(0) }
    }

    /// How many datagrams of `size` bytes one [`Gso::try_send`] may carry: 1 if it cannot.
    pub(crate) fn segments(&self, size: usize) -> usize {
        if size == 0 || size > self.limit.load(Ordering::Relaxed) {
            return 1;
        }
        (MAX_GSO_BYTES / size).clamp(1, MAX_SEGMENTS)
    }

    /// Sends `buf` to `destination` as datagrams of `segment` bytes (the last may be shorter), all
    /// or none, if the socket can take them now. On an error other than
    /// [`io::ErrorKind::WouldBlock`] nothing was sent, and the caller sends them one by one.
    pub(crate) fn try_send(
        &self,
        socket: &UdpSocket,
        buf: &[u8],
        segment: usize,
        destination: SocketAddr,
    ) -> io::Result<()> {
        let result = imp::send_segments(socket, buf, segment, destination);
        if let Err(error) = &result {
            match imp::refusal(error) {
                Refusal::Never => self.limit.store(0, Ordering::Relaxed),
                Refusal::TooLarge => {
                    self.limit.fetch_min(segment.saturating_sub(1), Ordering::Relaxed);
                }
                Refusal::NotOffload => {}
            }
        }
        result
    }
}

/// What a failed GSO send says about later ones.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
enum Refusal {
    /// The socket's path cannot do GSO at all.
    Never,
    /// Segments this large do not fit the route.
    TooLarge,
    /// An error that has nothing to do with GSO (or a full socket).
    NotOffload,
}

/// Lets the kernel hand over same-size datagrams of one source together (UDP GRO), where it can;
/// only for sockets read through an [`Inbox`].
pub(crate) fn enable_gro(socket: &UdpSocket) {
    imp::enable_gro(socket);
}

/// Datagrams read from one socket, waiting to be handed to the node a batch at a time.
pub(crate) struct Inbox {
    buf: Box<[u8]>,
    /// Read and not yet handed over: source and place in `buf`.
    ready: VecDeque<(SocketAddr, Range<usize>)>,
    batch: usize,
    /// Scratch space of the reads.
    reads: Vec<imp::Read>,
}

impl Inbox {
    /// An inbox that hands over up to `batch` datagrams per turn.
    pub(crate) fn new(batch: usize) -> Self {
        Self {
            buf: vec![0; imp::buffer_size(batch)].into_boxed_slice(),
            ready: VecDeque::with_capacity(batch),
            batch,
            reads: Vec::new(),
        }
    }

    /// Reads what `socket` has, unless datagrams of the last read are still waiting; returns
    /// whether the socket may have more.
    pub(crate) fn fill(&mut self, socket: &UdpSocket, stats: &mut Stats) -> bool {
        if !self.ready.is_empty() {
            return false;
        }
        imp::read(socket, &mut self.buf, self.batch, &mut self.reads, &mut self.ready, stats)
    }

    /// Up to a batch of the datagrams read, oldest first; the rest wait for the next turn.
    pub(crate) fn take(&mut self) -> Vec<(SocketAddr, &[u8])> {
        let Self { buf, ready, batch, .. } = self;
        let count = ready.len().min(*batch);
        let data = |range: Range<usize>| buf.get(range).unwrap_or_default();
        ready.drain(..count).map(|(source, range)| (source, data(range))).collect()
    }

    /// Whether datagrams read earlier still wait for the next turn.
    pub(crate) fn has_waiting(&self) -> bool {
        !self.ready.is_empty()
    }
}

/// Records a datagram read into `range` of the buffer.
fn received(
    out: &mut VecDeque<(SocketAddr, Range<usize>)>,
    stats: &mut Stats,
    source: SocketAddr,
    range: Range<usize>,
) {
    stats.datagrams_received += 1;
    stats.bytes_received += u64::try_from(range.len()).unwrap_or(u64::MAX);
    out.push_back((source, range));
}

#[cfg(target_os = "linux")]
mod imp {
    use std::collections::VecDeque;
    use std::io::{self, IoSlice, IoSliceMut};
    use std::net::SocketAddr;
    use std::ops::Range;
    use std::os::fd::AsRawFd;

    use nix::errno::Errno;
    use nix::sys::socket::{
        ControlMessage, ControlMessageOwned, MsgFlags, MultiHeaders, SockaddrLike, SockaddrStorage,
        getsockopt, recvmmsg, sendmsg, setsockopt, sockopt,
    };
    use tokio::io::Interest;
    use tokio::net::UdpSocket;

    use super::{MAX_DATAGRAM, Refusal, Stats, received};

    /// The most datagram buffers one `recvmmsg` fills.
    const SLOTS: usize = 32;

    /// One datagram (or GRO batch) read into a slot.
    pub(super) struct Read {
        source: Option<SocketAddr>,
        len: usize,
        /// The size of each datagram of a GRO batch.
        segment: Option<usize>,
    }

    pub(super) fn gso_supported(socket: &UdpSocket) -> bool {
        getsockopt(socket, sockopt::UdpGsoSegment).is_ok()
    }

    pub(super) fn enable_gro(socket: &UdpSocket) {
        // Old kernels lack it; datagrams then simply come one by one.
        let _ = setsockopt(socket, sockopt::UdpGroSegment, &true);
    }

    pub(super) fn send_segments(
        socket: &UdpSocket,
        buf: &[u8],
        segment: usize,
        destination: SocketAddr,
    ) -> io::Result<()> {
        let segment = u16::try_from(segment).map_err(|_| io::ErrorKind::InvalidInput)?;
        let address = SockaddrStorage::from(destination);
        let fd = socket.as_raw_fd();
        socket.try_io(Interest::WRITABLE, || {
            let control = [ControlMessage::UdpGsoSegments(&segment)];
            let iov = [IoSlice::new(buf)];
            sendmsg(fd, &iov, &control, MsgFlags::empty(), Some(&address))
                .map(drop)
                .map_err(io::Error::from)
        })
    }

    pub(super) fn refusal(error: &io::Error) -> Refusal {
        match error.raw_os_error().map(Errno::from_raw) {
            // Devices without checksum offload, and IPsec routes.
            Some(Errno::EIO | Errno::EOPNOTSUPP | Errno::ENOPROTOOPT) => Refusal::Never,
            // A segment larger than the route's MTU allows.
            Some(Errno::EINVAL | Errno::EMSGSIZE) => Refusal::TooLarge,
            _ => Refusal::NotOffload,
        }
    }

    pub(super) fn buffer_size(batch: usize) -> usize {
        batch.clamp(1, SLOTS) * MAX_DATAGRAM
    }

    /// Reads up to a buffer of datagrams in one call; returns whether the socket may have more.
    pub(super) fn read(
        socket: &UdpSocket,
        buf: &mut [u8],
        batch: usize,
        reads: &mut Vec<Read>,
        out: &mut VecDeque<(SocketAddr, Range<usize>)>,
        stats: &mut Stats,
    ) -> bool {
        let slots = buf.len() / MAX_DATAGRAM;
        let fd = socket.as_raw_fd();
        // A read that fails is counted and tried again, up to a batch of times.
        for _ in 0..batch {
            match socket.try_io(Interest::READABLE, || recv_slots(fd, buf, reads)) {
                Ok(()) => {
                    for (slot, read) in reads.iter().enumerate() {
                        let start = slot * MAX_DATAGRAM;
                        let Some(source) = read.source else {
                            stats.receive_errors += 1;
                            continue;
                        };
                        // A GRO batch holds datagrams of `segment` bytes, the last maybe shorter.
                        let step = read.segment.unwrap_or(read.len).max(1);
                        let mut at = 0;
                        loop {
                            let end = (at + step).min(read.len);
                            received(out, stats, source, start + at..start + end);
                            at = end;
                            if at >= read.len {
                                break;
                            }
                        }
                    }
                    return reads.len() == slots;
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return false,
                Err(_) => stats.receive_errors += 1,
            }
        }
        true
    }

    /// One `recvmmsg` into every slot of `buf`.
    fn recv_slots(fd: std::os::fd::RawFd, buf: &mut [u8], reads: &mut Vec<Read>) -> io::Result<()> {
        reads.clear();
        let mut iovs: Vec<[IoSliceMut<'_>; 1]> =
            buf.chunks_exact_mut(MAX_DATAGRAM).map(|slot| [IoSliceMut::new(slot)]).collect();
        // Fresh headers for every call: the kernel shrinks their in-out lengths (of the address
        // and of the control messages) and nix does not restore them between calls.
        let mut headers =
            MultiHeaders::<SockaddrStorage>::preallocate(iovs.len(), Some(nix::cmsg_space!(i32)));
        let results = recvmmsg(fd, &mut headers, iovs.iter_mut(), MsgFlags::empty(), None)?;
        for message in results {
            let segment = message.cmsgs().ok().and_then(|mut cmsgs| {
                cmsgs.find_map(|cmsg| match cmsg {
                    ControlMessageOwned::UdpGroSegments(size) => {
                        usize::try_from(size).ok().filter(|&size| size > 0)
                    }
                    _ => None,
                })
            });
            let source = message.address.as_ref().and_then(socket_addr);
            reads.push(Read { source, len: message.bytes, segment });
        }
        Ok(())
    }

    fn socket_addr(address: &SockaddrStorage) -> Option<SocketAddr> {
        if address.len() == 0 {
            return None;
        }
        address
            .as_sockaddr_in()
            .map(|v4| SocketAddr::from(*v4))
            .or_else(|| address.as_sockaddr_in6().map(|v6| SocketAddr::from(*v6)))
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::collections::VecDeque;
    use std::io;
    use std::net::SocketAddr;
    use std::ops::Range;

    use tokio::net::UdpSocket;

    use super::{MAX_DATAGRAM, Refusal, Stats, received};

    /// Room per datagram of a batch, besides the room for one of any size; a read ends early when
    /// large datagrams fill it.
    const TYPICAL_DATAGRAM: usize = 2048;

    pub(super) struct Read;

    pub(super) fn gso_supported(_socket: &UdpSocket) -> bool {
        false
    }

    pub(super) fn enable_gro(_socket: &UdpSocket) {}

    pub(super) fn send_segments(
        _socket: &UdpSocket,
        _buf: &[u8],
        _segment: usize,
        _destination: SocketAddr,
    ) -> io::Result<()> {
        Err(io::ErrorKind::Unsupported.into())
    }

    pub(super) fn refusal(_error: &io::Error) -> Refusal {
        Refusal::Never
    }

    pub(super) fn buffer_size(batch: usize) -> usize {
        MAX_DATAGRAM + batch.saturating_mul(TYPICAL_DATAGRAM)
    }

    /// Reads datagrams one by one, up to a batch and while a datagram of any size still fits;
    /// returns whether the socket may have more.
    pub(super) fn read(
        socket: &UdpSocket,
        buf: &mut [u8],
        batch: usize,
        _reads: &mut Vec<Read>,
        out: &mut VecDeque<(SocketAddr, Range<usize>)>,
        stats: &mut Stats,
    ) -> bool {
        let mut used = 0;
        for _ in 0..batch {
            let Some(room) = buf.get_mut(used..used + MAX_DATAGRAM) else { return true };
            match socket.try_recv_from(room) {
                Ok((len, source)) => {
                    received(out, stats, source, used..used + len);
                    used += len;
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return false,
                Err(_) => stats.receive_errors += 1,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::net::UdpSocket;

    use super::{Gso, Inbox, MAX_GSO_BYTES, MAX_SEGMENTS, enable_gro};
    use crate::runtime::Stats;

    /// Datagram `n` of a test: its number, then filler up to `len` bytes.
    fn datagram(n: u16, len: usize) -> Vec<u8> {
        let mut data = vec![b'x'; len.max(2)];
        data[..2].copy_from_slice(&n.to_be_bytes());
        data
    }

    /// Reads through `inbox` until `count` datagrams came (or two seconds passed), checking that
    /// no turn hands over more than a batch.
    async fn read(
        socket: &UdpSocket,
        inbox: &mut Inbox,
        batch: usize,
        count: usize,
    ) -> Vec<(std::net::SocketAddr, Vec<u8>)> {
        let mut stats = Stats::default();
        let mut got = Vec::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        while got.len() < count && tokio::time::Instant::now() < deadline {
            if !inbox.has_waiting() {
                let _ = tokio::time::timeout_at(deadline, socket.readable()).await;
            }
            inbox.fill(socket, &mut stats);
            let taken = inbox.take();
            assert!(taken.len() <= batch, "{} datagrams in one turn", taken.len());
            got.extend(taken.into_iter().map(|(source, data)| (source, data.to_vec())));
        }
        assert_eq!(stats.datagrams_received, got.len() as u64);
        assert_eq!(stats.receive_errors, 0);
        got
    }

    #[test]
    fn runs_are_as_long_as_one_call_may_carry() {
        let gso = Gso { limit: MAX_GSO_BYTES.into() };
        assert_eq!(gso.segments(100), MAX_SEGMENTS);
        assert_eq!(gso.segments(1200), MAX_GSO_BYTES / 1200);
        assert_eq!(gso.segments(0), 1);
        assert_eq!(gso.segments(MAX_GSO_BYTES + 1), 1);
        let none = Gso { limit: 0.into() };
        assert_eq!(none.segments(100), 1);
    }

    /// Runs sent in one call and single datagrams all come out of the inbox whole, in order, from
    /// their source, however the kernel grouped them, a batch per turn at most.
    #[tokio::test]
    async fn runs_and_single_datagrams_arrive_whole_and_in_order() {
        let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let receiver = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        enable_gro(&receiver);
        let gso = Gso::probe(&sender);
        let to = receiver.local_addr().unwrap();
        let from = sender.local_addr().unwrap();

        let mut expected = Vec::new();
        let mut n = 0_u16;
        // Two runs (the second ends with a shorter datagram), then more single datagrams than one
        // read takes.
        for (count, len, last) in [(64, 100, 100), (10, 1000, 500)] {
            let run: Vec<_> = (0..count)
                .map(|i| {
                    n += 1;
                    datagram(n, if i + 1 == count { last } else { len })
                })
                .collect();
            let bytes = run.concat();
            if gso.segments(len) >= count {
                sender.writable().await.unwrap();
                gso.try_send(&sender, &bytes, len, to).unwrap();
            } else {
                for one in &run {
                    sender.send_to(one, to).await.unwrap();
                }
            }
            expected.extend(run);
        }
        for _ in 0..70 {
            n += 1;
            let one = datagram(n, 40);
            sender.send_to(&one, to).await.unwrap();
            expected.push(one);
        }

        let batch = 10;
        let mut inbox = Inbox::new(batch);
        let got = read(&receiver, &mut inbox, batch, expected.len()).await;
        assert!(got.iter().all(|(source, _)| *source == from));
        let got: Vec<_> = got.into_iter().map(|(_, data)| data).collect();
        assert_eq!(got.len(), expected.len());
        assert!(got == expected, "datagrams changed or reordered");
    }

    /// What a run sends is, on the wire, the datagrams themselves: a socket without GRO reads
    /// them one by one.
    #[tokio::test]
    async fn a_run_reaches_a_plain_socket_as_separate_datagrams() {
        let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let receiver = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let gso = Gso::probe(&sender);
        let to = receiver.local_addr().unwrap();
        let run: Vec<_> = (0..20).map(|n| datagram(n, if n == 19 { 7 } else { 300 })).collect();
        let bytes = run.concat();
        if gso.segments(300) < run.len() {
            return; // No GSO here: nothing to check.
        }
        sender.writable().await.unwrap();
        gso.try_send(&sender, &bytes, 300, to).unwrap();
        let mut buf = [0; 2048];
        for expected in &run {
            let (len, _) =
                tokio::time::timeout(Duration::from_secs(2), receiver.recv_from(&mut buf))
                    .await
                    .expect("a datagram in time")
                    .unwrap();
            assert_eq!(&buf[..len], &expected[..]);
        }
    }
}
