//! [`Walker`]: what a discovery [`Strategy`] acts through on each walker tick, and the per-community
//! walking state (strategies with their peer targets, bootstrappers).

use std::net::SocketAddr;
use std::time::Instant;

use super::introduction::Core;
use super::{Bootstrapper, Strategy};
use crate::proto::{Peer, Rng};

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

    /// The verified peers of this community.
    #[must_use]
    pub fn peers(&self) -> Vec<Peer> {
        self.core.shared.network.peers_for(self.core.community_id)
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

    /// Forgets a walkable address.
    pub fn forget_walkable(&mut self, address: SocketAddr) {
        self.core.shared.network.remove_walkable(address);
    }

    /// Sends an introduction-request to `address`.
    pub fn walk_to(&mut self, address: SocketAddr) {
        self.core.walk_to(address);
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
