//! The REST API, py-ipv8 compatible: `GET /network` and `GET /overlays` (more endpoints follow).
//!
//! [`network_json`] and [`overlays_json`] build the bodies from a node; the server that serves them on
//! 127.0.0.1 comes with the runtime.

mod json;

pub use json::{network_json, overlays_json};
