//! Fuzzes key parsing, which meets bytes from the network (the key of every signed packet, the
//! keys inside DHT values and introductions): never panics, and a key that parses serializes to
//! bytes that parse to the same key. The seeds are py-ipv8 3.2.1 keys of every curve, binary
//! and PEM.
#![no_main]

use ipv8::crypto::{PrivateKey, PublicKey};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(key) = PublicKey::from_bin(data) {
        assert_eq!(PublicKey::from_bin(key.to_bin()).ok(), Some(key));
    }
    if let Ok(key) = PrivateKey::from_bin(data) {
        let again = PrivateKey::from_bin(&key.to_bin()).map(|again| again.public_key());
        assert_eq!(again.ok(), Some(key.public_key()));
    }
});
