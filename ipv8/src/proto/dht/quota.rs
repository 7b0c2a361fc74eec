//! The per-peer store quota: how many values one requester may store here per token rotation, so
//! one flooding peer cannot fill the node's storage for everyone (py-ipv8 has no such limit).

use std::collections::HashMap;
use std::net::IpAddr;

/// Values one requester IP may store per token rotation (5 minutes).
pub const MAX_STORES_PER_PEER: usize = 128;
/// Requester IPs tracked at once; beyond it, stores from new IPs are refused until the reset.
const MAX_TRACKED: usize = 10_000;

/// Values stored per requester IP since the last reset.
#[derive(Debug, Default)]
pub(super) struct StoreQuota {
    used: HashMap<IpAddr, usize>,
}

impl StoreQuota {
    /// Takes `count` values of `ip`'s quota; `false` (and nothing taken) if they do not fit.
    pub(super) fn take(&mut self, ip: IpAddr, count: usize) -> bool {
        if !self.used.contains_key(&ip) && self.used.len() >= MAX_TRACKED {
            return false;
        }
        let used = self.used.entry(ip).or_default();
        if *used + count > MAX_STORES_PER_PEER {
            return false;
        }
        *used += count;
        true
    }

    /// Starts a new period.
    pub(super) fn reset(&mut self) {
        self.used.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_requester_gets_its_quota_per_period_and_no_more() {
        let mut quota = StoreQuota::default();
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        assert!(quota.take(a, MAX_STORES_PER_PEER - 1));
        assert!(quota.take(a, 1));
        assert!(!quota.take(a, 1), "over the quota");
        assert!(quota.take(b, 8), "another requester has its own");
        quota.reset();
        assert!(quota.take(a, 8), "a new period");
    }
}
