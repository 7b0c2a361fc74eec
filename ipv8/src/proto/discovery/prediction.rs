//! Port prediction: punctures toward the ports just after a walker's, for walkers behind NATs
//! that give each new destination the next free port (sequential symmetric NATs).
//!
//! A puncture-request names the walker's address as the tracker saw it. Behind a symmetric NAT
//! the walker reaches us from another port: the one its NAT picks for us. A NAT that allocates
//! ports in sequence picks one of the next few, so puncturing those as well lets the walker's
//! introduction-request through a port-restricted NAT on our side. Nothing new goes on the wire:
//! the extra datagrams are the same signed puncture, sent to more addresses, and a py-ipv8 peer
//! behind a symmetric NAT benefits as much as ours. Against a NAT that picks ports at random
//! (Linux `masquerade random`), a fixed budget of `PREDICTED_PORTS` hits with a chance of about
//! `PREDICTED_PORTS` in 64 512: it does not help there (see the guide's "NAT traversal lab").
//!
//! Bounded: one prediction per walker address per [`REPEAT_AFTER`], at most
//! [`MAX_PER_WINDOW`] predictions per [`REPEAT_AFTER`] in all, [`PREDICTED_PORTS`] datagrams
//! each.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// How many ports after the walker's one prediction punctures.
pub const PREDICTED_PORTS: u16 = 8;
/// How long a walker address is not predicted for again (and the window of
/// [`MAX_PER_WINDOW`]); a NAT keeps an unanswered UDP mapping for 30 s or more, so the ports
/// punctured stay open until then.
pub const REPEAT_AFTER: Duration = Duration::from_secs(10);
/// How many predictions a node makes per [`REPEAT_AFTER`] at most: at most
/// `MAX_PER_WINDOW × PREDICTED_PORTS` extra datagrams in that time.
pub const MAX_PER_WINDOW: usize = 16;

/// The predictions of the last [`REPEAT_AFTER`], which bound the next ones.
#[derive(Debug, Default)]
pub(crate) struct PortPrediction {
    /// The walker addresses predicted for, oldest first, with when.
    recent: VecDeque<(Instant, SocketAddr)>,
}

impl PortPrediction {
    /// The extra addresses to puncture for a puncture-request about `walker` at `now`: the
    /// [`PREDICTED_PORTS`] ports after its port on its IP, or none when `walker` was predicted
    /// for within [`REPEAT_AFTER`] or the budget of this window is spent.
    pub(crate) fn candidates(&mut self, now: Instant, walker: SocketAddr) -> Vec<SocketAddr> {
        while self
            .recent
            .front()
            .is_some_and(|(at, _)| now.saturating_duration_since(*at) >= REPEAT_AFTER)
        {
            self.recent.pop_front();
        }
        if self.recent.len() >= MAX_PER_WINDOW || self.recent.iter().any(|(_, a)| *a == walker) {
            return Vec::new();
        }
        self.recent.push_back((now, walker));
        (1..=PREDICTED_PORTS)
            .filter_map(|step| walker.port().checked_add(step))
            .map(|port| SocketAddr::new(walker.ip(), port))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walker(port: u16) -> SocketAddr {
        SocketAddr::from(([10, 0, 2, 2], port))
    }

    #[test]
    fn predicts_the_ports_after_the_walkers_once_per_interval() {
        let mut prediction = PortPrediction::default();
        let start = Instant::now();
        let ports: Vec<u16> =
            prediction.candidates(start, walker(20_000)).iter().map(SocketAddr::port).collect();
        assert_eq!(ports, (20_001..=20_008).collect::<Vec<_>>());
        let soon = start + REPEAT_AFTER.saturating_sub(Duration::from_millis(1));
        assert!(prediction.candidates(soon, walker(20_000)).is_empty(), "not again so soon");
        assert_eq!(prediction.candidates(soon, walker(30_000)).len(), 8, "another walker");
        let later = start + REPEAT_AFTER;
        assert_eq!(prediction.candidates(later, walker(20_000)).len(), 8, "again after a while");
    }

    #[test]
    fn stops_at_the_last_port_and_at_the_budget_of_a_window() {
        let mut prediction = PortPrediction::default();
        let now = Instant::now();
        let last: Vec<u16> =
            prediction.candidates(now, walker(65_533)).iter().map(SocketAddr::port).collect();
        assert_eq!(last, [65_534, 65_535]);
        for port in 1..MAX_PER_WINDOW {
            assert!(!prediction.candidates(now, walker(port as u16)).is_empty());
        }
        assert!(prediction.candidates(now, walker(40_000)).is_empty(), "budget spent");
        let next_window = now + REPEAT_AFTER;
        assert!(!prediction.candidates(next_window, walker(40_000)).is_empty());
    }
}
