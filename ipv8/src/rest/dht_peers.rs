//! `/dht/peers/{mid}`, `/noblockdht/{mid}` (spec `rest-api.md` §3–4): finding peers by key; and
//! `/dht/buckets`, `/dht/buckets/{prefix}/refresh`: the routing table.

use std::borrow::Cow;
use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, ArrayItems, ObjectBuilder, Schema, Type};

use super::dht::{failure, from_runtime, not_loaded, parse_key};
use super::error::ApiError;
use super::json::unix_seconds;
use super::reply::{bare_error, success};
use crate::crypto::Mid;
use crate::proto::dht::{Bucket, DhtCallError, DhtCommunity, NodeId, RefreshBucket, RoutingNode};
use crate::runtime::NodeHandle;

/// The routes.
pub(super) fn routes() -> Router<NodeHandle> {
    Router::new()
        .route("/dht/peers/{mid}", get(peers))
        .route("/noblockdht/{mid}", get(no_block))
        .route("/dht/buckets", get(buckets))
        .route("/dht/buckets/{prefix}/refresh", get(refresh))
}

/// `{"peers": [...]}`: the peers found for a mid.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = dht::FoundPeers)]
struct FoundPeers {
    /// The peers with the key of the mid.
    peers: Vec<FoundPeer>,
}

/// A peer found for a mid.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = dht::FoundPeer)]
struct FoundPeer {
    /// Its key, in base64.
    public_key: String,
    /// `[ip, port]`.
    address: Address,
}

/// `[ip, port]`: an IP address and a port in a list, as py-ipv8 writes a Python tuple.
#[derive(Debug, Serialize)]
struct Address(String, u16);

/// A two-item array (`prefixItems`: utoipa writes a tuple's items in the list form of `OpenAPI`
/// 3.0, which 3.1 documents may not use).
impl utoipa::PartialSchema for Address {
    fn schema() -> RefOr<Schema> {
        let ip = ObjectBuilder::new().schema_type(Type::String);
        let port =
            ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)).maximum(Some(65535));
        ArrayBuilder::new()
            .prefix_items([ip.build(), port.build()])
            .items(ArrayItems::False)
            .min_items(Some(2))
            .max_items(Some(2))
            .description(Some("`[ip, port]`"))
            .into()
    }
}

impl utoipa::ToSchema for Address {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("dht.Address")
    }
}

/// `{"buckets": [...]}`: the routing table.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = dht::BucketsReply)]
struct BucketsReply {
    /// Its buckets (none without a DHT).
    buckets: Vec<BucketEntry>,
}

/// One bucket of the routing table.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = dht::Bucket)]
struct BucketEntry {
    /// The bits every id in it starts with.
    prefix: String,
    /// When its nodes last changed, in Unix seconds (`0.0` for never).
    last_changed: f64,
    /// Always `UDPIPv4`.
    endpoint: &'static str,
    /// Its nodes.
    peers: Vec<NodeEntry>,
}

/// One node of a bucket.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = dht::RoutingNode)]
struct NodeEntry {
    /// Its IP address.
    ip: String,
    /// Its port.
    port: u16,
    /// The mid of its key, in hex.
    mid: String,
    /// Its node id, in hex.
    id: String,
    /// Requests it failed to answer in a row.
    failed: u8,
    /// When it last answered or asked, in Unix seconds (`0.0` for never).
    last_contact: f64,
    /// The XOR distance between its id and ours.
    distance: Distance,
}

/// A 160-bit XOR distance, written as a JSON integer in decimal, as py-ipv8 writes Python's
/// integers: `serde_json`'s numbers cannot hold it, so it goes out as a raw value (axum, which
/// serves the REST API, turns on `serde_json`'s `raw_value`).
#[derive(Debug)]
struct Distance([u8; 20]);

impl Serialize for Distance {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw = RawValue::from_string(decimal(&self.0)).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// An `integer` of any size (no `int64` format: distances take up to 160 bits).
impl utoipa::PartialSchema for Distance {
    fn schema() -> RefOr<Schema> {
        let description = "an integer of up to 160 bits";
        ObjectBuilder::new().schema_type(Type::Integer).description(Some(description)).into()
    }
}

impl utoipa::ToSchema for Distance {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("dht.Distance")
    }
}

/// Whether the node runs a DHT that finds peers (`None`: no DHT at all).
async fn finds_peers(handle: &NodeHandle) -> Option<bool> {
    handle.with_community::<DhtCommunity, _>(|dht, _| dht.finds_peers()).await.ok()
}

/// GET `/dht/peers/{mid}`: `connect_peer`.
#[utoipa::path(
    get,
    path = "/dht/peers/{mid}",
    operation_id = "get_dht_peers_mid",
    tag = "dht",
    params(("mid" = String, Path, description = "the peer's member id, 40 hex digits", pattern = "^[0-9a-fA-F]{40}$")),
    responses(
        (status = 200, description = "`{peers: [{public_key, address: [ip, port]}]}`", body = FoundPeers),
        (status = 400, description = "`{success: false, error: text}` or `{error: text}`: a missing or bad parameter", body = Object),
        (status = 404, description = "`{success: false, error: text}`: no DHT community", body = Object),
        (status = 500, description = "py-ipv8's error body: the search failed", body = Object),
    )
)]
async fn peers(State(handle): State<NodeHandle>, Path(mid): Path<String>) -> Response {
    if finds_peers(&handle).await != Some(true) {
        return not_loaded();
    }
    let Some(mid) = parse_key(&mid) else {
        return failure(StatusCode::BAD_REQUEST, "incorrect parameters");
    };
    match handle.connect_peer(Mid::from(mid)).await {
        Ok(found) => {
            let peers = found.iter().map(|peer| {
                let address = peer.address();
                FoundPeer {
                    public_key: STANDARD.encode(peer.key().to_bin()),
                    address: Address(address.ip().to_string(), address.port()),
                }
            });
            Json(FoundPeers { peers: peers.collect() }).into_response()
        }
        Err(DhtCallError::Dht(error)) => ApiError::dht(&error).into_response(),
        Err(error) => failure(StatusCode::INTERNAL_SERVER_ERROR, &error.to_string()),
    }
}

/// GET `/noblockdht/{mid}`: starts `connect_peer` and answers at once.
#[utoipa::path(
    get,
    path = "/noblockdht/{mid}",
    operation_id = "get_noblockdht_mid",
    tag = "dht",
    params(("mid" = String, Path, description = "the peer's member id, 40 hex digits", pattern = "^[0-9a-fA-F]{40}$")),
    responses(
        (status = 200, description = "the search started", body = super::reply::Outcome),
        (status = 400, description = "`{success: false, error: text}` or `{error: text}`: a missing or bad parameter", body = Object),
        (status = 404, description = "`{error: text}`: no DHT community that finds peers", body = Object),
    )
)]
async fn no_block(State(handle): State<NodeHandle>, Path(mid): Path<String>) -> Response {
    if finds_peers(&handle).await != Some(true) {
        return bare_error(StatusCode::NOT_FOUND, "DHT community not found");
    }
    let Some(mid) = parse_key(&mid) else {
        return failure(StatusCode::BAD_REQUEST, "incorrect parameters");
    };
    tokio::spawn(async move {
        if let Err(error) = handle.connect_peer(Mid::from(mid)).await {
            tracing::warn!(mid = %Mid::from(mid), %error, "the DHT failed to connect to a peer");
        }
    });
    success()
}

/// A 160-bit big-endian number in decimal.
fn decimal(bytes: &[u8; 20]) -> String {
    let mut number = bytes.to_vec();
    let mut digits = Vec::new();
    while number.iter().any(|&b| b != 0) {
        let mut remainder = 0_u32;
        for byte in &mut number {
            let value = (remainder << 8) | u32::from(*byte);
            *byte = (value / 10) as u8;
            remainder = value % 10;
        }
        digits.push(char::from(b'0' + remainder as u8));
    }
    if digits.is_empty() {
        digits.push('0');
    }
    digits.iter().rev().collect()
}

impl NodeEntry {
    /// `node` of the routing table of `me`.
    fn new(node: &RoutingNode, me: &NodeId, now: Instant) -> Self {
        let address = node.peer.address();
        let contact = node.last_response.max(node.last_query());
        Self {
            ip: address.ip().to_string(),
            port: address.port(),
            mid: node.peer.mid().to_hex(),
            id: node.id.to_string(),
            failed: node.failed,
            last_contact: unix_seconds(contact, now),
            distance: Distance(*me.distance(&node.id).as_bytes()),
        }
    }
}

impl BucketEntry {
    /// `bucket` of the routing table of `me`.
    fn new(bucket: &Bucket, me: &NodeId, now: Instant) -> Self {
        Self {
            prefix: bucket.prefix(),
            last_changed: unix_seconds(bucket.last_changed, now),
            endpoint: "UDPIPv4",
            peers: bucket.nodes().iter().map(|n| NodeEntry::new(n, me, now)).collect(),
        }
    }
}

/// GET `/dht/buckets`.
#[utoipa::path(
    get,
    path = "/dht/buckets",
    operation_id = "get_dht_buckets",
    tag = "dht",
    responses(
        (status = 200, description = "`{buckets: [...]}`: the routing table (none without a DHT)", body = BucketsReply),
    )
)]
async fn buckets(State(handle): State<NodeHandle>) -> Json<BucketsReply> {
    let buckets = handle
        .with_community::<DhtCommunity, _>(|dht, ctx| {
            let now = ctx.now();
            let Some(table) = dht.routing_table() else { return Vec::new() };
            let me = table.my_id();
            table.buckets().iter().map(|b| BucketEntry::new(b, &me, now)).collect()
        })
        .await
        .unwrap_or_default();
    Json(BucketsReply { buckets })
}

/// GET `/dht/buckets/{prefix}/refresh`.
#[utoipa::path(
    get,
    path = "/dht/buckets/{prefix}/refresh",
    operation_id = "get_dht_buckets_prefix_refresh",
    tag = "dht",
    params(("prefix" = String, Path, description = "the bucket's prefix, binary digits", pattern = "^[01]{1,160}$")),
    responses(
        (status = 200, description = "refreshed, or `{success: false, error: text}` if the refresh failed", body = super::reply::Outcome),
        (status = 400, description = "`{success: false, error: text}` or `{error: text}`: a missing or bad parameter", body = Object),
        (status = 404, description = "`{success: false, error: text}`: no DHT community", body = Object),
    )
)]
async fn refresh(State(handle): State<NodeHandle>, Path(prefix): Path<String>) -> Response {
    if finds_peers(&handle).await.is_none() {
        return failure(StatusCode::BAD_REQUEST, "DHT community is not loaded");
    }
    let valid = prefix.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !valid {
        return failure(StatusCode::BAD_REQUEST, "no such bucket");
    }
    match handle.ask::<DhtCommunity, _>(RefreshBucket { prefix }).await {
        Ok(Some(Ok(()))) => success(),
        Ok(Some(Err(error))) => super::reply::failure(StatusCode::OK, &error.to_string()),
        Ok(None) => failure(StatusCode::BAD_REQUEST, "no such bucket"),
        Err(error) => from_runtime(&error),
    }
}

/// The routes of this file, described for `/docs/openapi.json`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(peers, no_block, buckets, refresh))]
pub(super) struct Doc;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A bucket is written as the strings it replaced were spliced: the `json!` fields plus a
    /// `distance` integer of up to 160 bits, written whole.
    #[test]
    fn buckets_are_as_the_spliced_json_was() {
        let node = NodeEntry {
            ip: "127.0.0.1".into(),
            port: 8090,
            mid: "ab".into(),
            id: "cd".into(),
            failed: 1,
            last_contact: 0.0,
            distance: Distance([0xff; 20]),
        };
        let bucket = BucketEntry {
            prefix: "01".into(),
            last_changed: 2.5,
            endpoint: "UDPIPv4",
            peers: vec![node],
        };
        let written = serde_json::to_string(&BucketsReply { buckets: vec![bucket] }).ok();
        let fields = json!({
            "ip": "127.0.0.1", "port": 8090, "mid": "ab", "id": "cd", "failed": 1,
            "last_contact": 0.0,
        })
        .to_string();
        let distance = "1461501637330902918203684832716283019655932542975";
        let node = format!("{},\"distance\":{distance}}}", fields.strip_suffix('}').unwrap_or(""));
        let head = json!({"prefix": "01", "last_changed": 2.5, "endpoint": "UDPIPv4"}).to_string();
        let bucket = format!("{},\"peers\":[{node}]}}", head.strip_suffix('}').unwrap_or(""));
        let old = format!("{{\"buckets\":[{bucket}]}}");
        let parse = |text: &str| serde_json::from_str::<serde_json::Value>(text).ok();
        let written = written.unwrap_or_default();
        assert_eq!(parse(&written), parse(&old));
        assert!(written.contains(&format!("\"distance\":{distance}}}")), "{written}");
        let empty = serde_json::to_string(&BucketsReply { buckets: Vec::new() }).ok();
        assert_eq!(empty.as_deref(), Some("{\"buckets\":[]}"));
    }

    /// Found peers are as the `json!` values were: the address as `[ip, port]`.
    #[test]
    fn found_peers_are_as_the_json_values_were() {
        let peer =
            FoundPeer { public_key: "a2V5".into(), address: Address("127.0.0.1".into(), 8090) };
        let old = json!({"peers": [{"public_key": "a2V5", "address": ["127.0.0.1", 8090]}]});
        assert_eq!(json!(FoundPeers { peers: vec![peer] }), old);
    }

    #[test]
    fn distances_print_as_decimal_integers() {
        assert_eq!(decimal(&[0; 20]), "0");
        let mut one = [0; 20];
        one[19] = 1;
        assert_eq!(decimal(&one), "1");
        assert_eq!(decimal(&[0xff; 20]), "1461501637330902918203684832716283019655932542975");
        let mut big = [0; 20];
        big[11] = 1; // 2^64
        assert_eq!(decimal(&big), "18446744073709551616");
    }
}
