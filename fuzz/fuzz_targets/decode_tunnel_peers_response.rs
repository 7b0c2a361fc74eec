//! Fuzzes decoding of the tunnels' `PeersResponsePayload`: never panics, and what decodes re-encodes
//! to a canonical form (a nested record may carry bytes past its end, ignored as in py-ipv8).
#![no_main]

use ipv8::messages::tunnel::PeersResponsePayload;

libfuzzer_sys::fuzz_target!(|data: &[u8]| ipv8_fuzz::check_canonical::<PeersResponsePayload>(data));
