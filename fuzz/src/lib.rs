//! Shared checks of the fuzz targets (`fuzz_targets/decode_<payload>.rs`).
//!
//! Run one with cargo-fuzz on a nightly toolchain: `cargo fuzz run decode_introduction_request`.
//! CI only builds them.

use ipv8::wire::Payload;

/// Decodes `data` as `P`; if that succeeds, the payload must re-encode to exactly `data`.
///
/// # Panics
///
/// Panics (a fuzzer finding) when a decoded payload does not re-encode to its input.
pub fn check_round_trip<P: Payload>(data: &[u8]) {
    if let Ok(payload) = P::from_bytes(data) {
        let encoded = payload.to_bytes().expect("a decoded payload re-encodes");
        assert_eq!(encoded, data, "{} does not round-trip", P::NAME);
    }
}

/// Decodes `data` as `P`; if that succeeds, the payload must re-encode to bytes of the same length
/// that decode to the same payload. For payloads with a `?` field, which (as py-ipv8's `struct`)
/// reads any non-zero byte as `true` and writes it back as `1`.
///
/// # Panics
///
/// Panics (a fuzzer finding) when the re-encoding differs in length or meaning.
pub fn check_stable<P: Payload + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(payload) = P::from_bytes(data) {
        let encoded = payload.to_bytes().expect("a decoded payload re-encodes");
        assert_eq!(encoded.len(), data.len(), "{} changes length", P::NAME);
        let again = P::from_bytes(&encoded).expect("a re-encoded payload decodes");
        assert_eq!(again, payload, "{} changes meaning", P::NAME);
    }
}
