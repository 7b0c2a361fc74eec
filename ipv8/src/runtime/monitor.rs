//! What a running node's loop tells about its own health, the tokio counterpart of what py-ipv8's
//! `/asyncio` endpoint reads from asyncio: how late the loop wakes when it asked to be woken
//! ([`DriftSample`]), and, in debug mode, which of its steps kept it busy for longer than a
//! threshold ([`SlowStep`]; asyncio's debug mode logs such slow callbacks). The loop itself keeps
//! both; [`NodeHandle`] asks for them.

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::driver::Command;
use super::{NodeHandle, RuntimeError};

/// How often the drift probe asks to be woken: py-ipv8 measures on each walker tick, every
/// 0.5 s by default.
pub const DRIFT_INTERVAL: Duration = Duration::from_millis(500);
/// How many drift measurements are kept, the latest (py-ipv8 keeps 100).
pub const DRIFT_KEPT: usize = 100;
/// How many slow steps are kept, the latest (py-ipv8 keeps the last 50 asyncio log records).
pub const SLOW_STEPS_KEPT: usize = 50;
/// How long a step may take before debug mode reports it, unless told otherwise (asyncio's
/// default `slow_callback_duration`).
pub const DEFAULT_SLOW_STEP: Duration = Duration::from_millis(100);

/// One drift measurement: the loop asked to be woken at some time and woke this much later.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct DriftSample {
    /// When the loop woke, in Unix seconds.
    pub unix_time: f64,
    /// How long after the time it asked for.
    pub drift: Duration,
}

/// What a step of the node's loop was doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoopStep {
    /// Handling a batch of datagrams from the endpoint's sockets.
    Datagrams(usize),
    /// Handling datagrams from sockets communities opened.
    SocketDatagrams(usize),
    /// Running the tasks, cache timeouts and walker ticks that were due.
    Timers,
    /// Running a closure sent through a [`NodeHandle`] (REST routes send them).
    HandleCall,
    /// Handing a finished CPU job's result to its community.
    JobDone,
    /// Handing a resolved host name to its community.
    Resolved,
}

impl fmt::Display for LoopStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Datagrams(n) => write!(f, "handling {n} datagram{}", plural(*n)),
            Self::SocketDatagrams(n) => {
                write!(f, "handling {n} datagram{} of communities' sockets", plural(*n))
            }
            Self::Timers => f.write_str("running due tasks and timeouts"),
            Self::HandleCall => f.write_str("running a NodeHandle call"),
            Self::JobDone => f.write_str("handing back a CPU job's result"),
            Self::Resolved => f.write_str("handing back a resolved name"),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A step of the loop that took at least the slow-step threshold while debug mode was on;
/// displayed as `handling 64 datagrams took 0.153 seconds`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct SlowStep {
    /// When it ended, in Unix seconds.
    pub unix_time: f64,
    /// What it was doing.
    pub step: LoopStep,
    /// How long it took.
    pub took: Duration,
}

impl fmt::Display for SlowStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} took {:.3} seconds", self.step, self.took.as_secs_f64())
    }
}

/// The loop's debug mode: whether it is on, its threshold, and the slow steps it saw.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LoopDebug {
    /// Whether steps are timed.
    pub enabled: bool,
    /// Steps that take at least this long are reported.
    pub slow_step: Duration,
    /// The last [`SLOW_STEPS_KEPT`] slow steps since debug mode was switched on, oldest first.
    pub slow_steps: Vec<SlowStep>,
}

/// The loop's own measurements, kept by the driver.
#[derive(Debug)]
pub(crate) struct Monitor {
    /// The drift measurements, while measuring.
    drift: Option<VecDeque<DriftSample>>,
    /// When the probe asked to be woken, while measuring.
    probe_due: Option<tokio::time::Instant>,
    debug: bool,
    slow_step: Duration,
    slow_steps: VecDeque<SlowStep>,
}

impl Default for Monitor {
    fn default() -> Self {
        Self {
            drift: None,
            probe_due: None,
            debug: false,
            slow_step: DEFAULT_SLOW_STEP,
            slow_steps: VecDeque::new(),
        }
    }
}

fn unix_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |elapsed| elapsed.as_secs_f64())
}

/// Appends `item`, dropping the oldest beyond `kept`.
fn push_bounded<T>(queue: &mut VecDeque<T>, item: T, kept: usize) {
    if queue.len() >= kept {
        queue.pop_front();
    }
    queue.push_back(item);
}

impl Monitor {
    /// Starts measuring (keeping what was measured if it measures already) or stops and forgets.
    fn set_drift(&mut self, enabled: bool) {
        if !enabled {
            self.drift = None;
            self.probe_due = None;
        } else if self.drift.is_none() {
            self.drift = Some(VecDeque::new());
            self.probe_due = Some(tokio::time::Instant::now() + DRIFT_INTERVAL);
        }
    }

    /// When the probe wants to be woken; `None` while not measuring.
    pub(crate) fn probe_due(&self) -> Option<tokio::time::Instant> {
        self.probe_due
    }

    /// The probe woke at `woke`: measures how late, and asks again one interval later.
    pub(crate) fn probe_woke(&mut self, woke: tokio::time::Instant) {
        let (Some(due), Some(history)) = (self.probe_due, &mut self.drift) else { return };
        let sample =
            DriftSample { unix_time: unix_now(), drift: woke.saturating_duration_since(due) };
        push_bounded(history, sample, DRIFT_KEPT);
        self.probe_due = Some(woke + DRIFT_INTERVAL);
    }

    fn set_debug(&mut self, enabled: Option<bool>, slow_step: Option<Duration>) {
        if let Some(slow_step) = slow_step {
            self.slow_step = slow_step;
        }
        if let Some(enabled) = enabled {
            if !enabled {
                self.slow_steps.clear();
            }
            self.debug = enabled;
        }
    }

    fn debug(&self) -> LoopDebug {
        LoopDebug {
            enabled: self.debug,
            slow_step: self.slow_step,
            slow_steps: self.slow_steps.iter().copied().collect(),
        }
    }

    /// When a step starts, if debug mode times steps.
    pub(crate) fn start(&self) -> Option<std::time::Instant> {
        self.debug.then(std::time::Instant::now)
    }

    /// A step that started at `started` (see [`Monitor::start`]) ended: reported if it was slow.
    pub(crate) fn finish(&mut self, started: Option<std::time::Instant>, step: LoopStep) {
        let Some(started) = started else { return };
        let took = started.elapsed();
        if took < self.slow_step {
            return;
        }
        let slow = SlowStep { unix_time: unix_now(), step, took };
        tracing::warn!("slow step of the node's loop: {slow}");
        push_bounded(&mut self.slow_steps, slow, SLOW_STEPS_KEPT);
    }
}

/// A closure run on the loop's monitor.
pub(crate) type MonitorFn = Box<dyn FnOnce(&mut Monitor) + Send>;

impl NodeHandle {
    /// Starts measuring the drift of the node's loop, or stops and forgets the measurements
    /// (py-ipv8's `PUT /asyncio/drift`). While measuring, the loop asks to be woken every
    /// [`DRIFT_INTERVAL`] and records how late it woke: the time a step of its own (a batch of
    /// datagrams, a slow handler) or the tokio runtime kept it from waking.
    ///
    /// # Errors
    ///
    /// [`RuntimeError::Stopped`] if the loop has ended.
    ///
    /// # Cancel safety
    ///
    /// As [`NodeHandle::with_node`].
    pub async fn set_drift_measurement(&self, enabled: bool) -> Result<(), RuntimeError> {
        self.with_monitor(move |monitor| monitor.set_drift(enabled)).await
    }

    /// The last [`DRIFT_KEPT`] drift measurements, oldest first; `None` while not measuring.
    ///
    /// # Errors
    ///
    /// [`RuntimeError::Stopped`] if the loop has ended.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: reading changes nothing.
    pub async fn drift(&self) -> Result<Option<Vec<DriftSample>>, RuntimeError> {
        self.with_monitor(|monitor| monitor.drift.as_ref().map(|d| d.iter().copied().collect()))
            .await
    }

    /// Switches the loop's debug mode on or off and sets its threshold (`None` leaves either as
    /// it is). In debug mode the loop times each of its steps and reports those that take at
    /// least the threshold ([`DEFAULT_SLOW_STEP`] at first), in a `tracing` warning and in
    /// [`LoopDebug::slow_steps`]; switching it off forgets them.
    ///
    /// # Errors
    ///
    /// [`RuntimeError::Stopped`] if the loop has ended.
    ///
    /// # Cancel safety
    ///
    /// As [`NodeHandle::with_node`].
    pub async fn set_loop_debug(
        &self,
        enabled: Option<bool>,
        slow_step: Option<Duration>,
    ) -> Result<(), RuntimeError> {
        self.with_monitor(move |monitor| monitor.set_debug(enabled, slow_step)).await
    }

    /// The loop's debug mode and the slow steps it saw.
    ///
    /// # Errors
    ///
    /// [`RuntimeError::Stopped`] if the loop has ended.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: reading changes nothing.
    pub async fn loop_debug(&self) -> Result<LoopDebug, RuntimeError> {
        self.with_monitor(|monitor| monitor.debug()).await
    }

    async fn with_monitor<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Monitor) -> R + Send + 'static,
    ) -> Result<R, RuntimeError> {
        self.request(|reply| {
            Command::Monitor(Box::new(move |monitor| {
                let _ = reply.send(f(monitor));
            }))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_steps_are_kept_while_debugging_and_bounded() {
        let mut monitor = Monitor::default();
        assert!(monitor.start().is_none(), "not timed out of debug mode");
        monitor.set_debug(Some(true), Some(Duration::ZERO));
        for n in 0..SLOW_STEPS_KEPT + 5 {
            let started = monitor.start();
            monitor.finish(started, LoopStep::Datagrams(n));
        }
        let debug = monitor.debug();
        assert_eq!(debug.slow_steps.len(), SLOW_STEPS_KEPT);
        assert_eq!(debug.slow_steps[0].step, LoopStep::Datagrams(5));
        assert!(debug.slow_steps[0].to_string().starts_with("handling 5 datagrams took 0.0"));
        monitor.set_debug(Some(false), None);
        assert!(monitor.debug().slow_steps.is_empty());
        assert_eq!(monitor.debug().slow_step, Duration::ZERO);
    }

    #[test]
    fn drift_is_how_late_the_probe_woke() {
        let mut monitor = Monitor::default();
        monitor.set_drift(true);
        let due = monitor.probe_due().expect("measuring");
        monitor.probe_woke(due + Duration::from_millis(30));
        let history = monitor.drift.clone().expect("measuring");
        assert_eq!(history[0].drift, Duration::from_millis(30));
        assert_eq!(monitor.probe_due(), Some(due + Duration::from_millis(530)));
        monitor.set_drift(true);
        assert_eq!(monitor.drift.as_ref().map(VecDeque::len), Some(1), "kept when on already");
        monitor.set_drift(false);
        assert!(monitor.drift.is_none() && monitor.probe_due().is_none());
    }
}
