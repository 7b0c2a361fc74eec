//! Fuzzes decoding of the identity overlay's `DisclosePayload`: never panics, and what decodes re-encodes to
//! the same bytes.
#![no_main]

use ipv8::messages::identity::DisclosePayload;

libfuzzer_sys::fuzz_target!(|data: &[u8]| ipv8_fuzz::check_round_trip::<DisclosePayload>(data));
