//! [`Stats`] and [`DropReason`]: what the node received, sent and refused, counted per reason.

use std::collections::{BTreeMap, HashMap, HashSet};

use std::time::Instant;

use super::CommunityId;

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
    /// A legacy-curve signature went unchecked: such checks had used up their CPU budget
    /// ([`Node::set_legacy_check_budget`](super::Node::set_legacy_check_budget)).
    #[error("legacy signature checks over budget")]
    CheckBudget,
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
            Self::CheckBudget => "check_budget",
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
    /// LAN broadcast probes answered with an introduction-request.
    pub probes_answered: u64,
    /// Messages that could not be encoded or queued, by reason.
    pub send_failed: BTreeMap<&'static str, u64>,
    /// Panics of community code (handlers, tasks, strategies, callbacks, jobs) the node caught.
    pub panics: u64,
    /// Introduction-requests sent (walk steps, bootstrap walks included).
    pub walks: u64,
    /// Introduction-requests sent to addresses bootstrappers gave.
    pub bootstrap_walks: u64,
    /// Datagrams that communities' fast paths forwarded past their handlers
    /// ([`FastPath`](super::FastPath)); they count as received, handled and sent as well.
    pub fast_forwarded: u64,
    /// Birthday punching: tries that opened their sockets and sprayed (a peer on another network
    /// stayed silent after its introduction; see [`Node::set_birthday_punching`](super::Node::set_birthday_punching)).
    pub birthday_tries: u64,
    /// Birthday punching: peers reached through a try's socket (a route made).
    pub birthday_routes: u64,
    /// Birthday punching: tries that ran out without hearing from their peer.
    pub birthday_failed: u64,
    /// Traffic per community and message id, both ways (py-ipv8's statistics endpoint), for
    /// the communities whose traffic is counted ([`Stats::is_tracked`]).
    pub communities: HashMap<CommunityId, BTreeMap<u8, MessageStats>>,
    /// Communities whose traffic is not counted
    /// ([`Node::set_statistics`](super::Node::set_statistics)).
    untracked: HashSet<CommunityId>,
}

/// Traffic of one message id in one community (py-ipv8's `NetworkStat`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MessageStats {
    /// When the first datagram was sent.
    pub first_up: Option<Instant>,
    /// When the last datagram was sent.
    pub last_up: Option<Instant>,
    /// When the first datagram was received.
    pub first_down: Option<Instant>,
    /// When the last datagram was received.
    pub last_down: Option<Instant>,
    /// Datagrams sent.
    pub num_up: u64,
    /// Datagrams received.
    pub num_down: u64,
    /// Bytes sent.
    pub bytes_up: u64,
    /// Bytes received.
    pub bytes_down: u64,
}

/// The earlier of two times, either of which may be missing.
fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl MessageStats {
    /// The sum of two counters.
    #[must_use]
    pub fn plus(self, other: Self) -> Self {
        Self {
            first_up: earliest(self.first_up, other.first_up),
            last_up: self.last_up.max(other.last_up),
            first_down: earliest(self.first_down, other.first_down),
            last_down: self.last_down.max(other.last_down),
            num_up: self.num_up + other.num_up,
            num_down: self.num_down + other.num_down,
            bytes_up: self.bytes_up + other.bytes_up,
            bytes_down: self.bytes_down + other.bytes_down,
        }
    }

    /// When the first datagram was counted, either way.
    #[must_use]
    pub fn first(&self) -> Option<Instant> {
        earliest(self.first_up, self.first_down)
    }

    /// When the last datagram was counted, either way.
    #[must_use]
    pub fn last(&self) -> Option<Instant> {
        self.last_up.max(self.last_down)
    }

    /// Seconds between the first and the last datagram counted.
    #[must_use]
    pub fn diff_time(&self) -> f64 {
        match (self.first(), self.last()) {
            (Some(first), Some(last)) => last.duration_since(first).as_secs_f64(),
            _ => 0.0,
        }
    }
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

    /// Counts a datagram of `community` with `msg_id`, sent (`up`) or received.
    pub(crate) fn traffic(
        &mut self,
        community: CommunityId,
        msg_id: u8,
        len: usize,
        up: bool,
        now: Instant,
    ) {
        if self.untracked.contains(&community) {
            return;
        }
        let entry = self.communities.entry(community).or_default().entry(msg_id).or_default();
        let len = len as u64;
        if up {
            entry.first_up.get_or_insert(now);
            entry.last_up = Some(now);
            entry.num_up += 1;
            entry.bytes_up += len;
        } else {
            entry.first_down.get_or_insert(now);
            entry.last_down = Some(now);
            entry.num_down += 1;
            entry.bytes_down += len;
        }
    }

    /// Counts the traffic of `community` from now on, or stops counting it and forgets what
    /// was counted (py-ipv8's `enable_community_statistics`).
    pub(crate) fn track(&mut self, community: CommunityId, enabled: bool) {
        if enabled {
            self.untracked.remove(&community);
        } else {
            self.untracked.insert(community);
            self.communities.remove(&community);
        }
    }

    /// Whether the traffic of `community` is counted (it is unless switched off).
    #[must_use]
    pub fn is_tracked(&self, community: CommunityId) -> bool {
        !self.untracked.contains(&community)
    }

    /// All traffic of `community`, summed over its message ids.
    #[must_use]
    pub fn community_total(&self, community: CommunityId) -> MessageStats {
        self.communities.get(&community).map_or_else(MessageStats::default, |messages| {
            messages.values().fold(MessageStats::default(), |sum, m| sum.plus(*m))
        })
    }

    /// Drops counted under `label`.
    #[must_use]
    pub fn dropped(&self, label: &str) -> u64 {
        self.dropped.get(label).copied().unwrap_or_default()
    }
}
