//! `GET /metrics` in the `OpenMetrics` text format: two loopback nodes that meet through a tracker
//! show their peer, their messages, walks and bootstrap walks, and the REST API counts the
//! requests it answered.
#![cfg(feature = "rest")]

use crate::rest_support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::Node;
use ipv8::proto::discovery::{DiscoveryCommunity, DispersyBootstrapper, RandomWalk};
use ipv8::rest::RestServer;
use ipv8::runtime::{self, Endpoint, EndpointConfig, NodeHandle};
use rest_support::tracker;

/// A node running DiscoveryCommunity that walks from `tracker`, and its REST address.
async fn node(tracker: SocketAddr) -> (NodeHandle, SocketAddr) {
    let key = PrivateKey::generate(Curve::Curve25519).expect("a key");
    let now = Instant::now();
    let mut node = Node::new(key, 3, now);
    node.add_community(now, DiscoveryCommunity::new()).expect("added");
    node.add_strategy::<DiscoveryCommunity>(RandomWalk::new(), Some(20)).expect("a walk");
    node.add_bootstrapper::<DiscoveryCommunity>(DispersyBootstrapper::new(vec![tracker]))
        .expect("a bootstrapper");
    let loopback = EndpointConfig::new().with_ipv4("127.0.0.1:0".parse().expect("an address"));
    let (handle, _events, _task) = runtime::spawn(node, Endpoint::bind(&loopback).expect("bound"));
    let server = RestServer::bind_loopback(0).await.expect("bound");
    let address = server.local_addr().expect("an address");
    tokio::spawn(server.run(handle.clone()));
    (handle, address)
}

/// `GET /metrics`: the content type and the text.
async fn scrape(address: SocketAddr) -> (String, String) {
    let text = tokio::task::spawn_blocking(move || {
        use std::io::{Read as _, Write as _};
        let mut stream = std::net::TcpStream::connect(address).expect("connected");
        stream
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .expect("sent");
        let mut text = String::new();
        stream.read_to_string(&mut text).expect("read");
        text
    })
    .await
    .expect("the request ran");
    let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let content_type = head
        .lines()
        .find_map(|l| l.strip_prefix("content-type: "))
        .expect("a content type")
        .to_owned();
    (content_type, body.to_owned())
}

/// The value of the sample whose name and labels start with `prefix`.
fn sample(text: &str, prefix: &str) -> Option<f64> {
    text.lines().find(|l| l.starts_with(prefix)).and_then(|l| l.rsplit(' ').next()?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_show_peers_messages_walks_drops_and_rest_requests() {
    let (_tracker, tracker_address) = tracker();
    let (_a, a) = node(tracker_address).await;
    let (_b, _) = node(tracker_address).await;
    let discovery = "7e313685c1912a141279f8248fc8db5899c5df5a";
    let peers =
        format!("ipv8_peers{{overlay=\"DiscoveryCommunity\",community_id=\"{discovery}\"}}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let text = loop {
        let (content_type, text) = scrape(a).await;
        assert!(content_type.starts_with("application/openmetrics-text"), "{content_type}");
        if sample(&text, &peers) == Some(1.0) {
            break text;
        }
        assert!(Instant::now() < deadline, "the peer never showed: {text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(sample(&text, "ipv8_walks_total").is_some_and(|w| w >= 1.0), "{text}");
    assert!(sample(&text, "ipv8_bootstrap_walks_total").is_some_and(|w| w >= 1.0), "{text}");
    assert_eq!(sample(&text, "ipv8_fast_forwarded_total"), Some(0.0), "nothing relayed: {text}");
    // Two peers never send a batch large enough for the crypto workers.
    for workers in ["ipv8_signatures_checked_on_workers_total", "ipv8_signed_on_workers_total"] {
        assert_eq!(sample(&text, workers), Some(0.0), "{workers}: {text}");
    }
    assert!(sample(&text, "ipv8_datagrams_received_total").is_some_and(|d| d >= 1.0), "{text}");
    let received = format!("ipv8_messages_total{{community_id=\"{discovery}\",msg_id=\"");
    assert!(text.lines().any(|l| l.starts_with(&received)), "{text}");
    let answered = "ipv8_rest_requests_total{method=\"GET\",status=\"200\"}";
    assert!(
        sample(&text, answered).is_some_and(|n| n >= 1.0),
        "earlier scrapes are counted: {text}"
    );
    assert!(text.trim_end().ends_with("# EOF"), "OpenMetrics ends with EOF");
}
