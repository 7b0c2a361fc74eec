//! The routes of the REST server: each reads the node inside its loop through a [`NodeHandle`].

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use super::error::ApiError;
use super::{network_json, overlays_json};
use crate::proto::Node;
use crate::runtime::{NodeHandle, Pseudonyms};

/// Every route, with py-ipv8's error bodies for unknown paths and methods, and their `OpenAPI`
/// document (with the API key's scheme when `keyed`) and Swagger UI under `/docs`.
pub(super) fn router(
    handle: NodeHandle,
    pseudonyms: Option<Arc<Pseudonyms>>,
    keyed: bool,
) -> Router {
    let docs = super::docs::routes(pseudonyms.is_some(), keyed);
    let identity = pseudonyms
        .clone()
        .map(|p| super::identity::routes(p.clone()).merge(super::attestation::routes(p)))
        .unwrap_or_default();
    let counters = Arc::new(super::metrics::RestCounters::default());
    let count =
        axum::middleware::from_fn_with_state(counters.clone(), super::metrics::count_requests);
    Router::new()
        .route("/network", get(network))
        .route("/overlays", get(overlays))
        .merge(super::statistics::routes())
        .merge(super::isolation::routes())
        .merge(super::asyncio::routes())
        .merge(super::dht::routes())
        .merge(super::tunnel::routes())
        .merge(super::tunnel_speed::routes())
        .merge(identity)
        .merge(docs)
        .merge(super::ui::routes(handle.clone(), pseudonyms))
        .merge(super::metrics::routes(handle.clone(), counters))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(count)
        .with_state(handle)
}

/// GET `/network`: every peer the node knows, as py-ipv8 lists them.
#[utoipa::path(
    get,
    path = "/network",
    operation_id = "get_network",
    tag = "network",
    responses(
        (
            status = 200,
            description = "`{peers: {b64 mid: {ip, port, public_key, services}}}`",
            body = Object,
        ),
    )
)]
async fn network(State(handle): State<NodeHandle>) -> Result<Json<Value>, ApiError> {
    read(&handle, network_json).await
}

/// GET `/overlays`: the node's communities.
#[utoipa::path(
    get,
    path = "/overlays",
    operation_id = "get_overlays",
    tag = "overlays",
    responses(
        (
            status = 200,
            description = "`{overlays: [...]}`: each community with its id, key, peers, strategies and traffic",
            body = Object,
        ),
    )
)]
async fn overlays(State(handle): State<NodeHandle>) -> Result<Json<Value>, ApiError> {
    read(&handle, overlays_json).await
}

/// Builds a body from the node between two of its datagrams.
async fn read(handle: &NodeHandle, body: fn(&Node) -> Value) -> Result<Json<Value>, ApiError> {
    Ok(Json(handle.with_node(move |node, _| body(node)).await?))
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}

/// The routes of this file, described for `/docs/openapi.json`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(network, overlays))]
pub(super) struct Doc;
