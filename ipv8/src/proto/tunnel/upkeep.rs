//! A tunnel community's periodic work (spec `tunnels.md` §6.1 steps 5–7): build the circuits
//! asked for, remove circuits, relays and exits that are idle, old or worn out, forget candidates
//! that left, and keep our circuits alive with pings.

use std::time::Duration;

use super::cells::PingCache;
use super::circuit::{CircuitState, CircuitType};
use super::community::TunnelCommunity;
use crate::messages::tunnel::PingPayload;
use crate::proto::{Context, Schedule};

/// How often missing circuits are built and worn ones removed.
pub const CIRCUIT_CHECK_INTERVAL: Duration = Duration::from_secs(5);
/// How often our circuits are pinged.
pub const PING_INTERVAL: Duration = Duration::from_millis(7500);

impl TunnelCommunity {
    pub(super) fn start_upkeep(ctx: &mut Context<'_, Self>) {
        let every = Schedule::every(CIRCUIT_CHECK_INTERVAL);
        let _ = ctx.register_task("tunnel circuits", every, Self::do_circuits);
        let _ = ctx.register_task("tunnel ping", Schedule::every(PING_INTERVAL), Self::do_ping);
        let every = Schedule::every(super::hidden::PEER_DISCOVERY_INTERVAL);
        let _ = ctx.register_task("tunnel peer discovery", every, |t: &mut Self, ctx| {
            if t.is_hidden() {
                t.do_peer_discovery(ctx);
            }
        });
    }

    /// Builds the data circuits still missing per hop count (stopping at the first that cannot
    /// start), then removes what wore out.
    pub(super) fn do_circuits(&mut self, ctx: &mut Context<'_, Self>) {
        let needed: Vec<(usize, usize)> =
            self.circuits_needed.iter().map(|(hops, wanted)| (*hops, *wanted)).collect();
        for (hops, wanted) in needed {
            let have = self
                .circuits
                .values()
                .filter(|c| c.ctype == CircuitType::Data && c.goal_hops == hops)
                .filter(|c| c.state != CircuitState::Closing)
                .count();
            for _ in have..wanted {
                if self.create_circuit(ctx, hops, CircuitType::Data, None).is_err() {
                    break;
                }
            }
        }
        self.do_hidden_circuits(ctx);
        self.do_remove(ctx);
    }

    /// Removes circuits, relays and exits that are idle, too old or past their traffic limit, and
    /// candidates that are no longer our peers.
    pub(super) fn do_remove(&mut self, ctx: &mut Context<'_, Self>) {
        let now = ctx.now();
        let s = self.settings.clone();
        let idle = |last: std::time::Instant| now.duration_since(last) > s.max_time_inactive;
        let old = |created: std::time::Instant, ip: bool| {
            now.duration_since(created) > if ip { s.max_time_ip } else { s.max_time }
        };
        self.circuits.retain(|_, c| c.remove_at.is_none_or(|at| at > now));
        let mut removals = Vec::new();
        for (id, circuit) in &self.circuits {
            let t = circuit.traffic;
            if circuit.state == CircuitState::Ready && idle(t.last_activity) {
                removals.push((*id, "no activity", None));
            } else if circuit.state != CircuitState::Closing
                && old(t.created_at, circuit.ctype == CircuitType::IpSeeder)
            {
                removals.push((*id, "too old", None));
            } else if circuit.state != CircuitState::Closing && t.total() > s.max_traffic {
                removals.push((*id, "traffic limit exceeded", Some(super::DESTROY_UNKNOWN)));
            }
        }
        for (id, reason, destroy) in removals {
            self.remove_circuit(ctx, id, reason, destroy);
        }
        let worn_relays: Vec<(u32, bool)> = self
            .relays
            .lock()
            .iter()
            .filter_map(|(id, r)| {
                let over = r.traffic.total() > s.max_traffic;
                (idle(r.traffic.last_activity) || over).then_some((*id, over))
            })
            .collect();
        for (id, over) in worn_relays {
            let removed = self.relays.lock().remove(&id);
            if let Some(route) = removed
                && over
            {
                {
                    Self::send_destroy(
                        ctx,
                        route.peer.address(),
                        route.next_id,
                        super::DESTROY_UNKNOWN,
                    );
                }
            }
        }
        let worn_exits: Vec<(u32, bool)> = self
            .exits
            .lock()
            .iter()
            .filter_map(|(id, e)| {
                let over = e.traffic.total() > s.max_traffic;
                let ip = self.is_introducing(*id);
                (idle(e.traffic.last_activity) || old(e.traffic.created_at, ip) || over)
                    .then_some((*id, over))
            })
            .collect();
        for (id, over) in worn_exits {
            if over && let Some(exit) = self.exits.lock().get(&id) {
                {
                    Self::send_destroy(ctx, exit.peer.address(), id, super::DESTROY_UNKNOWN);
                }
            }
            self.remove_exit(ctx, id);
        }
        let peers: std::collections::HashSet<_> =
            ctx.peers().into_iter().map(|peer| peer.key().clone()).collect();
        self.candidates.retain(|key, _| peers.contains(key));
    }

    /// Pings every circuit of ours that has a hop; the last hop answers, which counts as activity.
    pub(super) fn do_ping(&mut self, ctx: &mut Context<'_, Self>) {
        let due: Vec<(u32, std::net::SocketAddr)> = self
            .circuits
            .values()
            .filter(|c| c.state != CircuitState::Closing)
            // Rendezvous circuits are not pinged until linked (the seeder's never).
            .filter(|c| match c.ctype {
                CircuitType::RpSeeder => false,
                CircuitType::RpDownloader => c.e2e.is_some(),
                _ => true,
            })
            .filter_map(|c| Some((c.id, c.hops.first()?.peer.address())))
            .collect();
        for (circuit, first_hop) in due {
            let Ok(number) = ctx.add_random_cache(PingCache { circuit }) else { continue };
            let identifier = u16::try_from(number).unwrap_or_default();
            self.send_cell(ctx, first_hop, &PingPayload { circuit_id: circuit, identifier });
        }
    }
}
