//! [`Network`]: the node's table of verified peers and the communities (services) each one runs.
//! One table is shared by all communities of a node, as in py-ipv8.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

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
    /// Round-trip times of the last [`PeerEntry::MAX_PINGS`] answered pings, oldest first.
    pub pings: VecDeque<Duration>,
}

impl PeerEntry {
    /// How many round-trip times are kept (py-ipv8's `Peer.pings` holds 5).
    pub const MAX_PINGS: usize = 5;

    /// The mean of the recorded round-trip times, if any (py-ipv8's `get_average_rtt`).
    #[must_use]
    pub fn average_ping(&self) -> Option<Duration> {
        let count = u32::try_from(self.pings.len()).ok().filter(|n| *n > 0)?;
        Some(self.pings.iter().sum::<Duration>() / count)
    }
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
/// Most peers whose introductions, or whose services before they are verified, are remembered
/// (py-ipv8's 500-entry caches); the oldest are forgotten first.
const INDEX_LIMIT: usize = 500;
/// Most addresses remembered per introducer; the oldest are forgotten first.
const INTRODUCTIONS_PER_PEER: usize = 32;
/// Most services recorded per peer; further ones are ignored.
const SERVICES_PER_PEER: usize = 256;

/// A map by public key that forgets its oldest keys beyond [`INDEX_LIMIT`].
#[derive(Debug)]
struct Bounded<V> {
    map: HashMap<PublicKey, V>,
    order: VecDeque<PublicKey>,
}

impl<V> Default for Bounded<V> {
    fn default() -> Self {
        Self { map: HashMap::new(), order: VecDeque::new() }
    }
}

impl<V: Default> Bounded<V> {
    fn entry(&mut self, key: &PublicKey) -> &mut V {
        if !self.map.contains_key(key) {
            if self.order.len() >= INDEX_LIMIT
                && let Some(oldest) = self.order.pop_front()
            {
                self.map.remove(&oldest);
            }
            self.order.push_back(key.clone());
        }
        self.map.entry(key.clone()).or_default()
    }

    fn remove(&mut self, key: &PublicKey) -> Option<V> {
        let value = self.map.remove(key)?;
        self.order.retain(|k| k != key);
        Some(value)
    }
}

/// Verified peers by key, with an index by address.
#[derive(Debug, Default)]
pub struct Network {
    peers: HashMap<PublicKey, PeerEntry>,
    by_address: HashMap<SocketAddr, PublicKey>,
    walkable: HashMap<SocketAddr, Walkable>,
    blacklist: HashSet<SocketAddr>,
    /// Services advertised by peers that are not verified (yet).
    pending_services: Bounded<BTreeSet<CommunityId>>,
    /// Addresses each peer introduced, whether or not they became peers since.
    introductions: Bounded<VecDeque<SocketAddr>>,
    /// Services that became known for a peer when it was verified, for the node to announce.
    announced: Vec<(Peer, CommunityId)>,
}

impl Network {
    /// Adds a verified peer (or updates its address); returns `true` if it was not known. Services
    /// it advertised before it was verified become its services now.
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
        let services = self.pending_services.remove(peer.key()).unwrap_or_default();
        self.announced.extend(services.iter().map(|service| (peer.clone(), *service)));
        let entry = PeerEntry {
            peer: peer.clone(),
            services,
            last_response: None,
            lan_address: None,
            new_style: false,
            pings: VecDeque::new(),
        };
        self.peers.insert(peer.key().clone(), entry);
        true
    }

    /// Records that the peer with `key` runs `service`; returns `true` if that is news.
    pub fn add_service(&mut self, key: &PublicKey, service: CommunityId) -> bool {
        self.peers.get_mut(key).is_some_and(|entry| {
            entry.services.len() < SERVICES_PER_PEER && entry.services.insert(service)
        })
    }

    /// Records the services a peer advertised (py-ipv8's `discover_services`) and returns those
    /// that are news for a verified peer. Services of a peer that is not verified are kept until
    /// it is, and are then announced by the node.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipv8::crypto::{Curve, PrivateKey};
    /// use ipv8::proto::{CommunityId, Network, Peer};
    ///
    /// let key = PrivateKey::generate(Curve::Curve25519)?.public_key();
    /// let peer = Peer::new(key, "127.0.0.1:8090".parse()?);
    /// let service = CommunityId([1; 20]);
    /// let mut network = Network::default();
    /// assert!(network.discover_services(&peer, &[service]).is_empty(), "not verified yet");
    /// network.add_verified_peer(&peer);
    /// assert_eq!(network.peers_for(service), [peer]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn discover_services(&mut self, peer: &Peer, services: &[CommunityId]) -> Vec<CommunityId> {
        if self.peers.contains_key(peer.key()) {
            return services.iter().copied().filter(|s| self.add_service(peer.key(), *s)).collect();
        }
        let pending = self.pending_services.entry(peer.key());
        for service in services {
            if pending.len() < SERVICES_PER_PEER {
                pending.insert(*service);
            }
        }
        Vec::new()
    }

    /// Takes the services that became known when their peers were verified.
    pub(crate) fn has_announced(&self) -> bool {
        !self.announced.is_empty()
    }

    pub(crate) fn take_announced(&mut self) -> Vec<(Peer, CommunityId)> {
        std::mem::take(&mut self.announced)
    }

    /// Removes a peer; returns its entry.
    pub fn remove_peer(&mut self, key: &PublicKey) -> Option<PeerEntry> {
        self.pending_services.remove(key);
        self.introductions.remove(key);
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

    /// Records the round-trip time of an answered ping; the oldest of more than
    /// [`PeerEntry::MAX_PINGS`] is forgotten.
    pub fn record_ping(&mut self, key: &PublicKey, rtt: Duration) {
        if let Some(entry) = self.peers.get_mut(key) {
            if entry.pings.len() >= PeerEntry::MAX_PINGS {
                entry.pings.pop_front();
            }
            entry.pings.push_back(rtt);
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

    /// Every verified peer, in a stable order (by key bytes).
    #[must_use]
    pub fn verified_peers(&self) -> Vec<Peer> {
        let mut peers: Vec<_> = self.peers.values().map(|e| e.peer.clone()).collect();
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

    /// Adds an address to walk to; blacklisted and already verified addresses are ignored. The
    /// introduction is remembered either way (see [`Network::introductions_from`]).
    pub fn add_walkable(&mut self, address: SocketAddr, walkable: Walkable) -> bool {
        let unusable = self.blacklist.contains(&address)
            || address.ip().is_unspecified()
            || address.port() == 0;
        if let Some(introducer) = walkable.introducer.as_ref().filter(|_| !unusable) {
            let introduced = self.introductions.entry(introducer);
            if !introduced.contains(&address) {
                if introduced.len() >= INTRODUCTIONS_PER_PEER {
                    introduced.pop_front();
                }
                introduced.push_back(address);
            }
        }
        // As py-ipv8: a verified address stays known (it may be walkable in another community); an
        // entry is only replaced once the peer that introduced it is gone.
        let introducer_known =
            |w: &Walkable| w.introducer.as_ref().is_some_and(|key| self.peers.contains_key(key));
        let replace = self.walkable.get(&address).is_none_or(|old| !introducer_known(old));
        if unusable
            || !replace
            || (self.walkable.len() >= WALKABLE_LIMIT && !self.walkable.contains_key(&address))
        {
            return false;
        }
        self.walkable.insert(address, walkable);
        true
    }

    /// The addresses the peer with `key` introduced us to, oldest first, including those that
    /// became verified peers since (py-ipv8's `get_introductions_from`).
    #[must_use]
    pub fn introductions_from(&self, key: &PublicKey) -> Vec<SocketAddr> {
        self.introductions.map.get(key).map(|a| a.iter().copied().collect()).unwrap_or_default()
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
        // As py-ipv8: addresses introduced in `service` (or by a peer running it), except those of
        // peers already verified in `service`.
        let verified_here = |address: &SocketAddr| {
            self.by_address
                .get(address)
                .and_then(|key| self.peers.get(key))
                .is_some_and(|e| e.services.contains(&service))
        };
        let introducer_runs = |w: &Walkable| {
            w.introducer
                .as_ref()
                .and_then(|key| self.peers.get(key))
                .is_some_and(|e| e.services.contains(&service))
        };
        let mut addresses: Vec<_> = self
            .walkable
            .iter()
            .filter(|(address, w)| {
                (w.service == service || introducer_runs(w)) && !verified_here(address)
            })
            .map(|(a, _)| *a)
            .collect();
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
