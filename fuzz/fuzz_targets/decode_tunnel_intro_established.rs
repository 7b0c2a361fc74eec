//! Fuzzes decoding of the tunnels' `IntroEstablishedPayload`: never panics, and what decodes re-encodes to the same
//! bytes.
#![no_main]

use ipv8::messages::tunnel::IntroEstablishedPayload;

libfuzzer_sys::fuzz_target!(|data: &[u8]| ipv8_fuzz::check_round_trip::<IntroEstablishedPayload>(
    data
));
