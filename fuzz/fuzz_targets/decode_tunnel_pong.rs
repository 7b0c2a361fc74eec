//! Fuzzes decoding of the tunnels' `PongPayload`: never panics, and what decodes re-encodes to the same
//! bytes.
#![no_main]

use ipv8::messages::tunnel::PongPayload;

libfuzzer_sys::fuzz_target!(|data: &[u8]| ipv8_fuzz::check_round_trip::<PongPayload>(data));
