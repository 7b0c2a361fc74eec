//! The identity overlay on the simulated network: an authority signs the credential it expects
//! (and fetches the tokens a trimmed disclosure lacked), and refuses what it did not ask for,
//! what comes too late and forged attestations.

use std::collections::HashSet;
use std::time::Duration;

use ipv8::messages::identity::AttestPayload;
use ipv8::proto::identity::chain::IdentityAttestation;
use ipv8::proto::identity::db::IdentityDb;
use ipv8::proto::identity::{
    AddKnownHash, AttributeName, COMMUNITY_ID, CredentialInfo, Credentials, IdentityCommunity,
    IdentityEvent, RemoveMine, RequestAdvertisement, SIGN_WINDOW, SelfAdvertise,
};
use ipv8::proto::{Event, Peer};
use ipv8::testing::TestNetwork;

const AUTHORITY: usize = 0;
const SUBJECT: usize = 1;
const HASH: [u8; 20] = [0xa5; 20];

fn network(n: usize) -> TestNetwork<IdentityCommunity> {
    TestNetwork::initialize(n, |_| IdentityCommunity::new(IdentityDb::in_memory().unwrap()))
}

fn add_known_hash(
    net: &mut TestNetwork<IdentityCommunity>,
    hash: [u8; 20],
    metadata: Option<Vec<(String, String)>>,
) {
    let subject = net.key_bin(SUBJECT);
    let known = AddKnownHash { hash, name: "age".into(), subject, metadata };
    net.ask_and_wait::<IdentityCommunity, _>(AUTHORITY, known).unwrap();
}

fn request(
    net: &mut TestNetwork<IdentityCommunity>,
    hash: [u8; 20],
    metadata: Vec<(String, String)>,
) {
    let authority: Peer = net.peer(AUTHORITY);
    let request = RequestAdvertisement {
        authority,
        hash,
        name: "age".into(),
        schema: "id_metadata".into(),
        metadata,
    };
    assert_eq!(net.ask_and_wait::<IdentityCommunity, _>(SUBJECT, request), Ok(true));
    net.advance(Duration::from_secs(1));
}

fn credentials(
    net: &mut TestNetwork<IdentityCommunity>,
    i: usize,
    subject: Option<Vec<u8>>,
) -> Vec<CredentialInfo> {
    net.ask_and_wait::<IdentityCommunity, _>(i, Credentials { subject }).unwrap()
}

fn attested(net: &mut TestNetwork<IdentityCommunity>, i: usize) -> Vec<IdentityEvent> {
    std::iter::from_fn(|| net.node_mut(i).poll_event())
        .filter_map(|event| match event {
            Event::Community { event, .. } => event.downcast::<IdentityEvent>().ok().map(|e| *e),
            _ => None,
        })
        .collect()
}

fn received(net: &TestNetwork<IdentityCommunity>, i: usize, msg_id: u8) -> u64 {
    let stats = net.node(i).stats();
    stats.communities.get(&COMMUNITY_ID).and_then(|ids| ids.get(&msg_id)).map_or(0, |s| s.num_down)
}

#[test]
fn an_expected_credential_is_attested() {
    let mut net = network(2);
    let extra = vec![("psn".to_owned(), "1".to_owned())];
    add_known_hash(&mut net, HASH, Some(extra.clone()));
    request(&mut net, HASH, extra);

    let mine = credentials(&mut net, SUBJECT, None);
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].name, "age");
    assert_eq!(mine[0].hash, HASH);
    assert_eq!(mine[0].metadata["schema"], "id_metadata");
    assert_eq!(mine[0].metadata["psn"], "1");
    assert!(mine[0].metadata["date"].is_f64());
    assert_eq!(mine[0].attesters, [net.key_bin(AUTHORITY)]);
    let events = attested(&mut net, SUBJECT);
    assert_eq!(
        events,
        [IdentityEvent::Attested { authority: net.key_bin(AUTHORITY), name: "age".into() }]
    );

    // The authority knows the subject's credential too, with its own attestation.
    let subject = net.key_bin(SUBJECT);
    let theirs = credentials(&mut net, AUTHORITY, Some(subject));
    assert_eq!(theirs, mine);
    let name = net.ask_and_wait::<IdentityCommunity, _>(SUBJECT, AttributeName { hash: HASH });
    assert_eq!(name, Ok(Some("age".to_owned())));
    let none = net.ask_and_wait::<IdentityCommunity, _>(SUBJECT, AttributeName { hash: [0; 20] });
    assert_eq!(none, Ok(None));

    // Shown again, the credential is not signed twice.
    let authority = net.peer(AUTHORITY);
    net.with_overlay(SUBJECT, |me, ctx| {
        let metadata = me.pseudonym().unwrap().credentials().unwrap()[0].metadata.clone();
        let disclosure =
            me.pseudonym().unwrap().create_disclosure(&[metadata], &HashSet::new()).unwrap();
        let payload = ipv8::messages::identity::DisclosePayload {
            metadata: disclosure.metadata,
            tokens: disclosure.tokens,
            attestations: disclosure.attestations,
            authorities: disclosure.authorities,
        };
        ctx.ez_send(&authority, &payload);
    });
    net.advance(Duration::from_secs(1));
    assert_eq!(received(&net, SUBJECT, 2), 1);
}

#[test]
fn metadata_other_than_recorded_is_not_signed() {
    let mut net = network(2);
    add_known_hash(&mut net, HASH, Some(vec![("psn".to_owned(), "1".to_owned())]));
    request(&mut net, HASH, vec![("psn".to_owned(), "2".to_owned())]);
    assert!(credentials(&mut net, SUBJECT, None)[0].attesters.is_empty());
    assert_eq!(received(&net, SUBJECT, 2), 0);
}

#[test]
fn an_unsolicited_disclosure_is_dropped_and_counted() {
    let mut net = network(2);
    request(&mut net, HASH, vec![]);
    assert_eq!(net.node(AUTHORITY).stats().dropped("identity_unsolicited_disclosure"), 1);
    assert!(credentials(&mut net, SUBJECT, None)[0].attesters.is_empty());
    let subject = net.key_bin(SUBJECT);
    assert!(credentials(&mut net, AUTHORITY, Some(subject)).is_empty());
}

#[test]
fn a_hash_recorded_longer_than_the_window_ago_is_not_signed() {
    let mut net = network(2);
    add_known_hash(&mut net, HASH, None);
    net.advance(SIGN_WINDOW + Duration::from_secs(1));
    request(&mut net, HASH, vec![]);
    assert!(credentials(&mut net, SUBJECT, None)[0].attesters.is_empty());
    assert_eq!(received(&net, SUBJECT, 2), 0);
    assert!(attested(&mut net, SUBJECT).is_empty());
}

#[test]
fn forged_and_stray_attestations_are_not_stored() {
    let mut net = network(3);
    let advertise = SelfAdvertise {
        hash: HASH,
        name: "age".into(),
        schema: "id_metadata".into(),
        metadata: vec![],
    };
    assert_eq!(net.ask_and_wait::<IdentityCommunity, _>(SUBJECT, advertise), Ok(true));
    let metadata =
        net.overlay(SUBJECT).pseudonym().unwrap().credentials().unwrap()[0].metadata.clone();
    let subject = net.peer(SUBJECT);
    let other_key = net.private_key(0).clone();
    net.with_overlay(2, |_, ctx| {
        // Signed by someone else than the sender.
        let forged = IdentityAttestation::create(&metadata, &other_key);
        ctx.ez_send(&subject, &AttestPayload { attestation: forged.serialize() });
        // Too short to be an attestation.
        ctx.ez_send(&subject, &AttestPayload { attestation: vec![1; 40] });
        // Properly signed, but over metadata that is not the subject's.
        let stray = IdentityAttestation::from_parts([3; 32], ctx.my_private_key().sign(&[3; 32]));
        ctx.ez_send(&subject, &AttestPayload { attestation: stray.serialize() });
    });
    net.advance(Duration::from_secs(1));
    let stats = net.node(SUBJECT).stats();
    assert_eq!(stats.dropped("identity_bad_attestation"), 1);
    assert_eq!(stats.dropped("identity_malformed_attestation"), 1);
    assert_eq!(stats.dropped("identity_attest_unknown_metadata"), 1);
    assert!(credentials(&mut net, SUBJECT, None)[0].attesters.is_empty());
    assert!(attested(&mut net, SUBJECT).is_empty());
}

#[test]
fn tokens_a_trimmed_disclosure_lacks_are_requested() {
    let mut net = network(2);
    for i in 0..15u8 {
        let advertise = SelfAdvertise {
            hash: [i; 20],
            name: format!("a{i}"),
            schema: "id_metadata".into(),
            metadata: vec![],
        };
        assert_eq!(net.ask_and_wait::<IdentityCommunity, _>(SUBJECT, advertise), Ok(true));
    }
    add_known_hash(&mut net, HASH, None);
    request(&mut net, HASH, vec![]);

    assert_eq!(received(&net, SUBJECT, 3), 1, "one request for missing tokens");
    assert_eq!(received(&net, AUTHORITY, 4), 1, "one missing-response");
    let mine = credentials(&mut net, SUBJECT, None);
    assert_eq!(mine.len(), 16);
    let age = mine.iter().find(|c| c.name == "age").unwrap();
    assert_eq!(age.attesters, [net.key_bin(AUTHORITY)]);
    assert_eq!(net.overlay(SUBJECT).token_chain().len(), 16);
}

#[test]
fn removing_our_pseudonym_returns_its_attribute_hashes() {
    let mut net = network(1);
    for hash in [[1; 20], [2; 20]] {
        let advertise = SelfAdvertise {
            hash,
            name: "n".into(),
            schema: "id_metadata".into(),
            metadata: vec![],
        };
        assert_eq!(net.ask_and_wait::<IdentityCommunity, _>(0, advertise), Ok(true));
    }
    let removed = net.ask_and_wait::<IdentityCommunity, _>(0, RemoveMine).unwrap();
    assert_eq!(removed, [vec![1; 20], vec![2; 20]]);
    assert!(credentials(&mut net, 0, None).is_empty());
    assert!(net.overlay(0).token_chain().is_empty());
    let db = net.overlay(0).db().clone();
    assert!(db.tokens_for(&net.key_bin(0)).unwrap().is_empty());
}

#[test]
fn a_restarted_community_continues_its_longest_chain() {
    let db = IdentityDb::in_memory().unwrap();
    let mut net = TestNetwork::initialize(1, |_| IdentityCommunity::new(db.clone()));
    for hash in [[1; 20], [2; 20], [3; 20]] {
        let advertise = SelfAdvertise {
            hash,
            name: "n".into(),
            schema: "id_metadata".into(),
            metadata: vec![],
        };
        assert_eq!(net.ask_and_wait::<IdentityCommunity, _>(0, advertise), Ok(true));
    }
    let chain: Vec<_> = net.overlay(0).token_chain().iter().map(|t| *t.hash()).collect();
    let now = net.now();
    let key = net.private_key(0).clone();
    let node = net.node_mut(0);
    node.remove_community(COMMUNITY_ID).unwrap();
    node.add_community_with_key(now, IdentityCommunity::new(db), key).unwrap();
    let reloaded: Vec<_> = net.overlay(0).token_chain().iter().map(|t| *t.hash()).collect();
    assert_eq!(reloaded, chain);
}
