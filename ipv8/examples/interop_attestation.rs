//! Exact-value attestations made here, for py-ipv8 to check: the Rust side of the
//! `attestation-primitives` interop scenario (`xtask/py/interop.py`).
//!
//! ```sh
//! cargo run -p ipv8 --example interop_attestation -- id_metadata alice
//! cargo run -p ipv8 --example interop_attestation -- id_metadata_range_18plus 42
//! ```
//! Prints one JSON line: a fresh subject key of the format (private, py-ipv8's serialization),
//! and an attestation of the value for it (for the range format: the number, proven in 18..=200,
//! with the subject's secrets), both in hex.

use ipv8::attestation::{BonehAttestation, BonehPrivateKey, IdFormat, RangeAttestation};
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let usage = "usage: interop_attestation ID_FORMAT VALUE";
    let name = std::env::args().nth(1).ok_or(usage)?;
    let value = std::env::args().nth(2).ok_or(usage)?;
    let format = IdFormat::from_name(&name).ok_or("unknown id format")?;
    let mut rng = rand_core::OsRng;
    let key = BonehPrivateKey::generate(format.key_size(), &mut rng)?;
    let blob = if let Some(hash) = format.value_hash() {
        BonehAttestation::attest(&key.public, &hash.bits(value.as_bytes()), &mut rng).to_bytes()
    } else {
        let bits = u32::try_from(format.key_size())?;
        RangeAttestation::attest(&key.public, value.parse()?, 18, 200, bits, &mut rng)?
            .to_private_bytes(&key.public, &mut rng)?
    };
    let line = json!({ "key": hex(&key.to_bytes()), "blob": hex(&blob) });
    println!("{line}");
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut text, b| {
        let _ = write!(text, "{b:02x}");
        text
    })
}
