//! The exact-value attestation primitives against py-ipv8's own (vectors captured by
//! `cargo xtask vectors` in `schemas/vectors/attestation/bonehexact.json`): its keys and blobs
//! read and re-encode byte for byte, we answer its challenges and honesty checks as it does, and
//! reach its certainty for the true and for another value, exactly.

use ipv8::attestation::{BonehAttestation, BonehPrivateKey, Histogram, IdFormat, respond};
use serde::Deserialize;

#[derive(Deserialize)]
struct Vectors {
    algorithm: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    id_format: String,
    value: String,
    other_value: String,
    private_key: String,
    blob: String,
    challenges: Vec<Challenge>,
    honesty_checks: Vec<Honesty>,
    relativity: [u32; 4],
    certainty: f64,
    other_certainty: f64,
}

#[derive(Deserialize)]
struct Challenge {
    challenge: String,
    response: u8,
}

#[derive(Deserialize)]
struct Honesty {
    value: u8,
    challenge: String,
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn vectors() -> Vectors {
    let path =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/vectors/attestation/bonehexact.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("vector file")).expect("valid")
}

#[test]
fn py_ipv8s_exact_value_proofs_run_the_same_here() {
    let vectors = vectors();
    assert_eq!(vectors.algorithm, "bonehexact");
    assert!(vectors.cases.len() >= 2);
    for case in &vectors.cases {
        let what = &case.name;
        let format = IdFormat::from_name(&case.id_format).expect("a known format");
        let hash = format.value_hash().expect("an exact-value format");
        let key_bytes = unhex(&case.private_key);
        let key = BonehPrivateKey::from_bytes(&key_bytes).expect("py-ipv8's key");
        assert_eq!(key.to_bytes(), key_bytes, "{what}: key re-encodes");
        let blob = unhex(&case.blob);
        let attestation = BonehAttestation::from_bytes(&blob).expect("py-ipv8's blob");
        assert_eq!(attestation.to_bytes(), blob, "{what}: blob re-encodes");
        assert_eq!(attestation.bitpairs.len(), hash.bitspace() / 2);
        assert_eq!(attestation.key, key.public);

        let mut answers = Histogram::default();
        for challenge in &case.challenges {
            let answer = respond(&key, &unhex(&challenge.challenge)).expect("a challenge");
            assert_eq!(answer, challenge.response, "{what}: answer to {}", challenge.challenge);
            answers.add(answer);
        }
        for check in &case.honesty_checks {
            assert_eq!(respond(&key, &unhex(&check.challenge)), Ok(check.value), "{what}: honesty");
        }
        let value = unhex(&case.value);
        let expected = hash.relativity(&value);
        assert_eq!(expected, Histogram(case.relativity), "{what}: relativity");
        assert_eq!(answers.certainty(&expected).to_bits(), case.certainty.to_bits(), "{what}");
        let other = hash.relativity(&unhex(&case.other_value));
        assert_eq!(answers.certainty(&other).to_bits(), case.other_certainty.to_bits(), "{what}");
    }
}

#[test]
fn our_proofs_of_a_py_ipv8_key_match_its_value() {
    let mut rng = rand_core::OsRng;
    for case in vectors().cases {
        let key = BonehPrivateKey::from_bytes(&unhex(&case.private_key)).expect("py-ipv8's key");
        let hash =
            IdFormat::from_name(&case.id_format).and_then(IdFormat::value_hash).expect("exact");
        let value = unhex(&case.value);
        let ours = BonehAttestation::attest(&key.public, &hash.bits(&value), &mut rng);
        let mut answers = Histogram::default();
        for i in 0..ours.bitpairs.len() {
            answers.add(respond(&key, &ours.challenge(i, &mut rng).expect("a pair")).expect("ok"));
        }
        assert_eq!(answers.certainty(&hash.relativity(&value)).to_bits(), case.certainty.to_bits());
    }
}

#[derive(Deserialize)]
struct RangeVectors {
    algorithm: String,
    cases: Vec<RangeCase>,
}

#[derive(Deserialize)]
struct RangeCase {
    name: String,
    private_key: String,
    blob: String,
    public: String,
    attribute_hash: String,
    rounds: Vec<RangeRound>,
}

#[derive(Deserialize)]
struct RangeRound {
    challenge: String,
    response: String,
    in_range: bool,
}

#[test]
fn py_ipv8s_range_proofs_read_answer_and_check_the_same_here() {
    use ipv8::attestation::{RangeAttestation, RangeProof, range_certainty};
    use sha1::{Digest, Sha1};

    let path =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/vectors/attestation/pengbaorange.json");
    let vectors: RangeVectors =
        serde_json::from_str(&std::fs::read_to_string(path).expect("vector file")).expect("valid");
    assert_eq!(vectors.algorithm, "pengbaorange");
    let mut rng = rand_core::OsRng;
    for case in &vectors.cases {
        let what = &case.name;
        let key = BonehPrivateKey::from_bytes(&unhex(&case.private_key)).expect("py-ipv8's key");
        let stored = RangeAttestation::from_private_bytes(&key, &unhex(&case.blob)).expect(what);
        let public = unhex(&case.public);
        assert_eq!(stored.proof.to_bytes(), public, "{what}: public data re-encodes");
        assert_eq!(hex(&Sha1::digest(&public)), case.attribute_hash, "{what}: attribute hash");
        let (proof, _) = RangeProof::read(&public).expect("public data");
        for round in &case.rounds {
            let (challenge, response) = (unhex(&round.challenge), unhex(&round.response));
            assert_eq!(proof.check(18, 200, &challenge, &response), round.in_range, "{what}");
            if round.in_range {
                let ours = stored.respond(&challenge, &mut rng).expect("an answer");
                assert_eq!(ours, response, "{what}: the same answer from the same secrets");
            }
            let expected = f64::from(u8::from(round.in_range));
            assert_eq!(range_certainty(&[round.in_range], true).to_bits(), expected.to_bits());
        }
        // A challenge of ours, answered here, checks as well.
        let challenge = proof.challenge(&mut rng);
        let response = stored.respond(&challenge, &mut rng).expect("an answer");
        assert!(proof.check(18, 200, &challenge, &response), "{what}: our own round");
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut text, b| {
        let _ = write!(text, "{b:02x}");
        text
    })
}
