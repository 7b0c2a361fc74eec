//! The built-in messages every IPv8 node speaks, generated from `schemas/messages/*.toml`.
//!
//! Core messages (introductions and punctures, old and new style, and the authentication and
//! global-time headers) are at this module's top level; the DiscoveryCommunity's own messages are in
//! [`discovery`], the DHT's in [`dht`], the tunnels' in [`tunnel`], the attestation and identity overlays' in
//! [`attestation`] and [`identity`]. Every layout is pinned by golden vectors captured from py-ipv8.
//!
//! # Examples
//!
//! ```
//! use ipv8::messages::PuncturePayload;
//! use ipv8::wire::{Message, Payload};
//!
//! let puncture = PuncturePayload {
//!     source_lan_address: "192.168.2.20:7000".parse()?,
//!     source_wan_address: "203.0.113.5:8090".parse()?,
//!     identifier: 1,
//! };
//! assert_eq!(PuncturePayload::MSG_ID, 249);
//! assert_eq!(puncture.to_bytes()?.len(), 14);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod generated_attestation;
mod generated_core;
mod generated_dht;
mod generated_discovery;
mod generated_identity;
mod generated_tunnel;

pub use generated_core::*;

/// The DiscoveryCommunity's messages: similarity request/response, ping and pong.
pub mod discovery {
    pub use super::generated_discovery::*;
}

/// The DHT's messages (ids 1–10: ping, store, find, store-peer, connect-peer and their responses)
/// and its signed value layout.
pub mod dht {
    pub use super::generated_dht::*;
}

/// The attestation (wallet) overlay's messages (ids 1–5: verify request, attestation chunk,
/// challenge, challenge response, request for an attestation), each signed with a global time.
pub mod attestation {
    pub use super::generated_attestation::*;
}

/// The identity overlay's messages (ids 1–4: disclose, attest, request missing tokens and the
/// answer), each signed.
pub mod identity {
    pub use super::generated_identity::*;
}

/// The tunnels' messages (ids 1–20: data, create/created, extend/extended, ping/pong, destroy,
/// the hidden-service handshakes, PEX and speed tests), and the nested introduction and
/// rendezvous records. Inside a cell the circuit id travels in the cell header
/// ([`Cell`](crate::proto::tunnel::Cell)).
pub mod tunnel {
    pub use super::generated_tunnel::*;
}
