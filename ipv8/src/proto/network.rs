//! [`Network`]: the node's table of verified peers and the communities (services) each one runs.
//! One table is shared by all communities of a node, as in py-ipv8.

use std::collections::{BTreeSet, HashMap, HashSet};
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
    /// The LAN address the peer reported in its last introduction-request.
    pub lan_address: Option<SocketAddr>,
    /// Whether the peer speaks the new-style (IPv6-capable) discovery messages.
    pub new_style: bool,
}

/// An address we were told about and may walk to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walkable {
    /// The peer that introduced it, if known.
    pub introducer: Option<PublicKey>,
    /// The community it was introduced in.
    pub service: CommunityId,
    /// Whether the introducer said it speaks the new-style messages.
    pub new_style: bool,
}

/// Most walkable addresses kept; beyond it, new introductions are ignored.
const WALKABLE_LIMIT: usize = 500;

/// Verified peers by key, with an index by address.
#[derive(Debug, Default)]
pub struct Network {
    peers: HashMap<PublicKey, PeerEntry>,
    by_address: HashMap<SocketAddr, PublicKey>,
    walkable: HashMap<SocketAddr, Walkable>,
    blacklist: HashSet<SocketAddr>,
}

impl Network {
    /// Adds a verified peer (or updates its address); returns `true` if it was not known.
    pub fn add_verified_peer(&mut self, peer: &Peer) -> bool {
        self.walkable.remove(&peer.address());
        self.by_address.insert(peer.address(), peer.key().clone());
        if let Some(entry) = self.peers.get_mut(peer.key()) {
            if entry.peer.address() != peer.address() {
                self.by_address.remove(&entry.peer.address());
                self.by_address.insert(peer.address(), peer.key().clone());
                entry.peer.set_address(peer.address());
            }
            return false;
        }
        let entry = PeerEntry {
            peer: peer.clone(),
            services: BTreeSet::new(),
            last_response: None,
            lan_address: None,
            new_style: false,
        };
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

    /// The entry of a peer, to update it.
    pub fn get_mut(&mut self, key: &PublicKey) -> Option<&mut PeerEntry> {
        self.peers.get_mut(key)
    }

    /// Adds an address to walk to; blacklisted and already verified addresses are ignored.
    pub fn add_walkable(&mut self, address: SocketAddr, walkable: Walkable) -> bool {
        let ignored = self.blacklist.contains(&address)
            || self.by_address.contains_key(&address)
            || address.ip().is_unspecified()
            || address.port() == 0
            || self.walkable.len() >= WALKABLE_LIMIT;
        if ignored {
            return false;
        }
        self.walkable.insert(address, walkable);
        true
    }

    /// Forgets a walkable address.
    pub fn remove_walkable(&mut self, address: SocketAddr) -> Option<Walkable> {
        self.walkable.remove(&address)
    }

    /// The walkable address entry for `address`.
    #[must_use]
    pub fn walkable(&self, address: SocketAddr) -> Option<&Walkable> {
        self.walkable.get(&address)
    }

    /// Walkable addresses introduced in `service`, in a stable order.
    #[must_use]
    pub fn walkable_for(&self, service: CommunityId) -> Vec<SocketAddr> {
        let mut addresses: Vec<_> =
            self.walkable.iter().filter(|(_, w)| w.service == service).map(|(a, _)| *a).collect();
        addresses.sort_unstable();
        addresses
    }

    /// Never treats `address` as a peer or a walkable address again (bootstrap servers).
    pub fn blacklist(&mut self, address: SocketAddr) {
        self.walkable.remove(&address);
        self.blacklist.insert(address);
    }

    /// Whether `address` is blacklisted.
    #[must_use]
    pub fn is_blacklisted(&self, address: SocketAddr) -> bool {
        self.blacklist.contains(&address)
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
