//! `/dht/peers/{mid}`, `/noblockdht/{mid}` (spec `rest-api.md` §3–4): finding peers by key; and
//! `/dht/buckets`, `/dht/buckets/{prefix}/refresh`: the routing table.

use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::dht::{failure, from_runtime, not_loaded, parse_key};
use super::error::ApiError;
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
        (status = 200, description = "`{peers: [{public_key, address: [ip, port]}]}`", body = Object),
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
            let peers: Vec<Value> = found
                .iter()
                .map(|peer| {
                    let address = peer.address();
                    json!({
                        "public_key": STANDARD.encode(peer.key().to_bin()),
                        "address": [address.ip().to_string(), address.port()],
                    })
                })
                .collect();
            Json(json!({ "peers": peers })).into_response()
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
        (status = 200, description = "the search started", body = Object),
        (status = 400, description = "`{success: false, error: text}` or `{error: text}`: a missing or bad parameter", body = Object),
        (status = 404, description = "`{error: text}`: no DHT community that finds peers", body = Object),
    )
)]
async fn no_block(State(handle): State<NodeHandle>, Path(mid): Path<String>) -> Response {
    if finds_peers(&handle).await != Some(true) {
        return (StatusCode::NOT_FOUND, Json(json!({ "error": "DHT community not found" })))
            .into_response();
    }
    let Some(mid) = parse_key(&mid) else {
        return failure(StatusCode::BAD_REQUEST, "incorrect parameters");
    };
    tokio::spawn(async move {
        if let Err(error) = handle.connect_peer(Mid::from(mid)).await {
            tracing::warn!(mid = %Mid::from(mid), %error, "the DHT failed to connect to a peer");
        }
    });
    Json(json!({ "success": true })).into_response()
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

fn node_json(node: &RoutingNode, me: &NodeId, now: Instant) -> String {
    let address = node.peer.address();
    let contact = node.last_response.max(node.last_query());
    let fields = json!({
        "ip": address.ip().to_string(),
        "port": address.port(),
        "mid": node.peer.mid().to_hex(),
        "id": node.id.to_string(),
        "failed": node.failed,
        "last_contact": super::json::unix_seconds(contact, now),
    });
    // The distance is a JSON integer of up to 160 bits, which serde_json's numbers cannot hold.
    let text = fields.to_string();
    let open = text.strip_suffix('}').unwrap_or(&text);
    format!("{open},\"distance\":{}}}", decimal(me.distance(&node.id).as_bytes()))
}

fn bucket_json(bucket: &Bucket, me: &NodeId, now: Instant) -> String {
    let head = json!({
        "prefix": bucket.prefix(),
        "last_changed": super::json::unix_seconds(bucket.last_changed, now),
        "endpoint": "UDPIPv4",
    })
    .to_string();
    let nodes: Vec<String> = bucket.nodes().iter().map(|n| node_json(n, me, now)).collect();
    let open = head.strip_suffix('}').unwrap_or(&head);
    format!("{open},\"peers\":[{}]}}", nodes.join(","))
}

/// GET `/dht/buckets`.
#[utoipa::path(
    get,
    path = "/dht/buckets",
    operation_id = "get_dht_buckets",
    tag = "dht",
    responses(
        (status = 200, description = "`{buckets: [...]}`: the routing table (none without a DHT)", body = Object),
    )
)]
async fn buckets(State(handle): State<NodeHandle>) -> Response {
    let body = handle
        .with_community::<DhtCommunity, _>(|dht, ctx| {
            let now = ctx.now();
            let Some(table) = dht.routing_table() else { return Vec::new() };
            let me = table.my_id();
            table.buckets().iter().map(|b| bucket_json(b, &me, now)).collect()
        })
        .await
        .unwrap_or_default();
    let body = format!("{{\"buckets\":[{}]}}", body.join(","));
    ([(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// GET `/dht/buckets/{prefix}/refresh`.
#[utoipa::path(
    get,
    path = "/dht/buckets/{prefix}/refresh",
    operation_id = "get_dht_buckets_prefix_refresh",
    tag = "dht",
    params(("prefix" = String, Path, description = "the bucket's prefix, binary digits", pattern = "^[01]{1,160}$")),
    responses(
        (status = 200, description = "refreshed", body = Object),
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
        Ok(Some(Ok(()))) => Json(json!({ "success": true })).into_response(),
        Ok(Some(Err(error))) => {
            Json(json!({ "success": false, "error": error.to_string() })).into_response()
        }
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
    use super::*;

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
