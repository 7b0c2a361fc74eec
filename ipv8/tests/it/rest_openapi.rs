//! The REST API described (issue #14): the document at `/docs/openapi.json` is JSON of
//! `OpenAPI` 3, lists every route the server answers with its method (and nothing else), and
//! declares py-ipv8's `apiKey` security scheme (header `X-Api-Key`) only when the server has a
//! key; Swagger UI at `/docs` is served from the binary, without a key and without links to
//! other hosts.
#![cfg(feature = "rest")]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::Node;
use ipv8::rest::RestServer;
use ipv8::runtime::{self, Endpoint, EndpointConfig, NodeHandle, Pseudonyms};
use serde_json::{Value, json};

/// The server's key in the keyed tests.
const KEY: &str = "s3cret";
/// Every wait is bounded, so a broken server fails the test instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(10);

/// Every route of a server with pseudonyms, as the document spells it (keep in step with
/// `ipv8/src/rest/*.rs`: the tests below fail when they differ). `rest_security` requests each.
pub(crate) const DOCUMENTED: &[(&str, &str)] = &[
    ("GET", "/network"),
    ("GET", "/overlays"),
    ("GET", "/metrics"),
    ("GET", "/ui/snapshot"),
    ("GET", "/overlays/statistics"),
    ("POST", "/overlays/statistics"),
    ("POST", "/isolation"),
    ("GET", "/asyncio/drift"),
    ("PUT", "/asyncio/drift"),
    ("GET", "/asyncio/tasks"),
    ("GET", "/asyncio/debug"),
    ("PUT", "/asyncio/debug"),
    ("GET", "/dht/statistics"),
    ("GET", "/dht/values"),
    ("GET", "/dht/values/{key}"),
    ("PUT", "/dht/values/{key}"),
    ("GET", "/dht/peers/{mid}"),
    ("GET", "/noblockdht/{mid}"),
    ("GET", "/dht/buckets"),
    ("GET", "/dht/buckets/{prefix}/refresh"),
    ("GET", "/tunnel/settings"),
    ("GET", "/tunnel/circuits"),
    ("GET", "/tunnel/relays"),
    ("GET", "/tunnel/exits"),
    ("GET", "/tunnel/swarms"),
    ("GET", "/tunnel/swarms/{infohash}/size"),
    ("GET", "/tunnel/peers"),
    ("GET", "/tunnel/peers/dht"),
    ("GET", "/tunnel/peers/pex"),
    ("GET", "/tunnel/circuits/test"),
    ("GET", "/tunnel/circuits/{circuit_id}/test"),
    ("GET", "/identity"),
    ("GET", "/identity/{pseudonym}/schemas"),
    ("GET", "/identity/{pseudonym}/public_key"),
    ("GET", "/identity/{pseudonym}/peers"),
    ("GET", "/identity/{pseudonym}/credentials"),
    ("GET", "/identity/{pseudonym}/credentials/{subject}"),
    ("PUT", "/identity/{pseudonym}/request/{authority}"),
    ("PUT", "/identity/{pseudonym}/attest/{subject}"),
    ("PUT", "/identity/{pseudonym}/verify/{subject}"),
    ("PUT", "/identity/{pseudonym}/allow/{verifier}"),
    ("PUT", "/identity/{pseudonym}/disallow/{verifier}"),
    ("GET", "/identity/{pseudonym}/outstanding/attestations"),
    ("GET", "/identity/{pseudonym}/outstanding/verifications"),
    ("GET", "/identity/{pseudonym}/verifications"),
    ("GET", "/identity/{pseudonym}/unload"),
    ("GET", "/identity/{pseudonym}/remove"),
    ("GET", "/attestation"),
    ("POST", "/attestation"),
];

/// A node with no community on loopback.
fn node() -> NodeHandle {
    let key = PrivateKey::generate(Curve::Curve25519).expect("a key");
    let node = Node::new(key, 1, Instant::now());
    let loopback = EndpointConfig::new().with_ipv4("127.0.0.1:0".parse().expect("an address"));
    let (handle, _events, _task) = runtime::spawn(node, Endpoint::bind(&loopback).expect("binds"));
    handle
}

/// A node and its REST server on loopback, with pseudonyms and, if asked, [`KEY`].
async fn server(keyed: bool) -> (NodeHandle, SocketAddr) {
    let handle = node();
    let mut server = RestServer::bind_loopback(0).await.expect("a free port");
    // Pseudonyms in a directory that outlives the test's server; no bootstrap servers.
    let dir = Box::leak(Box::new(tempfile::tempdir().expect("a directory")));
    let ip = "127.0.0.1".parse().expect("an address");
    server = server.with_pseudonyms(Pseudonyms::new(dir.path(), ip, vec![]));
    if keyed {
        server = server.with_api_key(KEY.parse().expect("a key"));
    }
    let address = server.local_addr().expect("bound");
    tokio::spawn(server.run(handle.clone()));
    (handle, address)
}

/// A response: status, headers (lower-case names) and body.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, value)| value.as_str())
    }

    /// The `error.code` of py-ipv8's error body, if the body is one.
    fn error_code(&self) -> Option<String> {
        let body: Value = serde_json::from_str(&self.body).ok()?;
        body.get("error")?.get("code")?.as_str().map(str::to_owned)
    }
}

/// `method path` with `headers` and an empty JSON object as the body.
async fn request(address: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut extra = String::new();
    for (name, value) in headers {
        write!(extra, "{name}: {value}\r\n").expect("a String takes any text");
    }
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{extra}\
         Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}"
    );
    let talk = tokio::task::spawn_blocking(move || {
        use std::io::{Read as _, Write as _};
        let mut stream = std::net::TcpStream::connect(address).expect("the server accepts");
        stream.set_read_timeout(Some(PATIENCE)).expect("a timeout");
        stream.write_all(head.as_bytes()).expect("sent");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("an answer");
        raw
    });
    let raw = tokio::time::timeout(PATIENCE, talk).await.expect("in time").expect("ran");
    parse(&raw)
}

fn parse(raw: &[u8]) -> Reply {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete head");
    let head = std::str::from_utf8(&raw[..split]).expect("an ASCII head");
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|line| line.strip_prefix("HTTP/1.1 "));
    let status = status.and_then(|s| s.get(..3)?.parse().ok()).expect("an HTTP/1.1 status");
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let body = String::from_utf8_lossy(&raw[split + 4..]).into_owned();
    Reply { status, headers, body }
}

/// The document, fetched without a key.
async fn document(address: SocketAddr) -> Value {
    let reply = request(address, "GET", "/docs/openapi.json", &[]).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.header("content-type"), Some("application/json"));
    serde_json::from_str(&reply.body).expect("the document is JSON")
}

/// Every (method, path) the document lists.
fn operations(document: &Value) -> BTreeSet<(String, String)> {
    let paths = document["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            let methods = item.as_object().expect("a path item").keys();
            methods.map(move |method| (method.to_ascii_uppercase(), path.clone()))
        })
        .collect()
}

/// `template` with a value for each of its parameters.
fn concrete(template: &str) -> String {
    const HEX: &str = "0123456789abcdef0123456789abcdef01234567";
    const KEY_B64: &str = "TGliTmFDTFBLOg%3D%3D";
    let path = template.replace("{pseudonym}", "p").replace("{prefix}", "01");
    let path = path.replace("{circuit_id}", "1").replace("{infohash}", HEX);
    let path = path.replace("{key}", HEX).replace("{mid}", HEX);
    let path = path.replace("{subject}", KEY_B64).replace("{authority}", KEY_B64);
    let path = path.replace("{verifier}", KEY_B64);
    match path.as_str() {
        "/attestation" => "/attestation?type=peers".to_owned(),
        _ => path,
    }
}

#[tokio::test]
async fn the_document_lists_every_route_with_its_method() {
    let (handle, address) = server(true).await;
    let document = document(address).await;
    let version = document["openapi"].as_str().expect("an OpenAPI version");
    assert!(version.starts_with("3."), "{version}");
    let listed = operations(&document);
    let expected: BTreeSet<(String, String)> =
        DOCUMENTED.iter().map(|&(method, path)| (method.to_owned(), path.to_owned())).collect();
    assert_eq!(listed, expected);
    let ids: Vec<&str> = document["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("a path item").values())
        .map(|operation| operation["operationId"].as_str().expect("an operation id"))
        .collect();
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len(), "unique: {ids:?}");
    for (method, template) in &listed {
        let path = concrete(template);
        let reply = request(address, method, &path, &[("X-Api-Key", KEY)]).await;
        let code = reply.error_code();
        let unanswered = matches!(code.as_deref(), Some("HTTPNotFound" | "HTTPMethodNotAllowed"));
        assert!(!unanswered && reply.status != 401, "{method} {path}: {reply:?}");
    }
    handle.shutdown().await;
}

#[tokio::test]
async fn identity_routes_are_listed_only_when_served() {
    let handle = node();
    let server = RestServer::bind_loopback(0).await.expect("a free port");
    let address = server.local_addr().expect("bound");
    tokio::spawn(server.run(handle.clone()));
    let listed = operations(&document(address).await);
    assert!(listed.contains(&("GET".to_owned(), "/network".to_owned())));
    let pseudonymous = |(_, path): &(String, String)| {
        path.starts_with("/identity") || path.starts_with("/attestation")
    };
    assert!(!listed.iter().any(pseudonymous), "{listed:?}");
    assert_eq!(listed.len(), DOCUMENTED.len() - 18);
    handle.shutdown().await;
}

#[tokio::test]
async fn the_security_scheme_is_declared_only_with_a_key() {
    let (handle, address) = server(true).await;
    let keyed = document(address).await;
    let scheme = json!({ "type": "apiKey", "in": "header", "name": "X-Api-Key" });
    assert_eq!(keyed["components"]["securitySchemes"]["apiKey"], scheme);
    assert_eq!(keyed["security"], json!([{ "apiKey": [] }]));
    handle.shutdown().await;

    let (handle, address) = server(false).await;
    let open = document(address).await;
    assert_eq!(open["components"]["securitySchemes"], Value::Null);
    assert_eq!(open["security"], Value::Null);
    handle.shutdown().await;
}

#[tokio::test]
async fn swagger_ui_is_served_without_a_key_from_the_binary() {
    let (handle, address) = server(true).await;
    let docs = request(address, "GET", "/docs", &[]).await;
    assert_eq!((docs.status, docs.header("location")), (303, Some("/docs/")), "{docs:?}");
    let page = request(address, "GET", "/docs/", &[]).await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.header("content-type").is_some_and(|t| t.starts_with("text/html")));
    assert!(page.body.contains("swagger-ui"), "{}", page.body);
    assert!(!page.body.contains("src=\"http") && !page.body.contains("href=\"http"));
    let initializer = request(address, "GET", "/docs/swagger-initializer.js", &[]).await;
    assert_eq!(initializer.status, 200);
    assert!(initializer.body.contains("/docs/openapi.json"), "{}", initializer.body);
    // No spec sent to swagger.io's online validator: the page talks to this server only.
    assert!(initializer.body.contains(r#""validatorUrl": "none""#), "{}", initializer.body);
    for asset in ["/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css"] {
        let reply = request(address, "GET", asset, &[]).await;
        assert_eq!(reply.status, 200, "{asset}");
        assert!(reply.body.len() > 10_000, "{asset} is the real file");
    }
    let missing = request(address, "GET", "/docs/nothing.js", &[]).await;
    assert_eq!((missing.status, missing.error_code().as_deref()), (404, Some("HTTPNotFound")));
    handle.shutdown().await;
}

/// Found by `cargo xtask api-fuzz`: the introduction points of `/tunnel/peers/dht` and
/// `/tunnel/peers/pex` are a list (py-ipv8 does not wrap them), and the document says so.
#[tokio::test]
async fn the_tunnel_introduction_points_are_documented_as_lists() {
    let (handle, address) = server(true).await;
    let document = document(address).await;
    for path in ["/tunnel/peers/dht", "/tunnel/peers/pex"] {
        let ok = &document["paths"][path]["get"]["responses"]["200"];
        let schema = &ok["content"]["application/json"]["schema"];
        assert_eq!(schema["type"], "array", "{path}: {schema}");
        let reply = request(address, "GET", path, &[("X-Api-Key", KEY)]).await;
        let body: Value = serde_json::from_str(&reply.body).expect("JSON");
        assert!(reply.status == 200 && body.is_array(), "{path}: {reply:?}");
    }
    handle.shutdown().await;
}

/// Found by `cargo xtask api-fuzz` (schemathesis' `status_code_conformance`): every status a
/// route answers is declared, among them `400` for an invalid pseudonym name and, with a key,
/// `401` for a request without it.
#[tokio::test]
async fn invalid_pseudonyms_and_missing_keys_are_declared() {
    let (handle, address) = server(true).await;
    let keyed = document(address).await;
    for (method, path) in operations(&keyed) {
        let responses = &keyed["paths"][&path][method.to_ascii_lowercase()]["responses"];
        assert!(responses["401"].is_object(), "{method} {path}: {responses}");
        if path.contains("{pseudonym}") {
            assert!(responses["400"].is_object(), "{method} {path}: {responses}");
            let reply = request(
                address,
                &method,
                &concrete(&path).replace("/p/", "/.%2F./"),
                &[("X-Api-Key", KEY)],
            )
            .await;
            assert_eq!(reply.status, 400, "{method} {path}: {reply:?}");
        }
    }
    let (unkeyed, address) = server(false).await;
    let plain = document(address).await;
    let declared = |(method, path): &(String, String)| {
        plain["paths"][path][method.to_ascii_lowercase()]["responses"]["401"].is_object()
    };
    assert!(!operations(&plain).iter().any(declared), "no 401 without a key");
    unkeyed.shutdown().await;
    handle.shutdown().await;
}

/// Found by `cargo xtask api-fuzz` (schemathesis' `negative_data_rejection`): a swarm size's
/// `hops` is documented as the route takes it, a count up to 255 (it took any `usize`).
#[tokio::test]
async fn a_swarm_sizes_hops_are_documented_as_the_route_takes_them() {
    let (handle, address) = server(true).await;
    let document = document(address).await;
    let parameters = &document["paths"]["/tunnel/swarms/{infohash}/size"]["get"]["parameters"];
    let hops = parameters.as_array().and_then(|p| p.iter().find(|p| p["name"] == "hops"));
    let schema = &hops.expect("a hops parameter")["schema"];
    assert_eq!((&schema["minimum"], &schema["maximum"]), (&json!(0), &json!(255)), "{schema}");
    handle.shutdown().await;
}
