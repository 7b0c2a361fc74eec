//! `/dht/*` (spec `rest-api.md` §3): the DHT's statistics, the values it stores for others, and
//! lookups and stores through the node's first [`DhtCommunity`].

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::error::ApiError;
use super::json::hex;
use super::reply::json_object;
use crate::crypto::PublicKey;
use crate::proto::AskError;
use crate::proto::dht::{
    DhtCommunity, LookupValues, RoutingTable, StoreValue, Value as DhtValue, unix_version,
};
use crate::runtime::{NodeHandle, RuntimeError};

/// The `/dht` routes.
pub(super) fn routes() -> Router<NodeHandle> {
    Router::new()
        .route("/dht/statistics", get(statistics))
        .route("/dht/values", get(stored_values))
        .route("/dht/values/{key}", get(find_values).put(store_value))
        .merge(super::dht_peers::routes())
}

/// py-ipv8's plain error body of the DHT endpoints: `{"success": false, "error": text}`.
pub(super) fn failure(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({ "success": false, "error": error }))).into_response()
}

pub(super) fn not_loaded() -> Response {
    failure(StatusCode::NOT_FOUND, "DHT community not found")
}

pub(super) fn from_runtime(error: &RuntimeError) -> Response {
    match error {
        RuntimeError::NoSuchCommunity(_) | RuntimeError::Ask(AskError::NoSuchCommunity) => {
            not_loaded()
        }
        other => failure(StatusCode::INTERNAL_SERVER_ERROR, &other.to_string()),
    }
}

/// A 20-byte key from its hex form.
pub(super) fn parse_key(text: &str) -> Option<[u8; 20]> {
    let bytes = unhex(text)?;
    bytes.try_into().ok()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// `{"public_key": b64 or null, "key": hex, "value": hex}` for one found or stored value.
fn value_json(key: &[u8; 20], data: &[u8], signer: Option<&[u8]>) -> Value {
    json!({
        "public_key": signer.map(|k| STANDARD.encode(k)),
        "key": hex(key),
        "value": hex(data),
    })
}

/// GET `/dht/statistics`.
#[utoipa::path(
    get,
    path = "/dht/statistics",
    operation_id = "get_dht_statistics",
    tag = "dht",
    responses(
        (status = 200, description = "`{statistics: {peer_id, num_tokens, endpoints: [...], ...}}`", body = Object),
        (status = 404, description = "`{success: false, error: text}`: no DHT community", body = Object),
    )
)]
async fn statistics(State(handle): State<NodeHandle>) -> Response {
    let body = handle
        .with_community::<DhtCommunity, _>(|dht, ctx| {
            let table = dht.routing_table();
            let mut statistics = json!({
                "peer_id": ctx.my_key().mid().to_hex(),
                "num_tokens": dht.token_count(),
                "endpoints": [{
                    "endpoint": "UDPIPv4",
                    "node_id": table.map(|t| t.my_id().to_string()),
                    "routing_table_size": table.map_or(0, RoutingTable::len),
                    "routing_table_buckets": table.map_or(0, |t| t.buckets().len()),
                    "num_keys_in_store": dht.storage().len(),
                }],
            });
            if dht.finds_peers() {
                let stored: serde_json::Map<String, Value> =
                    dht.stored_peers().map(|(mid, _)| (mid.to_hex(), json!(1))).collect();
                let storing_me = dht.storing_me().count();
                let for_me = if storing_me > 0 {
                    json!({ ctx.my_key().mid().to_hex(): storing_me })
                } else {
                    json!({})
                };
                statistics["num_peers_in_store"] = Value::Object(stored);
                statistics["num_store_for_me"] = for_me;
            }
            json!({ "statistics": statistics })
        })
        .await;
    match body {
        Ok(body) => Json(body).into_response(),
        Err(error) => from_runtime(&error),
    }
}

/// GET `/dht/values`: the values stored here, by key (not wrapped, as py-ipv8).
#[utoipa::path(
    get,
    path = "/dht/values",
    operation_id = "get_dht_values",
    tag = "dht",
    responses(
        (status = 200, description = "`{hex key: [{public_key, key, value, endpoint}]}`: the values stored here", body = Object),
        (status = 404, description = "`{success: false, error: text}`: no DHT community", body = Object),
    )
)]
async fn stored_values(State(handle): State<NodeHandle>) -> Response {
    let body = handle
        .with_community::<DhtCommunity, _>(|dht, _| {
            let by_key: serde_json::Map<String, Value> = dht
                .storage()
                .iter()
                .map(|(key, values)| {
                    let entries: Vec<Value> = values
                        .into_iter()
                        .filter_map(|bytes| DhtValue::parse(bytes).ok())
                        .map(|value| {
                            let mut entry = match &value {
                                DhtValue::Signed { data, public_key, .. } => {
                                    value_json(key, data, Some(public_key.to_bin()))
                                }
                                DhtValue::Unsigned(data) => value_json(key, data, None),
                            };
                            entry["endpoint"] = json!("UDPIPv4");
                            entry
                        })
                        .collect();
                    (hex(key), Value::Array(entries))
                })
                .collect();
            Value::Object(by_key)
        })
        .await;
    match body {
        Ok(body) => Json(body).into_response(),
        Err(error) => from_runtime(&error),
    }
}

/// GET `/dht/values/{key}`: a lookup.
#[utoipa::path(
    get,
    path = "/dht/values/{key}",
    operation_id = "get_dht_values_key",
    tag = "dht",
    params(("key" = String, Path, description = "a 20-byte key, 40 hex digits", pattern = "^[0-9a-fA-F]{40}$")),
    responses(
        (status = 200, description = "`{values: [{public_key, key, value}], debug: {...}}`", body = Object),
        (status = 400, description = "`{success: false, error: text}` or `{error: text}`: a missing or bad parameter", body = Object),
        (status = 404, description = "`{success: false, error: text}`: no DHT community", body = Object),
        (status = 500, description = "py-ipv8's error body: the lookup failed (`DHTError`)", body = Object),
    )
)]
async fn find_values(State(handle): State<NodeHandle>, Path(key): Path<String>) -> Response {
    let Some(key) = parse_key(&key) else {
        return failure(StatusCode::BAD_REQUEST, "incorrect parameters");
    };
    let start = Instant::now();
    match handle.ask::<DhtCommunity, _>(LookupValues { key }).await {
        Ok(Ok((values, stats))) => {
            let values: Vec<Value> = values
                .iter()
                .map(|(data, signer)| {
                    value_json(&key, data, signer.as_ref().map(PublicKey::to_bin))
                })
                .collect();
            let debug = json!({
                "requests": stats.requests,
                "responses": stats.responses,
                "responses_with_nodes": stats.responses_with_nodes,
                "responses_with_values": stats.responses_with_values,
                "time": start.elapsed().as_secs_f64(),
            });
            Json(json!({ "values": values, "debug": debug })).into_response()
        }
        Ok(Err(error)) => ApiError::dht(&error).into_response(),
        Err(error) => from_runtime(&error),
    }
}

/// PUT `/dht/values/{key}` with `{"value": hex}`: stores a signed value (its version is the Unix
/// time, as py-ipv8 signs).
#[utoipa::path(
    put,
    path = "/dht/values/{key}",
    operation_id = "put_dht_values_key",
    tag = "dht",
    params(("key" = String, Path, description = "a 20-byte key, 40 hex digits", pattern = "^[0-9a-fA-F]{40}$")),
    request_body(
        content = Object,
        description = "`{value: hex}`",
        content_type = "application/json",
        example = json!({ "value": "00ff" }),
    ),
    responses(
        (status = 200, description = "stored", body = Object),
        (status = 400, description = "`{success: false, error: text}` or `{error: text}`: a missing or bad parameter, or `{success: false, error: {code: JSONDecodeError, message}}` for a body that is not JSON", body = Object),
        (status = 404, description = "`{success: false, error: text}`: no DHT community", body = Object),
        (status = 500, description = "py-ipv8's error body: the store failed (`DHTError`)", body = Object),
    )
)]
async fn store_value(
    State(handle): State<NodeHandle>,
    Path(key): Path<String>,
    body: Bytes,
) -> Response {
    let args = match json_object(&body) {
        Ok(args) => args,
        Err(error) => return error.into_response(),
    };
    let data = args.get("value").and_then(Value::as_str).and_then(unhex);
    let (Some(key), Some(data)) = (parse_key(&key), data) else {
        return failure(StatusCode::BAD_REQUEST, "incorrect parameters");
    };
    let version = Some(unix_version());
    match handle.ask::<DhtCommunity, _>(StoreValue { key, data, version }).await {
        Ok(Ok(_)) => Json(json!({ "success": true })).into_response(),
        Ok(Err(error)) => ApiError::dht(&error).into_response(),
        Err(error) => from_runtime(&error),
    }
}

/// The routes of this file, described for `/docs/openapi.json`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(statistics, stored_values, find_values, store_value))]
pub(super) struct Doc;
