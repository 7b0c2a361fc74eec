//! Fuzzes decoding of the tunnels' `RendezvousEstablishedPayload`: never panics, and what decodes re-encodes to the same
//! bytes.
#![no_main]

use ipv8::messages::tunnel::RendezvousEstablishedPayload;

libfuzzer_sys::fuzz_target!(|data: &[u8]| ipv8_fuzz::check_round_trip::<
    RendezvousEstablishedPayload,
>(data));
