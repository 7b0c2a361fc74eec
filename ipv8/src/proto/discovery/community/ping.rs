//! Pings and pongs (messages 3 and 4, unsigned): a pong is matched to its ping by identifier
//! through the request cache, and its round-trip time is recorded for the peer.
//!
//! Strategies cannot reach a community's request cache, so the pings they send wait in the node's
//! [`SentPings`] until the DiscoveryCommunity handles its next packet, which takes them into its
//! cache (with their original send time) before it looks for a pong's ping.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::DiscoveryCommunity;
use crate::crypto::PublicKey;
use crate::messages::discovery::{PingPayload, PongPayload};
use crate::proto::discovery::Core;
use crate::proto::{Context, NumberCache, Peer};

/// How long a ping waits for its pong (py-ipv8's `PingRequestCache.timeout_delay`).
pub const PING_TIMEOUT: Duration = Duration::from_secs(5);
/// Most pings from strategies that wait to be taken into the request cache; the oldest go first.
const SENT_PINGS_LIMIT: usize = 1024;

/// A ping sent by a strategy.
#[derive(Debug, Clone)]
pub(crate) struct SentPing {
    pub(crate) identifier: u16,
    pub(crate) key: PublicKey,
    pub(crate) sent_at: Instant,
}

/// Pings sent by strategies, not yet in the DiscoveryCommunity's request cache.
#[derive(Debug, Default)]
pub(crate) struct SentPings {
    pings: VecDeque<SentPing>,
}

impl SentPings {
    pub(crate) fn push(&mut self, ping: SentPing) {
        if self.pings.len() >= SENT_PINGS_LIMIT {
            self.pings.pop_front();
        }
        self.pings.push_back(ping);
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.pings.len()
    }

    fn take(&mut self) -> VecDeque<SentPing> {
        std::mem::take(&mut self.pings)
    }
}

/// A ping waiting for its pong (py-ipv8's `PingRequestCache`). On timeout nothing happens: dropping
/// unresponsive peers is the churn strategy's job.
struct PingCache {
    key: PublicKey,
    sent_at: Instant,
}

impl NumberCache<DiscoveryCommunity> for PingCache {
    fn timeout_delay(&self) -> Duration {
        PING_TIMEOUT
    }
}

impl Core<'_> {
    /// Sends a ping to `peer` in the DiscoveryCommunity; returns its identifier.
    pub(crate) fn ping(&mut self, peer: &Peer) -> u16 {
        let global_time = self.claim();
        let identifier = (global_time % 65_536) as u16;
        self.discovery().send_unsigned_at(peer.address(), global_time, PingPayload { identifier });
        identifier
    }

    /// Answers a ping with `identifier` to `to`.
    pub(crate) fn pong(&mut self, to: SocketAddr, identifier: u16) {
        let global_time = self.claim();
        self.discovery().send_unsigned_at(to, global_time, PongPayload { identifier });
    }
}

/// Remembers a ping sent at `sent_at`, so that its pong is recognised. A second ping with the same
/// identifier keeps the first one's cache, as in py-ipv8.
pub(super) fn expect_pong(
    ctx: &mut Context<'_, DiscoveryCommunity>,
    identifier: u16,
    key: PublicKey,
    sent_at: Instant,
) {
    let cache = PingCache { key, sent_at };
    let _ = ctx.request_cache().add(sent_at, u64::from(identifier), cache);
}

/// Takes the pings strategies sent into the request cache; those past their timeout are dropped.
pub(super) fn adopt_sent_pings(ctx: &mut Context<'_, DiscoveryCommunity>) {
    let now = ctx.now();
    for ping in ctx.shared.sent_pings.take() {
        if now.duration_since(ping.sent_at) < PING_TIMEOUT {
            expect_pong(ctx, ping.identifier, ping.key, ping.sent_at);
        }
    }
}

/// Finishes the ping a pong answers: records its round-trip time (py-ipv8's
/// `PingRequestCache.finish`).
pub(super) fn finish(ctx: &mut Context<'_, DiscoveryCommunity>, identifier: u16) {
    if let Some(cache) = ctx.request_cache().pop::<PingCache>(u64::from(identifier)) {
        let rtt = ctx.now().duration_since(cache.sent_at);
        ctx.shared.network.record_ping(&cache.key, rtt);
    }
}
