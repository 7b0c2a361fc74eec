//! The REST server's access control, CORS pre-flights and TLS, as py-ipv8's `RESTManager` has
//! them (spec `rest-api.md` §1): with an API key every route, unknown paths included, answers
//! `401 {"error": "Unauthorized access"}` unless the request carries the key in `X-Api-Key` or
//! `?apikey=`; `/docs*` (Swagger UI and the `OpenAPI` document) and `/static*` need no key; a CORS
//! pre-flight gets py-ipv8's headers (after the key check); a certificate from PEM serves HTTPS and nothing else; a configuration's `[rest]`
//! table binds the same way, and refuses a non-loopback address without a key.
//! The clients are a few lines of HTTP/1.1 over tokio streams, TLS through tokio-rustls.
#![cfg(feature = "rest")]

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ipv8::config;
use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::Node;
use ipv8::rest::{ApiKey, BindError, RestServer, TlsError, TlsIdentity};
use ipv8::runtime::{self, Endpoint, EndpointConfig, NodeHandle, Pseudonyms};
use serde_json::{Value, json};

use crate::rest_openapi::DOCUMENTED;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::crypto::{CryptoProvider, ring};
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

/// A key with characters a query must escape.
const KEY: &str = "s3cret key+/=&";
/// [`KEY`] as a query value.
const KEY_IN_QUERY: &str = "s3cret+key%2B%2F%3D%26";
/// Every wait is bounded, so a broken server fails the test instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(10);
/// A DHT key and a mid, for the routes that take one.
const HEX: &str = "0123456789abcdef0123456789abcdef01234567";

/// Every documented route (`DOCUMENTED`, kept in step with the server by `rest_openapi`) with
/// its parameters filled in, and two requests that no route takes: an unknown path and a method a
/// path does not answer.
fn routes() -> Vec<(&'static str, String)> {
    let mut routes: Vec<_> =
        DOCUMENTED.iter().map(|&(method, template)| (method, path_of(method, template))).collect();
    routes.extend([("GET", "/nothing".to_owned()), ("DELETE", "/network".to_owned())]);
    routes
}

/// A node with no community on loopback.
fn node() -> NodeHandle {
    let key = PrivateKey::generate(Curve::Curve25519).expect("a key");
    let node = Node::new(key, 1, Instant::now());
    let loopback = EndpointConfig::new().with_ipv4("127.0.0.1:0".parse().expect("an address"));
    let (handle, _events, _task) = runtime::spawn(node, Endpoint::bind(&loopback).expect("binds"));
    handle
}

/// Runs `server` for `handle` in the background; its address.
fn spawn(server: RestServer, handle: &NodeHandle) -> SocketAddr {
    let address = server.local_addr().expect("bound");
    tokio::spawn(server.run(handle.clone()));
    address
}

/// A node and its REST server on loopback, which wants [`KEY`].
async fn keyed() -> (NodeHandle, SocketAddr) {
    let handle = node();
    let server = RestServer::bind_loopback(0).await.expect("a free port");
    // Pseudonyms in a directory that outlives the test's server; no bootstrap servers.
    let dir = Box::leak(Box::new(tempfile::tempdir().expect("a directory")));
    let pseudonyms = Pseudonyms::new(dir.path(), "127.0.0.1".parse().expect("an address"), vec![]);
    let server = server.with_api_key(KEY.parse().expect("a key")).with_pseudonyms(pseudonyms);
    let address = spawn(server, &handle);
    (handle, address)
}

/// A parsed HTTP response.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, value)| value.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// Sends `method path` with `headers` and `Connection: close` on `stream`; all it answers.
async fn exchange(
    mut stream: impl AsyncRead + AsyncWrite + Unpin,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (name, value) in headers {
        write!(head, "{name}: {value}\r\n").expect("a String takes any text");
    }
    head.push_str("Content-Length: 0\r\n\r\n");
    let talk = async {
        stream.write_all(head.as_bytes()).await.expect("sent");
        let mut raw = Vec::new();
        // A server that closes with an error (a TLS alert, a reset) answered all it will.
        let _ = stream.read_to_end(&mut raw).await;
        raw
    };
    tokio::time::timeout(PATIENCE, talk).await.expect("an answer in time")
}

/// `method path` over plain HTTP.
async fn request(address: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    let stream = TcpStream::connect(address).await.expect("the server accepts");
    parse(&exchange(stream, method, path, headers).await)
}

/// Splits a response into status, headers (lower-case names) and body.
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
    Reply { status, headers, body: raw[split + 4..].to_vec() }
}

/// A request path for a documented route: hex for keys, mids and infohashes, a public key in
/// base64 for peers, and a `type` for `/attestation`.
fn path_of(method: &str, template: &str) -> String {
    let mut path = template.to_owned();
    for hex in ["{key}", "{mid}", "{infohash}"] {
        path = path.replace(hex, HEX);
    }
    for peer in ["{subject}", "{authority}", "{verifier}"] {
        path = path.replace(peer, "TGliTmFDTFBLOg%3D%3D");
    }
    path = path.replace("{prefix}", "01").replace("{circuit_id}", "1").replace("{pseudonym}", "p");
    match (method, path.as_str()) {
        ("GET", "/attestation") => "/attestation?type=peers".to_owned(),
        ("POST", "/attestation") => "/attestation?type=verify".to_owned(),
        _ => path,
    }
}

/// `path` with more query parameters.
fn with_query(path: &str, query: &str) -> String {
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}{query}")
}

fn is_unauthorized(reply: &Reply) -> bool {
    reply.status == 401 && reply.json() == json!({ "error": "Unauthorized access" })
}

#[tokio::test]
async fn every_route_refuses_a_missing_or_wrong_key() {
    let (handle, address) = keyed().await;
    for (method, path) in routes() {
        let missing = request(address, method, &path, &[]).await;
        assert!(is_unauthorized(&missing), "{method} {path} without a key: {missing:?}");
        let wrong = request(address, method, &path, &[("X-Api-Key", "s3cret key")]).await;
        assert!(is_unauthorized(&wrong), "{method} {path} with a wrong header: {wrong:?}");
        let query = with_query(&path, "apikey=S3cret+key%2B%2F%3D%26");
        let wrong = request(address, method, &query, &[]).await;
        assert!(is_unauthorized(&wrong), "{method} {path} with a wrong query: {wrong:?}");
        assert_eq!(wrong.header("content-type"), Some("application/json"));
    }
    handle.shutdown().await;
}

#[tokio::test]
async fn the_key_opens_every_route_in_the_header_or_the_query() {
    let (handle, address) = keyed().await;
    for (method, path) in routes() {
        let by_header = request(address, method, &path, &[("X-Api-Key", KEY)]).await;
        assert_ne!(by_header.status, 401, "{method} {path} with the key in the header");
        let query = with_query(&path, &format!("other=1&apikey={KEY_IN_QUERY}"));
        let by_query = request(address, method, &query, &[]).await;
        assert_ne!(by_query.status, 401, "{method} {path} with the key in the query");
    }
    for path in ["/network".to_owned(), format!("/overlays?apikey={KEY_IN_QUERY}")] {
        let reply = request(address, "GET", &path, &[("x-api-key", KEY)]).await;
        assert_eq!(reply.status, 200, "{path}");
    }
    assert_eq!(
        request(address, "GET", "/network", &[("X-API-KEY", KEY)]).await.json()["peers"],
        json!({})
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn a_header_wins_over_the_query_unless_it_is_empty() {
    let (handle, address) = keyed().await;
    let path = format!("/network?apikey={KEY_IN_QUERY}");
    let wrong_header = request(address, "GET", &path, &[("X-Api-Key", "wrong")]).await;
    assert!(is_unauthorized(&wrong_header));
    let empty_header = request(address, "GET", &path, &[("X-Api-Key", "")]).await;
    assert_eq!(empty_header.status, 200);
    let right_header = request(address, "GET", "/network?apikey=wrong", &[("X-Api-Key", KEY)]);
    assert_eq!(right_header.await.status, 200);
    handle.shutdown().await;
}

#[tokio::test]
async fn docs_and_static_paths_need_no_key() {
    let (handle, address) = keyed().await;
    for path in ["/docs", "/docs/", "/docs/openapi.json", "/docs/swagger-ui.css"] {
        let reply = request(address, "GET", path, &[]).await;
        assert!(matches!(reply.status, 200 | 303), "{path}: the API's documentation: {reply:?}");
    }
    for path in ["/docsearch", "/static/swagger-ui.css"] {
        let reply = request(address, "GET", path, &[]).await;
        assert_eq!(reply.status, 404, "{path}: past the key check, no such route");
        assert_eq!(reply.json()["error"]["code"], "HTTPNotFound", "{path}");
    }
    assert!(is_unauthorized(&request(address, "GET", "/doc", &[]).await));
    assert!(is_unauthorized(&request(address, "GET", "/network/docs", &[]).await));
    handle.shutdown().await;
}

/// Checks py-ipv8's pre-flight answer.
fn assert_preflight(reply: &Reply) {
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("access-control-allow-methods"),
        Some("GET, PUT, POST, PATCH, DELETE, OPTIONS")
    );
    assert_eq!(reply.header("access-control-allow-headers"), Some("*"));
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    assert_eq!(reply.header("access-control-max-age"), Some("86400"));
    assert_eq!(reply.header("allow"), None, "py-ipv8 sends no Allow header");
    assert!(reply.body.is_empty());
}

#[tokio::test]
async fn cors_preflights_are_answered_after_the_key_check() {
    let (handle, address) = keyed().await;
    let preflight = [("Origin", "http://example.test"), ("Access-Control-Request-Method", "GET")];
    assert!(is_unauthorized(&request(address, "OPTIONS", "/network", &preflight).await));
    let with_key = [preflight[0], preflight[1], ("X-Api-Key", KEY)];
    for path in ["/network", "/dht/values/00", "/nothing"] {
        assert_preflight(&request(address, "OPTIONS", path, &with_key).await);
    }
    // An OPTIONS request that is no pre-flight goes to the routes, which do not take it.
    let plain = request(address, "OPTIONS", "/network", &[("X-Api-Key", KEY)]).await;
    assert_eq!(plain.json()["error"]["code"], "HTTPMethodNotAllowed");
    // Other answers carry no CORS headers.
    let get = request(address, "GET", "/network", &with_key).await;
    assert!(get.headers.iter().all(|(name, _)| !name.starts_with("access-control-")));
    handle.shutdown().await;

    let handle = node();
    let address = spawn(RestServer::bind_loopback(0).await.expect("a free port"), &handle);
    assert_preflight(&request(address, "OPTIONS", "/overlays", &preflight).await);
    handle.shutdown().await;
}

/// A self-signed certificate for `localhost` and `127.0.0.1`, with its key, as one PEM text
/// (certificate first, as the openssl recipe makes it), and the certificate itself.
fn certificate() -> (String, CertificateDer<'static>) {
    let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names).expect("a certificate");
    let pem = format!("{}{}", certified.cert.pem(), certified.signing_key.serialize_pem());
    (pem, certified.cert.der().clone())
}

/// rustls's *ring* provider (see `ipv8/src/rest/tls.rs` on its deprecation).
#[expect(deprecated, reason = "ring lacks post-quantum key exchange, which no test needs")]
fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

/// Connects over TLS, trusting `certificate` only.
async fn connect_tls(
    address: SocketAddr,
    certificate: CertificateDer<'static>,
) -> tokio_rustls::client::TlsStream<TcpStream> {
    let mut roots = RootCertStore::empty();
    roots.add(certificate).expect("a usable certificate");
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("TLS 1.2 and 1.3")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = TcpStream::connect(address).await.expect("the server accepts");
    let name = ServerName::try_from("localhost").expect("a name");
    let handshake = TlsConnector::from(Arc::new(config)).connect(name, tcp);
    tokio::time::timeout(PATIENCE, handshake).await.expect("in time").expect("a TLS handshake")
}

#[tokio::test]
async fn tls_serves_https_and_nothing_else() {
    let (pem, der) = certificate();
    let handle = node();
    let server = RestServer::bind_loopback(0).await.expect("a free port");
    let tls = TlsIdentity::from_pem(pem.as_bytes()).expect("a usable certificate");
    let address = spawn(server.with_tls(tls).with_api_key(KEY.parse().expect("a key")), &handle);

    let stream = connect_tls(address, der.clone()).await;
    let reply = parse(&exchange(stream, "GET", "/network", &[("X-Api-Key", KEY)]).await);
    assert_eq!((reply.status, reply.json()), (200, json!({ "peers": {} })));
    let stream = connect_tls(address, der).await;
    assert!(is_unauthorized(&parse(&exchange(stream, "GET", "/network", &[]).await)));

    let plain = TcpStream::connect(address).await.expect("the server accepts");
    let raw = exchange(plain, "GET", "/network", &[("X-Api-Key", KEY)]).await;
    assert!(!raw.starts_with(b"HTTP/"), "plain HTTP answered: {:?}", String::from_utf8_lossy(&raw));
    handle.shutdown().await;
}

#[test]
fn pem_without_a_certificate_or_a_key_is_refused() {
    let (pem, _) = certificate();
    let (cert, key) = pem.split_at(pem.find("-----BEGIN PRIVATE KEY").expect("a key section"));
    assert!(matches!(TlsIdentity::from_pem(cert.as_bytes()), Err(TlsError::NoPrivateKey)));
    assert!(matches!(TlsIdentity::from_pem(key.as_bytes()), Err(TlsError::NoCertificate)));
    let reversed = format!("{key}{cert}");
    assert!(TlsIdentity::from_pem(reversed.as_bytes()).is_ok(), "the key may come first");
    let broken = pem.replacen("MII", "M!I", 1);
    assert!(matches!(TlsIdentity::from_pem(broken.as_bytes()), Err(TlsError::Pem { .. })));

    let missing = TlsIdentity::from_pem_file("/nonexistent/rest.pem").expect_err("no file");
    assert!(matches!(missing, TlsError::Read { .. }));
    assert!(missing.to_string().contains("/nonexistent/rest.pem"), "{missing}");
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(dir.path().join("cert.pem"), cert).expect("written");
    let in_file = TlsIdentity::from_pem_file(dir.path().join("cert.pem")).expect_err("no key");
    assert!(in_file.to_string().ends_with("cert.pem: no private key"), "{in_file}");
    assert!("".parse::<ApiKey>().is_err());
}

#[tokio::test]
async fn a_configured_server_keeps_to_the_rules() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (pem, der) = certificate();
    std::fs::write(dir.path().join("rest.pem"), pem).expect("written");
    let mut rest = config::Rest::default();
    rest.port = 0;
    rest.api_key = Some(KEY.into());
    rest.cert_file = Some("rest.pem".into());
    let server = RestServer::bind_configured(&rest, dir.path()).await.expect("binds");
    let handle = node();
    let address = spawn(server, &handle);
    assert!(address.ip().is_loopback());
    let stream = connect_tls(address, der).await;
    let reply = parse(&exchange(stream, "GET", "/overlays", &[("X-Api-Key", KEY)]).await);
    assert_eq!(reply.status, 200);
    handle.shutdown().await;

    let mut remote = config::Rest::default();
    remote.ip = "0.0.0.0".parse().expect("an address");
    let refused = RestServer::bind_configured(&remote, dir.path()).await;
    assert!(matches!(refused, Err(BindError::NotLoopback(_))), "{refused:?}");
    let refused = RestServer::bind("[::]:0".parse().expect("an address")).await;
    assert!(matches!(refused, Err(BindError::NotLoopback(_))), "{refused:?}");
    remote.api_key = Some(String::new());
    let refused = RestServer::bind_configured(&remote, dir.path()).await;
    assert!(matches!(refused, Err(BindError::EmptyApiKey(_))), "{refused:?}");
    remote.api_key = None;
    remote.ip = "127.0.0.1".parse().expect("an address");
    remote.cert_file = Some("missing.pem".into());
    let refused = RestServer::bind_configured(&remote, dir.path()).await;
    assert!(matches!(refused, Err(BindError::Tls(TlsError::Read { .. }))), "{refused:?}");
}
