//! Routing-table upkeep (spec `dht.md` §8): buckets nobody touched for a while are refreshed with
//! a lookup of a random id inside them, and any bucket can be refreshed on request.

use std::time::Duration;

use super::community::Goal;
use super::{DhtCommunity, DhtError, RefreshBucket};
use crate::proto::{Context, Reply, Responder};

/// How often buckets are checked for staleness (py-ipv8: 60 s).
pub const NODE_MAINTENANCE: Duration = Duration::from_secs(60);
/// A bucket unchanged this long is refreshed (py-ipv8: 15 minutes).
pub const BUCKET_REFRESH: Duration = Duration::from_secs(15 * 60);

impl DhtCommunity {
    /// Refreshes every bucket unchanged for [`BUCKET_REFRESH`].
    pub(super) fn refresh_stale_buckets(&mut self, ctx: &mut Context<'_, Self>) {
        let now = ctx.now();
        let Some(table) = &self.routing else { return };
        let stale: Vec<String> = table
            .buckets()
            .iter()
            .filter(|b| b.last_changed.is_none_or(|at| now.duration_since(at) >= BUCKET_REFRESH))
            .map(super::Bucket::prefix)
            .collect();
        for prefix in stale {
            self.refresh(ctx, &prefix, None);
        }
    }

    /// Starts a refresh of the bucket with `prefix`; `false` if there is none.
    fn refresh(
        &mut self,
        ctx: &mut Context<'_, Self>,
        prefix: &str,
        reply: Option<Reply<Option<Result<(), DhtError>>>>,
    ) -> bool {
        let Some(table) = &self.routing else { return false };
        let Some(bucket) = table.buckets().iter().find(|b| b.prefix() == prefix) else {
            return false;
        };
        let target = bucket.random_id(ctx.rng());
        if let Some(bucket) = self.routing.as_mut().and_then(|t| t.bucket_mut(prefix)) {
            bucket.last_changed = Some(ctx.now());
        }
        self.start(ctx, *target.as_bytes(), true, Goal::Refresh(reply));
        true
    }
}

impl Responder<RefreshBucket> for DhtCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: RefreshBucket,
        reply: Reply<Option<Result<(), DhtError>>>,
    ) {
        let known = self
            .routing
            .as_ref()
            .is_some_and(|t| t.buckets().iter().any(|b| b.prefix() == request.prefix));
        if known {
            self.refresh(ctx, &request.prefix, Some(reply));
        } else {
            ctx.reply(reply, None);
        }
    }
}
