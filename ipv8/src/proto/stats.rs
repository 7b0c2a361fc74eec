//! [`Stats`] and [`DropReason`]: what the node received, sent and refused, counted per reason.

use std::collections::BTreeMap;

use crate::wire::DecodeError;

/// Why a received packet was dropped. Nothing from the network makes the node panic: every bad
/// packet ends here and is counted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DropReason {
    /// Shorter than a header, or than its own key and signature.
    #[error("packet too short")]
    TooShort,
    /// No community is registered under the packet's prefix.
    #[error("unknown community prefix")]
    UnknownCommunity,
    /// The community has no handler for the message id.
    #[error("no handler for the message id")]
    UnknownMessage,
    /// The sender's key could not be parsed.
    #[error("invalid public key")]
    InvalidKey,
    /// The signature does not verify.
    #[error("bad signature")]
    BadSignature,
    /// The payload does not decode.
    #[error("malformed payload: {0}")]
    Malformed(DecodeError),
    /// The packet came from this node's own key.
    #[error("packet from ourselves")]
    FromSelf,
    /// A community refused the packet for its own reason.
    #[error("{0}")]
    Refused(&'static str),
}

impl DropReason {
    /// A short label to count drops under.
    #[must_use]
    pub fn label(&self) -> &'static str {
        match self {
            Self::TooShort => "too_short",
            Self::UnknownCommunity => "unknown_community",
            Self::UnknownMessage => "unknown_message",
            Self::InvalidKey => "invalid_key",
            Self::BadSignature => "bad_signature",
            Self::Malformed(_) => "malformed",
            Self::FromSelf => "from_self",
            Self::Refused(reason) => reason,
        }
    }
}

/// Counters of a node: packets handled per message id and dropped per reason.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    /// Packets received.
    pub received: u64,
    /// Packets handed to a handler, by message id.
    pub handled: BTreeMap<u8, u64>,
    /// Packets dropped, by [`DropReason::label`].
    pub dropped: BTreeMap<&'static str, u64>,
    /// Packets queued for sending.
    pub sent: u64,
    /// Messages that could not be encoded or queued, by reason.
    pub send_failed: BTreeMap<&'static str, u64>,
}

impl Stats {
    pub(crate) fn drop(&mut self, reason: &DropReason) {
        *self.dropped.entry(reason.label()).or_default() += 1;
    }

    pub(crate) fn handled(&mut self, msg_id: u8) {
        *self.handled.entry(msg_id).or_default() += 1;
    }

    pub(crate) fn send_failed(&mut self, reason: &'static str) {
        *self.send_failed.entry(reason).or_default() += 1;
    }

    /// Drops counted under `label`.
    #[must_use]
    pub fn dropped(&self, label: &str) -> u64 {
        self.dropped.get(label).copied().unwrap_or_default()
    }
}
