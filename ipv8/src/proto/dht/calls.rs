//! What the DHT calls on a node (a running one, or one in the simulator) can fail with, and the
//! version a signed value gets.

use std::time::{SystemTime, UNIX_EPOCH};

use super::DhtError;
use crate::proto::AskError;

/// Why a DHT call on a node failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DhtCallError {
    /// The DHT tried and failed (no nodes known, nothing stored or found, ...).
    #[error(transparent)]
    Dht(#[from] DhtError),
    /// The node runs no DHT, or the DHT did not answer.
    #[error(transparent)]
    Ask(#[from] AskError),
    /// The node has stopped.
    #[error("the node has stopped")]
    Stopped,
}

/// The version py-ipv8 signs a value with: the Unix time in seconds (of a signer's values under
/// one key, nodes keep the highest), from the system clock: for drivers and applications that
/// store values; communities use [`Context::unix_seconds`](crate::proto::Context::unix_seconds).
#[must_use]
pub fn unix_version() -> u32 {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    u32::try_from(seconds).unwrap_or(u32::MAX)
}
