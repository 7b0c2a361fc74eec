//! `POST /isolation` (spec `rest-api.md` §6): addresses added to a running node, as py-ipv8's
//! `IsolationEndpoint` adds them to run experiments apart from the public network. An exit node
//! is walked to by every tunnel community; a bootstrap server is blacklisted in every peer table,
//! walked to by every community, and taken by every bootstrapper that keeps a list of servers
//! ([`Node::add_bootstrap_server`]).

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::Value;

use super::error::ApiError;
use super::reply::{failure, json_object, success};
use crate::proto::Node;
use crate::proto::tunnel::TunnelCommunity;
use crate::runtime::NodeHandle;

/// How long a host name may take to resolve.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// The `/isolation` route.
pub(super) fn routes() -> Router<NodeHandle> {
    Router::new().route("/isolation", post(isolation))
}

/// POST `{"ip": str, "port": int, "exitnode": any}` or `{… "bootstrapnode": any}`: only the
/// presence of `exitnode` or `bootstrapnode` counts, and `exitnode` wins when both are there,
/// as in py-ipv8. `ip` may be a host name, resolved here (an IPv4 address first).
#[utoipa::path(
    post,
    path = "/isolation",
    operation_id = "post_isolation",
    tag = "isolation",
    request_body(
        content = Object,
        description = "`{ip: address or host name, port: 1-65535, exitnode: any}` or `{... bootstrapnode: any}`",
        content_type = "application/json",
    ),
    responses(
        (status = 200, description = "added", body = super::reply::Outcome),
        (status = 400, description = "a missing or bad parameter (`{success: false, error: text}`), or `{success: false, error: {code: JSONDecodeError, message}}` for a body that is not JSON", body = Object),
    )
)]
async fn isolation(State(handle): State<NodeHandle>, body: Bytes) -> Response {
    let args = match json_object(&body) {
        Ok(args) => args,
        Err(error) => return error.into_response(),
    };
    let (Some(ip), Some(port)) = (args.get("ip"), args.get("port")) else {
        return failure(StatusCode::BAD_REQUEST, r#"Parameters "ip" and "port" are required"#);
    };
    let exit_node = args.contains_key("exitnode");
    if !exit_node && !args.contains_key("bootstrapnode") {
        let error = r#"Parameter "exitnode" or "bootstrapnode" is required"#;
        return failure(StatusCode::BAD_REQUEST, error);
    }
    let address = match address(ip, port).await {
        Ok(address) => address,
        Err(error) => return failure(StatusCode::BAD_REQUEST, error),
    };
    let added = handle
        .with_node(move |node, now| {
            if exit_node {
                add_exit_node(node, now, address);
            } else {
                node.add_bootstrap_server(now, address);
            }
        })
        .await;
    match added {
        Ok(()) => success(),
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// Every tunnel community (hidden ones included) sends an introduction-request to `address`.
fn add_exit_node(node: &mut Node, now: Instant, address: SocketAddr) {
    for overlay in node.overlays() {
        let id = overlay.community_id;
        if node.community_by_id::<TunnelCommunity>(id).is_some() {
            // The community was just listed, so it is there.
            let _ = node.walk_to_id(now, id, address);
        }
    }
}

/// The socket address of `ip` (an IP address or a host name) and `port` (1–65535).
async fn address(ip: &Value, port: &Value) -> Result<SocketAddr, &'static str> {
    const BAD_PORT: &str = r#"Parameter "port" must be a port number (1-65535)"#;
    const BAD_IP: &str = r#"Parameter "ip" must be an IP address or a host name that resolves"#;
    let port = port.as_u64().and_then(|p| u16::try_from(p).ok()).filter(|&p| p != 0);
    let port = port.ok_or(BAD_PORT)?;
    let host = ip.as_str().ok_or(BAD_IP)?;
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, port));
    }
    let lookup = tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, port)));
    let found: Vec<SocketAddr> = match lookup.await {
        Ok(Ok(found)) => found.collect(),
        _ => return Err(BAD_IP),
    };
    found.iter().find(|a| a.is_ipv4()).or(found.first()).copied().ok_or(BAD_IP)
}

/// The routes of this file, described for `/docs/openapi.json`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(isolation))]
pub(super) struct Doc;
