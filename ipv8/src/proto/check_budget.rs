//! [`CheckBudget`]: a bound on the CPU time legacy-curve signature checks may take.
//!
//! Checking an ECDSA signature on py-ipv8's binary curves costs 0.3 ms (`very-low`) to 2.8 ms
//! (`high`), against 33 µs for curve25519 (`cargo bench -p ipv8 --bench crypto -- verify/`). A
//! peer with a legacy key of its own and packets with garbage signatures could keep a core busy
//! with a few hundred datagrams a second (about 100 KB/s), where curve25519 would need 30 000.
//! Legacy keys are rare (py-ipv8 makes curve25519 keys; its bootstrap servers sign with
//! `very-low`), so the node checks legacy signatures within a budget of estimated CPU time per
//! second and drops what goes over it unchecked, counted as [`DropReason::CheckBudget`].
//!
//! [`DropReason::CheckBudget`]: super::DropReason::CheckBudget

use std::cell::Cell;
use std::time::{Duration, Instant};

use crate::crypto::Curve;

/// The default budget: a fifth of one core.
pub const DEFAULT_LEGACY_CHECK_BUDGET: Duration = Duration::from_millis(200);

/// A token bucket of estimated CPU time for legacy signature checks: it refills at the budget
/// per second and holds at most one second's worth.
#[derive(Debug)]
pub(crate) struct CheckBudget {
    per_second: Cell<Duration>,
    left: Cell<Duration>,
    refilled: Cell<Option<Instant>>,
}

impl Default for CheckBudget {
    fn default() -> Self {
        Self::new(DEFAULT_LEGACY_CHECK_BUDGET)
    }
}

impl CheckBudget {
    fn new(per_second: Duration) -> Self {
        Self {
            per_second: Cell::new(per_second),
            left: Cell::new(per_second),
            refilled: Cell::new(None),
        }
    }

    /// The budget per second.
    pub(crate) fn per_second(&self) -> Duration {
        self.per_second.get()
    }

    /// Sets the budget per second; the bucket is cut to it if it holds more.
    pub(crate) fn set_per_second(&self, per_second: Duration) {
        self.per_second.set(per_second);
        self.left.set(self.left.get().min(per_second));
    }

    /// Adds what the time since the last refill earned (at most a second's worth, all the
    /// bucket holds), saturating rather than panicking for any budget and any pause.
    pub(crate) fn refill(&self, now: Instant) {
        let earned = match self.refilled.get() {
            Some(last) => {
                let elapsed = now.saturating_duration_since(last).as_secs_f64().min(1.0);
                let earned = self.per_second().as_secs_f64() * elapsed;
                Duration::try_from_secs_f64(earned).unwrap_or(Duration::MAX)
            }
            None => Duration::ZERO,
        };
        self.left.set(self.left.get().saturating_add(earned).min(self.per_second()));
        self.refilled.set(Some(now));
    }

    /// Whether a signature on `curve` may be checked now; if so, its cost is taken. curve25519
    /// signatures are always checked and cost nothing here.
    pub(crate) fn take(&self, curve: Curve) -> bool {
        let cost = estimated_cost(curve);
        match self.left.get().checked_sub(cost) {
            Some(left) => {
                self.left.set(left);
                true
            }
            None => false,
        }
    }
}

/// What checking one signature on `curve` costs, measured on the project's 2-core Xeon (only the
/// ratios matter much: the budget is a bound, not an accounting).
fn estimated_cost(curve: Curve) -> Duration {
    Duration::from_micros(match curve {
        Curve::Curve25519 => 0,
        Curve::VeryLow => 310,
        Curve::Low => 420,
        Curve::Medium => 1_340,
        Curve::High | Curve::HighR1 => 2_800,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_stop_at_the_budget_and_resume_as_it_refills() {
        let start = Instant::now();
        let budget = CheckBudget::new(Duration::from_millis(10));
        budget.refill(start);
        // 10 ms holds three checks at 2.8 ms, not four.
        assert_eq!((0..10).filter(|_| budget.take(Curve::High)).count(), 3);
        assert!(budget.take(Curve::Curve25519));
        budget.refill(start + Duration::from_millis(500));
        assert_eq!((0..10).filter(|_| budget.take(Curve::High)).count(), 2);
        // A long pause refills one second's worth, no more.
        budget.refill(start + Duration::from_secs(3600));
        assert_eq!((0..100).filter(|_| budget.take(Curve::VeryLow)).count(), 32);
    }

    #[test]
    fn no_budget_overflows_the_refill() {
        let start = Instant::now();
        let budget = CheckBudget::new(Duration::MAX);
        budget.refill(start);
        budget.refill(start + Duration::from_secs(86_400));
        assert!(budget.take(Curve::High));
        assert_eq!(budget.per_second(), Duration::MAX);
    }

    #[test]
    fn a_smaller_budget_cuts_what_is_left() {
        let budget = CheckBudget::default();
        budget.set_per_second(Duration::from_micros(500));
        assert_eq!(budget.per_second(), Duration::from_micros(500));
        assert!(budget.take(Curve::Low));
        assert!(!budget.take(Curve::VeryLow));
    }
}
