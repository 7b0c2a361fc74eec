//! Pings and pongs (messages 3 and 4, unsigned): a pong is matched to its ping by identifier
//! through the request cache, and its round-trip time is recorded for the peer.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::DiscoveryCommunity;
use crate::crypto::PublicKey;
use crate::messages::discovery::{PingPayload, PongPayload};
use crate::proto::discovery::Timed;
use crate::proto::{Context, NumberCache, Peer};

/// How long a ping waits for its pong (py-ipv8's `PingRequestCache.timeout_delay`).
pub const PING_TIMEOUT: Duration = Duration::from_secs(5);

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

/// Sends a ping to `peer` and remembers it, so that its pong is recognised. A second ping with the
/// same identifier keeps the first one's cache, as in py-ipv8.
pub(super) fn send(ctx: &mut Context<'_, DiscoveryCommunity>, peer: &Peer) {
    let global_time = ctx.claim_global_time();
    let identifier = (global_time % 65_536) as u16;
    ctx.ez_send_unsigned(peer, &Timed { global_time, payload: PingPayload { identifier } });
    let cache = PingCache { key: peer.key().clone(), sent_at: ctx.now() };
    let _ = ctx.add_cache(u64::from(identifier), cache);
}

/// Answers a ping with `identifier` to `to`.
pub(super) fn pong(ctx: &mut Context<'_, DiscoveryCommunity>, to: SocketAddr, identifier: u16) {
    let global_time = ctx.claim_global_time();
    ctx.ez_send_unsigned(to, &Timed { global_time, payload: PongPayload { identifier } });
}

/// Finishes the ping a pong answers: records its round-trip time (py-ipv8's
/// `PingRequestCache.finish`).
pub(super) fn finish(ctx: &mut Context<'_, DiscoveryCommunity>, identifier: u16) {
    if let Some(cache) = ctx.request_cache().pop::<PingCache>(u64::from(identifier)) {
        let rtt = ctx.now().duration_since(cache.sent_at);
        ctx.network_mut().record_ping(&cache.key, rtt);
    }
}
