//! Bootstrap-server load: signed introduction-requests sent at a fixed rate (or as fast as the
//! sockets take them) to a server on loopback, its answers counted, and the CPU time the server's
//! process spent per answer, read from `/proc/PID/stat` (Linux). `cargo xtask bench-bootstrap`
//! runs it against `ipv8 tracker`, a Rust node and a py-ipv8 node in one run.
//!
//! ```sh
//! # a Rust node that answers introduction-requests for the benchmark community:
//! cargo run --release -p ipv8 --example bootstrap_load -- serve 127.0.0.1:9000
//! # 2 000 requests/s for 5 s against the process PID listening there (0: as fast as possible):
//! cargo run --release -p ipv8 --example bootstrap_load -- load 127.0.0.1:9000 PID 2000 5
//! ```
//!
//! The load comes from [`PEERS`] sockets on 127.0.0.1, each with a key of its own (as many
//! peers), sending old-style introduction-requests (246, what a peer sends to a bootstrap
//! address) that were signed beforehand, so that the generator spends its time on sending. An
//! answer is an introduction-response, old (245) or new (233) style. `load` prints one JSON line:
//! `{"rate": .., "seconds": .., "sent": .., "answered": .., "answers_per_s": .., "cpu_us_per_answer": ..,
//! "cpu_us_per_datagram": ..}`.
//!
//! `load ... hostile` sends the same requests with the sender's key replaced by DER-shaped
//! garbage, different in every datagram (so no cache of parsed keys helps): what a peer that
//! wants to burn a server's CPU can send without any key of its own. Nothing is answered; the
//! line's `cpu_us_per_datagram` is what each one cost the server.

use std::error::Error;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ipv8::community;
use ipv8::crypto::{Curve, PrivateKey};
use ipv8::messages::{IntroductionResponsePayload, NewIntroductionResponsePayload};
use ipv8::proto::{Community, CommunityId, Node, PREFIX_LEN};
use ipv8::runtime::{self, Endpoint, EndpointConfig};
use ipv8::wire::Message;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The benchmark's community (`xtask/py/bootstrap_server.py` uses the same id).
const COMMUNITY: CommunityId = CommunityId(*b"bootstrap-load-bench");
/// Sockets (and keys) the load comes from.
const PEERS: usize = 16;
/// Distinct requests signed per peer; the generator cycles through them.
const REQUESTS_PER_PEER: usize = 400;
/// Answers still arriving this long after the last request are counted.
const DRAIN: Duration = Duration::from_millis(500);
/// Sending is paced in ticks of this length.
const TICK: Duration = Duration::from_millis(1);

/// A community that only speaks discovery: the node answers introduction-requests for it.
struct Bench;

#[community]
impl Bench {}

impl Community for Bench {
    fn community_id(&self) -> CommunityId {
        COMMUNITY
    }

    /// Every run brings new peers; py-ipv8's server in the benchmark has the same limit.
    fn max_peers(&self) -> usize {
        1000
    }
}

const USAGE: &str = "usage: bootstrap_load serve ADDRESS | load ADDRESS PID RATE SECONDS [hostile]";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["serve", address] => serve(address.parse()?),
        ["load", to, pid, rate, seconds, rest @ ..] => {
            let hostile = match rest {
                [] => false,
                ["hostile"] => true,
                _ => return Err(USAGE.into()),
            };
            let seconds = Duration::from_secs_f64(seconds.parse()?);
            load(to.parse()?, pid.parse()?, rate.parse()?, seconds, hostile)
        }
        _ => Err(USAGE.into()),
    }
}

/// Runs a node with the benchmark community on `address` until killed.
fn serve(address: std::net::SocketAddrV4) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let now = Instant::now();
        let mut node = Node::new(PrivateKey::generate(Curve::Curve25519)?, 0, now);
        node.set_rng(ipv8::proto::Rng::from_os());
        node.add_community(now, Bench)?;
        let endpoint = Endpoint::bind(&EndpointConfig::new().with_ipv4(address))?;
        let mut config = runtime::Config::new();
        if let Some(workers) =
            std::env::var("IPV8_CRYPTO_WORKERS").ok().and_then(|w| w.parse().ok())
        {
            config = config.with_crypto_workers(workers);
        }
        let (handle, _events, task) = runtime::spawn_with(&config, node, endpoint);
        let bound = handle.local_addrs().ipv4().ok_or("an IPv4 socket")?;
        println!("{{\"listening\": \"{bound}\"}}");
        task.await?;
        Ok(())
    })
}

/// One peer of the load: its socket and the requests it sends.
struct LoadPeer {
    socket: UdpSocket,
    requests: Vec<Vec<u8>>,
}

/// Sends requests to `to` at `rate` per second (0: as fast as possible) for `length`, counts the
/// answers and the CPU time of process `pid` meanwhile, and prints the JSON line; `hostile`:
/// with garbage keys.
fn load(to: SocketAddr, pid: u32, rate: u32, length: Duration, hostile: bool) -> Result<()> {
    let mut peers =
        (0..PEERS).map(|seed| load_peer(to, seed as u64)).collect::<Result<Vec<_>>>()?;
    if hostile {
        let mut garbage = Garbage(0x9e37_79b9_7f4a_7c15);
        for request in peers.iter_mut().flat_map(|peer| &mut peer.requests) {
            garbage.replace_key(request)?;
        }
    }
    let answered = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let counters = peers
        .iter()
        .map(|peer| Ok(count_answers(peer.socket.try_clone()?, &answered, &stop)))
        .collect::<Result<Vec<_>>>()?;
    let cpu_before = cpu_time(pid)?;
    let start = Instant::now();
    let sent = send(&peers, to, rate, length);
    let sending = start.elapsed();
    std::thread::sleep(DRAIN);
    let cpu = cpu_time(pid)?.saturating_sub(cpu_before);
    stop.store(true, Ordering::Relaxed);
    for counter in counters {
        counter.join().map_err(|_| "counter panicked")?;
    }
    let answered = answered.load(Ordering::Relaxed);
    #[allow(clippy::cast_precision_loss)] // Counts stay far below 2^52.
    let (answers_per_s, cpu_us, cpu_us_sent) = (
        answered as f64 / sending.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / answered.max(1) as f64,
        cpu.as_secs_f64() * 1e6 / sent.max(1) as f64,
    );
    println!(
        "{{\"rate\": {rate}, \"seconds\": {:.3}, \"sent\": {sent}, \"answered\": {answered}, \
         \"answers_per_s\": {answers_per_s:.0}, \"cpu_us_per_answer\": {cpu_us:.1}, \
         \"cpu_us_per_datagram\": {cpu_us_sent:.1}}}",
        sending.as_secs_f64()
    );
    Ok(())
}

/// A peer with a fresh key and its requests to `to`, signed by a node as it walks there.
fn load_peer(to: SocketAddr, seed: u64) -> Result<LoadPeer> {
    let now = Instant::now();
    let mut builder = Node::new(PrivateKey::generate(Curve::Curve25519)?, seed, now);
    builder.add_community(now, Bench)?;
    builder
        .with_community::<Bench, _>(now, |_, ctx| {
            for _ in 0..REQUESTS_PER_PEER {
                ctx.walk_to(to);
            }
        })
        .ok_or("the builder runs the benchmark community")?;
    let requests = std::iter::from_fn(|| builder.poll_transmit())
        .filter(|transmit| transmit.destination == to)
        .map(|transmit| transmit.contents)
        .collect::<Vec<_>>();
    if requests.is_empty() {
        return Err("the builder signed no introduction-request".into());
    }
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    socket.set_read_timeout(Some(Duration::from_millis(50)))?;
    Ok(LoadPeer { socket, requests })
}

/// Where a signed packet's key starts: after the community prefix, the message id and the key's
/// 2-byte length.
const KEY_START: usize = PREFIX_LEN + 3;

/// DER-shaped garbage for the hostile load (xorshift64: the same garbage in every run).
struct Garbage(u64);

impl Garbage {
    /// Overwrites the key of the signed packet `request` with a DER SEQUENCE header and random
    /// content of the key's length, so that the packet keeps its layout.
    fn replace_key(&mut self, request: &mut [u8]) -> Result<()> {
        let len = request.get(KEY_START - 2..KEY_START).ok_or("a signed packet")?;
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        let key = request.get_mut(KEY_START..KEY_START + len).ok_or("a whole key")?;
        let content = len.checked_sub(2).and_then(|content| u8::try_from(content).ok());
        let content = content.ok_or("a key of 2 to 129 bytes")?;
        key[..2].copy_from_slice(&[0x30, content]);
        for byte in &mut key[2..] {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            *byte = self.0.to_le_bytes()[0];
        }
        Ok(())
    }
}

/// Counts the introduction-responses arriving on `socket` until `stop`.
fn count_answers(
    socket: UdpSocket,
    answered: &Arc<AtomicU64>,
    stop: &Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    let (answered, stop) = (Arc::clone(answered), Arc::clone(stop));
    std::thread::spawn(move || {
        let mut buf = vec![0; 2048];
        while !stop.load(Ordering::Relaxed) {
            let Ok((len, _)) = socket.recv_from(&mut buf) else { continue };
            let msg_id = buf.get(..len).and_then(|data| data.get(PREFIX_LEN)).copied();
            if matches!(
                msg_id,
                Some(IntroductionResponsePayload::MSG_ID | NewIntroductionResponsePayload::MSG_ID)
            ) {
                answered.fetch_add(1, Ordering::Relaxed);
            }
        }
    })
}

/// Sends the peers' requests round-robin, `rate` per second (0: unpaced) for `length`; returns
/// how many were sent.
fn send(peers: &[LoadPeer], to: SocketAddr, rate: u32, length: Duration) -> u64 {
    let start = Instant::now();
    let (mut sent, mut index) = (0_u64, 0_usize);
    while start.elapsed() < length {
        let due = if rate == 0 {
            sent + 64
        } else {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // Small, positive.
            let due = (start.elapsed().as_secs_f64() * f64::from(rate)) as u64;
            due
        };
        while sent < due {
            let peer = &peers[index % peers.len()];
            let request = &peer.requests[(index / peers.len()) % peer.requests.len()];
            if peer.socket.send_to(request, to).is_ok() {
                sent += 1;
            }
            index += 1;
        }
        if rate != 0 {
            std::thread::sleep(TICK);
        }
    }
    sent
}

/// The CPU time (user and system, all threads) process `pid` has used, from `/proc/PID/stat`.
fn cpu_time(pid: u32) -> Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The fields after the command name (which may hold spaces) end with ')'.
    let fields: Vec<&str> =
        stat.rsplit_once(')').ok_or("a /proc stat line")?.1.split(' ').collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = fields
        .get(12..14)
        .ok_or("utime and stime")?
        .iter()
        .map(|f| f.parse::<u64>())
        .sum::<std::result::Result<u64, _>>()?;
    Ok(Duration::from_millis(ticks.saturating_mul(1000) / CLOCK_TICKS_PER_SECOND))
}

/// The unit of `/proc` times: the kernel's `USER_HZ` (`getconf CLK_TCK`), 100 on Linux.
const CLOCK_TICKS_PER_SECOND: u64 = 100;
