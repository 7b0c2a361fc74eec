//! [`BindError`], why the REST server could not open its socket; [`TlsError`], why a certificate
//! could not be used; [`EmptyApiKey`]; and the JSON error bodies the routes answer with.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::runtime::RuntimeError;

/// Why a [`RestServer`](super::RestServer) could not be bound.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BindError {
    /// The address is not a loopback address, and neither an API key nor remote access without
    /// one was asked for (see [`RestServer::bind_with_key`](super::RestServer::bind_with_key) and
    /// [`RestServer::bind_allow_remote`](super::RestServer::bind_allow_remote)).
    #[error("refusing to serve the REST API on {0} without an API key: not a loopback address")]
    NotLoopback(SocketAddr),
    /// The configured API key is empty.
    #[error(transparent)]
    EmptyApiKey(#[from] EmptyApiKey),
    /// The configured certificate file cannot be used.
    #[error("the REST API's certificate: {0}")]
    Tls(#[from] TlsError),
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

/// An [`ApiKey`](super::ApiKey) was asked to be empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the REST API key is empty (leave it out to serve without a key)")]
pub struct EmptyApiKey;

/// Why a [`TlsIdentity`](super::TlsIdentity) could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The PEM file could not be read.
    #[error("cannot read {}: {error}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// What the operating system said.
        error: io::Error,
    },
    /// What is wrong in a PEM file.
    #[error("{}: {error}", file.display())]
    InFile {
        /// The file.
        file: PathBuf,
        /// What is wrong in it.
        error: Box<TlsError>,
    },
    /// The PEM text has no `CERTIFICATE` section.
    #[error("no certificate")]
    NoCertificate,
    /// The PEM text has no private key section (`PRIVATE KEY`, `RSA PRIVATE KEY` or
    /// `EC PRIVATE KEY`).
    #[error("no private key")]
    NoPrivateKey,
    /// A PEM section is malformed.
    #[error("malformed PEM: {message}")]
    Pem {
        /// What the PEM parser said.
        message: String,
    },
    /// rustls cannot use the key with the certificate (a key of a kind it does not support, or
    /// not the certificate's).
    #[error("unusable certificate or key: {message}")]
    Rejected {
        /// What rustls said.
        message: String,
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

    /// The request is malformed (a body that is not JSON): `400` with the name of the error
    /// py-ipv8 raises on it, where py-ipv8's middleware answers `500`.
    pub(super) fn bad_request(code: &'static str, message: String) -> Self {
        Self { status: StatusCode::BAD_REQUEST, code, message }
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
