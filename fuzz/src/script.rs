//! A scripted driver for the node-level fuzz targets: the input is a sequence of steps (time
//! passing, signed messages from four fixed keys, unsigned ones, replies that splice bytes of what
//! the node last sent), and the target checks its invariants after every step.
//!
//! Random bytes never pass a signature check, so the script does not carry signatures: it names a
//! sender, a prefix, a message id and the payload bytes, and the driver frames and signs them with
//! the sender's key, as py-ipv8's `ez_send` would. Replies copy bytes of the node's last datagram
//! (an identifier to answer, a key, an address) into the payload, so responses can match requests.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use ipv8::crypto::PrivateKey;
use ipv8::proto::{Node, PREFIX_LEN};

/// How many fixed keys the script signs with.
pub const SENDERS: usize = 4;
/// Most steps run per input, so that one input stays quick.
const MAX_STEPS: usize = 64;
/// Most timer rounds run per wait step.
const MAX_ROUNDS: usize = 8;

/// Where each sender speaks from: two public addresses, one on the node's LAN, one loopback.
const ADDRESSES: [([u8; 4], u16); SENDERS] = [
    ([198, 51, 100, 10], 8091),
    ([203, 0, 113, 20], 8092),
    ([192, 168, 1, 30], 8093),
    ([127, 0, 0, 1], 8094),
];

/// The node's own address, on the same LAN as sender 2.
pub const NODE_ADDRESS: ([u8; 4], u16) = ([192, 168, 1, 10], 8090);

/// The address sender `index` speaks from.
#[must_use]
pub fn address(index: usize) -> SocketAddr {
    let (ip, port) = ADDRESSES[index % SENDERS];
    SocketAddr::from((ip, port))
}

/// A fixed key: `LibNaCLSK:` and 64 bytes made from `seed`, so a crash replays with the same keys.
///
/// # Panics
///
/// Never: any 64 bytes after the prefix make a key.
#[must_use]
pub fn fixed_key(seed: u8) -> PrivateKey {
    let mut bin = b"LibNaCLSK:".to_vec();
    bin.extend((0..64u8).map(|i| i.wrapping_mul(31).wrapping_add(seed.wrapping_mul(97))));
    PrivateKey::from_bin(&bin).expect("a well-formed LibNaCL key")
}

/// The senders' keys, made once per process.
#[must_use]
pub fn senders() -> &'static [PrivateKey] {
    static KEYS: OnceLock<Vec<PrivateKey>> = OnceLock::new();
    KEYS.get_or_init(|| (0..SENDERS as u8).map(|i| fixed_key(i + 1)).collect())
}

/// A node with the fixed key 0 (made once per process), seed 1, at [`NODE_ADDRESS`].
#[must_use]
pub fn node(start: Instant) -> Node {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    let mut node = Node::new(KEY.get_or_init(|| fixed_key(0)).clone(), 1, start);
    node.set_address(SocketAddr::from(NODE_ADDRESS));
    node
}

/// What a target tells the driver: the prefixes messages go under, and the message ids worth
/// choosing (a script byte below 0xc0 picks one of them; any other byte is the id itself).
pub struct Target<'a> {
    /// Prefixes a step can choose (by two bits): the target's communities, and strangers.
    pub prefixes: &'a [[u8; PREFIX_LEN]],
    /// Message ids the target handles.
    pub msg_ids: &'a [u8],
}

/// The state of one run: the node, virtual time and the node's last datagram.
pub struct Run {
    /// The node under test.
    pub node: Node,
    /// Virtual time.
    pub now: Instant,
    last_sent: Vec<u8>,
}

impl Run {
    /// A run of `node`, which started at `start`.
    #[must_use]
    pub fn new(node: Node, start: Instant) -> Self {
        Self { node, now: start, last_sent: Vec::new() }
    }

    /// Plays the script `data` for `target`, calling `check` after every step.
    ///
    /// # Panics
    ///
    /// Panics (a fuzzer finding) when community code panicked (the node catches and counts it),
    /// when a packet is neither handled nor dropped, or when `check` does.
    pub fn play(&mut self, target: &Target<'_>, data: &[u8], mut check: impl FnMut(&Node)) {
        let mut script = Script { data };
        for _ in 0..MAX_STEPS {
            let Some(op) = script.byte() else { break };
            match op & 3 {
                0 => self.wait(op, &mut script),
                1 => self.signed(op, target, &mut script, false),
                2 => self.unsigned(op, target, &mut script),
                _ => self.signed(op, target, &mut script, true),
            }
            self.drain();
            self.check_counts();
            check(&self.node);
        }
    }

    /// Lets time pass: a tenth of a second per unit, or a second per unit when bit 2 is set.
    fn wait(&mut self, op: u8, script: &mut Script<'_>) {
        let units = u64::from(script.byte().unwrap_or(1)) + 1;
        let unit = if op & 4 == 0 { Duration::from_millis(100) } else { Duration::from_secs(1) };
        self.now += unit * u32::try_from(units).unwrap_or(1);
        for _ in 0..MAX_ROUNDS {
            self.node.handle_timeout(self.now);
            self.drain();
            if self.node.poll_timeout().is_none_or(|due| due > self.now) {
                break;
            }
        }
    }

    /// A message signed by sender `op >> 2 & 3`, from its address or (bit 6) another's. A reply
    /// (`splice`) first copies bytes of the node's last datagram into the payload.
    fn signed(&mut self, op: u8, target: &Target<'_>, script: &mut Script<'_>, splice: bool) {
        let sender = usize::from(op >> 2 & 3);
        let prefix = target.prefixes[usize::from(op >> 4 & 3) % target.prefixes.len()];
        let msg_id = msg_id(target, script.byte().unwrap_or(0));
        let copy = if splice { script.take(3).map(<[u8]>::to_vec) } else { None };
        let mut payload = script.chunk().to_vec();
        if let Some(copy) = copy {
            self.splice(&mut payload, &copy);
        }
        let key = &senders()[sender];
        let key_bin = key.public_key().to_bin().to_vec();
        let mut packet = prefix.to_vec();
        packet.push(msg_id);
        packet.extend_from_slice(&u16::try_from(key_bin.len()).unwrap_or(0).to_be_bytes());
        packet.extend_from_slice(&key_bin);
        packet.extend_from_slice(&payload);
        packet.extend_from_slice(&key.sign(&packet));
        let from = if op & 0x40 == 0 { sender } else { sender + 1 };
        self.node.handle_datagram(self.now, address(from), &packet);
    }

    /// Copies `len` bytes (the third splice byte, 1 to 8) of the last datagram from offset `from`
    /// (the first) into `payload` at offset `to` (the second), growing it if need be.
    fn splice(&self, payload: &mut Vec<u8>, copy: &[u8]) {
        let [from, to, len] = [copy[0], copy[1], copy[2]].map(usize::from);
        let len = len % 8 + 1;
        let Some(bytes) = self.last_sent.get(from..from + len) else { return };
        if payload.len() < to + len {
            payload.resize(to + len, 0);
        }
        payload[to..to + len].copy_from_slice(bytes);
    }

    /// An unsigned message: prefix, message id and payload, from sender `op >> 2 & 3`'s address.
    fn unsigned(&mut self, op: u8, target: &Target<'_>, script: &mut Script<'_>) {
        let prefix = target.prefixes[usize::from(op >> 4 & 3) % target.prefixes.len()];
        let mut packet = prefix.to_vec();
        packet.push(msg_id(target, script.byte().unwrap_or(0)));
        packet.extend_from_slice(script.chunk());
        self.node.handle_datagram(self.now, address(usize::from(op >> 2 & 3)), &packet);
    }

    /// Takes everything the node queued for the driver, keeping its last datagram.
    fn drain(&mut self) {
        while let Some(transmit) = self.node.poll_transmit() {
            self.last_sent = transmit.contents;
        }
        while self.node.poll_event().is_some() {}
        while self.node.poll_socket_request().is_some() {}
        while self.node.poll_resolve_request().is_some() {}
        while self.node.poll_job().is_some() {}
    }

    /// Nothing community code did panicked, and every packet was handled or dropped.
    fn check_counts(&self) {
        let stats = self.node.stats();
        assert_eq!(stats.panics, 0, "community code panicked");
        let handled: u64 = stats.handled.values().sum();
        let dropped: u64 = stats.dropped.values().sum();
        assert!(handled + dropped >= stats.received, "a packet was neither handled nor dropped");
    }
}

/// The message id a script byte names for `target`.
fn msg_id(target: &Target<'_>, byte: u8) -> u8 {
    if byte < 0xc0 && !target.msg_ids.is_empty() {
        target.msg_ids[usize::from(byte) % target.msg_ids.len()]
    } else {
        byte
    }
}

/// The unread rest of an input.
struct Script<'a> {
    data: &'a [u8],
}

impl<'a> Script<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.data.split_first()?;
        self.data = rest;
        Some(first)
    }

    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let (taken, rest) = self.data.split_at_checked(len)?;
        self.data = rest;
        Some(taken)
    }

    /// A length byte and that many bytes (fewer at the end of the input).
    fn chunk(&mut self) -> &'a [u8] {
        let len = usize::from(self.byte().unwrap_or(0));
        let (taken, rest) = self.data.split_at(len.min(self.data.len()));
        self.data = rest;
        taken
    }
}
