//! [`Tracker`]: a bootstrap server, as py-ipv8's `scripts/tracker_service.py` (spec §4.9).
//!
//! It answers old-style introduction-requests (246) under any prefix with a 245 under the
//! requester's own prefix, introducing another peer of the same community (and sending that peer a
//! puncture-request). Every 10 s it pings up to 8 peers with a 246; a peer that does not answer
//! within 5 s is forgotten, and beyond 100 peers the oldest are dropped. New-style (23x) requests
//! are ignored, as the reference tracker does; new-style answers to its own pings are accepted.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::discovery::{Core, Outcome, Timed};
use super::packet::{Incoming, PREFIX_LEN};
use super::shared::Shared;
use super::{CommunityId, DropReason};
use crate::crypto::PublicKey;
use crate::messages::{
    IntroductionRequestPayload, IntroductionResponsePayload, NewIntroductionResponsePayload,
};
use crate::wire::Message;

/// Time between liveness rounds.
const PING_INTERVAL: Duration = Duration::from_secs(10);
/// Peers pinged per round.
const PING_SAMPLE: usize = 8;
/// Time a peer has to answer a ping.
const PING_TIMEOUT: Duration = Duration::from_secs(5);
/// Most peers kept; the oldest go first.
const MAX_PEERS: usize = 100;
/// The peer-limit-reached flag of a 245.
const PEER_LIMIT_REACHED: u8 = 0x04;

type Prefix = [u8; PREFIX_LEN];

/// What the tracker knows of one peer.
#[derive(Debug, Clone)]
struct Tracked {
    first_seen: Instant,
    address: SocketAddr,
    prefixes: BTreeSet<Prefix>,
}

/// A ping waiting for its answer.
#[derive(Debug, Clone)]
struct Ping {
    key: PublicKey,
    deadline: Instant,
}

/// The state of a bootstrap server; enable it with [`Node::enable_tracker`](super::Node::enable_tracker).
#[derive(Debug)]
pub struct Tracker {
    peers: HashMap<PublicKey, Tracked>,
    pings: HashMap<(SocketAddr, u16), Ping>,
    next_round: Instant,
}

impl Tracker {
    pub(crate) fn new(now: Instant) -> Self {
        Self { peers: HashMap::new(), pings: HashMap::new(), next_round: now + PING_INTERVAL }
    }

    /// How many peers the tracker knows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.peers.len()
    }

    /// Whether the tracker knows no peer.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }

    /// How many peers the tracker knows in `community`.
    #[must_use]
    pub fn peers_in(&self, community: CommunityId) -> usize {
        self.peers.values().filter(|t| t.prefixes.iter().any(|p| p[2..] == community.0)).count()
    }

    pub(crate) fn next_deadline(&self) -> Instant {
        self.pings.values().map(|ping| ping.deadline).fold(self.next_round, Instant::min)
    }

    /// Handles a datagram under a prefix no community of the node claims.
    pub(crate) fn handle(
        &mut self,
        shared: &mut Shared,
        source: SocketAddr,
        data: &[u8],
    ) -> Result<u8, DropReason> {
        let (prefix, rest) = data.split_first_chunk::<PREFIX_LEN>().ok_or(DropReason::TooShort)?;
        let msg_id = *rest.first().ok_or(DropReason::TooShort)?;
        let keys = std::mem::take(&mut shared.keys);
        let incoming = Incoming::new(source, data, &keys);
        let result = match msg_id {
            IntroductionRequestPayload::MSG_ID => self.on_request(shared, &incoming, *prefix),
            IntroductionResponsePayload::MSG_ID => self.on_response(shared, &incoming),
            NewIntroductionResponsePayload::MSG_ID => self.on_new_response(&incoming),
            _ => Err(DropReason::Refused("tracker_ignores")),
        };
        shared.keys = keys;
        result.map(|()| msg_id)
    }

    fn on_request(
        &mut self,
        shared: &mut Shared,
        incoming: &Incoming<'_>,
        prefix: Prefix,
    ) -> Result<(), DropReason> {
        let community_id = community_of(&prefix);
        let mut core = Core { shared: &mut *shared, community_id, prefix, max_peers: usize::MAX };
        // The core checked the signature and answered; its outcome names the requester.
        let Outcome::Request(peer, _) = core.handle(incoming)? else {
            return Err(DropReason::UnknownMessage);
        };
        let now = shared.now;
        let tracked = self.peers.entry(peer.key().clone()).or_insert_with(|| Tracked {
            first_seen: now,
            address: peer.address(),
            prefixes: BTreeSet::new(),
        });
        tracked.address = peer.address();
        tracked.prefixes.insert(prefix);
        self.enforce_limit(shared);
        Ok(())
    }

    fn on_response(
        &mut self,
        shared: &mut Shared,
        incoming: &Incoming<'_>,
    ) -> Result<(), DropReason> {
        let (peer, Timed { payload, .. }) =
            incoming.signed::<Timed<IntroductionResponsePayload>>()?;
        let Some(ping) = self.pings.remove(&(incoming.source(), payload.identifier)) else {
            return Err(DropReason::Refused("unexpected_response"));
        };
        if ping.key == *peer.key() && payload.flags & PEER_LIMIT_REACHED != 0 {
            self.forget(shared, peer.key());
        }
        Ok(())
    }

    /// A new-style answer to a ping: a peer that keeps the tracker as a peer switches to the new
    /// style after the tracker's 245 advertised it (quirk 3), so it counts as an answer too.
    fn on_new_response(&mut self, incoming: &Incoming<'_>) -> Result<(), DropReason> {
        let (_, Timed { payload, .. }) =
            incoming.signed::<Timed<NewIntroductionResponsePayload>>()?;
        match self.pings.remove(&(incoming.source(), payload.identifier)) {
            Some(_) => Ok(()),
            None => Err(DropReason::Refused("unexpected_response")),
        }
    }

    /// Drops the oldest peers beyond [`MAX_PEERS`].
    fn enforce_limit(&mut self, shared: &mut Shared) {
        while self.peers.len() > MAX_PEERS {
            let Some(oldest) =
                self.peers.iter().min_by_key(|(_, t)| t.first_seen).map(|(k, _)| k.clone())
            else {
                return;
            };
            self.forget(shared, &oldest);
        }
    }

    fn forget(&mut self, shared: &mut Shared, key: &PublicKey) {
        self.peers.remove(key);
        shared.network.remove_peer(key);
    }

    /// Runs the liveness round and expires unanswered pings.
    pub(crate) fn handle_timeout(&mut self, shared: &mut Shared) {
        let now = shared.now;
        let expired: Vec<_> =
            self.pings.iter().filter(|(_, p)| p.deadline <= now).map(|(k, _)| *k).collect();
        for ping in expired {
            if let Some(ping) = self.pings.remove(&ping) {
                self.forget(shared, &ping.key);
            }
        }
        if now >= self.next_round {
            self.next_round = now + PING_INTERVAL;
            self.ping_sample(shared);
        }
    }

    fn ping_sample(&mut self, shared: &mut Shared) {
        let mut keys: Vec<_> = self.peers.keys().cloned().collect();
        keys.sort_unstable();
        for _ in 0..PING_SAMPLE.min(keys.len()) {
            let index = usize::try_from(shared.rng.below(keys.len() as u64)).unwrap_or(0);
            let key = keys.swap_remove(index);
            let Some(tracked) = self.peers.get(&key) else { continue };
            let prefixes: Vec<_> = tracked.prefixes.iter().copied().collect();
            let Some(&prefix) = shared.rng.choose(&prefixes) else { continue };
            let address = tracked.address;
            let identifier = Core {
                shared: &mut *shared,
                community_id: community_of(&prefix),
                prefix,
                max_peers: usize::MAX,
            }
            .walk_to(address);
            self.pings
                .insert((address, identifier), Ping { key, deadline: shared.now + PING_TIMEOUT });
        }
    }
}

fn community_of(prefix: &Prefix) -> CommunityId {
    let mut id = [0; 20];
    id.copy_from_slice(&prefix[2..]);
    CommunityId(id)
}
