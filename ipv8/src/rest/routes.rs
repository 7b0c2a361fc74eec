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

/// Every route, with py-ipv8's error bodies for unknown paths and methods.
pub(super) fn router(handle: NodeHandle, pseudonyms: Option<Arc<Pseudonyms>>) -> Router {
    let identity = pseudonyms
        .map(|p| super::identity::routes(p.clone()).merge(super::attestation::routes(p)))
        .unwrap_or_default();
    Router::new()
        .route("/network", get(network))
        .route("/overlays", get(overlays))
        .merge(super::dht::routes())
        .merge(super::tunnel::routes())
        .merge(super::tunnel_speed::routes())
        .merge(identity)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(handle)
}

async fn network(State(handle): State<NodeHandle>) -> Result<Json<Value>, ApiError> {
    read(&handle, network_json).await
}

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
