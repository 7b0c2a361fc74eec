//! [`BindError`], why the REST server could not open its socket, and the JSON error bodies its
//! routes answer with.

use std::io;
use std::net::SocketAddr;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::runtime::RuntimeError;

/// Why a [`RestServer`](super::RestServer) could not be bound.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BindError {
    /// The address is not a loopback address and remote access was not asked for (see
    /// [`RestServer::bind_allow_remote`](super::RestServer::bind_allow_remote)).
    #[error("refusing to serve the REST API on {0}: not a loopback address")]
    NotLoopback(SocketAddr),
    /// The operating system refused to bind a TCP socket to the address.
    #[error("could not bind the REST API to {address}")]
    Io {
        /// The address that was refused.
        address: SocketAddr,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
}

/// An error answer in the shape py-ipv8's error middleware gives a failed request:
/// `{"success": false, "error": {"code": <aiohttp exception class>, "message": <text>}}`.
#[derive(Debug)]
pub(super) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    /// No route has this path (py-ipv8's body for aiohttp's `HTTPNotFound`).
    pub(super) fn not_found() -> Self {
        Self { status: StatusCode::NOT_FOUND, code: "HTTPNotFound", message: "Not Found".into() }
    }

    /// The DHT tried and failed: `500` with code `DHTError`, as py-ipv8's middleware reports
    /// its `DHTError` exceptions.
    pub(super) fn dht(error: &impl std::fmt::Display) -> Self {
        let status = StatusCode::INTERNAL_SERVER_ERROR;
        Self { status, code: "DHTError", message: error.to_string() }
    }

    /// The route exists, but not for this method (aiohttp's `HTTPMethodNotAllowed`).
    pub(super) fn method_not_allowed() -> Self {
        let status = StatusCode::METHOD_NOT_ALLOWED;
        Self { status, code: "HTTPMethodNotAllowed", message: "Method Not Allowed".into() }
    }
}

impl From<RuntimeError> for ApiError {
    fn from(error: RuntimeError) -> Self {
        let (status, code) = match error {
            RuntimeError::Stopped => (StatusCode::SERVICE_UNAVAILABLE, "HTTPServiceUnavailable"),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "RuntimeError"),
        };
        Self { status, code, message: error.to_string() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error = json!({ "code": self.code, "message": self.message });
        (self.status, Json(json!({ "success": false, "error": error }))).into_response()
    }
}
