//! The identity tutorial's two flows between simulated pseudonyms, each an `IdentityCommunity`
//! beside an `AttestationCommunity` under one key: enrolment (the attester's value becomes our
//! attestation, the attester signs our credential) and verification (the verifier learns how
//! well its reference matches, the subject consenting by attribute name).

use ipv8::attestation::IdFormat;
use ipv8::proto::identity::db::IdentityDb;
use ipv8::proto::identity::wallet::{
    Attest, AttestationCommunity, Consent, OutstandingAttestations, OutstandingVerification,
    OutstandingVerifications, RequestAttestation, VerificationOutputs, Verify, WalletDb,
};
use ipv8::proto::identity::{Credentials, IdentityCommunity};
use ipv8::proto::{Request, Responder};
use ipv8::testing::TestNetwork;

type Net = TestNetwork<IdentityCommunity>;

/// `n` pseudonyms that know each other in their identity overlay.
fn pseudonyms(n: usize) -> Net {
    let mut net: Net = TestNetwork::initialize(n, |_| {
        IdentityCommunity::new(IdentityDb::in_memory().expect("an identity database"))
    });
    for i in 0..n {
        let now = net.now();
        let wallet = AttestationCommunity::new(WalletDb::in_memory().expect("a wallet database"));
        net.node_mut(i).add_community(now, wallet).expect("the wallet runs");
    }
    net.introduce_nodes();
    net
}

fn wallet<R>(net: &mut Net, i: usize, request: R) -> R::Response
where
    R: Request,
    AttestationCommunity: Responder<R>,
{
    let answer = net.ask_and_wait::<AttestationCommunity, R>(i, request).expect("an answer");
    net.deliver_messages();
    answer
}

/// Node `subject` gets attribute `my_attribute` = `value` attested by node `attester`.
fn enrol(net: &mut Net, subject: usize, attester: usize, value: &[u8]) {
    let request = RequestAttestation {
        attester: net.peer(attester),
        name: "my_attribute".into(),
        format: IdFormat::Metadata,
        metadata: vec![("origin".into(), "test".into())],
    };
    wallet(net, subject, request).expect("requested");
    let outstanding = wallet(net, attester, OutstandingAttestations);
    assert_eq!(outstanding.len(), 1);
    assert_eq!(outstanding[0].metadata, r#"{"origin": "test"}"#);
    let attest = Attest {
        subject: net.key_bin(subject),
        name: "my_attribute".into(),
        value: value.to_vec(),
    };
    wallet(net, attester, attest).expect("attested");
}

#[test]
fn an_attested_credential_carries_the_attesters_signature_and_verifies() {
    let mut net = pseudonyms(2);
    enrol(&mut net, 0, 1, b"value");

    let credentials = net
        .ask_and_wait::<IdentityCommunity, _>(0, Credentials { subject: None })
        .expect("our credentials");
    assert_eq!(credentials.len(), 1);
    let credential = &credentials[0];
    assert_eq!(credential.name, "my_attribute");
    assert_eq!(credential.hash.len(), 20, "the hash without its SHA-1 padding");
    assert_eq!(credential.attesters, [net.key_bin(1)]);
    assert_eq!(credential.metadata["schema"], "id_metadata");
    assert_eq!(credential.metadata["origin"], "test");
    let date = credential.metadata["date"].as_f64().expect("a float date");
    let start = ipv8::testing::SIM_UNIX_START;
    assert!((start..start + 60.0).contains(&date), "the simulated wall clock: {date}");

    let hash: [u8; 20] = credential.hash.clone().try_into().expect("20 bytes");
    let verify = Verify {
        subject: net.peer(0),
        hash,
        references: vec![b"value".to_vec(), b"other".to_vec()],
        format: IdFormat::Metadata,
    };
    wallet(&mut net, 1, verify).expect("asked");
    let waiting = wallet(&mut net, 0, OutstandingVerifications);
    let expected =
        OutstandingVerification { verifier: net.key_bin(1), name: "my_attribute".into() };
    assert_eq!(waiting, [expected], "the subject is asked by the attribute's name");
    let consent = Consent { verifier: net.key_bin(1), name: "my_attribute".into(), allow: true };
    wallet(&mut net, 0, consent).expect("allowed");
    net.advance(std::time::Duration::from_secs(2));
    let outputs = wallet(&mut net, 1, VerificationOutputs);
    let matches = |r: &[u8]| outputs.iter().find(|o| o.reference == r).and_then(|o| o.matches);
    assert!(matches(b"value").expect("an output") > 0.99, "{outputs:?}");
    assert!(matches(b"other").expect("an output") < 0.99, "{outputs:?}");
}

#[test]
fn the_attester_sees_the_credential_and_a_third_peer_sees_none_of_ours() {
    let mut net = pseudonyms(3);
    enrol(&mut net, 0, 1, b"value");
    let seen_by_attester = net
        .ask_and_wait::<IdentityCommunity, _>(1, Credentials { subject: Some(net.key_bin(0)) })
        .expect("the subject's credentials");
    assert_eq!(seen_by_attester.len(), 1, "the attester received our disclosure");
    assert_eq!(seen_by_attester[0].attesters, [net.key_bin(1)]);
    let seen_by_stranger = net
        .ask_and_wait::<IdentityCommunity, _>(2, Credentials { subject: Some(net.key_bin(0)) })
        .expect("the subject's credentials");
    assert!(seen_by_stranger.is_empty());
}
