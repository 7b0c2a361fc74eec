//! Fuzzes reading attestation blobs as a verifier (every identity format) and as a subject (with
//! a fixed key): never panics. Inputs are at most 4 KiB, as chunk transfers of real attestations
//! of the small formats are.
#![no_main]

use ipv8::attestation::{BonehPrivateKey, ID_FORMATS, SeededRng};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if data.len() > 4096 {
        return;
    }
    let mut rng = SeededRng::from_seed([1; 32]);
    let Ok(key) = BonehPrivateKey::generate(32, &mut rng) else { return };
    for format in ID_FORMATS {
        if let Ok(public) = format.read_public(data) {
            let _ = public.public_bytes();
        }
        let _ = format.read_owned(&key, data);
    }
});
