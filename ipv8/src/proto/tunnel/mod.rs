//! Anonymous tunnels (py-ipv8's `TunnelCommunity` and `HiddenTunnelCommunity`, spec
//! `tunnels.md`). This first part is the wire and the cryptography every circuit stands on:
//! [`Cell`] framing, the ntor-like handshake ([`respond`], [`complete`]), per-hop
//! [`SessionKeys`] with their ChaCha20-Poly1305 layers, the [`Candidates`] a hop offers, and the
//! [`PeerFlags`] peers advertise.

mod candidates;
mod cell;
mod crypto;
mod flags;

pub use candidates::{Candidates, CandidatesError, MAX_OFFERED};
pub use cell::{CELL_HEADER_LEN, CELL_ID, Cell, CellError, cell_message};
pub use crypto::{
    Created, CryptoError, Direction, EphemeralKey, LAYER_OVERHEAD, SessionKeys, complete, respond,
};
pub use flags::PeerFlags;

/// The community id of `TunnelCommunity` and `HiddenTunnelCommunity` (both share it):
/// `81ded07332bdc775aa5a46f96de9f8f390bbc9f3`.
pub const COMMUNITY_ID: crate::proto::CommunityId = crate::proto::CommunityId([
    0x81, 0xde, 0xd0, 0x73, 0x32, 0xbd, 0xc7, 0x75, 0xaa, 0x5a, 0x46, 0xf9, 0x6d, 0xe9, 0xf8, 0xf3,
    0x90, 0xbb, 0xc9, 0xf3,
]);
