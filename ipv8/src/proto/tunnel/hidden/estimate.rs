//! Estimating a swarm's size (py-ipv8's `estimate_swarm_size`, the REST API's
//! `/tunnel/swarms/{infohash}/size`): ask the DHT through our exit, then every introduction
//! point learnt, up to a number of requests, and count the distinct seeders PEX reported.

use super::swarm::{IntroductionPoint, PeerSource};
use crate::proto::tunnel::community::TunnelCommunity;
use crate::proto::{Context, Reply, Request, Responder};

/// Counts the distinct seeders of swarm `info_hash` (it need not be joined) that introduction
/// points report through PEX, with at most `max_requests` peers-requests over circuits of `hops`
/// hops. Answers 0 when no circuit of that length is ready.
#[derive(Debug, Clone, Copy)]
pub struct EstimateSwarmSize {
    /// The swarm.
    pub info_hash: [u8; 20],
    /// Hops of the circuits the requests go through.
    pub hops: usize,
    /// Requests sent at most (py-ipv8's default is 10).
    pub max_requests: usize,
}

impl Request for EstimateSwarmSize {
    type Response = usize;
}

/// An estimate under way.
pub(in crate::proto::tunnel) struct Estimate {
    info_hash: [u8; 20],
    hops: usize,
    max_requests: usize,
    found: Vec<IntroductionPoint>,
    /// Who was asked: `None` for the DHT, else an introduction point's key.
    tried: Vec<Option<Vec<u8>>>,
    pending: usize,
    reply: Reply<usize>,
}

impl TunnelCommunity {
    /// Sends what requests are left to send; answers once none is pending.
    fn estimate_step(&mut self, ctx: &mut Context<'_, Self>, id: u64) {
        let Some(mut estimate) = self.hidden.estimates.remove(&id) else { return };
        let mut untried: Vec<Option<IntroductionPoint>> = Vec::new();
        if !estimate.tried.contains(&None) {
            untried.push(None);
        }
        for ip in &estimate.found {
            let key = Some(ip.peer.key().to_bin().to_vec());
            let fresh = !estimate.tried.contains(&key)
                && !untried.iter().flatten().any(|u| u.peer.key() == ip.peer.key());
            if fresh {
                untried.push(Some(ip.clone()));
            }
        }
        while estimate.tried.len() < estimate.max_requests && !untried.is_empty() {
            let pick = usize::try_from(ctx.rng().below(untried.len() as u64)).unwrap_or(0);
            let target = untried.swap_remove(pick);
            estimate.tried.push(target.as_ref().map(|ip| ip.peer.key().to_bin().to_vec()));
            let (info_hash, hops) = (estimate.info_hash, estimate.hops);
            if self.send_peers_request(ctx, info_hash, target, hops, Some(id)) {
                estimate.pending += 1;
            }
        }
        if estimate.pending > 0 {
            self.hidden.estimates.insert(id, estimate);
            return;
        }
        let mut seeders: Vec<&Vec<u8>> = estimate
            .found
            .iter()
            .filter(|ip| ip.source == PeerSource::Pex)
            .map(|ip| &ip.seeder_pk)
            .collect();
        seeders.sort();
        seeders.dedup();
        let count = seeders.len();
        ctx.reply(estimate.reply, count);
    }

    /// A peers-request of estimate `id` was answered with `ips` (or timed out: none).
    pub(in crate::proto::tunnel) fn estimate_answered(
        &mut self,
        ctx: &mut Context<'_, Self>,
        id: u64,
        ips: Vec<IntroductionPoint>,
    ) {
        if let Some(estimate) = self.hidden.estimates.get_mut(&id) {
            estimate.pending = estimate.pending.saturating_sub(1);
            estimate.found.extend(ips);
            self.estimate_step(ctx, id);
        }
    }
}

impl Responder<EstimateSwarmSize> for TunnelCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: EstimateSwarmSize,
        reply: Reply<usize>,
    ) {
        let id = self.hidden.next_estimate;
        self.hidden.next_estimate += 1;
        let estimate = Estimate {
            info_hash: request.info_hash,
            hops: request.hops,
            max_requests: request.max_requests,
            found: Vec::new(),
            tried: Vec::new(),
            pending: 0,
            reply,
        };
        self.hidden.estimates.insert(id, estimate);
        self.estimate_step(ctx, id);
    }
}
