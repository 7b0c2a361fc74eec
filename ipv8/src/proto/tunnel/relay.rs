//! [`RelayRoute`]: one direction of a circuit this node relays (spec `tunnels.md` §5, §6.2). A
//! relay holds two routes under its two circuit ids: cells arriving on the originator's side go
//! on FORWARD with one layer taken off, cells arriving from the next hop go back BACKWARD with one
//! layer added, both with the keys shared with the originator.

use super::circuit::Traffic;
use super::{CryptoError, Direction, ReplayWindow, SessionKeys};
use crate::proto::Peer;

/// Where cells arriving under one circuit id go.
pub(super) struct RelayRoute {
    /// The circuit id on the other link.
    pub(super) next_id: u32,
    /// The peer on the other link.
    pub(super) peer: Peer,
    pub(super) keys: SessionKeys,
    /// FORWARD: toward the exit (take a layer off); BACKWARD: toward the originator (add one).
    pub(super) direction: Direction,
    /// Cells relayed (py-ipv8 counts them all against `max_relay_early`, quirk T4; it starts at 1).
    pub(super) relay_early_count: u32,
    pub(super) traffic: Traffic,
    /// FORWARD counters seen.
    pub(super) window: ReplayWindow,
    /// A rendezvous point's route between two circuits' ends (spec §8 step 8): cells lose this
    /// circuit's FORWARD layer and get the other circuit's BACKWARD layer.
    pub(super) rendezvous: bool,
}

impl RelayRoute {
    pub(super) fn new(
        next_id: u32,
        peer: Peer,
        keys: SessionKeys,
        direction: Direction,
        now: std::time::Instant,
    ) -> Self {
        Self {
            next_id,
            peer,
            keys,
            direction,
            relay_early_count: 1,
            traffic: Traffic::new(now),
            window: ReplayWindow::default(),
            rendezvous: false,
        }
    }

    /// The message as the next link gets it.
    pub(super) fn relay(&mut self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        match self.direction {
            Direction::Forward => {
                self.keys.decrypt_once(Direction::Forward, message, &mut self.window)
            }
            Direction::Backward => Ok(self.keys.encrypt(Direction::Backward, message)),
        }
    }
}
