//! [`Network`]: the node's table of verified peers and the communities (services) each one runs.
//! One table is shared by all communities of a node, as in py-ipv8.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::time::Instant;

use super::{CommunityId, Peer};
use crate::crypto::PublicKey;

/// What the table knows of one peer.
#[derive(Debug, Clone)]
pub struct PeerEntry {
    /// The peer, with its latest address.
    pub peer: Peer,
    /// Communities the peer runs.
    pub services: BTreeSet<CommunityId>,
    /// When a packet last arrived from the peer's address.
    pub last_response: Option<Instant>,
}

/// Verified peers by key, with an index by address.
#[derive(Debug, Default)]
pub struct Network {
    peers: HashMap<PublicKey, PeerEntry>,
    by_address: HashMap<SocketAddr, PublicKey>,
}

impl Network {
    /// Adds a verified peer (or updates its address); returns `true` if it was not known.
    pub fn add_verified_peer(&mut self, peer: &Peer) -> bool {
        self.by_address.insert(peer.address(), peer.key().clone());
        if let Some(entry) = self.peers.get_mut(peer.key()) {
            if entry.peer.address() != peer.address() {
                self.by_address.remove(&entry.peer.address());
                self.by_address.insert(peer.address(), peer.key().clone());
                entry.peer.set_address(peer.address());
            }
            return false;
        }
        let entry =
            PeerEntry { peer: peer.clone(), services: BTreeSet::new(), last_response: None };
        self.peers.insert(peer.key().clone(), entry);
        true
    }

    /// Records that the peer with `key` runs `service`; returns `true` if that is news.
    pub fn add_service(&mut self, key: &PublicKey, service: CommunityId) -> bool {
        self.peers.get_mut(key).is_some_and(|entry| entry.services.insert(service))
    }

    /// Removes a peer; returns its entry.
    pub fn remove_peer(&mut self, key: &PublicKey) -> Option<PeerEntry> {
        let entry = self.peers.remove(key)?;
        if self.by_address.get(&entry.peer.address()) == Some(key) {
            self.by_address.remove(&entry.peer.address());
        }
        Some(entry)
    }

    /// The entry of a peer.
    #[must_use]
    pub fn get(&self, key: &PublicKey) -> Option<&PeerEntry> {
        self.peers.get(key)
    }

    /// The peer last heard from `address`.
    #[must_use]
    pub fn peer_at(&self, address: SocketAddr) -> Option<&Peer> {
        self.by_address.get(&address).and_then(|key| self.peers.get(key)).map(|entry| &entry.peer)
    }

    /// Notes that a packet arrived from `address` at `now`.
    pub fn touch(&mut self, address: SocketAddr, now: Instant) {
        if let Some(entry) = self.by_address.get(&address).and_then(|key| self.peers.get_mut(key)) {
            entry.last_response = Some(now);
        }
    }

    /// Peers that run `service`, in a stable order (by key bytes).
    #[must_use]
    pub fn peers_for(&self, service: CommunityId) -> Vec<Peer> {
        let mut peers: Vec<_> = self
            .peers
            .values()
            .filter(|e| e.services.contains(&service))
            .map(|e| e.peer.clone())
            .collect();
        peers.sort_by(|a, b| a.key().to_bin().cmp(b.key().to_bin()));
        peers
    }

    /// Every verified peer.
    pub fn peers(&self) -> impl Iterator<Item = &PeerEntry> {
        self.peers.values()
    }

    /// How many verified peers there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.peers.len()
    }

    /// Whether no peer is known.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }
}
