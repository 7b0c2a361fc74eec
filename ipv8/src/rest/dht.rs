//! `/dht/*` (spec `rest-api.md` §3): the DHT's statistics, the values it stores for others, and
//! lookups and stores through the node's first [`DhtCommunity`].

use std::collections::BTreeMap;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use serde_json::Value;

use super::error::ApiError;
use super::json::hex;
use super::reply::{json_object, success};
use crate::crypto::{Mid, PublicKey};
use crate::proto::AskError;
use crate::proto::dht::{
    CrawlStats, DhtCommunity, LookupValues, RoutingTable, StoreValue, Value as DhtValue,
    unix_version,
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
    super::reply::failure(status, error)
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

/// `{"statistics": {...}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = dht::StatisticsReply)]
struct StatisticsReply {
    /// The DHT's statistics.
    statistics: Statistics,
}

/// py-ipv8's DHT statistics.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = dht::Statistics)]
struct Statistics {
    /// The mid of the node's key, in hex.
    peer_id: String,
    /// Tokens the DHT holds for other nodes.
    num_tokens: usize,
    /// The routing table and store per endpoint (one: `UDPIPv4`).
    endpoints: Vec<EndpointStatistics>,
    /// The peers stored here, `{mid: 1}`; only of a DHT that finds peers.
    #[serde(skip_serializing_if = "Option::is_none")]
    num_peers_in_store: Option<BTreeMap<String, u32>>,
    /// `{my mid: count}` of the nodes that store this node, `{}` if none does; only of a DHT
    /// that finds peers.
    #[serde(skip_serializing_if = "Option::is_none")]
    num_store_for_me: Option<BTreeMap<String, usize>>,
}

/// The routing table and store of one endpoint.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = dht::EndpointStatistics)]
struct EndpointStatistics {
    /// Always `UDPIPv4`.
    endpoint: &'static str,
    /// The node id, in hex; `null` before the routing table is made.
    node_id: Option<String>,
    /// Nodes in the routing table.
    routing_table_size: usize,
    /// Buckets of the routing table.
    routing_table_buckets: usize,
    /// Keys stored here.
    num_keys_in_store: usize,
}

/// One found value.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = dht::FoundValue)]
struct FoundValue {
    /// The signer's key, in base64; `null` for an unsigned value.
    public_key: Option<String>,
    /// The key, in hex.
    key: String,
    /// The value, in hex.
    value: String,
}

/// One value stored here.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = dht::StoredValue)]
struct StoredValue {
    /// The value, its key and signer.
    #[serde(flatten)]
    value: FoundValue,
    /// Always `UDPIPv4`.
    endpoint: &'static str,
}

/// `{hex key: [value, ...]}`: the values stored here.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = dht::StoredValues)]
struct StoredValues(BTreeMap<String, Vec<StoredValue>>);

/// `{"values": [...], "debug": {...}}`: a lookup's values and how it went.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = dht::Lookup)]
struct Lookup {
    /// The values found.
    values: Vec<FoundValue>,
    /// How the lookup went.
    debug: LookupDebug,
}

/// How a lookup went.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = dht::LookupDebug)]
struct LookupDebug {
    /// Requests sent.
    requests: usize,
    /// Responses received.
    responses: usize,
    /// Responses with nodes.
    responses_with_nodes: usize,
    /// Responses with values.
    responses_with_values: usize,
    /// Seconds the lookup took.
    time: f64,
}

impl FoundValue {
    /// `{"public_key": b64 or null, "key": hex, "value": hex}` for one found or stored value.
    fn new(key: &[u8; 20], data: &[u8], signer: Option<&[u8]>) -> Self {
        Self { public_key: signer.map(|k| STANDARD.encode(k)), key: hex(key), value: hex(data) }
    }
}

impl Statistics {
    /// The statistics of `dht`, whose node has key `me`.
    fn new(dht: &DhtCommunity, me: Mid) -> Self {
        let table = dht.routing_table();
        let endpoint = EndpointStatistics {
            endpoint: "UDPIPv4",
            node_id: table.map(|t| t.my_id().to_string()),
            routing_table_size: table.map_or(0, RoutingTable::len),
            routing_table_buckets: table.map_or(0, |t| t.buckets().len()),
            num_keys_in_store: dht.storage().len(),
        };
        let (stored, for_me) = if dht.finds_peers() {
            let stored = dht.stored_peers().map(|(mid, _)| (mid.to_hex(), 1)).collect();
            let storing_me = dht.storing_me().count();
            let for_me = (storing_me > 0).then(|| (me.to_hex(), storing_me));
            (Some(stored), Some(for_me.into_iter().collect()))
        } else {
            (None, None)
        };
        Self {
            peer_id: me.to_hex(),
            num_tokens: dht.token_count(),
            endpoints: vec![endpoint],
            num_peers_in_store: stored,
            num_store_for_me: for_me,
        }
    }
}

/// The values `dht` stores, by key; values that do not parse are left out.
fn stored_values_of(dht: &DhtCommunity) -> StoredValues {
    let entry = |key: &[u8; 20], value: &DhtValue| {
        let value = match value {
            DhtValue::Signed { data, public_key, .. } => {
                FoundValue::new(key, data, Some(public_key.to_bin()))
            }
            DhtValue::Unsigned(data) => FoundValue::new(key, data, None),
        };
        StoredValue { value, endpoint: "UDPIPv4" }
    };
    let by_key = dht.storage().iter().map(|(key, values)| {
        let values = values.into_iter().filter_map(|bytes| DhtValue::parse(bytes).ok());
        (hex(key), values.map(|value| entry(key, &value)).collect())
    });
    StoredValues(by_key.collect())
}

impl LookupDebug {
    /// The counts of `stats` and the time since `start`.
    fn new(stats: &CrawlStats, start: Instant) -> Self {
        Self {
            requests: stats.requests,
            responses: stats.responses,
            responses_with_nodes: stats.responses_with_nodes,
            responses_with_values: stats.responses_with_values,
            time: start.elapsed().as_secs_f64(),
        }
    }
}

/// GET `/dht/statistics`.
#[utoipa::path(
    get,
    path = "/dht/statistics",
    operation_id = "get_dht_statistics",
    tag = "dht",
    responses(
        (status = 200, description = "`{statistics: {peer_id, num_tokens, endpoints: [...], ...}}`", body = StatisticsReply),
        (status = 404, description = "`{success: false, error: text}`: no DHT community", body = Object),
    )
)]
async fn statistics(State(handle): State<NodeHandle>) -> Response {
    let body = handle
        .with_community::<DhtCommunity, _>(|dht, ctx| StatisticsReply {
            statistics: Statistics::new(dht, ctx.my_key().mid()),
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
        (status = 200, description = "`{hex key: [{public_key, key, value, endpoint}]}`: the values stored here", body = StoredValues),
        (status = 404, description = "`{success: false, error: text}`: no DHT community", body = Object),
    )
)]
async fn stored_values(State(handle): State<NodeHandle>) -> Response {
    match handle.with_community::<DhtCommunity, _>(|dht, _| stored_values_of(dht)).await {
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
        (status = 200, description = "`{values: [{public_key, key, value}], debug: {...}}`", body = Lookup),
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
            let found = values.iter().map(|(data, signer)| {
                FoundValue::new(&key, data, signer.as_ref().map(PublicKey::to_bin))
            });
            let debug = LookupDebug::new(&stats, start);
            Json(Lookup { values: found.collect(), debug }).into_response()
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
        (status = 200, description = "stored", body = super::reply::Outcome),
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
        Ok(Ok(_)) => success(),
        Ok(Err(error)) => ApiError::dht(&error).into_response(),
        Err(error) => from_runtime(&error),
    }
}

/// The routes of this file, described for `/docs/openapi.json`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(statistics, stored_values, find_values, store_value))]
pub(super) struct Doc;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn endpoint() -> EndpointStatistics {
        EndpointStatistics {
            endpoint: "UDPIPv4",
            node_id: None,
            routing_table_size: 0,
            routing_table_buckets: 0,
            num_keys_in_store: 2,
        }
    }

    /// The statistics are written as the `json!` values they replaced: the peer maps only of a
    /// DHT that finds peers, `{}` when nobody stores this node, a `null` node id before the
    /// routing table is made.
    #[test]
    fn statistics_are_as_the_json_values_were() {
        let plain = Statistics {
            peer_id: "ab".into(),
            num_tokens: 1,
            endpoints: vec![endpoint()],
            num_peers_in_store: None,
            num_store_for_me: None,
        };
        let old_endpoint = json!({
            "endpoint": "UDPIPv4",
            "node_id": null,
            "routing_table_size": 0,
            "routing_table_buckets": 0,
            "num_keys_in_store": 2,
        });
        let old =
            json!({"statistics": {"peer_id": "ab", "num_tokens": 1, "endpoints": [old_endpoint]}});
        assert_eq!(json!(StatisticsReply { statistics: plain }), old);
        let finding = Statistics {
            peer_id: "ab".into(),
            num_tokens: 0,
            endpoints: vec![endpoint()],
            num_peers_in_store: Some(BTreeMap::from([("cd".to_owned(), 1)])),
            num_store_for_me: Some(BTreeMap::new()),
        };
        let old = json!({
            "peer_id": "ab",
            "num_tokens": 0,
            "endpoints": [old_endpoint],
            "num_peers_in_store": {"cd": 1},
            "num_store_for_me": {},
        });
        assert_eq!(json!(finding), old);
    }

    /// Found and stored values, and a lookup's debug counts, are as the `json!` values were.
    #[test]
    fn values_are_as_the_json_values_were() {
        let key = [1; 20];
        let signed = FoundValue::new(&key, b"hi", Some(b"key"));
        let stored = StoredValue { value: FoundValue::new(&key, b"hi", None), endpoint: "UDPIPv4" };
        let key_hex = hex(&key);
        let old_stored = json!({
            key_hex.clone(): [{"public_key": null, "key": key_hex, "value": "6869", "endpoint": "UDPIPv4"}],
        });
        assert_eq!(
            json!(StoredValues(BTreeMap::from([(key_hex.clone(), vec![stored])]))),
            old_stored
        );
        let debug = LookupDebug {
            requests: 3,
            responses: 2,
            responses_with_nodes: 1,
            responses_with_values: 1,
            time: 0.5,
        };
        let old = json!({
            "values": [{"public_key": "a2V5", "key": key_hex, "value": "6869"}],
            "debug": {
                "requests": 3,
                "responses": 2,
                "responses_with_nodes": 1,
                "responses_with_values": 1,
                "time": 0.5,
            },
        });
        assert_eq!(json!(Lookup { values: vec![signed], debug }), old);
    }
}
