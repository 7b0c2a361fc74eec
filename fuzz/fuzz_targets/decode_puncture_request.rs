//! Fuzzes decoding of `PunctureRequestPayload`: never panics, and what decodes re-encodes to the same bytes.
#![no_main]

use ipv8::messages::PunctureRequestPayload;

libfuzzer_sys::fuzz_target!(|data: &[u8]| ipv8_fuzz::check_round_trip::<PunctureRequestPayload>(
    data
));
