//! The wallet's flows between simulated nodes, without identity overlays (names of our
//! attributes are then their hashes in hexadecimal).

use super::*;
use crate::attestation::{IdFormat, range_value};
use crate::messages::attestation::{AttestationChunkPayload, ChallengePayload};
use crate::proto::discovery::Timed;
use crate::testing::TestNetwork;

type Net = TestNetwork<AttestationCommunity>;

fn network() -> Net {
    TestNetwork::initialize(3, |_| AttestationCommunity::new(WalletDb::in_memory().expect("a db")))
}

fn ask<R>(net: &mut Net, i: usize, request: R) -> R::Response
where
    R: crate::proto::Request,
    AttestationCommunity: crate::proto::Responder<R>,
{
    let answer = net.ask_and_wait::<AttestationCommunity, R>(i, request).expect("an answer");
    net.deliver_messages();
    answer
}

/// `subject` gets an attestation of `value` from `attester`; returns its hash.
fn enrol(
    net: &mut Net,
    subject: usize,
    attester: usize,
    format: IdFormat,
    value: &[u8],
) -> [u8; 20] {
    let attester_peer = net.peer(attester);
    let request = RequestAttestation {
        attester: attester_peer,
        name: "age".into(),
        format,
        metadata: vec![("k".into(), "v".into())],
    };
    ask(net, subject, request).expect("requested");
    let outstanding = ask(net, attester, OutstandingAttestations);
    let expected = OutstandingAttestation {
        subject: net.key_bin(subject),
        name: "age".into(),
        metadata: r#"{"k": "v"}"#.into(),
    };
    assert_eq!(outstanding, [expected]);
    let attest =
        Attest { subject: net.key_bin(subject), name: "age".into(), value: value.to_vec() };
    ask(net, attester, attest).expect("attested");
    assert!(ask(net, attester, OutstandingAttestations).is_empty());
    let hashes = net.overlay(subject).attribute_hashes();
    assert_eq!(hashes.len(), 1, "the subject keeps the attestation");
    hashes[0]
}

/// `verifier` proves `subject`'s attestation `hash` against `references`, the subject consenting.
fn verify(
    net: &mut Net,
    verifier: usize,
    subject: usize,
    hash: [u8; 20],
    format: IdFormat,
    references: &[&[u8]],
) -> Vec<VerificationOutput> {
    let references = references.iter().map(|r| r.to_vec()).collect();
    let subject_peer = net.peer(subject);
    ask(net, verifier, Verify { subject: subject_peer, hash, references, format }).expect("asked");
    let waiting = ask(net, subject, OutstandingVerifications);
    let name = super::prove::hex(&hash);
    assert_eq!(
        waiting,
        [OutstandingVerification { verifier: net.key_bin(verifier), name: name.clone() }]
    );
    ask(net, subject, Consent { verifier: net.key_bin(verifier), name, allow: true })
        .expect("allowed");
    net.advance(Duration::from_secs(1));
    let outputs = ask(net, verifier, VerificationOutputs);
    assert!(outputs.iter().all(|o| o.matches.is_some()), "every proof has ended: {outputs:?}");
    outputs
}

#[test]
fn an_exact_value_is_attested_and_verified() {
    let mut net = network();
    let format = IdFormat::Metadata;
    let hash = enrol(&mut net, 0, 1, format, b"value");
    let other = (0..50)
        .map(|i| format!("other {i}").into_bytes())
        .find(|v| {
            format.value_hash().map(|h| h.relativity(v))
                != format.value_hash().map(|h| h.relativity(b"value"))
        })
        .expect("a value with another histogram");
    let outputs = verify(&mut net, 2, 0, hash, format, &[b"value", &other]);
    assert_eq!(outputs.len(), 2);
    let certainty = |r: &[u8]| outputs.iter().find(|o| o.reference == r).and_then(|o| o.matches);
    assert!(certainty(b"value").expect("an output") > 0.99, "{outputs:?}");
    assert!(certainty(&other).expect("an output") < 0.5, "{outputs:?}");
}

#[test]
fn a_range_is_attested_and_verified() {
    let mut net = network();
    let format = IdFormat::Range18Plus;
    let hash = enrol(&mut net, 0, 1, format, &range_value(42));
    let outputs = verify(&mut net, 2, 0, hash, format, &[&[1]]);
    assert_eq!(outputs.len(), 1);
    assert!((outputs[0].matches.unwrap_or_default() - 1.0).abs() < f64::EPSILON, "{outputs:?}");
}

#[test]
fn an_out_of_range_value_is_refused_to_the_attester() {
    let mut net = network();
    let attester = net.peer(1);
    let request = RequestAttestation {
        attester,
        name: "age".into(),
        format: IdFormat::Range18Plus,
        metadata: vec![],
    };
    ask(&mut net, 0, request).expect("requested");
    let attest = Attest { subject: net.key_bin(0), name: "age".into(), value: range_value(12) };
    assert!(matches!(ask(&mut net, 1, attest), Err(WalletError::Attestation(_))));
    assert!(net.overlay(0).attribute_hashes().is_empty());
}

#[test]
fn a_subject_without_the_key_cannot_prove_its_value() {
    let mut net = network();
    let format = IdFormat::Metadata;
    let hash = enrol(&mut net, 0, 1, format, b"value");
    let mut row = net.overlay(0).db.get(&hash).expect("read").expect("kept");
    let mut rng = SeededRng::from_seed([3; 32]);
    row.key = format.generate_key(&mut rng).expect("a key").to_bytes();
    net.overlay(0).db.insert(&row).expect("replaced");
    let outputs = verify(&mut net, 2, 0, hash, format, &[b"value"]);
    assert!(outputs.iter().all(|o| o.matches.is_some_and(|m| m < 0.5)), "{outputs:?}");
}

#[test]
fn a_refused_verification_sends_nothing() {
    let mut net = network();
    let format = IdFormat::Metadata;
    let hash = enrol(&mut net, 0, 1, format, b"value");
    let subject = net.peer(0);
    let references = vec![b"value".to_vec()];
    ask(&mut net, 2, Verify { subject, hash, references, format }).expect("asked");
    let name = super::prove::hex(&hash);
    let consent = Consent { verifier: net.key_bin(2), name: name.clone(), allow: false };
    ask(&mut net, 0, consent).expect("refused");
    net.advance(Duration::from_secs(1));
    let outputs = ask(&mut net, 2, VerificationOutputs);
    assert_eq!(outputs.len(), 1);
    assert_eq!(outputs[0].matches, None, "a refused proof never ends");
    let again = Consent { verifier: net.key_bin(2), name, allow: true };
    assert_eq!(ask(&mut net, 0, again), Err(WalletError::NotOutstanding));
    assert_eq!(
        ask(&mut net, 1, Attest { subject: vec![1], name: "x".into(), value: vec![] }),
        Err(WalletError::NotOutstanding)
    );
}

#[test]
fn unasked_chunks_challenges_and_verifications_are_counted_drops() {
    let mut net = network();
    let to = net.peer(0);
    let chunk =
        AttestationChunkPayload { attestation_hash: [1; 20], sequence_number: 0, data: vec![1] };
    net.with_overlay(2, |_, ctx| ctx.ez_send(&to, &Timed { global_time: 1, payload: chunk }));
    let challenge = ChallengePayload { attestation_hash: [1; 20], challenge: vec![1, 2] };
    net.with_overlay(2, |_, ctx| ctx.ez_send(&to, &Timed { global_time: 2, payload: challenge }));
    let request =
        crate::messages::attestation::VerifyAttestationRequestPayload { attestation_hash: [1; 20] };
    net.with_overlay(2, |_, ctx| ctx.ez_send(&to, &Timed { global_time: 3, payload: request }));
    let bad =
        crate::messages::attestation::RequestAttestationPayload { metadata: b"not json".to_vec() };
    net.with_overlay(2, |_, ctx| ctx.ez_send(&to, &Timed { global_time: 4, payload: bad }));
    net.deliver_messages();
    let stats = net.node(0).stats();
    for reason in [
        "wallet_unrequested_chunk",
        "wallet_not_proving",
        "wallet_unknown_attestation",
        "wallet_bad_request_metadata",
    ] {
        assert_eq!(stats.dropped(reason), 1, "{reason}");
    }
}

#[test]
fn a_stranger_cannot_challenge_a_proof_for_another_verifier() {
    let mut net = network();
    let format = IdFormat::Metadata;
    let hash = enrol(&mut net, 0, 1, format, b"value");
    verify(&mut net, 2, 0, hash, format, &[b"value"]);
    let to = net.peer(0);
    let challenge = ChallengePayload { attestation_hash: hash, challenge: vec![1, 2] };
    net.with_overlay(1, |_, ctx| ctx.ez_send(&to, &Timed { global_time: 9, payload: challenge }));
    net.deliver_messages();
    assert_eq!(net.node(0).stats().dropped("wallet_challenge_from_stranger"), 1);
}
