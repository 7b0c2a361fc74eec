//! Memory per value a DHT node stores for others: resident memory before and after a node's
//! storage takes N values, each under a key of its own (the costliest case: one entry list per
//! key). `unsigned`: 20 bytes of data; `signed`: 23 bytes of data with a curve25519 signature
//! (the largest signed value there is). Run each kind in a process of its own, so that one
//! measurement does not reuse the memory the other freed.
//!
//! ```sh
//! cargo run --release -p ipv8 --example dht_memory -- unsigned 10000
//! cargo run --release -p ipv8 --example dht_memory -- signed 10000
//! ```

use std::time::{Duration, Instant};

use ipv8::crypto::PrivateKey;
use ipv8::proto::dht::{MAX_KEYS, Storage, Value};

/// Resident memory of this process in KiB (Linux), if known.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn key_of(i: u32) -> [u8; 20] {
    let mut key = [0x42; 20];
    key[..4].copy_from_slice(&i.to_be_bytes());
    key
}

#[allow(clippy::cast_precision_loss, reason = "memory figures are printed with no decimals")]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let kind = args.next().unwrap_or_else(|| "unsigned".into());
    let count: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    // The storage keeps at most MAX_KEYS keys.
    let count = count.min(u32::try_from(MAX_KEYS)?);
    let values: Result<Vec<Vec<u8>>, _> = match kind.as_str() {
        "unsigned" => (0..count).map(|i| Value::unsigned(&[i.to_be_bytes(); 5].concat())).collect(),
        "signed" => {
            let key = PrivateKey::from_bin(&[b"LibNaCLSK:".as_slice(), &[7; 64]].concat())?;
            let data = |i: u32| [&i.to_be_bytes()[..], &[0; 19]].concat();
            (0..count).map(|i| Value::signed(&data(i), i, &key)).collect()
        }
        other => return Err(format!("unknown kind {other}: unsigned or signed").into()),
    };
    let values = values?;
    let (now, hour) = (Instant::now(), Duration::from_secs(3600));
    let value_bytes = values.first().map_or(0, Vec::len);
    // The readings bracket the storage only: the values were made before and move into it.
    let before = rss_kib().unwrap_or_default();
    let mut storage = Storage::default();
    let mut kept = 0_u32;
    for (i, value) in values.into_iter().enumerate() {
        kept += u32::from(storage.put(key_of(u32::try_from(i)?), value, hour, now).is_ok());
    }
    let after = rss_kib().unwrap_or_default();
    let per_value = after.saturating_sub(before) as f64 * 1024.0 / f64::from(kept.max(1));
    println!(
        "{kind}: values={count} kept={kept} value_bytes={value_bytes} bytes_per_value={per_value:.0} \
         (the value's own bytes were allocated before; this is the storage's overhead)"
    );
    Ok(())
}
