//! The REST API, py-ipv8 compatible: `GET /network`, `/overlays` and `/overlays/statistics`,
//! `POST /isolation`, `/asyncio/*` (answered for the tokio loop), `/dht/*`, `/noblockdht/*`,
//! `/tunnel/*`, and `/identity/*` and `/attestation` with pseudonyms.
//!
//! [`network_json`] and [`overlays_json`] build the bodies from a node; [`RestServer`] (or
//! [`serve`]) answers them over HTTP/1.1 from a node that runs on the [`runtime`](crate::runtime),
//! on `127.0.0.1` unless told otherwise, as py-ipv8's `RESTManager` does, with its protections:
//! an [`ApiKey`] (`X-Api-Key` or `?apikey=`), its CORS pre-flight answers, and HTTPS with a
//! [`TlsIdentity`] read from PEM. `docs/rest-security.md` in the repository shows the setup.
//! The API describes itself: an `OpenAPI` 3.1 document at `/docs/openapi.json`, made from the
//! routes, and Swagger UI at `/docs`.

mod access;
mod asyncio;
mod attestation;
#[cfg(feature = "config")]
mod configured;
mod dht;
mod dht_peers;
mod docs;
mod error;
mod identity;
mod isolation;
mod json;
mod metrics;
mod reply;
mod routes;
mod server;
mod statistics;
mod tls;
mod tunnel;
mod tunnel_speed;
mod ui;

pub use access::ApiKey;
pub use attestation::ATTESTATION_PSEUDONYM;
pub use error::{BindError, EmptyApiKey, TlsError};
pub use json::{network_json, overlays_json};
pub use server::{RestServer, serve};
pub use tls::TlsIdentity;

/// Every Rust snippet of `docs/rest-security.md`, compiled as a doc-test so the guide stays true.
#[cfg(all(doctest, feature = "config"))]
#[doc = include_str!("../../../docs/rest-security.md")]
pub struct SecurityGuideSnippets;
