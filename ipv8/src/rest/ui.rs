//! The live dashboard at `/ui` (issue #14): a page that polls `GET /ui/snapshot` every second and
//! draws the node's overlays and peers, message and byte rates over the last five minutes, drops
//! per reason, and the panels of the subsystems the node runs (DHT, tunnels, pseudonyms).
//!
//! The page, its script and its style sheet are hand-written files under `ui/`, embedded in the
//! binary, and need no API key (as `/docs`); the page fetches nothing but `/ui/snapshot` from the
//! server that served it, sending the key of its own `?apikey=` query as `X-Api-Key`. The snapshot
//! is an ordinary route and needs the key like any other.

mod snapshot;

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderName};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::error::ApiError;
use crate::runtime::{NodeHandle, Pseudonyms};
use snapshot::{PseudonymPanel, Snapshot};

/// The paths of the page and its files, which need no API key.
pub(super) const ASSETS: [&str; 4] = ["/ui", "/ui/", "/ui/app.js", "/ui/style.css"];

/// The page.
const PAGE: &str = include_str!("ui/index.html");
/// The script that polls the snapshot and draws it.
const SCRIPT: &str = include_str!("ui/app.js");
/// The page's style sheet.
const STYLE: &str = include_str!("ui/style.css");

/// What the browser may load for the page: its own files and the snapshot from this server,
/// nothing from another host, no inline script or style.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
                      connect-src 'self'; img-src 'self' data:; base-uri 'none'; \
                      form-action 'none'; frame-ancestors 'none'";

/// What the snapshot route reads: the node and, when the server has them, its pseudonyms.
#[derive(Clone)]
struct Dashboard {
    handle: NodeHandle,
    pseudonyms: Option<Arc<Pseudonyms>>,
}

/// The dashboard's routes for the node behind `handle`, with the pseudonyms panel when the
/// server serves `pseudonyms`.
pub(super) fn routes<S: Clone + Send + Sync + 'static>(
    handle: NodeHandle,
    pseudonyms: Option<Arc<Pseudonyms>>,
) -> Router<S> {
    Router::new()
        .route("/ui", get(page))
        .route("/ui/", get(page))
        .route("/ui/app.js", get(script))
        .route("/ui/style.css", get(style))
        .route("/ui/snapshot", get(snapshot))
        .with_state(Dashboard { handle, pseudonyms })
}

/// An embedded file with its content type, the page's content security policy, and no caching
/// (a node that is upgraded serves the new page at once).
fn asset(content_type: &'static str, body: &'static str) -> Response {
    let headers: [(HeaderName, HeaderValue); 3] = [
        (CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY)),
        (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    (headers, body).into_response()
}

/// GET `/ui`: the dashboard's page.
async fn page() -> Response {
    asset("text/html; charset=utf-8", PAGE)
}

/// GET `/ui/app.js`: the script that polls and draws.
async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

/// GET `/ui/style.css`: the page's style sheet.
async fn style() -> Response {
    asset("text/css; charset=utf-8", STYLE)
}

/// GET `/ui/snapshot`: the node at this moment, as the dashboard draws it.
#[utoipa::path(
    get,
    path = "/ui/snapshot",
    operation_id = "get_ui_snapshot",
    tag = "ui",
    responses(
        (
            status = 200,
            description = "the node at this moment: overlays with their peers and traffic, totals, drops per reason, and the DHT, tunnel and pseudonym panels of what the node runs",
            body = Snapshot,
        ),
    )
)]
async fn snapshot(State(dashboard): State<Dashboard>) -> Result<Json<Snapshot>, ApiError> {
    let stats = dashboard.handle.stats().await?;
    let mut snapshot = dashboard.handle.with_node(|node, _| Snapshot::read(node)).await?;
    snapshot.add_sockets(&stats);
    snapshot.pseudonyms = match &dashboard.pseudonyms {
        Some(pseudonyms) => Some(PseudonymPanel::read(pseudonyms).await),
        None => None,
    };
    Ok(Json(snapshot))
}

/// The routes of this file, described for `/docs/openapi.json`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(snapshot))]
pub(super) struct Doc;
