//! [`Walker`]: what a discovery [`Strategy`] acts through on each walker tick (typed access to its
//! community and the community's [`Context`]), and the per-community walking state (strategies
//! with their peer targets, bootstrappers).

use std::net::SocketAddr;
use std::time::Instant;

use super::{Bootstrapper, Strategy};
use crate::crypto::PublicKey;
use crate::proto::{Community, CommunityId, Context, Network, Peer, Rng};

/// Chance, out of 100, that `get_new_introduction` keeps a bootstrap server alive instead (py-ipv8).
const KEEP_ALIVE_PERCENT: u64 = 5;

/// A strategy and the peer count below which it runs (`None`: always, py-ipv8's `-1`).
pub(crate) struct WalkerEntry<C> {
    pub(crate) strategy: Box<dyn Strategy<C>>,
    pub(crate) name: &'static str,
    pub(crate) target_peers: Option<usize>,
}

/// The walking state of one community.
pub(crate) struct WalkState<C> {
    pub(crate) strategies: Vec<WalkerEntry<C>>,
    pub(crate) bootstrappers: Vec<Box<dyn Bootstrapper>>,
}

impl<C> Default for WalkState<C> {
    fn default() -> Self {
        Self { strategies: Vec::new(), bootstrappers: Vec::new() }
    }
}

/// A community that pings its peers to see they are alive; [`RandomChurn`](super::RandomChurn)
/// and [`PingChurn`](super::PingChurn) run in such communities. The
/// [`DiscoveryCommunity`](super::DiscoveryCommunity) pings with its unsigned ping (message 3).
pub trait Ping: Community {
    /// Pings `peer`; an answer shows as a fresh
    /// [`PeerEntry::last_response`](crate::proto::PeerEntry::last_response).
    fn ping(&mut self, ctx: &mut Context<'_, Self>, peer: &Peer);
}

/// A community's discovery actions, handed to its strategies on each walker tick, with typed
/// access to the community ([`Walker::community`]) and its context ([`Walker::context`]: request
/// cache, tasks, sending).
pub struct Walker<'a, C> {
    pub(crate) community: &'a mut C,
    pub(crate) ctx: Context<'a, C>,
    pub(crate) bootstrappers: &'a mut Vec<Box<dyn Bootstrapper>>,
}

impl<'a, C: Community> Walker<'a, C> {
    /// The community the strategy runs in.
    pub fn community(&mut self) -> &mut C {
        self.community
    }

    /// The community's context: its request cache, tasks, key, sending.
    pub fn context(&mut self) -> &mut Context<'a, C> {
        &mut self.ctx
    }

    /// The community and its context together, as a handler gets them.
    pub fn parts(&mut self) -> (&mut C, &mut Context<'a, C>) {
        (self.community, &mut self.ctx)
    }

    /// The current time.
    #[must_use]
    pub fn now(&self) -> Instant {
        self.ctx.now()
    }

    /// The community the strategy runs in.
    #[must_use]
    pub fn community_id(&self) -> CommunityId {
        self.ctx.community_id()
    }

    /// The node's peer table (shared by all its communities).
    #[must_use]
    pub fn network(&self) -> &Network {
        self.ctx.network()
    }

    /// The verified peers of this community.
    #[must_use]
    pub fn peers(&self) -> Vec<Peer> {
        self.ctx.peers()
    }

    /// Every verified peer of the node, whatever community it runs.
    #[must_use]
    pub fn verified_peers(&self) -> Vec<Peer> {
        self.network().verified_peers()
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
        self.network().walkable_for(self.community_id())
    }

    /// Whether `address` belongs to a verified peer.
    #[must_use]
    pub fn is_verified(&self, address: SocketAddr) -> bool {
        self.network().peer_at(address).is_some()
    }

    /// The addresses the peer with `key` introduced us to (see [`Network::introductions_from`]).
    #[must_use]
    pub fn introductions_from(&self, key: &PublicKey) -> Vec<SocketAddr> {
        self.network().introductions_from(key)
    }

    /// Forgets a walkable address.
    pub fn forget_walkable(&mut self, address: SocketAddr) {
        self.ctx.network_mut().remove_walkable(address);
    }

    /// Removes the peer with `key` from the node's peer table once this walker tick is over; the
    /// communities it ran are told through
    /// [`Community::on_peer_removed`](crate::proto::Community::on_peer_removed).
    pub fn remove_peer(&mut self, key: &PublicKey) {
        self.ctx.remove_peer(key);
    }

    /// Sends an introduction-request to `address`.
    pub fn walk_to(&mut self, address: SocketAddr) {
        self.ctx.walk_to(address);
    }

    /// Sends an introduction-request to `peer` (py-ipv8's `send_introduction_request`).
    pub fn send_introduction_request(&mut self, peer: &Peer) {
        self.ctx.walk_to(peer.address());
    }

    /// The node's random numbers.
    pub fn rng(&mut self) -> &mut Rng {
        self.ctx.rng()
    }

    /// Asks every bootstrapper for addresses and walks to them.
    pub fn bootstrap(&mut self) {
        let now = self.now();
        let probe = super::probe(&self.ctx.prefix());
        for index in 0..self.bootstrappers.len() {
            let addresses = self.bootstrappers[index].bootstrap(now, self.ctx.network_mut());
            for address in addresses {
                self.ctx.walk_to(address);
                self.ctx.shared.stats.bootstrap_walks += 1;
            }
            for address in self.bootstrappers[index].probes(now) {
                self.ctx.send_direct(address, probe.clone());
            }
        }
    }

    /// Walks to one bootstrap server, to stay known to it.
    pub fn keep_alive(&mut self) {
        let rng = self.ctx.rng();
        let picked = self.bootstrappers.iter_mut().find_map(|b| b.keep_alive(rng));
        if let Some(address) = picked {
            self.ctx.walk_to(address);
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
        if let Some(peer) = self.rng().choose(&peers).cloned() {
            self.ctx.walk_to(peer.address());
        }
    }
}

impl<C: Ping> Walker<'_, C> {
    /// Pings `peer` the community's way (see [`Ping`]).
    pub fn send_ping(&mut self, peer: &Peer) {
        self.community.ping(&mut self.ctx, peer);
    }
}
