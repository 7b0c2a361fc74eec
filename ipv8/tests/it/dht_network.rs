//! The DHT community on the simulator: values stored by one node are found by every other, signed
//! ones with their signer; lookups for nodes converge on the nearest; stores without a token we
//! handed out are refused; `PingChurn` pings with the DHT's own ping.

use std::time::Duration;

use ipv8::crypto::PublicKey;
use ipv8::messages::dht::StoreRequestPayload;
use ipv8::proto::dht::{DhtCommunity, DhtError, FindNodes, FindValues, NodeId, StoreValue, Value};
use ipv8::proto::discovery::PingChurn;
use ipv8::proto::{Request, Responder};
use ipv8::testing::{SimConfig, TestNetwork};

/// Asks node `i` and runs the network until the answer is in.
fn ask<R>(net: &mut TestNetwork<DhtCommunity>, i: usize, request: R) -> R::Response
where
    R: Request,
    DhtCommunity: Responder<R>,
{
    let now = net.now();
    let response = net.node_mut(i).ask::<DhtCommunity, R>(now, request);
    net.flush(i);
    net.deliver_messages();
    match response.try_take() {
        Some(Ok(Ok(answer))) => answer,
        Some(Ok(Err(error))) => panic!("ask failed: {error}"),
        other => panic!("no answer: {:?}", other.map(|r| r.map(|_| ()).map_err(|e| e.to_string()))),
    }
}

fn network(n: usize) -> TestNetwork<DhtCommunity> {
    TestNetwork::with_config(SimConfig::new(5), n, |_| DhtCommunity::new())
}

#[test]
fn every_node_finds_what_one_stored() {
    let mut net = network(30);
    let stored =
        ask(&mut net, 0, StoreValue { key: [9; 20], data: b"signed".to_vec(), version: Some(7) });
    assert!(matches!(stored, Ok(n) if n >= 1), "{stored:?}");
    let stored =
        ask(&mut net, 3, StoreValue { key: [9; 20], data: b"plain".to_vec(), version: None });
    assert!(stored.is_ok(), "{stored:?}");
    let signer: PublicKey = net.public_key(0).clone();
    for i in 1..30 {
        let found = ask(&mut net, i, FindValues { key: [9; 20] }).expect("found");
        assert_eq!(
            found,
            [(b"signed".to_vec(), Some(signer.clone())), (b"plain".to_vec(), None)],
            "node {i}"
        );
    }
    let missing = ask(&mut net, 4, FindValues { key: [1; 20] }).expect("a lookup");
    assert!(missing.is_empty());
}

#[test]
fn a_newer_version_replaces_the_older_one_of_its_signer() {
    let mut net = network(12);
    ask(&mut net, 0, StoreValue { key: [2; 20], data: b"v1".to_vec(), version: Some(1) }).unwrap();
    ask(&mut net, 0, StoreValue { key: [2; 20], data: b"v2".to_vec(), version: Some(2) }).unwrap();
    let found = ask(&mut net, 7, FindValues { key: [2; 20] }).unwrap();
    assert_eq!(found, [(b"v2".to_vec(), Some(net.public_key(0).clone()))]);
}

#[test]
fn node_lookups_converge_on_the_nearest_node() {
    let mut net = network(40);
    let target = NodeId::from([0x42; 20]);
    let id =
        |net: &TestNetwork<DhtCommunity>, i: usize| NodeId::of(net.address(i).ip(), &net.mid(i));
    let nearest = (1..40).min_by(|a, b| target.cmp_distance(&id(&net, *a), &id(&net, *b))).unwrap();
    let found = ask(&mut net, 0, FindNodes { key: [0x42; 20] }).expect("nodes");
    assert_eq!(found.first().map(ipv8::proto::Peer::address), Some(net.address(nearest)));
    let distances: Vec<NodeId> =
        found.iter().map(|p| target.distance(&NodeId::of(p.address().ip(), &p.mid()))).collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "nearest first");
}

#[test]
fn stores_without_a_token_we_handed_out_are_refused() {
    let mut net = network(3);
    let to = net.peer(1);
    for token in [[0; 20], [0xab; 20]] {
        net.with_overlay(0, |_, ctx| {
            let values = vec![Value::unsigned(b"no token").unwrap()];
            ctx.ez_send(
                &to,
                &StoreRequestPayload { identifier: 1, token, target: [3; 20], values },
            );
        });
    }
    net.deliver_messages();
    assert!(net.overlay(1).storage().is_empty());

    // Through a lookup, node 0 gets tokens and its store lands.
    ask(&mut net, 0, StoreValue { key: [3; 20], data: b"ok".to_vec(), version: None }).unwrap();
    assert_eq!(net.overlay(1).storage().get(&[3; 20], 0, 8), [Value::unsigned(b"ok").unwrap()]);
}

#[test]
fn a_lonely_node_has_no_one_to_ask() {
    let config = SimConfig::new(1).with_connect_all(false);
    let mut net = TestNetwork::with_config(config, 1, |_| DhtCommunity::new());
    let now = net.now();
    let response = net.node_mut(0).ask::<DhtCommunity, _>(now, FindValues { key: [0; 20] });
    net.flush(0);
    assert!(matches!(response.try_take(), Some(Ok(Ok(Err(DhtError::NoNodes))))));
}

#[test]
fn ping_churn_pings_with_the_dht_ping() {
    let mut net = network(4);
    net.add_strategy_to_all(|_| PingChurn::new().with_ping_interval(Duration::from_secs(1)), None);
    net.advance(Duration::from_secs(3));
    let table = net.overlay(0).routing_table().expect("a table");
    let answered = table
        .buckets()
        .iter()
        .flat_map(ipv8::proto::dht::Bucket::nodes)
        .filter(|n| n.rtt.is_some())
        .count();
    assert_eq!(answered, 3, "every other node answered a DHT ping");
}
