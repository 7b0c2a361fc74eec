//! [`Peer`]: another node, known by its public key and reached at an address.

use std::hash::{Hash, Hasher};
use std::net::SocketAddr;

use crate::crypto::{Mid, PublicKey};

/// A peer: its public key (its identity) and the address it was last heard from.
///
/// Two peers are equal when their keys are, whatever their addresses (as in py-ipv8).
#[derive(Debug, Clone)]
pub struct Peer {
    key: PublicKey,
    address: SocketAddr,
}

impl Peer {
    /// A peer with `key`, reached at `address`.
    #[must_use]
    pub fn new(key: PublicKey, address: SocketAddr) -> Self {
        Self { key, address }
    }

    /// The peer's public key.
    #[must_use]
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// The address the peer is reached at.
    #[must_use]
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The SHA-1 of the peer's public key.
    #[must_use]
    pub fn mid(&self) -> Mid {
        self.key.mid()
    }

    pub(crate) fn set_address(&mut self, address: SocketAddr) {
        self.address = address;
    }
}

impl PartialEq for Peer {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Peer {}

impl Hash for Peer {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}
