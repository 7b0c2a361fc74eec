//! Fuzzes decoding of `NewPunctureRequestPayload`: never panics, and what decodes re-encodes to the same bytes.
#![no_main]

use ipv8::messages::NewPunctureRequestPayload;

libfuzzer_sys::fuzz_target!(
    |data: &[u8]| ipv8_fuzz::check_round_trip::<NewPunctureRequestPayload>(data)
);
