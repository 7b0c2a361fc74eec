//! [`Shared`]: the node-wide state every community's [`Context`](super::Context) works on.

use std::any::Any;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use super::discovery::SentPings;
use super::packet::{KeyCache, PREFIX_LEN};
use super::{CommunityId, Network, Peer, Rng, Stats};
use crate::crypto::{PrivateKey, PublicKey};
use crate::wire::Payload;

/// Most datagrams queued for sending before new ones are refused (and counted).
pub(crate) const OUTBOX_LIMIT: usize = 1 << 16;
/// Most events kept for [`Node::poll_event`](super::Node::poll_event) before the oldest are dropped.
pub(crate) const EVENT_LIMIT: usize = 4096;
/// Most peer removals queued by strategies before further requests are ignored (until drained).
pub(crate) const REMOVAL_LIMIT: usize = 4096;

/// A datagram to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Where to send it.
    pub destination: SocketAddr,
    /// The bytes.
    pub contents: Vec<u8>,
}

/// Something that happened in a node, for the application driving it.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// A verified peer started running a community of this node.
    PeerAdded {
        /// The community.
        community_id: CommunityId,
        /// The peer.
        peer: Peer,
    },
    /// A peer was removed from the network table.
    PeerRemoved {
        /// The peer.
        peer: Peer,
    },
    /// A community emitted an event of its own with [`Context::emit`](super::Context::emit).
    Community {
        /// The community.
        community_id: CommunityId,
        /// The event; downcast it to the community's event type.
        event: Box<dyn Any + Send>,
    },
}

/// A message a handler accepted, as recorded for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The community it arrived in.
    pub community_id: CommunityId,
    /// Its message id.
    pub msg_id: u8,
    /// Where it came from.
    pub source: SocketAddr,
    /// Whether it was signed.
    pub signed: bool,
    /// The whole packet.
    pub packet: Vec<u8>,
}

impl Received {
    /// Decodes the payload as `P` (`None` if it is not one).
    #[must_use]
    pub fn payload<P: Payload>(&self) -> Option<P> {
        let start = super::packet::HEADER_LEN;
        if self.signed {
            let parts =
                super::packet::SignedParts::split(&self.packet, &KeyCache::default()).ok()?;
            P::from_bytes(parts.body).ok()
        } else {
            P::from_bytes(self.packet.get(start..)?).ok()
        }
    }
}

/// Node-wide state.
pub(crate) struct Shared {
    pub(crate) now: Instant,
    pub(crate) key: PrivateKey,
    pub(crate) public_key: PublicKey,
    pub(crate) address: Option<SocketAddr>,
    /// The WAN address others report seeing us at (py-ipv8's WAN estimate).
    pub(crate) wan_address: Option<SocketAddr>,
    pub(crate) network: Network,
    pub(crate) outbox: VecDeque<Transmit>,
    pub(crate) events: VecDeque<Event>,
    pub(crate) rng: Rng,
    pub(crate) stats: Stats,
    pub(crate) keys: KeyCache,
    pub(crate) received: Option<Vec<Received>>,
    pub(crate) global_time: u64,
    /// Peers that started running a community since the node last told its communities.
    pub(crate) new_services: Vec<(Peer, CommunityId)>,
    /// Peers strategies asked to remove; the node removes them and tells their communities.
    pub(crate) removals: VecDeque<PublicKey>,
    /// The ids of the communities this node runs, in the order they were added.
    pub(crate) local_communities: Vec<CommunityId>,
    /// Pings strategies sent, until the DiscoveryCommunity takes them into its request cache.
    pub(crate) sent_pings: SentPings,
}

impl Shared {
    pub(crate) fn new(key: PrivateKey, seed: u64, now: Instant) -> Self {
        let public_key = key.public_key();
        Self {
            now,
            key,
            public_key,
            address: None,
            wan_address: None,
            network: Network::default(),
            outbox: VecDeque::new(),
            events: VecDeque::new(),
            rng: Rng::new(seed),
            stats: Stats::default(),
            keys: KeyCache::default(),
            received: None,
            global_time: 0,
            new_services: Vec::new(),
            removals: VecDeque::new(),
            local_communities: Vec::new(),
            sent_pings: SentPings::default(),
        }
    }

    pub(crate) fn transmit(&mut self, destination: SocketAddr, contents: Vec<u8>) {
        if self.outbox.len() >= OUTBOX_LIMIT {
            self.stats.send_failed("outbox_full");
            return;
        }
        self.stats.sent += 1;
        if let (Some(prefix), Some(&msg_id)) =
            (contents.get(2..PREFIX_LEN), contents.get(PREFIX_LEN))
        {
            let mut id = [0; 20];
            id.copy_from_slice(prefix);
            self.stats.traffic(CommunityId(id), msg_id, contents.len(), true, self.now);
        }
        self.outbox.push_back(Transmit { destination, contents });
    }

    /// Asks the node to remove the peer with `key` once the current step is over.
    pub(crate) fn request_removal(&mut self, key: &PublicKey) {
        if self.removals.len() < REMOVAL_LIMIT && !self.removals.contains(key) {
            self.removals.push_back(key.clone());
        }
    }

    pub(crate) fn emit(&mut self, event: Event) {
        if self.events.len() >= EVENT_LIMIT {
            self.events.pop_front();
        }
        self.events.push_back(event);
    }
}
