//! Fuzzes loading a peer's disclosure (py-ipv8's `substantiate`): metadata, tokens, attestations
//! and authorities cut from the input, into another pseudonym's chain backed by an in-memory
//! identity database. Never panics, and the tree stays within its bounds. The pseudonym's key is
//! made once per process (generating one per input took 30 % of the time) and is the same in
//! every run, so that a crash replays.
#![no_main]

use std::sync::OnceLock;

use ipv8::crypto::PublicKey;
use ipv8::proto::identity::chain::{Disclosure, Pseudonym, UNCHAINED_MAX};
use ipv8::proto::identity::db::IdentityDb;

/// The pseudonym's public key, made once per process.
fn key() -> PublicKey {
    static KEY: OnceLock<PublicKey> = OnceLock::new();
    KEY.get_or_init(|| ipv8_fuzz::script::fixed_key(0).public_key()).clone()
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(db) = IdentityDb::in_memory() else { return };
    let Ok(mut pseudonym) = Pseudonym::theirs(db, key()) else { return };
    // Three length bytes cut the input into the four parts.
    let [a, b, c, rest @ ..] = data else { return };
    let (metadata, rest) = rest.split_at(usize::from(*a).min(rest.len()));
    let (tokens, rest) = rest.split_at((usize::from(*b) * 4).min(rest.len()));
    let (attestations, authorities) = rest.split_at(usize::from(*c).min(rest.len()));
    let disclosure = Disclosure {
        metadata: metadata.to_vec(),
        tokens: tokens.to_vec(),
        attestations: attestations.to_vec(),
        authorities: authorities.to_vec(),
    };
    let _ = pseudonym.substantiate(&disclosure);
    assert!(pseudonym.tree().unchained_len() <= UNCHAINED_MAX);
});
