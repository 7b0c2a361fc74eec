//! Fuzzes decoding of the DHT's `FindResponsePayload`: never panics, and what decodes re-encodes to the same
//! bytes.
#![no_main]

use ipv8::messages::dht::FindResponsePayload;

libfuzzer_sys::fuzz_target!(|data: &[u8]| ipv8_fuzz::check_round_trip::<FindResponsePayload>(data));
