//! [`Walker`]: what a discovery [`Strategy`] acts through on each walker tick, and the per-community
//! walking state (strategies with their peer targets, bootstrappers).

use std::net::SocketAddr;
use std::time::Instant;

use super::community::SentPing;
use super::introduction::Core;
use super::{Bootstrapper, Strategy};
use crate::crypto::PublicKey;
use crate::proto::{CommunityId, Network, Peer, Rng};

/// Chance, out of 100, that `get_new_introduction` keeps a bootstrap server alive instead (py-ipv8).
const KEEP_ALIVE_PERCENT: u64 = 5;

/// A strategy and the peer count below which it runs (`None`: always, py-ipv8's `-1`).
pub(crate) struct WalkerEntry {
    pub(crate) strategy: Box<dyn Strategy>,
    pub(crate) target_peers: Option<usize>,
}

/// The walking state of one community.
#[derive(Default)]
pub(crate) struct WalkState {
    pub(crate) strategies: Vec<WalkerEntry>,
    pub(crate) bootstrappers: Vec<Box<dyn Bootstrapper>>,
}

/// A community's discovery actions, handed to strategies on each walker tick.
pub struct Walker<'a> {
    pub(crate) core: Core<'a>,
    pub(crate) bootstrappers: &'a mut Vec<Box<dyn Bootstrapper>>,
}

impl Walker<'_> {
    /// The current time.
    #[must_use]
    pub fn now(&self) -> Instant {
        self.core.shared.now
    }

    /// The community the strategy runs in.
    #[must_use]
    pub fn community_id(&self) -> CommunityId {
        self.core.community_id
    }

    /// The node's peer table (shared by all its communities).
    #[must_use]
    pub fn network(&self) -> &Network {
        &self.core.shared.network
    }

    /// The verified peers of this community.
    #[must_use]
    pub fn peers(&self) -> Vec<Peer> {
        self.core.shared.network.peers_for(self.core.community_id)
    }

    /// Every verified peer of the node, whatever community it runs.
    #[must_use]
    pub fn verified_peers(&self) -> Vec<Peer> {
        self.core.shared.network.verified_peers()
    }

    /// Up to `n` verified peers of the node, drawn at random.
    pub fn sample_verified_peers(&mut self, n: usize) -> Vec<Peer> {
        let mut peers = self.verified_peers();
        let n = n.min(peers.len());
        for i in 0..n {
            let rest = (peers.len() - i) as u64;
            let j = i + usize::try_from(self.rng().below(rest)).unwrap_or(0);
            peers.swap(i, j);
        }
        peers.truncate(n);
        peers
    }

    /// Addresses introduced in this community that we may walk to.
    #[must_use]
    pub fn walkable(&self) -> Vec<SocketAddr> {
        self.core.shared.network.walkable_for(self.core.community_id)
    }

    /// Whether `address` belongs to a verified peer.
    #[must_use]
    pub fn is_verified(&self, address: SocketAddr) -> bool {
        self.core.shared.network.peer_at(address).is_some()
    }

    /// The addresses the peer with `key` introduced us to (see [`Network::introductions_from`]).
    #[must_use]
    pub fn introductions_from(&self, key: &PublicKey) -> Vec<SocketAddr> {
        self.core.shared.network.introductions_from(key)
    }

    /// Forgets a walkable address.
    pub fn forget_walkable(&mut self, address: SocketAddr) {
        self.core.shared.network.remove_walkable(address);
    }

    /// Removes the peer with `key` from the node's peer table once this walker tick is over; the
    /// communities it ran are told through
    /// [`Community::on_peer_removed`](crate::proto::Community::on_peer_removed).
    pub fn remove_peer(&mut self, key: &PublicKey) {
        self.core.shared.request_removal(key);
    }

    /// Sends an introduction-request to `address`.
    pub fn walk_to(&mut self, address: SocketAddr) {
        self.core.walk_to(address);
    }

    /// Sends an introduction-request to `peer` (py-ipv8's `send_introduction_request`).
    pub fn send_introduction_request(&mut self, peer: &Peer) {
        self.core.walk_to(peer.address());
    }

    /// Pings `peer` with the DiscoveryCommunity's ping; if the node runs the
    /// [`DiscoveryCommunity`](super::DiscoveryCommunity), the pong adds a round-trip time to the
    /// peer's [`PeerEntry::pings`](crate::proto::PeerEntry::pings).
    pub fn send_ping(&mut self, peer: &Peer) {
        let identifier = self.core.ping(peer);
        let sent_at = self.now();
        let key = peer.key().clone();
        self.core.shared.sent_pings.push(SentPing { identifier, key, sent_at });
    }

    /// Sends the DiscoveryCommunity's similarity-request, listing this node's communities, to
    /// `address`.
    pub fn send_similarity_request(&mut self, address: SocketAddr) {
        self.core.send_similarity_request(address);
    }

    /// The node's random numbers.
    pub fn rng(&mut self) -> &mut Rng {
        &mut self.core.shared.rng
    }

    /// Asks every bootstrapper for addresses and walks to them.
    pub fn bootstrap(&mut self) {
        let now = self.now();
        for index in 0..self.bootstrappers.len() {
            let addresses = self.bootstrappers[index].bootstrap(now, &mut self.core.shared.network);
            for address in addresses {
                self.core.walk_to(address);
            }
            let probe = super::probe(&self.core.prefix);
            for address in self.bootstrappers[index].probes(now) {
                self.core.shared.transmit(address, probe.clone());
            }
        }
    }

    /// Walks to one bootstrap server, to stay known to it.
    pub fn keep_alive(&mut self) {
        let rng = &mut self.core.shared.rng;
        let picked = self.bootstrappers.iter_mut().find_map(|b| b.keep_alive(rng));
        if let Some(address) = picked {
            self.core.walk_to(address);
        }
    }

    /// py-ipv8's `get_new_introduction`: ask a random peer for an introduction (now and then a
    /// bootstrap server instead), or bootstrap when there are no peers.
    pub fn get_new_introduction(&mut self) {
        let peers = self.peers();
        if peers.is_empty() {
            self.bootstrap();
            return;
        }
        if !self.bootstrappers.is_empty() && self.rng().below(100) < KEEP_ALIVE_PERCENT {
            self.keep_alive();
            return;
        }
        if let Some(peer) = self.core.shared.rng.choose(&peers).cloned() {
            self.core.walk_to(peer.address());
        }
    }
}
