//! [`Tracker`]: a bootstrap server, as py-ipv8's `scripts/tracker_service.py` (spec §4.9), built as
//! an ordinary community that listens for datagrams under every other prefix (as py-ipv8's
//! `EndpointServer` does), on the public API alone.
//!
//! It answers old-style introduction-requests (246) under any prefix with a 245 under the
//! requester's own prefix, introducing another peer of the same community (and sending that peer a
//! puncture-request). Every 10 s it pings up to 8 peers with a 246; a peer that does not answer
//! within 5 s is forgotten, and beyond 100 peers the oldest are dropped. New-style (23x) requests
//! are ignored, as the reference tracker does; new-style answers to its own pings are accepted.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::discovery::{Outcome, Timed};
use super::packet::{Incoming, PREFIX_LEN};
use super::{Community, CommunityId, Context, DropReason, NumberCache, Schedule};
use crate::community;
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

/// A liveness ping waiting for its answer, cached under its address and identifier; a peer whose
/// ping times out is forgotten.
struct Ping {
    key: PublicKey,
}

impl NumberCache<Tracker> for Ping {
    fn timeout_delay(&self) -> Duration {
        PING_TIMEOUT
    }

    fn on_timeout(self: Box<Self>, tracker: &mut Tracker, ctx: &mut Context<'_, Tracker>) {
        tracker.forget(ctx, &self.key);
    }
}

/// The number a ping is cached under: its IPv4 address, port and identifier.
fn ping_number(address: SocketAddr, identifier: u16) -> Option<u64> {
    let SocketAddr::V4(v4) = address else { return None };
    let ip = u64::from(u32::from(*v4.ip()));
    Some(ip << 32 | u64::from(v4.port()) << 16 | u64::from(identifier))
}

/// A bootstrap server; [`Node::enable_tracker`](super::Node::enable_tracker) adds one to a node.
#[derive(Debug)]
pub struct Tracker {
    id: CommunityId,
    peers: HashMap<PublicKey, Tracked>,
}

#[community]
impl Tracker {}

impl Community for Tracker {
    fn community_id(&self) -> CommunityId {
        self.id
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        ctx.listen_unclaimed(true);
        let round = Schedule::every(PING_INTERVAL);
        let _ = ctx.register_task("tracker liveness", round, Self::ping_sample);
    }

    fn on_unclaimed(
        &mut self,
        ctx: &mut Context<'_, Self>,
        incoming: &Incoming<'_>,
    ) -> Result<(), DropReason> {
        let data = incoming.data();
        let prefix = data.first_chunk::<PREFIX_LEN>().ok_or(DropReason::TooShort)?;
        match data.get(PREFIX_LEN).copied().ok_or(DropReason::TooShort)? {
            IntroductionRequestPayload::MSG_ID => self.on_request(ctx, incoming, *prefix),
            IntroductionResponsePayload::MSG_ID => self.on_response(ctx, incoming),
            NewIntroductionResponsePayload::MSG_ID => Self::on_new_response(ctx, incoming),
            _ => Err(DropReason::Refused("tracker_ignores")),
        }
    }
}

impl Tracker {
    /// A tracker that owns the (otherwise unused) community `id`.
    #[must_use]
    pub fn new(id: CommunityId) -> Self {
        Self { id, peers: HashMap::new() }
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

    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        incoming: &Incoming<'_>,
        prefix: Prefix,
    ) -> Result<(), DropReason> {
        // The discovery core checks the signature and answers; its outcome names the requester.
        let Outcome::Request(peer, _) = ctx.discovery_as(community_of(&prefix)).handle(incoming)?
        else {
            return Err(DropReason::UnknownMessage);
        };
        let now = ctx.now();
        let tracked = self.peers.entry(peer.key().clone()).or_insert_with(|| Tracked {
            first_seen: now,
            address: peer.address(),
            prefixes: BTreeSet::new(),
        });
        tracked.address = peer.address();
        tracked.prefixes.insert(prefix);
        self.enforce_limit(ctx);
        Ok(())
    }

    fn on_response(
        &mut self,
        ctx: &mut Context<'_, Self>,
        incoming: &Incoming<'_>,
    ) -> Result<(), DropReason> {
        let (peer, Timed { payload, .. }) =
            incoming.signed::<Timed<IntroductionResponsePayload>>()?;
        let ping = ping_number(incoming.source(), payload.identifier)
            .and_then(|number| ctx.request_cache().pop::<Ping>(number))
            .ok_or(DropReason::Refused("unexpected_response"))?;
        if ping.key == *peer.key() && payload.flags & PEER_LIMIT_REACHED != 0 {
            self.forget(ctx, peer.key());
        }
        Ok(())
    }

    /// A new-style answer to a ping: a peer that keeps the tracker as a peer switches to the new
    /// style after the tracker's 245 advertised it (quirk 3), so it counts as an answer too.
    fn on_new_response(
        ctx: &mut Context<'_, Self>,
        incoming: &Incoming<'_>,
    ) -> Result<(), DropReason> {
        let (_, Timed { payload, .. }) =
            incoming.signed::<Timed<NewIntroductionResponsePayload>>()?;
        ping_number(incoming.source(), payload.identifier)
            .and_then(|number| ctx.request_cache().pop::<Ping>(number))
            .map(drop)
            .ok_or(DropReason::Refused("unexpected_response"))
    }

    /// Drops the oldest peers beyond [`MAX_PEERS`].
    fn enforce_limit(&mut self, ctx: &mut Context<'_, Self>) {
        while self.peers.len() > MAX_PEERS {
            let Some(oldest) =
                self.peers.iter().min_by_key(|(_, t)| t.first_seen).map(|(k, _)| k.clone())
            else {
                return;
            };
            self.forget(ctx, &oldest);
        }
    }

    fn forget(&mut self, ctx: &mut Context<'_, Self>, key: &PublicKey) {
        self.peers.remove(key);
        ctx.remove_peer(key);
    }

    /// Pings a sample of the peers, each under one of the prefixes it used.
    fn ping_sample(&mut self, ctx: &mut Context<'_, Self>) {
        let mut keys: Vec<_> = self.peers.keys().cloned().collect();
        keys.sort_unstable();
        for _ in 0..PING_SAMPLE.min(keys.len()) {
            let index = usize::try_from(ctx.rng().below(keys.len() as u64)).unwrap_or(0);
            let key = keys.swap_remove(index);
            let Some(tracked) = self.peers.get(&key) else { continue };
            let prefixes: Vec<_> = tracked.prefixes.iter().copied().collect();
            let Some(&prefix) = ctx.rng().choose(&prefixes) else { continue };
            let address = tracked.address;
            let identifier = ctx.discovery_as(community_of(&prefix)).walk_to(address);
            if let Some(number) = ping_number(address, identifier) {
                let _ = ctx.add_cache(number, Ping { key });
            }
        }
    }
}

fn community_of(prefix: &Prefix) -> CommunityId {
    let mut id = [0; 20];
    id.copy_from_slice(&prefix[2..]);
    CommunityId(id)
}
