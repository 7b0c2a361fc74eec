//! The REST server on the loopback interface: `GET /network` and `GET /overlays` answer what
//! `network_json` and `overlays_json` make of the running node; unknown paths and methods get
//! py-ipv8's error body; a stopped node gives 503; only loopback addresses bind unless allowed.
//! The client is a few lines of HTTP/1.1 over a tokio `TcpStream`.
#![cfg(feature = "rest")]

use std::io::ErrorKind;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ipv8::community;
use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::{Community, CommunityId, Node, Peer};
use ipv8::rest::{BindError, RestServer, network_json, overlays_json};
use ipv8::runtime::{self, Endpoint, EndpointConfig, NodeHandle};
use serde_json::{Value, json};
use tokio::net::TcpStream;

const ID: CommunityId = CommunityId(*b"rust-ipv8 rest tests");
/// Every wait is bounded, so a broken server fails the test instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(5);

struct Rest;

#[community]
impl Rest {}

impl Community for Rest {
    fn community_id(&self) -> CommunityId {
        ID
    }
}

/// A node running [`Rest`] on `127.0.0.1`, with two peers that run it too, and its REST server.
async fn start() -> (NodeHandle, SocketAddr) {
    let now = Instant::now();
    let mut node = Node::new(PrivateKey::generate(Curve::Curve25519).expect("a key"), 3, now);
    node.add_community(now, Rest).expect("one community");
    for port in [9, 10] {
        let key = PrivateKey::generate(Curve::Curve25519).expect("a key").public_key();
        node.add_peer(&Peer::new(key, SocketAddr::from(([127, 0, 0, 1], port))), &[ID]);
    }
    let endpoint = EndpointConfig::new().with_ipv4("127.0.0.1:0".parse().expect("an address"));
    let (handle, _events, _task) = runtime::spawn(node, Endpoint::bind(&endpoint).expect("binds"));
    let server = RestServer::bind_loopback(0).await.expect("a free loopback port");
    let address = server.local_addr().expect("bound");
    tokio::spawn(server.run(handle.clone()));
    (handle, address)
}

/// A parsed HTTP response.
struct Reply {
    status: u16,
    content_type: Option<String>,
    body: Value,
}

/// Sends `method path` with `Connection: close` and reads the whole response.
async fn request(address: SocketAddr, method: &str, path: &str) -> Reply {
    let exchange = async {
        let stream = TcpStream::connect(address).await.expect("the server accepts");
        let head =
            format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
        write_all(&stream, head.as_bytes()).await;
        read_to_end(&stream).await
    };
    parse(&tokio::time::timeout(PATIENCE, exchange).await.expect("an answer in time"))
}

async fn write_all(stream: &TcpStream, mut data: &[u8]) {
    while !data.is_empty() {
        stream.writable().await.expect("writable");
        match stream.try_write(data) {
            Ok(written) => data = &data[written..],
            Err(error) if error.kind() == ErrorKind::WouldBlock => {}
            Err(error) => panic!("write failed: {error}"),
        }
    }
}

async fn read_to_end(stream: &TcpStream) -> Vec<u8> {
    let (mut raw, mut buffer) = (Vec::new(), [0; 4096]);
    loop {
        stream.readable().await.expect("readable");
        match stream.try_read(&mut buffer) {
            Ok(0) => return raw,
            Ok(read) => raw.extend_from_slice(&buffer[..read]),
            Err(error) if error.kind() == ErrorKind::WouldBlock => {}
            Err(error) => panic!("read failed: {error}"),
        }
    }
}

/// Splits a response into status, `Content-Type` and JSON body, checking `Content-Length`.
fn parse(raw: &[u8]) -> Reply {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete head");
    let head = std::str::from_utf8(&raw[..split]).expect("an ASCII head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("a status line");
    let status = status_line.strip_prefix("HTTP/1.1 ").and_then(|rest| rest.get(..3));
    let status = status.and_then(|code| code.parse().ok()).expect("an HTTP/1.1 status line");
    let headers: Vec<(String, &str)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim()))
        .collect();
    let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| (*v).to_owned());
    let body = &raw[split + 4..];
    let length = header("content-length").and_then(|length| length.parse().ok());
    assert_eq!(length, Some(body.len()), "a Content-Length that fits the body");
    let body = serde_json::from_slice(body).expect("a JSON body");
    Reply { status, content_type: header("content-type"), body }
}

fn error_body(code: &str, message: &str) -> Value {
    json!({ "success": false, "error": { "code": code, "message": message } })
}

#[tokio::test]
async fn network_and_overlays_answer_the_node_state() {
    let (handle, address) = start().await;
    let (network, overlays) =
        (request(address, "GET", "/network").await, request(address, "GET", "/overlays").await);

    let expected = handle.with_node(|node, _| (network_json(node), overlays_json(node))).await;
    let (expected_network, expected_overlays) = expected.expect("the node runs");
    for (reply, expected) in [(network, expected_network), (overlays, expected_overlays)] {
        assert_eq!(reply.status, 200);
        assert_eq!(reply.content_type.as_deref(), Some("application/json"));
        assert_eq!(reply.body, expected);
    }
    handle.shutdown().await;
}

#[tokio::test]
async fn the_bodies_list_the_peers_and_the_community() {
    let (handle, address) = start().await;
    let network = request(address, "GET", "/network").await.body;
    assert_eq!(network["peers"].as_object().map(serde_json::Map::len), Some(2));
    let overlays = request(address, "GET", "/overlays").await.body;
    assert_eq!(overlays["overlays"][0]["overlay_name"], "Rest");
    assert_eq!(overlays["overlays"][0]["peers"].as_array().map(Vec::len), Some(2));
    handle.shutdown().await;
}

#[tokio::test]
async fn unknown_paths_and_methods_get_py_ipv8_error_bodies() {
    let (handle, address) = start().await;
    for path in ["/", "/nothing", "/network/extra", "/attestation?type=peers"] {
        let reply = request(address, "GET", path).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.content_type.as_deref(), Some("application/json"));
        assert_eq!(reply.body, error_body("HTTPNotFound", "Not Found"), "{path}");
    }
    let reply = request(address, "POST", "/network").await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.body, error_body("HTTPMethodNotAllowed", "Method Not Allowed"));
    handle.shutdown().await;
}

#[tokio::test]
async fn a_stopped_node_gives_503() {
    let (handle, address) = start().await;
    assert_eq!(request(address, "GET", "/network").await.status, 200);
    handle.shutdown().await;
    for path in ["/network", "/overlays"] {
        let reply = request(address, "GET", path).await;
        assert_eq!(reply.status, 503, "{path}");
        assert_eq!(reply.content_type.as_deref(), Some("application/json"));
        let expected = error_body("HTTPServiceUnavailable", "the node has stopped");
        assert_eq!(reply.body, expected, "{path}");
    }
    assert_eq!(request(address, "GET", "/nothing").await.status, 404);
}

#[tokio::test]
async fn only_loopback_addresses_bind_unless_allowed() {
    let server = RestServer::bind_loopback(0).await.expect("a free loopback port");
    assert_eq!(server.local_addr().expect("bound").ip().to_string(), "127.0.0.1");
    let server = RestServer::bind("127.0.0.1:0".parse().expect("an address")).await;
    assert!(server.is_ok());

    for refused in ["0.0.0.0:0", "192.0.2.1:8085", "[::]:0", "[2001:db8::1]:8085"] {
        let address: SocketAddr = refused.parse().expect("an address");
        let error = RestServer::bind(address).await.expect_err("not loopback");
        assert!(matches!(error, BindError::NotLoopback(a) if a == address), "{error}");
        let message = format!(
            "refusing to serve the REST API on {address} without an API key: not a loopback address"
        );
        assert_eq!(error.to_string(), message);
    }
}

#[tokio::test]
async fn a_taken_port_is_a_bind_error() {
    let taken = RestServer::bind_loopback(0).await.expect("a free loopback port");
    let address = taken.local_addr().expect("bound");
    let error = RestServer::bind(address).await.expect_err("the port is taken");
    assert!(matches!(&error, BindError::Io { address: a, .. } if *a == address), "{error}");
    assert_eq!(error.to_string(), format!("could not bind the REST API to {address}"));
}

#[tokio::test]
async fn run_until_returns_after_the_shutdown_signal() {
    let (handle, _) = start().await;
    let server = RestServer::bind_loopback(0).await.expect("a free loopback port");
    let address = server.local_addr().expect("bound");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run_until(handle.clone(), async {
        let _ = stopped.await;
    }));
    assert_eq!(request(address, "GET", "/overlays").await.status, 200);
    stop.send(()).expect("the server waits");
    let result = tokio::time::timeout(PATIENCE, running).await.expect("stopped in time");
    assert!(matches!(result, Ok(Ok(()))));
    handle.shutdown().await;
}
