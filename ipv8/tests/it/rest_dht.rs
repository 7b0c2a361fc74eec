//! REST `/dht/*` and `/noblockdht/*` on loopback nodes that run the DHT: a value PUT on one is
//! found through the other, shows in its statistics and stored values; a node is found by its mid;
//! buckets are listed and refreshed; bad keys and a node without a DHT (or without peer
//! discovery) get py-ipv8's error bodies.
#![cfg(feature = "rest")]

use crate::rest_support;

use std::net::SocketAddr;

use base64::Engine as _;
use std::time::Instant;

use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::dht::{COMMUNITY_ID, DhtCommunity};
use ipv8::proto::discovery::DiscoveryCommunity;
use ipv8::proto::{Node, Peer};
use ipv8::rest::RestServer;
use ipv8::runtime::{self, Endpoint, EndpointConfig, NodeHandle};
use rest_support::request;
use serde_json::{Value, json};

/// A node on 127.0.0.1 running a DHT that finds peers (`Some(true)`), a plain one
/// (`Some(false)`) or none, and its REST address.
async fn start_with(dht: Option<bool>) -> (NodeHandle, Peer, SocketAddr) {
    let key = PrivateKey::generate(Curve::Curve25519).unwrap();
    let public = key.public_key();
    let now = Instant::now();
    let mut node = Node::new(key, 1, now);
    match dht {
        Some(true) => node.add_community(now, DhtCommunity::with_peer_discovery()).unwrap(),
        Some(false) => node.add_community(now, DhtCommunity::new()).unwrap(),
        None => node.add_community(now, DiscoveryCommunity::new()).unwrap(),
    }
    let loopback = EndpointConfig::new().with_ipv4("127.0.0.1:0".parse().unwrap());
    let (handle, _events, _task) = runtime::spawn(node, Endpoint::bind(&loopback).unwrap());
    let peer = Peer::new(public, handle.local_addrs().ipv4().unwrap());
    let server = RestServer::bind_loopback(0).await.unwrap();
    let address = server.local_addr().unwrap();
    tokio::spawn(server.run(handle.clone()));
    (handle, peer, address)
}

async fn start(dht: bool) -> (NodeHandle, Peer, SocketAddr) {
    start_with(dht.then_some(false)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_put_on_one_node_are_found_through_another() {
    let (a, a_peer, a_rest) = start(true).await;
    let (b, b_peer, b_rest) = start(true).await;
    a.with_node(move |node, _| node.add_peer(&b_peer, &[COMMUNITY_ID])).await.unwrap();
    b.with_node(move |node, _| node.add_peer(&a_peer, &[COMMUNITY_ID])).await.unwrap();
    let key = "0102030405060708090a0b0c0d0e0f1011121314";

    let path = format!("/dht/values/{key}");
    let put = request(a_rest, "PUT", &path, Some(json!({"value": "68656c6c6f"}))).await;
    assert_eq!(put, (200, json!({"success": true})));

    let (status, found) = request(b_rest, "GET", &path, None).await;
    assert_eq!(status, 200, "{found}");
    let a_key = a.with_node(|node, _| node.public_key().to_bin().to_vec()).await.unwrap();
    let a_b64 = base64::engine::general_purpose::STANDARD.encode(a_key);
    assert_eq!(found["values"], json!([{"public_key": a_b64, "key": key, "value": "68656c6c6f"}]));

    let (_, stored) = request(b_rest, "GET", "/dht/values", None).await;
    assert_eq!(stored[key][0]["value"], "68656c6c6f", "{stored}");
    assert_eq!(stored[key][0]["endpoint"], "UDPIPv4");
    let (_, statistics) = request(b_rest, "GET", "/dht/statistics", None).await;
    let endpoint = &statistics["statistics"]["endpoints"][0];
    assert_eq!(endpoint["routing_table_size"], 1, "{statistics}");
    assert_eq!(endpoint["num_keys_in_store"], 1);
    assert_eq!(statistics["statistics"]["num_tokens"], 1, "b got a token from a when it looked");
}

#[tokio::test]
async fn bad_requests_and_missing_dht_get_py_ipv8_errors() {
    let (_, _, rest) = start(true).await;
    let bad = json!({"success": false, "error": "incorrect parameters"});
    assert_eq!(request(rest, "GET", "/dht/values/zz", None).await, (400, bad.clone()));
    let zeros = format!("/dht/values/{}", "00".repeat(20));
    let no_value = request(rest, "PUT", &zeros, Some(json!({}))).await;
    assert_eq!(no_value, (400, bad));
    let lonely = request(rest, "GET", &zeros, None).await;
    let no_nodes = json!({"code": "DHTError", "message": "No nodes found in the routing table"});
    assert_eq!(lonely, (500, json!({"success": false, "error": no_nodes})));

    let (_, _, rest) = start(false).await;
    let missing = json!({"success": false, "error": "DHT community not found"});
    assert_eq!(request(rest, "GET", "/dht/statistics", None).await, (404, missing.clone()));
    assert_eq!(request(rest, "GET", &zeros, None).await, (404, missing));
}

/// Found by `cargo xtask api-fuzz`: a stored value's body that is not JSON got axum's plain-text
/// rejection; it gets py-ipv8's error body (code `JSONDecodeError`) with `400`, as the other
/// routes' bodies do.
#[tokio::test]
async fn a_store_body_that_is_not_json_gets_py_ipv8s_error_body() {
    let (_, _, rest) = start(true).await;
    let zeros = format!("/dht/values/{}", "00".repeat(20));
    for body in ["\u{0}", "{not json", ""] {
        let (status, reply) =
            rest_support::request_raw(rest, "PUT", &zeros, &[], body.into()).await;
        let shape = (status, &reply["success"], &reply["error"]["code"]);
        assert_eq!(shape, (400, &json!(false), &json!("JSONDecodeError")), "{body:?}: {reply}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peers_are_found_by_mid_and_buckets_are_listed_and_refreshed() {
    let nodes =
        [start_with(Some(true)).await, start_with(Some(true)).await, start_with(Some(true)).await];
    for (handle, _, _) in &nodes {
        for (_, peer, _) in &nodes {
            let peer = peer.clone();
            handle.with_node(move |node, _| node.add_peer(&peer, &[COMMUNITY_ID])).await.unwrap();
        }
    }
    let (_, wanted, wanted_rest) = &nodes[2];
    let (_, _, searcher_rest) = &nodes[0];
    // The wanted node stores itself on the others within seconds of knowing them.
    let deadline = Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (_, statistics) = request(*wanted_rest, "GET", "/dht/statistics", None).await;
        let for_me = &statistics["statistics"]["num_store_for_me"];
        if for_me.as_object().is_some_and(|m| !m.is_empty()) {
            break;
        }
        assert!(Instant::now() < deadline, "nobody stores the wanted node: {statistics}");
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let mid = wanted.mid().to_hex();
    let (status, found) = request(*searcher_rest, "GET", &format!("/dht/peers/{mid}"), None).await;
    assert_eq!(status, 200, "{found}");
    let key = base64::engine::general_purpose::STANDARD.encode(wanted.key().to_bin());
    let address = wanted.address();
    assert_eq!(
        found,
        json!({"peers": [{"public_key": key, "address": [address.ip().to_string(), address.port()]}]})
    );
    let no_block = request(*searcher_rest, "GET", &format!("/noblockdht/{mid}"), None).await;
    assert_eq!(no_block, (200, json!({"success": true})));

    let (status, buckets) = request(*searcher_rest, "GET", "/dht/buckets", None).await;
    assert_eq!(status, 200);
    let bucket = &buckets["buckets"][0];
    assert_eq!(bucket["endpoint"], "UDPIPv4");
    let peers = bucket["peers"].as_array().expect("peers");
    assert_eq!(peers.len(), 2, "{buckets}");
    for peer in peers {
        assert_eq!(peer["ip"], "127.0.0.1");
        assert!(
            peer["distance"].is_number() && peer["id"].as_str().is_some_and(|id| id.len() == 40)
        );
    }
    let prefix = bucket["prefix"].as_str().expect("a prefix").to_owned();
    let refresh =
        request(*searcher_rest, "GET", &format!("/dht/buckets/{prefix}/refresh"), None).await;
    assert_eq!(refresh, (200, json!({"success": true})));
    let unknown = request(*searcher_rest, "GET", "/dht/buckets/0110110/refresh", None).await;
    assert_eq!(unknown, (400, json!({"success": false, "error": "no such bucket"})));
}

fn no_nodes_error() -> Value {
    json!({"code": "DHTError", "message": "No nodes found in the routing table"})
}

#[tokio::test]
async fn finding_peers_needs_a_dht_that_finds_peers() {
    let mid = "00".repeat(20);
    let (_, _, plain) = start_with(Some(false)).await;
    let missing = json!({"success": false, "error": "DHT community not found"});
    assert_eq!(request(plain, "GET", &format!("/dht/peers/{mid}"), None).await, (404, missing));
    let bare = json!({"error": "DHT community not found"});
    assert_eq!(request(plain, "GET", &format!("/noblockdht/{mid}"), None).await, (404, bare));

    let (_, _, none) = start_with(None).await;
    assert_eq!(request(none, "GET", "/dht/buckets", None).await, (200, json!({"buckets": []})));
    let not_loaded = json!({"success": false, "error": "DHT community is not loaded"});
    assert_eq!(request(none, "GET", "/dht/buckets/0/refresh", None).await, (400, not_loaded));

    let (_, _, lonely) = start_with(Some(true)).await;
    let (status, failed) = request(lonely, "GET", &format!("/dht/peers/{mid}"), None).await;
    assert_eq!(status, 500);
    assert_eq!(failed["error"], no_nodes_error());
}
