//! Fuzzes loading a peer's disclosure (py-ipv8's `substantiate`): metadata, tokens, attestations
//! and authorities cut from the input, into another pseudonym's chain backed by an in-memory
//! identity database. Never panics, and the tree stays within its bounds.
#![no_main]

use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::identity::chain::{Disclosure, Pseudonym, UNCHAINED_MAX};
use ipv8::proto::identity::db::IdentityDb;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (Ok(db), Ok(key)) = (IdentityDb::in_memory(), PrivateKey::generate(Curve::Curve25519))
    else {
        return;
    };
    let Ok(mut pseudonym) = Pseudonym::theirs(db, key.public_key()) else { return };
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
