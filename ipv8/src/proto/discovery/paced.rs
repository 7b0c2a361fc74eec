//! [`Paced`]: a strategy that steps at most once per interval (py-ipv8's `target_interval` of a
//! strategy, e.g. the 5 s walk of a hidden service's `PexCommunity`).

use std::time::{Duration, Instant};

use super::{Strategy, Walker};
use crate::proto::Community;

/// Runs `S` at most once per `interval`, whatever the walker's tick.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ipv8::proto::discovery::{Paced, RandomWalk};
///
/// // One walk step every 5 s instead of every walker tick.
/// let walk = Paced::new(RandomWalk::new(), Duration::from_secs(5));
/// assert_eq!(walk.interval(), Duration::from_secs(5));
/// ```
#[derive(Debug, Clone)]
pub struct Paced<S> {
    inner: S,
    interval: Duration,
    next: Option<Instant>,
}

impl<S> Paced<S> {
    /// `inner`, stepping at most once per `interval`.
    #[must_use]
    pub fn new(inner: S, interval: Duration) -> Self {
        Self { inner, interval, next: None }
    }

    /// The least time between two steps.
    #[must_use]
    pub fn interval(&self) -> Duration {
        self.interval
    }
}

impl<C: Community, S: Strategy<C>> Strategy<C> for Paced<S> {
    fn take_step(&mut self, walker: &mut Walker<'_, C>) {
        let now = walker.now();
        if self.next.is_some_and(|next| now < next) {
            return;
        }
        self.next = Some(now + self.interval);
        self.inner.take_step(walker);
    }
}
