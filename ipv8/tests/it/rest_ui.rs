//! The dashboard at `/ui` (issue #14): its page and files are served from the binary with their
//! content types and without a key, fetch nothing but the snapshot from the node; `/ui/snapshot`
//! wants the key, and on two loopback nodes that meet through a tracker it lists the other
//! node as a peer, its counters growing between two snapshots, with the panels of what the node
//! runs. `cargo xtask ui-test` loads the page in a real browser.
#![cfg(feature = "rest")]

use crate::rest_support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::Node;
use ipv8::proto::dht::DhtCommunity;
use ipv8::proto::discovery::{DiscoveryCommunity, DispersyBootstrapper, RandomWalk};
use ipv8::rest::RestServer;
use ipv8::runtime::{self, Endpoint, EndpointConfig, NodeHandle, Pseudonyms};
use rest_support::{poll, request_with, tracker};
use serde_json::Value;

/// The key of the keyed server.
const KEY: &str = "dashboard key";

/// A node on 127.0.0.1 running discovery (walking from `tracker`) and a DHT: its handle, UDP
/// address and the REST server's address.
async fn node(tracker: SocketAddr) -> (NodeHandle, SocketAddr, SocketAddr) {
    let key = PrivateKey::generate(Curve::Curve25519).expect("a key");
    let now = Instant::now();
    let mut node = Node::new(key, 4, now);
    node.add_community(now, DiscoveryCommunity::new()).expect("added");
    node.add_community(now, DhtCommunity::new()).expect("added");
    node.add_strategy::<DiscoveryCommunity>(RandomWalk::new(), Some(20)).expect("a walk");
    node.add_bootstrapper::<DiscoveryCommunity>(DispersyBootstrapper::new(vec![tracker]))
        .expect("a bootstrapper");
    let loopback = EndpointConfig::new().with_ipv4("127.0.0.1:0".parse().expect("an address"));
    let (handle, _events, _task) = runtime::spawn(node, Endpoint::bind(&loopback).expect("bound"));
    let udp = handle.local_addrs().ipv4().expect("an IPv4 address");
    let server = RestServer::bind_loopback(0).await.expect("bound");
    let rest = server.local_addr().expect("an address");
    tokio::spawn(server.run(handle.clone()));
    (handle, udp, rest)
}

/// A node without communities whose REST server wants [`KEY`] and serves pseudonyms.
async fn keyed() -> (NodeHandle, SocketAddr) {
    let key = PrivateKey::generate(Curve::Curve25519).expect("a key");
    let loopback = EndpointConfig::new().with_ipv4("127.0.0.1:0".parse().expect("an address"));
    let node = Node::new(key, 5, Instant::now());
    let (handle, _events, _task) = runtime::spawn(node, Endpoint::bind(&loopback).expect("bound"));
    // Pseudonyms in a directory that outlives the test's server; no bootstrap servers.
    let dir = Box::leak(Box::new(tempfile::tempdir().expect("a directory")));
    let pseudonyms = Pseudonyms::new(dir.path(), "127.0.0.1".parse().expect("an address"), vec![]);
    let server = RestServer::bind_loopback(0).await.expect("bound");
    let server = server.with_api_key(KEY.parse().expect("a key")).with_pseudonyms(pseudonyms);
    let address = server.local_addr().expect("an address");
    tokio::spawn(server.run(handle.clone()));
    (handle, address)
}

/// `GET path` without a key: the status, the content type and the body as text.
async fn fetch(address: SocketAddr, path: &str) -> (u16, String, String) {
    let head = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    let text = tokio::task::spawn_blocking(move || {
        use std::io::{Read as _, Write as _};
        let mut stream = std::net::TcpStream::connect(address).expect("connected");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("a timeout");
        stream.write_all(head.as_bytes()).expect("sent");
        let mut text = String::new();
        stream.read_to_string(&mut text).expect("read");
        text
    })
    .await
    .expect("the request ran");
    let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
    let status = head.get(9..12).and_then(|s| s.parse().ok()).expect("a status");
    let content_type = head.lines().find_map(|l| l.strip_prefix("content-type: "));
    (status, content_type.unwrap_or_default().to_owned(), body.to_owned())
}

/// The peers' addresses of every overlay of a snapshot.
fn peer_addresses(snapshot: &Value) -> Vec<String> {
    let overlays = snapshot["overlays"].as_array().cloned().unwrap_or_default();
    let peers = overlays.iter().flat_map(|o| o["peers"].as_array().cloned().unwrap_or_default());
    peers.filter_map(|p| p["address"].as_str().map(str::to_owned)).collect()
}

/// A counter of a snapshot's totals.
fn total(snapshot: &Value, name: &str) -> u64 {
    snapshot["totals"][name].as_u64().unwrap_or_else(|| panic!("totals.{name}: {snapshot}"))
}

#[tokio::test]
async fn the_page_and_its_files_need_no_key_and_fetch_only_the_snapshot() {
    let (handle, address) = keyed().await;
    let files = [
        ("/ui", "text/html; charset=utf-8"),
        ("/ui/", "text/html; charset=utf-8"),
        ("/ui/app.js", "text/javascript; charset=utf-8"),
        ("/ui/style.css", "text/css; charset=utf-8"),
    ];
    for (path, content_type) in files {
        let (status, served_type, body) = fetch(address, path).await;
        assert_eq!((status, served_type.as_str()), (200, content_type), "{path}");
        assert!(!body.contains("src=\"http") && !body.contains("href=\"http"), "{path}");
        assert!(!body.contains("https://"), "{path} names no other host");
    }
    let (_, _, page) = fetch(address, "/ui").await;
    assert!(page.contains("id=\"updates\"") && page.contains("id=\"peers\""), "{page}");
    let (_, _, script) = fetch(address, "/ui/app.js").await;
    assert_eq!(script.matches("fetch(").count(), 1, "one request: the snapshot");
    assert!(script.contains("fetch(\"/ui/snapshot\""));
    assert!(script.contains("X-Api-Key") && script.contains("apikey"), "the key is passed on");
    for path in ["/ui/snapshot", "/ui/snapshot?apikey=wrong", "/uix", "/ui/other"] {
        let (status, _, _) = fetch(address, path).await;
        assert_eq!(status, 401, "{path} wants the key");
    }
    let (status, snapshot) =
        request_with(address, "GET", "/ui/snapshot", &[("X-Api-Key", KEY)], None).await;
    assert_eq!(status, 200, "{snapshot}");
    assert_eq!(snapshot["pseudonyms"]["names"], serde_json::json!([]), "{snapshot}");
    assert_eq!(snapshot["overlays"], serde_json::json!([]));
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_snapshot_lists_the_other_node_and_its_counters_grow() {
    let (_tracker, tracker_address) = tracker();
    let (_a, _, a) = node(tracker_address).await;
    let (_b, b_udp, _) = node(tracker_address).await;
    let b_udp = b_udp.to_string();
    let first = poll(a, "/ui/snapshot", |s| peer_addresses(s).contains(&b_udp)).await;
    let discovery = &first["overlays"][0];
    assert_eq!(discovery["name"], "DiscoveryCommunity", "{first}");
    assert_eq!(discovery["community_id"], "7e313685c1912a141279f8248fc8db5899c5df5a");
    assert_eq!(discovery["peer_count"], 1, "{first}");
    assert!(first["dht"]["buckets"].is_array(), "the DHT panel: {first}");
    assert!(first["tunnels"].is_null() && first["pseudonyms"].is_null(), "{first}");
    assert!(first["drops"].is_array(), "{first}");
    assert!(total(&first, "received") > 0 && total(&first, "bytes_in") > 0, "{first}");
    let grew = |later: &Value| {
        ["received", "sent", "bytes_in", "bytes_out", "datagrams_in"]
            .iter()
            .all(|name| total(later, name) > total(&first, name))
    };
    let later = poll(a, "/ui/snapshot", grew).await;
    assert!(later["unix_time"].as_f64() > first["unix_time"].as_f64(), "{later}");
    let before = discovery["messages_in"].as_u64().unwrap_or_default();
    let after = later["overlays"][0]["messages_in"].as_u64().unwrap_or_default();
    assert!(after >= before, "per-overlay counters only grow: {before} {after}");
}
