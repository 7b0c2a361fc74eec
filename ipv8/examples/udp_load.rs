//! Loopback UDP load: how many messages per second a node on the tokio runtime receives and
//! handles, unsigned and then signed, next to what plain sockets carry at the same size (the
//! ceiling of the loopback path on this machine).
//!
//! ```sh
//! cargo run --release -p ipv8 --example udp_load -- [messages per phase] [seconds per phase]
//! ```
//!
//! Defaults: 200 000 messages, at most 10 s per phase. Everything goes over 127.0.0.1, and each
//! phase stops by itself after its count, after its time limit, or 300 ms after the last datagram
//! arrived. A load generator thread sends prebuilt packets (up to 10 000 distinct ones, cycled) as
//! fast as its socket takes them, so a slower receiver loses what it does not keep up with in its
//! socket buffer: the rates are the receiver's capacity, and the loss shows by how much it was
//! outrun.

use std::error::Error;
use std::net::{SocketAddr, UdpSocket};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::{Community, CommunityId, Context, Node, Peer};
use ipv8::runtime::{self, DEFAULT_RECV_BUFFER_SIZE, Endpoint, EndpointConfig};
use ipv8::{community, payload};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The bytes each message carries besides its sequence number.
const DATA_LEN: usize = 64;
/// A phase ends this long after the last datagram arrived.
const QUIET: Duration = Duration::from_millis(300);
/// At most this many distinct packets are built (it fits the builder node's outbox); the load
/// generator cycles through them.
const DISTINCT: usize = 10_000;

#[payload(msg_id = 1)]
struct Signed {
    seq: u64,
    data: Vec<u8>,
}

#[payload(msg_id = 2)]
struct Unsigned {
    seq: u64,
    data: Vec<u8>,
}

/// Accepts both messages and does nothing else; the node counts what it handled.
struct Sink;

#[community]
impl Sink {
    #[lazy_handler]
    fn on_signed(&mut self, _ctx: &mut Context<Self>, _peer: &Peer, _payload: Signed) {}

    #[lazy_handler(unsigned)]
    fn on_unsigned(&mut self, _ctx: &mut Context<Self>, _source: SocketAddr, _payload: Unsigned) {}
}

impl Community for Sink {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"udp load example!!!!")
    }
}

/// What one phase measured.
struct Row {
    label: &'static str,
    size: usize,
    sent: usize,
    received: u64,
    handled: u64,
    /// From the first send to the last datagram that arrived.
    span: Duration,
}

impl Row {
    fn print(&self) {
        let secs = self.span.as_secs_f64().max(1e-9);
        #[allow(clippy::cast_precision_loss)] // Counts stay far below 2^52.
        let (received, handled) = (self.received as f64 / secs, self.handled as f64 / secs);
        println!(
            "{:<20} {:>5} {:>9} {:>9} {:>9} {:>8.3} {:>12.0} {:>12.0}",
            self.label, self.size, self.sent, self.received, self.handled, secs, received, handled
        );
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().map_or(Ok(200_000), |arg| arg.parse())?.clamp(1, 10_000_000);
    let limit = Duration::from_secs(args.next().map_or(Ok(10), |arg| arg.parse())?.clamp(1, 60));
    println!("loopback UDP load: {count} messages per phase, at most {} s each", limit.as_secs());
    println!(
        "{:<20} {:>5} {:>9} {:>9} {:>9} {:>8} {:>12} {:>12}",
        "phase", "bytes", "sent", "received", "handled", "seconds", "received/s", "handled/s"
    );
    for signed in [false, true] {
        let packets = build_packets(count.min(DISTINCT), signed)?;
        let size = packets.first().map_or(0, Vec::len);
        raw_phase(count, size, limit)?.print();
        node_phase(packets, count, signed, limit).await?.print();
    }
    Ok(())
}

/// `count` distinct packets from a fresh key, as a node builds them (the destination written
/// into each transmit is not used: the load generator sends the bytes).
fn build_packets(count: usize, signed: bool) -> Result<Vec<Vec<u8>>> {
    let now = Instant::now();
    let mut builder = Node::new(PrivateKey::generate(Curve::Curve25519)?, 1, now);
    builder.add_community(now, Sink)?;
    let unused: SocketAddr = "127.0.0.1:9".parse()?;
    builder
        .with_community::<Sink, _>(now, |_, ctx| {
            for seq in 0..count as u64 {
                let data = vec![0x5a; DATA_LEN];
                if signed {
                    ctx.try_ez_send(unused, &Signed { seq, data })?;
                } else {
                    ctx.ez_send_unsigned(unused, &Unsigned { seq, data });
                }
            }
            Ok::<_, ipv8::wire::EncodeError>(())
        })
        .ok_or("the builder runs Sink")??;
    Ok(std::iter::from_fn(|| builder.poll_transmit()).map(|t| t.contents).collect())
}

/// Sends `count` datagrams to `to`, cycling through `packets`, as fast as the socket takes them;
/// returns how many it took.
fn blast(packets: Vec<Vec<u8>>, count: usize, to: SocketAddr) -> JoinHandle<usize> {
    std::thread::spawn(move || {
        let Ok(socket) = UdpSocket::bind("127.0.0.1:0") else { return 0 };
        let cycled = packets.iter().cycle().take(count);
        cycled.filter(|packet| socket.send_to(packet, to).is_ok()).count()
    })
}

/// A plain loopback socket with the receive buffer a node asks for, waiting `limit` at most.
fn plain_socket(limit: Duration) -> Result<UdpSocket> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None)?;
    socket.set_recv_buffer_size(DEFAULT_RECV_BUFFER_SIZE)?;
    socket.bind(&"127.0.0.1:0".parse::<SocketAddr>()?.into())?;
    let socket: UdpSocket = socket.into();
    socket.set_read_timeout(Some(limit))?;
    Ok(socket)
}

/// Plain socket to plain socket.
fn raw_phase(count: usize, size: usize, limit: Duration) -> Result<Row> {
    let socket = plain_socket(limit)?;
    let to = socket.local_addr()?;
    let start = Instant::now();
    let counting = std::thread::spawn(move || {
        let (mut buf, mut got, mut last) = (vec![0; 65_536], 0_u64, start);
        while got < count as u64 && start.elapsed() < limit && socket.recv_from(&mut buf).is_ok() {
            got += 1;
            last = Instant::now();
            if got == 1 && socket.set_read_timeout(Some(QUIET)).is_err() {
                break;
            }
        }
        (got, last - start)
    });
    let sent = blast(vec![vec![0; size]], count, to).join().map_err(|_| "sender panicked")?;
    let (received, span) = counting.join().map_err(|_| "receiver panicked")?;
    Ok(Row { label: "raw sockets", size, sent, received, handled: received, span })
}

/// A node on the runtime receiving `count` datagrams cycled from `packets`.
async fn node_phase(
    packets: Vec<Vec<u8>>,
    count: usize,
    signed: bool,
    limit: Duration,
) -> Result<Row> {
    let now = Instant::now();
    let mut node = Node::new(PrivateKey::generate(Curve::Curve25519)?, 2, now);
    node.add_community(now, Sink)?;
    let endpoint = Endpoint::bind(&EndpointConfig::new().with_ipv4("127.0.0.1:0".parse()?))?;
    let (handle, _events, task) = runtime::spawn(node, endpoint);
    let to = handle.local_addrs().ipv4().ok_or("an IPv4 socket")?;
    let size = packets.first().map_or(0, Vec::len);

    let start = Instant::now();
    let sender = blast(packets, count, to);
    let (mut received, mut handled, mut last) = (0, 0, start);
    loop {
        tokio::time::sleep(Duration::from_millis(2)).await;
        let stats = handle.stats().await?;
        let now_handled = stats.node.handled.values().sum();
        if (stats.datagrams_received, now_handled) != (received, handled) {
            (received, handled, last) = (stats.datagrams_received, now_handled, Instant::now());
        }
        let quiet = sender.is_finished() && last.elapsed() > QUIET;
        if received >= count as u64 || quiet || start.elapsed() > limit {
            break;
        }
    }
    let sent = sender.join().map_err(|_| "sender panicked")?;
    handle.shutdown().await;
    task.await?;
    let label = if signed { "node, signed" } else { "node, unsigned" };
    Ok(Row { label, size, sent, received, handled, span: last - start })
}
