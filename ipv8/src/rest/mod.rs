//! The REST API, py-ipv8 compatible: `GET /network`, `GET /overlays`, `/dht/*` and the `/tunnel/*`
//! read routes (more endpoints follow).
//!
//! [`network_json`] and [`overlays_json`] build the bodies from a node; [`RestServer`] (or
//! [`serve`]) answers them over HTTP/1.1 from a node that runs on the [`runtime`](crate::runtime),
//! on `127.0.0.1` unless told otherwise, as py-ipv8's `RESTManager` does. py-ipv8's API key, CORS
//! and TLS are not implemented yet.

mod dht;
mod dht_peers;
mod error;
mod json;
mod routes;
mod server;
mod tunnel;
mod tunnel_speed;

pub use error::BindError;
pub use json::{network_json, overlays_json};
pub use server::{RestServer, serve};
