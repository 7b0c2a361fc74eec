//! Unit tests of the chain: genesis, chaining in any order, the bounded buffers, refused
//! forgeries, disclosures there and back, and fitting one into a packet.

use std::collections::HashSet;

use super::*;
use crate::crypto::{Curve, PrivateKey, PublicKey};
use crate::proto::identity::db::IdentityDb;

fn key() -> PrivateKey {
    PrivateKey::generate(Curve::Curve25519).unwrap()
}

/// Our tree with `n` tokens of content `[i]`, each after the one before.
fn chain(key: &PrivateKey, n: u8) -> (TokenTree, Vec<Token>) {
    let mut tree = TokenTree::with_private_key(key.clone());
    let mut tokens: Vec<Token> = Vec::new();
    for i in 0..n {
        let token = tree.add(&[i], tokens.last()).unwrap();
        tokens.push(token);
    }
    (tree, tokens)
}

#[test]
fn the_genesis_hash_is_the_sha3_of_the_public_key() {
    let key = key();
    let tree = TokenTree::with_public_key(key.public_key());
    assert_eq!(tree.genesis_hash(), &sha3_256(key.public_key().to_bin()));
    let (_, tokens) = chain(&key, 1);
    assert_eq!(tokens[0].previous_hash(), tree.genesis_hash());
    assert_eq!(tokens[0].content_hash(), &sha3_256(&[0]));
    assert_eq!(tokens[0].hash(), &sha3_256(&tokens[0].serialize()));
    assert_eq!(tokens[0].serialize().len(), 128);
}

#[test]
fn tokens_in_reverse_order_chain_up_in_one_reaction() {
    let key = key();
    let (_, tokens) = chain(&key, 5);
    let mut theirs = TokenTree::with_public_key(key.public_key());
    for token in tokens.iter().skip(1).rev() {
        assert!(theirs.gather_token(token.clone()).is_none());
    }
    assert_eq!((theirs.len(), theirs.unchained_len()), (0, 4));
    assert_eq!(theirs.missing().len(), 4);
    assert!(theirs.gather_token(tokens[0].clone()).is_some());
    assert_eq!((theirs.len(), theirs.unchained_len()), (5, 0));
    assert_eq!(theirs.root_path(&tokens[4], MAX_DEPTH).len(), 5);
    assert!(theirs.verify(&tokens[4], MAX_DEPTH));
    assert!(!theirs.verify(&tokens[4], 4));
}

#[test]
fn the_unchained_buffer_keeps_the_newest_hundred() {
    let key = key();
    let mut theirs = TokenTree::with_public_key(key.public_key());
    for i in 0..=UNCHAINED_MAX {
        let orphan = Token::by_hash([1; 32], sha3_256(&i.to_be_bytes()), &key);
        assert!(theirs.gather_token(orphan.clone()).is_none());
        assert!(theirs.gather_token(orphan).is_none(), "a repeat is kept once");
    }
    assert_eq!(theirs.unchained_len(), UNCHAINED_MAX);
    assert!(theirs.is_empty());
}

#[test]
fn tampered_or_foreign_signatures_are_refused() {
    let key = key();
    let (_, tokens) = chain(&key, 1);
    let mut forged = tokens[0].serialize();
    forged[100] ^= 1;
    let forged = Token::parse(&forged, 64).unwrap();
    let mut theirs = TokenTree::with_public_key(key.public_key());
    assert!(theirs.gather_token(forged).is_none());
    let stranger = Token::by_hash(*theirs.genesis_hash(), [0; 32], &self::key());
    assert!(theirs.gather_token(stranger).is_none());
    assert_eq!((theirs.len(), theirs.unchained_len()), (0, 0));

    let metadata = Metadata::create(&tokens[0], b"{}".to_vec(), &key);
    let mut bytes = metadata.serialize();
    bytes[33] ^= 1;
    assert!(metadata.verify(&key.public_key()));
    assert!(!Metadata::parse(&bytes, 64).unwrap().verify(&key.public_key()));
    let authority = self::key();
    let attestation = IdentityAttestation::create(&metadata, &authority);
    assert!(attestation.verify(&authority.public_key()));
    assert!(!attestation.verify(&key.public_key()));
}

#[test]
fn short_input_is_an_error_not_a_panic() {
    assert!(matches!(Token::parse(&[0; 127], 64), Err(ChainError::Truncated(_))));
    assert!(matches!(Metadata::parse(&[0; 95], 64), Err(ChainError::Truncated(_))));
    assert!(matches!(IdentityAttestation::parse(&[0; 95], 64), Err(ChainError::Truncated(_))));
    let mut tree = TokenTree::with_public_key(key().public_key());
    assert!(!tree.unserialize_public(&[0; 200]));
}

#[test]
fn serialize_public_walks_back_from_a_token() {
    let key = key();
    let (tree, tokens) = chain(&key, 3);
    let back = tree.serialize_public(Some(&tokens[1]));
    assert_eq!(back, [tokens[1].serialize(), tokens[0].serialize()].concat());
    assert_eq!(tree.serialize_public(None).len(), 3 * 128);
}

/// Our pseudonym with `n` credentials, the last one attested by `authority`.
fn pseudonym(key: &PrivateKey, authority: &PrivateKey, n: u8) -> (Pseudonym, Vec<Credential>) {
    let mut mine = Pseudonym::mine(IdentityDb::in_memory().unwrap(), key.clone()).unwrap();
    let mut credentials: Vec<Credential> = Vec::new();
    for i in 0..n {
        let json = metadata_json(&format!("attribute {i}"), "id_metadata", 1.5, &[]);
        let after = credentials.last().map(|c| c.metadata.clone());
        let made = mine.create_credential(pad_hash(&[i; 20]), json, after.as_ref()).unwrap();
        credentials.push(made.unwrap());
    }
    let last = &credentials.last().unwrap().metadata;
    let attestation = IdentityAttestation::create(last, authority);
    assert!(mine.add_attestation(&authority.public_key(), &attestation).unwrap());
    (mine, credentials)
}

#[test]
fn a_disclosure_loads_into_someone_elses_database() {
    let (key, authority) = (key(), key());
    let (mine, credentials) = pseudonym(&key, &authority, 3);
    let stored = mine.credentials().unwrap();
    assert_eq!(stored.len(), 3);
    let (authority_key, attestation) = stored[2].attestations[0].clone();
    assert_eq!(authority_key, authority.public_key().to_bin());
    let last = credentials[2].metadata.clone();

    let selector = HashSet::from([*attestation.hash()]);
    let disclosure = mine.create_disclosure(&[last.clone(), last.clone()], &selector).unwrap();
    assert_eq!(disclosure.tokens.len(), 3 * 128);
    assert_eq!(&disclosure.tokens[..32], mine.tree().genesis_hash(), "oldest first");
    assert_eq!(disclosure.attestations, attestation.serialize());

    let db = IdentityDb::in_memory().unwrap();
    let mut theirs = Pseudonym::theirs(db.clone(), key.public_key()).unwrap();
    assert!(theirs.substantiate(&disclosure).unwrap());
    assert_eq!(theirs.tree().len(), 3);
    let loaded = theirs.credentials().unwrap();
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded[0].metadata, last);
    assert_eq!(loaded[0].attestations, [(authority_key, attestation)]);

    let unselected = mine.create_disclosure(&[last], &HashSet::new()).unwrap();
    assert!(unselected.attestations.is_empty() && unselected.authorities.is_empty());
}

#[test]
fn a_forged_attestation_in_a_disclosure_is_not_stored() {
    let (key, authority) = (key(), key());
    let (mine, credentials) = pseudonym(&key, &authority, 1);
    let selector = mine.db().attestations_for(key.public_key().to_bin()).unwrap();
    let selector = selector.iter().map(|a| *a.hash()).collect();
    let mut disclosure =
        mine.create_disclosure(&[credentials[0].metadata.clone()], &selector).unwrap();
    disclosure.attestations[40] ^= 1;
    let mut theirs = Pseudonym::theirs(IdentityDb::in_memory().unwrap(), key.public_key()).unwrap();
    assert!(!theirs.substantiate(&disclosure).unwrap());
    assert!(theirs.credentials().unwrap()[0].attestations.is_empty());
}

#[test]
fn malformed_disclosures_are_errors() {
    let mut theirs =
        Pseudonym::theirs(IdentityDb::in_memory().unwrap(), key().public_key()).unwrap();
    let cases = [
        Disclosure { metadata: vec![0, 0], ..Disclosure::default() },
        Disclosure { metadata: vec![0, 0, 0, 200, 1], ..Disclosure::default() },
        Disclosure { authorities: vec![0, 3, 1, 2, 3], ..Disclosure::default() },
        Disclosure {
            metadata: [&[0, 0, 0, 96][..], &[0; 96]].concat().repeat(MAX_DISCLOSED + 1),
            ..Disclosure::default()
        },
    ];
    for disclosure in cases {
        assert!(theirs.substantiate(&disclosure).is_err(), "{disclosure:?}");
    }
    let authority = key().public_key().to_bin().to_vec();
    let short = Disclosure {
        authorities: [&[0, 74][..], &authority].concat(),
        attestations: vec![0; 95],
        ..Disclosure::default()
    };
    assert!(matches!(theirs.substantiate(&short), Err(ChainError::Truncated(_))));
}

#[test]
fn a_long_chain_is_fitted_into_a_packet_keeping_the_newest_tokens() {
    let (key, authority) = (key(), key());
    let (mine, credentials) = pseudonym(&key, &authority, 15);
    let last = credentials[14].metadata.clone();
    let disclosure = mine.create_disclosure(&[last], &HashSet::new()).unwrap();
    assert_eq!(disclosure.tokens.len(), 15 * 128);
    let fitted = disclosure.clone().fit(128);
    assert!(fitted.len() <= SAFE_UDP_PACKET_LENGTH);
    let room = SAFE_UDP_PACKET_LENGTH - disclosure.metadata.len();
    assert_eq!(fitted.tokens.len(), room / 128 * 128);
    assert!(disclosure.tokens.ends_with(&fitted.tokens));

    // What fits is kept waiting until the rest arrives.
    let mut theirs = Pseudonym::theirs(IdentityDb::in_memory().unwrap(), key.public_key()).unwrap();
    assert!(!theirs.substantiate(&fitted).unwrap());
    assert_eq!(theirs.tree().len(), 0);
    let rest = Disclosure { tokens: disclosure.tokens.clone(), ..Disclosure::default() };
    assert!(theirs.substantiate(&rest).unwrap());
    assert_eq!(theirs.tree().len(), 15);

    let huge = Disclosure { metadata: vec![0; 2000], ..disclosure }.fit(128);
    assert!(huge.tokens.is_empty());
}

#[test]
fn a_credential_after_unknown_metadata_starts_at_genesis() {
    let key = key();
    let mut mine = Pseudonym::mine(IdentityDb::in_memory().unwrap(), key.clone()).unwrap();
    let stray = Metadata::from_parts([9; 32], b"{}".to_vec(), vec![0; 64]);
    let made = mine.create_credential([1; 32], b"{}".to_vec(), Some(&stray)).unwrap().unwrap();
    let token = mine.tree().get(made.metadata.token_pointer()).unwrap();
    assert_eq!(token.previous_hash(), mine.tree().genesis_hash());
    let theirs = Pseudonym::theirs(
        mine.db().clone(),
        PublicKey::from_bin(key.public_key().to_bin()).unwrap(),
    );
    assert!(matches!(
        theirs.unwrap().create_disclosure(&[stray], &HashSet::new()),
        Err(ChainError::UnknownToken)
    ));
}
