//! Helpers for the REST tests: a tracker and nodes whose REST API serves pseudonyms, on
//! loopback, and HTTP requests with bounded waits.
#![allow(dead_code, reason = "not every identity test uses every helper")]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::Node;
use ipv8::rest::RestServer;
use ipv8::runtime::{self, Endpoint, EndpointConfig, NodeHandle, Pseudonyms};
use serde_json::Value;

/// A tracker on 127.0.0.1 and its address.
pub(crate) fn tracker() -> (NodeHandle, SocketAddr) {
    let loopback = EndpointConfig::new().with_ipv4("127.0.0.1:0".parse().expect("an address"));
    let key = PrivateKey::generate(Curve::Curve25519).expect("a key");
    let mut node = Node::new(key, 1, Instant::now());
    node.enable_tracker(Instant::now());
    let (handle, _, _) = runtime::spawn(node, Endpoint::bind(&loopback).expect("bound"));
    let address = handle.local_addrs().ipv4().expect("an IPv4 address");
    (handle, address)
}

/// A node with a REST API serving the pseudonyms of `dir`, which bootstrap from `tracker`.
pub(crate) async fn node(dir: &Path, tracker: SocketAddr) -> (Arc<Pseudonyms>, SocketAddr) {
    let loopback = EndpointConfig::new().with_ipv4("127.0.0.1:0".parse().expect("an address"));
    let key = PrivateKey::generate(Curve::Curve25519).expect("a key");
    let node = Node::new(key, 2, Instant::now());
    let (handle, _, _) = runtime::spawn(node, Endpoint::bind(&loopback).expect("bound"));
    let pseudonyms = Pseudonyms::new(dir, "127.0.0.1".parse().expect("an address"), vec![tracker]);
    let server =
        RestServer::bind_loopback(0).await.expect("bound").with_pseudonyms(pseudonyms.clone());
    let address = server.local_addr().expect("an address");
    tokio::spawn(server.run(handle));
    (pseudonyms, address)
}

/// One HTTP/1.1 request with an optional JSON body; the status code and the JSON body.
pub(crate) async fn request(
    address: SocketAddr,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    request_with(address, method, path, &[], body).await
}

/// One HTTP/1.1 request with extra headers and an optional JSON body; the status code and the
/// JSON body.
pub(crate) async fn request_with(
    address: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, Value) {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    request_raw(address, method, path, headers, body).await
}

/// One HTTP/1.1 request with extra headers and a body sent as it is; the status code and the
/// JSON body.
pub(crate) async fn request_raw(
    address: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: String,
) -> (u16, Value) {
    let extra: Vec<String> = headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    let extra = extra.concat();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{extra}\
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

/// A GET that must answer 200; its body.
pub(crate) async fn get(address: SocketAddr, path: &str) -> Value {
    let (status, body) = request(address, "GET", path, None).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

/// GETs `path` until `done` holds (at most 30 s).
pub(crate) async fn poll(address: SocketAddr, path: &str, done: impl Fn(&Value) -> bool) -> Value {
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

/// A public key or base64 text as a URL path segment or query value.
pub(crate) fn encoded(text: &str) -> String {
    text.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")
}
