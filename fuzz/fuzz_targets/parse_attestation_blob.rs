//! Fuzzes reading attestation blobs as a verifier (every identity format) and as a subject (with
//! a fixed key, made once per process: generating it is what took the time of every input):
//! never panics. Inputs are at most 4 KiB, as chunk transfers of real attestations of the small
//! formats are.
#![no_main]

use std::sync::OnceLock;

use ipv8::attestation::{BonehPrivateKey, ID_FORMATS, SeededRng};

/// The subject's key, the same in every run so that a crash replays.
fn key() -> Option<&'static BonehPrivateKey> {
    static KEY: OnceLock<Option<BonehPrivateKey>> = OnceLock::new();
    KEY.get_or_init(|| BonehPrivateKey::generate(32, &mut SeededRng::from_seed([1; 32])).ok())
        .as_ref()
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if data.len() > 4096 {
        return;
    }
    let Some(key) = key() else { return };
    for format in ID_FORMATS {
        if let Ok(public) = format.read_public(data) {
            let _ = public.public_bytes();
        }
        let _ = format.read_owned(key, data);
    }
});
