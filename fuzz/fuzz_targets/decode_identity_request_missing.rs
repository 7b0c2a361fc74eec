//! Fuzzes decoding of the identity overlay's `RequestMissingPayload`: never panics, and what decodes re-encodes to
//! the same bytes.
#![no_main]

use ipv8::messages::identity::RequestMissingPayload;

libfuzzer_sys::fuzz_target!(|data: &[u8]| ipv8_fuzz::check_round_trip::<RequestMissingPayload>(
    data
));
