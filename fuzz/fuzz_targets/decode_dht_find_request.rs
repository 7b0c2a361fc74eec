//! Fuzzes decoding of the DHT's `FindRequestPayload`: never panics, and what decodes re-encodes to
//! the same payload (its `?` field reads any non-zero byte as `true`).
#![no_main]

use ipv8::messages::dht::FindRequestPayload;

libfuzzer_sys::fuzz_target!(|data: &[u8]| ipv8_fuzz::check_stable::<FindRequestPayload>(data));
