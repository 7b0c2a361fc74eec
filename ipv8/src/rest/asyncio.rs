//! `/asyncio/*` (spec `rest-api.md` §6): py-ipv8's view into its asyncio loop, answered for the
//! node's tokio loop with the same JSON fields. Drift is how late the loop wakes when it asked
//! to be woken every 0.5 s; tasks are the communities' named tasks and the loop itself; debug
//! mode times each step of the loop and reports those slower than `slow_callback_duration`
//! (see [`NodeHandle::set_loop_debug`]).

use std::time::{Duration, Instant};

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
use super::reply::{bare_error, failure, json_object, success, truthy};
use crate::proto::{Node, OverlayInfo, TaskInfo};
use crate::runtime::{DriftSample, LoopDebug, NodeHandle, RuntimeError};

/// The name `/asyncio/tasks` gives the node's loop.
const LOOP_TASK: &str = "node loop";

/// The `/asyncio` routes.
pub(super) fn routes() -> Router<NodeHandle> {
    Router::new()
        .route("/asyncio/drift", get(drift).put(set_drift))
        .route("/asyncio/tasks", get(tasks))
        .route("/asyncio/debug", get(debug).put(set_debug))
}

/// `{"measurements": [{"timestamp": unix seconds, "drift": seconds}]}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct DriftBody {
    measurements: Vec<Measurement>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Measurement {
    timestamp: f64,
    drift: f64,
}

impl From<DriftSample> for Measurement {
    fn from(sample: DriftSample) -> Self {
        Self { timestamp: sample.unix_time, drift: sample.drift.as_secs_f64() }
    }
}

/// `{"tasks": [...]}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct TasksBody {
    tasks: Vec<TaskEntry>,
}

/// A task as py-ipv8 lists an asyncio task: `taskmanager`, `start_time` and `interval` only
/// for tasks of a task manager (here: a community's), `interval` only for periodic ones.
/// `stack` is always empty: a sans-IO task is a closure the loop calls, with no frames of its
/// own while it waits.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct TaskEntry {
    name: String,
    running: bool,
    stack: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    taskmanager: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_time: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<f64>,
}

impl TaskEntry {
    fn of_community(overlay: &OverlayInfo, task: &TaskInfo, now: Instant) -> Self {
        Self {
            name: task.name.clone(),
            running: false,
            stack: Vec::new(),
            taskmanager: Some(overlay.name),
            start_time: Some(unix_seconds(Some(task.registered), now)),
            interval: task.interval.map(|i| i.as_secs_f64()),
        }
    }
}

/// `{"messages": [{"message": text}], "enable": bool, "slow_callback_duration": seconds}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct DebugBody {
    messages: Vec<DebugMessage>,
    enable: bool,
    slow_callback_duration: f64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct DebugMessage {
    message: String,
}

impl From<LoopDebug> for DebugBody {
    fn from(debug: LoopDebug) -> Self {
        let messages =
            debug.slow_steps.iter().map(|s| DebugMessage { message: s.to_string() }).collect();
        Self {
            messages,
            enable: debug.enabled,
            slow_callback_duration: debug.slow_step.as_secs_f64(),
        }
    }
}

/// GET `/asyncio/drift`: the last 100 measurements, or `404` while not measuring.
#[utoipa::path(
    get,
    path = "/asyncio/drift",
    operation_id = "get_asyncio_drift",
    tag = "asyncio",
    responses(
        (status = 200, description = "the last 100 measurements", body = DriftBody),
        (status = 404, description = "not measuring", body = super::reply::Outcome),
    )
)]
async fn drift(State(handle): State<NodeHandle>) -> Response {
    match handle.drift().await {
        Ok(Some(samples)) => {
            let measurements = samples.into_iter().map(Measurement::from).collect();
            Json(DriftBody { measurements }).into_response()
        }
        Ok(None) => failure(StatusCode::NOT_FOUND, "Core drift disabled."),
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// PUT `/asyncio/drift` with `{"enable": bool}`: starts measuring (keeping the measurements if
/// it measures already) or stops and forgets them.
#[utoipa::path(
    put,
    path = "/asyncio/drift",
    operation_id = "put_asyncio_drift",
    tag = "asyncio",
    request_body(
        content = Object,
        description = "`{enable: bool}`",
        content_type = "application/json",
        example = json!({ "enable": true }),
    ),
    responses(
        (status = 200, description = "switched", body = super::reply::Outcome),
        (status = 400, description = "`{error: incorrect parameters}`, or `{success: false, error: {code: JSONDecodeError, message}}` for a body that is not JSON", body = Object),
    )
)]
async fn set_drift(State(handle): State<NodeHandle>, body: Bytes) -> Response {
    let args = match json_object(&body) {
        Ok(args) => args,
        Err(error) => return error.into_response(),
    };
    let Some(enable) = args.get("enable").map(truthy) else {
        return bare_error(StatusCode::BAD_REQUEST, "incorrect parameters");
    };
    match handle.set_drift_measurement(enable).await {
        Ok(()) => success(),
        Err(RuntimeError::Stopped) => failure(StatusCode::OK, "Session not initialized."),
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// GET `/asyncio/tasks`: the loop (running: it is answering this request), then each
/// community's pending tasks.
#[utoipa::path(
    get,
    path = "/asyncio/tasks",
    operation_id = "get_asyncio_tasks",
    tag = "asyncio",
    responses((status = 200, description = "the loop and each community's tasks", body = TasksBody))
)]
async fn tasks(State(handle): State<NodeHandle>) -> Result<Json<TasksBody>, ApiError> {
    Ok(Json(handle.with_node(tasks_body).await?))
}

fn tasks_body(node: &mut Node, now: Instant) -> TasksBody {
    let node_loop = TaskEntry {
        name: LOOP_TASK.to_owned(),
        running: true,
        stack: Vec::new(),
        taskmanager: None,
        start_time: None,
        interval: None,
    };
    let overlays = node.overlays();
    let of_communities = overlays.iter().flat_map(|overlay| {
        overlay.tasks.iter().map(move |task| TaskEntry::of_community(overlay, task, now))
    });
    TasksBody { tasks: std::iter::once(node_loop).chain(of_communities).collect() }
}

/// GET `/asyncio/debug`.
#[utoipa::path(
    get,
    path = "/asyncio/debug",
    operation_id = "get_asyncio_debug",
    tag = "asyncio",
    responses(
        (status = 200, description = "debug mode and the slow steps it saw", body = DebugBody),
    )
)]
async fn debug(State(handle): State<NodeHandle>) -> Result<Json<DebugBody>, ApiError> {
    Ok(Json(handle.loop_debug().await?.into()))
}

/// PUT `/asyncio/debug` with `{"enable": bool}` and/or `{"slow_callback_duration": seconds}`.
#[utoipa::path(
    put,
    path = "/asyncio/debug",
    operation_id = "put_asyncio_debug",
    tag = "asyncio",
    request_body(
        content = Object,
        description = "`{enable: bool}` and/or `{slow_callback_duration: seconds}`",
        content_type = "application/json",
        example = json!({ "enable": true, "slow_callback_duration": 0.1 }),
    ),
    responses(
        (status = 200, description = "switched", body = super::reply::Outcome),
        (status = 400, description = "`{success: false, error: incorrect parameters}`, or `{success: false, error: {code: JSONDecodeError, message}}` for a body that is not JSON", body = Object),
    )
)]
async fn set_debug(State(handle): State<NodeHandle>, body: Bytes) -> Response {
    let args = match json_object(&body) {
        Ok(args) => args,
        Err(error) => return error.into_response(),
    };
    let enable = args.get("enable").map(truthy);
    let slow = args.get("slow_callback_duration");
    if enable.is_none() && slow.is_none() {
        return failure(StatusCode::BAD_REQUEST, "incorrect parameters");
    }
    // Seconds, a finite number not below zero (py-ipv8 takes any value asyncio then chokes on).
    let seconds = |value: &Value| value.as_f64().and_then(|s| Duration::try_from_secs_f64(s).ok());
    let slow_step = slow.map(seconds);
    if slow_step.is_some_and(|s| s.is_none()) {
        return failure(StatusCode::BAD_REQUEST, "incorrect parameters");
    }
    let slow_step = slow_step.flatten();
    match handle.set_loop_debug(enable, slow_step).await {
        Ok(()) => success(),
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// The routes of this file, described for `/docs/openapi.json`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(drift, set_drift, tasks, debug, set_debug))]
pub(super) struct Doc;
