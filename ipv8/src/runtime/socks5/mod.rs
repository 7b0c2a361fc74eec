//! SOCKS5 (RFC 1928, `UDP ASSOCIATE` only, no authentication) on both ends.
//!
//! [`Socks5Server`] is a front-end to tunnel circuits, as Tribler's `ipv8_rust_tunnels` offers:
//! any UDP application sends its datagrams to the relay socket of its association, they leave
//! through a data circuit of the node of the configured hop count, and what comes back through
//! that circuit is returned to the application with a SOCKS5 UDP header. Circuits' exits apply
//! their exit policy (py-ipv8's: BitTorrent-like traffic with `EXIT_BT`, IPv8 packets with
//! `EXIT_IPV8`); other data is dropped there.
//!
//! The client end is an [`Endpoint`](super::Endpoint) opened with
//! [`EndpointConfig::with_socks5`](super::EndpointConfig::with_socks5): a node on it sends and
//! receives everything through the proxy's relay, so that with a [`Socks5Server`] behind it the
//! node's peers see it at its circuits' exits (py-ipv8's `TunnelEndpoint`, which anonymizes a
//! pseudonym's overlays).

mod client;
pub(crate) mod codec;
mod server;

pub(crate) use client::{Association, associate, connect};
pub use client::{HANDSHAKE_TIMEOUT, Socks5Error};
pub use server::{MAX_ASSOCIATIONS, Socks5Server};

#[cfg(test)]
mod tests;
