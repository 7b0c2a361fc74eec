//! Fuzzes decoding of the tunnels' `LinkedE2EPayload`: never panics, and what decodes re-encodes to the same
//! bytes.
#![no_main]

use ipv8::messages::tunnel::LinkedE2EPayload;

libfuzzer_sys::fuzz_target!(|data: &[u8]| ipv8_fuzz::check_round_trip::<LinkedE2EPayload>(data));
