//! Fuzzes decoding of the attestation overlay's `ChallengeResponsePayload`: never panics, and what decodes re-encodes to
//! the same bytes.
#![no_main]

use ipv8::messages::attestation::ChallengeResponsePayload;

libfuzzer_sys::fuzz_target!(|data: &[u8]| ipv8_fuzz::check_round_trip::<ChallengeResponsePayload>(
    data
));
