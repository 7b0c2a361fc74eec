//! `/overlays/statistics` (spec `rest-api.md` §6): each community's traffic per message id and
//! handler, and the switch that starts or stops counting a community's traffic.
//!
//! py-ipv8 counts only when started with its statistics endpoint, and then only the communities
//! it is asked to; a node here counts every community from the start, so `GET` never answers an
//! empty list for want of statistics, and `POST` never answers py-ipv8's
//! `412 "StatisticsEndpoint is not enabled."`.

use std::collections::BTreeMap;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::Value;

use super::error::ApiError;
use super::json::unix_seconds;
use super::reply::{failure, json_object, success, truthy};
use crate::proto::{MessageStats, Node};
use crate::runtime::{NodeHandle, RuntimeError};

/// The `/overlays/statistics` routes.
pub(super) fn routes() -> Router<NodeHandle> {
    Router::new().route("/overlays/statistics", get(statistics).post(enable))
}

/// `{"statistics": [{overlay name: {"<msg id>:<handler name>": counters}}]}`, one entry per
/// community in the order they were added.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct StatisticsBody {
    statistics: Vec<BTreeMap<&'static str, BTreeMap<String, MessageStatistics>>>,
}

/// py-ipv8's `NetworkStat.to_dict()`: the traffic of one message id; times in Unix seconds,
/// `0.0` for never.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct MessageStatistics {
    identifier: u8,
    num_up: u64,
    num_down: u64,
    bytes_up: u64,
    bytes_down: u64,
    first_measured_up: f64,
    first_measured_down: f64,
    last_measured_up: f64,
    last_measured_down: f64,
}

impl MessageStatistics {
    fn new(identifier: u8, stats: &MessageStats, now: Instant) -> Self {
        Self {
            identifier,
            num_up: stats.num_up,
            num_down: stats.num_down,
            bytes_up: stats.bytes_up,
            bytes_down: stats.bytes_down,
            first_measured_up: unix_seconds(stats.first_up, now),
            first_measured_down: unix_seconds(stats.first_down, now),
            last_measured_up: unix_seconds(stats.last_up, now),
            last_measured_down: unix_seconds(stats.last_down, now),
        }
    }
}

/// GET: the counters of every community, by message id and handler name (`"unknown"` for a
/// message id without a handler, such as a request this node only sends). A community whose
/// statistics are switched off answers `{}`.
#[utoipa::path(
    get,
    path = "/overlays/statistics",
    operation_id = "get_overlays_statistics",
    tag = "overlays",
    responses(
        (status = 200, description = "per community, the counters of each message id and handler", body = StatisticsBody),
    )
)]
async fn statistics(State(handle): State<NodeHandle>) -> Result<Json<StatisticsBody>, ApiError> {
    Ok(Json(handle.with_node(statistics_body).await?))
}

fn statistics_body(node: &mut Node, now: Instant) -> StatisticsBody {
    let node = &*node;
    let statistics = node
        .overlays()
        .into_iter()
        .map(|overlay| {
            let id = overlay.community_id;
            let by_name = node
                .stats()
                .communities
                .get(&id)
                .into_iter()
                .flatten()
                .map(|(&msg_id, stats)| {
                    let handler = node.handler_name(id, msg_id).unwrap_or("unknown");
                    (format!("{msg_id}:{handler}"), MessageStatistics::new(msg_id, stats, now))
                })
                .collect();
            BTreeMap::from([(overlay.name, by_name)])
        })
        .collect();
    StatisticsBody { statistics }
}

/// POST `{"enable": bool, "all": bool}` or `{"enable": bool, "overlay_name": name}`: starts or
/// stops counting the traffic of every community, or of those whose name (`overlay_name` of
/// `/overlays`) is `name`; stopping forgets what was counted.
#[utoipa::path(
    post,
    path = "/overlays/statistics",
    operation_id = "post_overlays_statistics",
    tag = "overlays",
    request_body(
        content = Object,
        description = "`{enable: bool, all: bool}` or `{enable: bool, overlay_name: name}`",
        content_type = "application/json",
        example = json!({ "enable": true, "all": true }),
    ),
    responses(
        (status = 200, description = "switched", body = super::reply::Outcome),
        (status = 400, description = "`enable` is missing (`{success: false, error: text}`), or `{success: false, error: {code: JSONDecodeError, message}}` for a body that is not JSON", body = Object),
        (status = 412, description = "neither `all` nor `overlay_name`, or the node has stopped", body = super::reply::Outcome),
    )
)]
async fn enable(State(handle): State<NodeHandle>, body: Bytes) -> Response {
    let args = match json_object(&body) {
        Ok(args) => args,
        Err(error) => return error.into_response(),
    };
    let Some(enable) = args.get("enable").map(truthy) else {
        return failure(StatusCode::BAD_REQUEST, r#"Parameter "enable" is required"#);
    };
    if !args.contains_key("all") && !args.contains_key("overlay_name") {
        let error = r#"Parameter "all" or "overlay_name" is required"#;
        return failure(StatusCode::PRECONDITION_FAILED, error);
    }
    let all = args.get("all").is_some_and(truthy);
    let name = args.get("overlay_name").and_then(Value::as_str).map(str::to_owned);
    let switched = handle
        .with_node(move |node, _| {
            for overlay in node.overlays() {
                if all || name.as_deref() == Some(overlay.name) {
                    node.set_statistics(overlay.community_id, enable);
                }
            }
        })
        .await;
    match switched {
        Ok(()) => success(),
        Err(RuntimeError::Stopped) => {
            failure(StatusCode::PRECONDITION_FAILED, "IPv8 is not running")
        }
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// The routes of this file, described for `/docs/openapi.json`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(statistics, enable))]
pub(super) struct Doc;
