//! Memory per known peer: resident memory before and after a node learns N verified peers, each
//! running one community (in-process, no network).
//!
//! ```sh
//! cargo run --release -p ipv8 --example peer_memory -- 100000
//! ```

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::Instant;

use ipv8::crypto::{PrivateKey, PublicKey};
use ipv8::proto::{CommunityId, Node, Peer, Rng};

/// Resident memory of this process in KiB (Linux), if known.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A curve25519 public key made from the generator (keys are parsed as py-ipv8 parses them).
fn public_key(rng: &mut Rng) -> PublicKey {
    let mut bin = b"LibNaCLSK:".to_vec();
    bin.extend((0..64).map(|_| rng.next_u64() as u8));
    PrivateKey::from_bin(&bin).expect("64 bytes after LibNaCLSK: are a key").public_key()
}

#[allow(clippy::cast_precision_loss, reason = "memory figures are printed with one decimal")]
fn main() {
    let count: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let mut rng = Rng::new(1);
    let now = Instant::now();
    let mut node = Node::new(
        PrivateKey::from_bin(&[b"LibNaCLSK:".as_slice(), &[9; 64]].concat()).expect("key"),
        1,
        now,
    );
    let service = CommunityId([7; 20]);
    // The reading is taken before the peers' keys exist: a known peer costs its parsed key too.
    let before = rss_kib().unwrap_or_default();
    let keys: Vec<PublicKey> = (0..count).map(|_| public_key(&mut rng)).collect();
    for (i, key) in keys.into_iter().enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        let address = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::from(0x0a00_0000 + i), 8090));
        node.add_peer(&Peer::new(key, address), &[service]);
        while node.poll_event().is_some() {}
    }
    let after = rss_kib().unwrap_or_default();
    assert_eq!(node.network().len(), count as usize);
    let per_peer = after.saturating_sub(before) as f64 * 1024.0 / f64::from(count.max(1));
    println!(
        "peers={count} rss_before_kib={before} rss_after_kib={after} bytes_per_peer={per_peer:.0}"
    );
}
