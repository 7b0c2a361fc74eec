//! The IPv8 documentation's identity tutorial over HTTP between two loopback nodes: pseudonyms meet
//! through a local tracker, one attests the other's attribute, verifies it (match ≥ 0.99 for the
//! true value, low for another), and the pseudonym's files and database rows come and go with
//! `remove`. Also py-ipv8's error bodies for bad requests.
#![cfg(feature = "rest")]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::Node;
use ipv8::rest::RestServer;
use ipv8::runtime::{self, Endpoint, EndpointConfig, NodeHandle, Pseudonyms};
use serde_json::{Value, json};

/// A tracker on 127.0.0.1.
fn tracker() -> (NodeHandle, SocketAddr) {
    let loopback = EndpointConfig::new().with_ipv4("127.0.0.1:0".parse().expect("an address"));
    let key = PrivateKey::generate(Curve::Curve25519).expect("a key");
    let mut node = Node::new(key, 1, Instant::now());
    node.enable_tracker(Instant::now());
    let (handle, _, _) = runtime::spawn(node, Endpoint::bind(&loopback).expect("bound"));
    let address = handle.local_addrs().ipv4().expect("an IPv4 address");
    (handle, address)
}

/// A node with a REST API serving the pseudonyms of `dir`, bootstrapping from `tracker`.
async fn node(dir: &Path, tracker: SocketAddr) -> (Arc<Pseudonyms>, SocketAddr) {
    let loopback = EndpointConfig::new().with_ipv4("127.0.0.1:0".parse().expect("an address"));
    let key = PrivateKey::generate(Curve::Curve25519).expect("a key");
    let (handle, _, _) = runtime::spawn(
        Node::new(key, 2, Instant::now()),
        Endpoint::bind(&loopback).expect("bound"),
    );
    let pseudonyms = Pseudonyms::new(dir, "127.0.0.1".parse().expect("an address"), vec![tracker]);
    let server =
        RestServer::bind_loopback(0).await.expect("bound").with_pseudonyms(pseudonyms.clone());
    let address = server.local_addr().expect("an address");
    tokio::spawn(server.run(handle));
    (pseudonyms, address)
}

/// One HTTP/1.1 request; the status code and the JSON body.
async fn request(
    address: SocketAddr,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let text = tokio::task::spawn_blocking(move || {
        use std::io::{Read as _, Write as _};
        let mut stream = std::net::TcpStream::connect(address).expect("connected");
        stream.write_all(head.as_bytes()).expect("sent");
        stream.write_all(body.as_bytes()).expect("sent");
        let mut text = String::new();
        stream.read_to_string(&mut text).expect("read");
        text
    })
    .await
    .expect("the request ran");
    let status = text[9..12].parse().expect("a status");
    let json = text
        .split("\r\n\r\n")
        .nth(1)
        .map_or(Value::Null, |b| serde_json::from_str(b).expect("JSON"));
    (status, json)
}

async fn get(address: SocketAddr, path: &str) -> Value {
    let (status, body) = request(address, "GET", path, None).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

/// GETs `path` until `done` holds (at most 30 s).
async fn poll(address: SocketAddr, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let body = get(address, path).await;
        if done(&body) {
            return body;
        }
        assert!(Instant::now() < deadline, "GET {path} never got there: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A public key as a URL path segment.
fn encoded(key: &str) -> String {
    key.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_identity_tutorial_attests_and_verifies_between_two_nodes() {
    let (_tracker, tracker_address) = tracker();
    let dirs =
        [tempfile::tempdir().expect("a directory"), tempfile::tempdir().expect("a directory")];
    let (_p1, one) = node(dirs[0].path(), tracker_address).await;
    let (_p2, two) = node(dirs[1].path(), tracker_address).await;

    let key1 = get(one, "/identity/pseudonym1/public_key").await["public_key"]
        .as_str()
        .expect("a key")
        .to_owned();
    let key2 = get(two, "/identity/pseudonym2/public_key").await["public_key"]
        .as_str()
        .expect("a key")
        .to_owned();
    assert!(key1.starts_with("TGliTmFDTFBL"), "a LibNaCLPK key: {key1}");
    poll(one, "/identity/pseudonym1/peers", |b| b["peers"] == json!([key2])).await;
    poll(two, "/identity/pseudonym2/peers", |b| b["peers"] == json!([key1])).await;
    assert_eq!(get(one, "/identity/pseudonym1/credentials").await, json!({"names": []}));
    let schemas = get(one, "/identity/pseudonym1/schemas").await;
    assert_eq!(schemas["schemas"][0], "id_metadata");
    assert_eq!(get(one, "/identity").await, json!({"names": ["pseudonym1"]}));

    // 1. Enrolment.
    let body = json!({"name": "my_attribute", "schema": "id_metadata", "metadata": {}});
    let path = format!("/identity/pseudonym1/request/{}", encoded(&key2));
    assert_eq!(request(one, "PUT", &path, Some(body)).await, (200, json!({"success": true})));
    let outstanding = poll(two, "/identity/pseudonym2/outstanding/attestations", |b| {
        b["requests"].as_array().is_some_and(|r| !r.is_empty())
    })
    .await;
    let expected =
        json!({"requests": [{"peer": key1, "attribute_name": "my_attribute", "metadata": "{}"}]});
    assert_eq!(outstanding, expected);
    let path = format!("/identity/pseudonym2/attest/{}", encoded(&key1));
    let body = json!({"name": "my_attribute", "value": "dmFsdWU="});
    assert_eq!(request(two, "PUT", &path, Some(body)).await, (200, json!({"success": true})));
    let credentials = poll(one, "/identity/pseudonym1/credentials", |b| {
        b["names"][0]["attesters"].as_array().is_some_and(|a| !a.is_empty())
    })
    .await;
    let credential = &credentials["names"][0];
    assert_eq!(credential["name"], "my_attribute");
    assert_eq!(credential["attesters"], json!([key2]));
    assert_eq!(credential["metadata"]["schema"], "id_metadata");
    let hash = credential["hash"].as_str().expect("a hash").to_owned();
    assert_eq!(hash.len(), 28, "20 bytes in base64");

    // 2. Verification, of the true value and of another.
    for (reference, true_value) in [("dmFsdWU=", true), ("b3RoZXI=", false)] {
        let path = format!("/identity/pseudonym2/verify/{}", encoded(&key1));
        let body = json!({"hash": hash, "value": reference, "schema": "id_metadata"});
        assert_eq!(request(two, "PUT", &path, Some(body)).await, (200, json!({"success": true})));
        let waiting = poll(one, "/identity/pseudonym1/outstanding/verifications", |b| {
            b["requests"].as_array().is_some_and(|r| !r.is_empty())
        })
        .await;
        assert_eq!(
            waiting,
            json!({"requests": [{"peer": key2, "attribute_name": "my_attribute"}]})
        );
        let path = format!("/identity/pseudonym1/allow/{}", encoded(&key2));
        let body = json!({"name": "my_attribute"});
        assert_eq!(request(one, "PUT", &path, Some(body)).await, (200, json!({"success": true})));
        let outputs = poll(two, "/identity/pseudonym2/verifications", |b| {
            b["outputs"].as_array().is_some_and(|o| o.iter().any(|o| o["reference"] == reference))
        })
        .await;
        let output = outputs["outputs"]
            .as_array()
            .and_then(|o| o.iter().find(|o| o["reference"] == reference));
        let matches = output.and_then(|o| o["match"].as_f64()).expect("a match");
        assert_eq!(output.map(|o| o["hash"].clone()), Some(json!(hash)));
        if true_value {
            assert!(matches >= 0.99, "the true value: {matches}");
        } else {
            assert!(matches < 0.5, "another value: {matches}");
        }
    }

    // The files are py-ipv8's.
    let dir = dirs[0].path();
    assert_eq!(std::fs::read(dir.join("pseudonyms/pseudonym1")).expect("a key file").len(), 74);
    assert!(dir.join("sqlite/identity.db").exists() && dir.join("sqlite/attestations.db").exists());

    // Removing the pseudonym takes its key file and its credentials.
    assert_eq!(get(one, "/identity/pseudonym1/remove").await, json!({"success": true}));
    assert!(!dir.join("pseudonyms/pseudonym1").exists());
    assert_eq!(get(one, "/identity/pseudonym1/credentials").await, json!({"names": []}));
}

#[tokio::test]
async fn bad_requests_get_py_ipv8_errors() {
    let (_tracker, tracker_address) = tracker();
    let dir = tempfile::tempdir().expect("a directory");
    let (_p, rest) = node(dir.path(), tracker_address).await;
    let stranger = encoded(
        "TGliTmFDTFBLOg/rrouc7qXT1ZKxHFvzxb4IVRYDPdbN4n7eFFuaT385YNW4aoh3Mruv+hSjbssLYmps+jlh9rb250LYD7gEH20=",
    );
    let incorrect = json!({"error": "incorrect parameters"});
    let path = format!("/identity/p/request/{stranger}");
    assert_eq!(
        request(rest, "PUT", &path, Some(json!({"name": "x"}))).await,
        (400, incorrect.clone())
    );
    let body = json!({"name": "x", "schema": "id_metadata"});
    let not_found = json!({"success": false, "error": "failed to find authority"});
    assert_eq!(request(rest, "PUT", &path, Some(body)).await, (200, not_found));
    let path = format!("/identity/p/attest/{stranger}");
    let body = json!({"name": "x", "value": "AA=="});
    let not_found = json!({"success": false, "error": "failed to find subject"});
    assert_eq!(request(rest, "PUT", &path, Some(body)).await, (200, not_found.clone()));
    let path = format!("/identity/p/credentials/{stranger}");
    assert_eq!(request(rest, "GET", &path, None).await, (200, not_found));
    let path = format!("/identity/p/allow/{stranger}");
    let not_found = json!({"success": false, "error": "failed to find verifier"});
    assert_eq!(request(rest, "PUT", &path, Some(json!({"name": "x"}))).await, (200, not_found));
    let (status, _) = request(rest, "GET", "/identity/../schemas", None).await;
    assert_ne!(status, 200);
    let (status, body) = request(rest, "GET", "/identity/..%2Fescape/schemas", None).await;
    assert_eq!(status, 400, "{body}");
    assert!(!dir.path().join("escape").exists());
    assert_eq!(get(rest, "/identity/p/unload").await, json!({"success": true}));
    assert_eq!(get(rest, "/identity").await, json!({"names": ["p"]}));
}
