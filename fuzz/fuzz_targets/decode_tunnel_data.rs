//! Fuzzes decoding of the tunnels' `DataPayload`: never panics, and what decodes re-encodes to the same
//! bytes.
#![no_main]

use ipv8::messages::tunnel::DataPayload;

libfuzzer_sys::fuzz_target!(|data: &[u8]| ipv8_fuzz::check_round_trip::<DataPayload>(data));
