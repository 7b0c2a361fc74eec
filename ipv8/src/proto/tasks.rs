//! [`TaskManager`]: named and anonymous tasks of a community, run once after a delay or every
//! interval, on virtual or real time alike (py-ipv8's `TaskManager`, sans-IO).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::Context;

/// A task body: runs with the community and a context, like a handler.
pub type TaskFn<C> = Box<dyn FnMut(&mut C, &mut Context<'_, C>) + Send>;

/// When a task runs: after `delay`, then every `interval` if one is set. As in py-ipv8, a periodic
/// task first runs one interval from now unless [`Schedule::starting_after`] says otherwise.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ipv8::proto::Schedule;
///
/// let every_five = Schedule::every(Duration::from_secs(5));
/// let later = Schedule::after(Duration::from_millis(500));
/// let both = Schedule::every(Duration::from_secs(1)).starting_after(Duration::from_secs(10));
/// assert_ne!(every_five, later);
/// assert_ne!(both, every_five);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Schedule {
    delay: Duration,
    interval: Option<Duration>,
}

impl Schedule {
    /// As soon as possible, once.
    #[must_use]
    pub fn now() -> Self {
        Self::default()
    }

    /// Once, after `delay`.
    #[must_use]
    pub fn after(delay: Duration) -> Self {
        Self { delay, interval: None }
    }

    /// Every `interval`, the first time one interval from now.
    #[must_use]
    pub fn every(interval: Duration) -> Self {
        Self { delay: interval, interval: Some(interval) }
    }

    /// The same schedule, first run after `delay`.
    #[must_use]
    pub fn starting_after(self, delay: Duration) -> Self {
        Self { delay, ..self }
    }
}

/// Why a task was not registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    /// A pending task already has this name.
    #[error("a task named {0:?} is already pending")]
    AlreadyRegistered(String),
    /// The task manager was shut down.
    #[error("the task manager is shut down")]
    ShutDown,
}

/// A pending task of a [`TaskManager`], as `/asyncio/tasks` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TaskInfo {
    /// Its name.
    pub name: String,
    /// When it was registered (py-ipv8's `start_time`).
    pub registered: Instant,
    /// When it runs next.
    pub due: Instant,
    /// How often it repeats, if it does.
    pub interval: Option<Duration>,
}

struct Task<C> {
    due: Instant,
    registered: Instant,
    seq: u64,
    interval: Option<Duration>,
    run: TaskFn<C>,
}

/// The pending tasks of one community.
pub struct TaskManager<C> {
    tasks: BTreeMap<String, Task<C>>,
    seq: u64,
    shut_down: bool,
    /// The task being run, and whether it was cancelled while running.
    running: Option<(String, bool)>,
}

impl<C> Default for TaskManager<C> {
    fn default() -> Self {
        Self { tasks: BTreeMap::new(), seq: 0, shut_down: false, running: None }
    }
}

impl<C> TaskManager<C> {
    /// Registers a named task; fails if one with the same name is pending.
    pub fn register(
        &mut self,
        now: Instant,
        name: impl Into<String>,
        schedule: Schedule,
        run: TaskFn<C>,
    ) -> Result<(), TaskError> {
        let name = name.into();
        if self.shut_down {
            return Err(TaskError::ShutDown);
        }
        if self.is_pending(&name) {
            return Err(TaskError::AlreadyRegistered(name));
        }
        self.seq += 1;
        let task = Task {
            due: now + schedule.delay,
            registered: now,
            seq: self.seq,
            interval: schedule.interval,
            run,
        };
        self.tasks.insert(name, task);
        Ok(())
    }

    /// Registers a task under a fresh name made from `name`; returns that name.
    pub fn register_anonymous(
        &mut self,
        now: Instant,
        name: &str,
        schedule: Schedule,
        run: TaskFn<C>,
    ) -> Result<String, TaskError> {
        let unique = format!("{name} {}", self.seq + 1);
        self.register(now, unique.clone(), schedule, run)?;
        Ok(unique)
    }

    /// Whether a task of this name is pending (a running periodic task counts).
    #[must_use]
    pub fn is_pending(&self, name: &str) -> bool {
        self.tasks.contains_key(name) || matches!(&self.running, Some((n, false)) if n == name)
    }

    /// Cancels a pending task; returns whether there was one.
    pub fn cancel(&mut self, name: &str) -> bool {
        if let Some((running, cancelled)) = &mut self.running
            && running == name
            && !*cancelled
        {
            *cancelled = true;
            return true;
        }
        self.tasks.remove(name).is_some()
    }

    /// Cancels every pending task.
    pub fn cancel_all(&mut self) {
        self.tasks.clear();
        if let Some((_, cancelled)) = &mut self.running {
            *cancelled = true;
        }
    }

    /// Cancels everything and refuses new tasks.
    pub fn shutdown(&mut self) {
        self.cancel_all();
        self.shut_down = true;
    }

    /// Names of the pending tasks.
    pub fn pending(&self) -> impl Iterator<Item = &str> {
        self.tasks.keys().map(String::as_str)
    }

    /// The pending tasks, by name.
    pub fn tasks(&self) -> impl Iterator<Item = TaskInfo> + '_ {
        self.tasks.iter().map(|(name, task)| TaskInfo {
            name: name.clone(),
            registered: task.registered,
            due: task.due,
            interval: task.interval,
        })
    }

    /// When the next task is due.
    #[must_use]
    pub fn next_deadline(&self) -> Option<Instant> {
        self.tasks.values().map(|task| task.due).min()
    }

    /// Takes the earliest task due at `now` out of the table, to be run.
    pub(crate) fn take_due(&mut self, now: Instant) -> Option<DueTask<C>> {
        let (name, _) = self
            .tasks
            .iter()
            .filter(|(_, task)| task.due <= now)
            .min_by_key(|(_, task)| (task.due, task.seq))?;
        let name = name.clone();
        let task = self.tasks.remove(&name)?;
        self.running = Some((name.clone(), false));
        Some(DueTask { name, task })
    }

    /// Puts a task back after it ran, if it repeats and was not cancelled meanwhile.
    pub(crate) fn finish(&mut self, due: DueTask<C>) {
        let cancelled = matches!(self.running.take(), Some((_, true)));
        let DueTask { name, mut task } = due;
        if let (Some(interval), false) = (task.interval, cancelled || self.shut_down)
            && !self.tasks.contains_key(&name)
        {
            // A re-armed task is newer than tasks registered meanwhile, as a re-armed timer is.
            self.seq += 1;
            task.seq = self.seq;
            task.due += interval.max(Duration::from_micros(1));
            self.tasks.insert(name, task);
        }
    }
}

/// A task taken out of the table to run.
pub(crate) struct DueTask<C> {
    name: String,
    task: Task<C>,
}

impl<C> DueTask<C> {
    pub(crate) fn run(&mut self, community: &mut C, ctx: &mut Context<'_, C>) {
        (self.task.run)(community, ctx);
    }
}
