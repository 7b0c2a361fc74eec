//! [`RequestCache`]: state of message flows awaiting an answer, found by type and number, with a
//! timeout (py-ipv8's `RequestCache`, `NumberCache` and `RandomNumberCache`, sans-IO).

use std::any::{Any, TypeId};
use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use super::{Context, Rng};

/// The default time a cache lives before it times out, as in py-ipv8.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// State kept for one request; the type is the cache's name and a number tells instances apart.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ipv8::proto::{Context, NumberCache};
///
/// struct Pending {
///     value: u32,
/// }
///
/// struct Counter {
///     timed_out: bool,
/// }
///
/// impl NumberCache<Counter> for Pending {
///     fn timeout_delay(&self) -> Duration {
///         Duration::from_secs(3)
///     }
///
///     fn on_timeout(self: Box<Self>, counter: &mut Counter, _ctx: &mut Context<'_, Counter>) {
///         counter.timed_out = counter.timed_out || self.value > 0;
///     }
/// }
///
/// let now = std::time::Instant::now();
/// let mut cache = ipv8::proto::RequestCache::<Counter>::default();
/// cache.add(now, 7, Pending { value: 1 })?;
/// assert!(cache.has::<Pending>(7));
/// assert_eq!(cache.pop::<Pending>(7).map(|p| p.value), Some(1));
/// let _ = Counter { timed_out: false }.timed_out;
/// # Ok::<(), ipv8::proto::CacheError>(())
/// ```
pub trait NumberCache<C>: Any + Send {
    /// How long the cache lives before [`NumberCache::on_timeout`] (10 s by default).
    fn timeout_delay(&self) -> Duration {
        DEFAULT_TIMEOUT
    }

    /// Called when the cache times out, with the community that owns it.
    fn on_timeout(self: Box<Self>, community: &mut C, ctx: &mut Context<'_, C>) {
        let _ = (community, ctx);
    }
}

/// Why a cache was not added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CacheError {
    /// A cache of the same type and number is present.
    #[error("a cache of this type with number {0} is already present")]
    Duplicate(u64),
    /// No free random number was found.
    #[error("no free number for a random-number cache")]
    NoFreeNumber,
    /// The request cache was shut down.
    #[error("the request cache is shut down")]
    ShutDown,
}

/// Which caches get their timeout replaced, for tests (py-ipv8's `passthrough()`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Passthrough {
    /// Caches keep their own timeout.
    #[default]
    Off,
    /// Every new cache times out after this delay (zero: at once).
    All(Duration),
    /// Only new caches of these types time out after the delay.
    Only(Vec<TypeId>, Duration),
}

impl Passthrough {
    /// Only caches of type `T`, timing out at once.
    #[must_use]
    pub fn only<T: Any>() -> Self {
        Self::Only(vec![TypeId::of::<T>()], Duration::ZERO)
    }

    fn delay(&self, type_id: TypeId) -> Option<Duration> {
        match self {
            Self::Off => None,
            Self::All(delay) => Some(*delay),
            Self::Only(types, delay) => types.contains(&type_id).then_some(*delay),
        }
    }
}

type Key = (TypeId, u64);

struct Entry<C> {
    cache: Box<dyn NumberCache<C>>,
    due: Instant,
    seq: u64,
}

/// The caches of one community.
pub struct RequestCache<C> {
    entries: HashMap<Key, Entry<C>>,
    timers: BTreeSet<(Instant, u64, TypeId, u64)>,
    seq: u64,
    passthrough: Passthrough,
    shut_down: bool,
}

impl<C> Default for RequestCache<C> {
    fn default() -> Self {
        Self {
            entries: HashMap::new(),
            timers: BTreeSet::new(),
            seq: 0,
            passthrough: Passthrough::Off,
            shut_down: false,
        }
    }
}

impl<C: 'static> RequestCache<C> {
    /// Adds `cache` under `number`; it times out after its delay.
    pub fn add<T: NumberCache<C>>(
        &mut self,
        now: Instant,
        number: u64,
        cache: T,
    ) -> Result<u64, CacheError> {
        if self.shut_down {
            return Err(CacheError::ShutDown);
        }
        let key = (TypeId::of::<T>(), number);
        if self.entries.contains_key(&key) {
            return Err(CacheError::Duplicate(number));
        }
        let delay = self.passthrough.delay(key.0).unwrap_or_else(|| cache.timeout_delay());
        self.seq += 1;
        let due = now + delay;
        self.timers.insert((due, self.seq, key.0, number));
        self.entries.insert(key, Entry { cache: Box::new(cache), due, seq: self.seq });
        Ok(number)
    }

    /// Adds `cache` under a random unused number below 65536 (py-ipv8's `RandomNumberCache`).
    pub fn add_random<T: NumberCache<C>>(
        &mut self,
        now: Instant,
        rng: &mut Rng,
        cache: T,
    ) -> Result<u64, CacheError> {
        let number = (0..1000)
            .map(|_| rng.below(1 << 16))
            .find(|n| !self.has::<T>(*n))
            .ok_or(CacheError::NoFreeNumber)?;
        self.add(now, number, cache)
    }

    /// Whether a cache of type `T` with `number` is present.
    #[must_use]
    pub fn has<T: NumberCache<C>>(&self, number: u64) -> bool {
        self.entries.contains_key(&(TypeId::of::<T>(), number))
    }

    /// The cache of type `T` with `number`.
    #[must_use]
    pub fn get<T: NumberCache<C>>(&self, number: u64) -> Option<&T> {
        let entry = self.entries.get(&(TypeId::of::<T>(), number))?;
        let any: &dyn Any = entry.cache.as_ref();
        any.downcast_ref()
    }

    /// The cache of type `T` with `number`, to change it.
    pub fn get_mut<T: NumberCache<C>>(&mut self, number: u64) -> Option<&mut T> {
        let entry = self.entries.get_mut(&(TypeId::of::<T>(), number))?;
        let any: &mut dyn Any = entry.cache.as_mut();
        any.downcast_mut()
    }

    /// Removes and returns the cache of type `T` with `number`; its timeout no longer fires.
    pub fn pop<T: NumberCache<C>>(&mut self, number: u64) -> Option<T> {
        let key = (TypeId::of::<T>(), number);
        let entry = self.entries.remove(&key)?;
        self.timers.remove(&(entry.due, entry.seq, key.0, key.1));
        let any: Box<dyn Any + Send> = entry.cache;
        any.downcast().ok().map(|cache| *cache)
    }

    /// Replaces the timeout of caches added from now on (see [`Passthrough`]).
    pub fn set_passthrough(&mut self, passthrough: Passthrough) {
        self.passthrough = passthrough;
    }

    /// Drops every cache (their completers resolve as cancelled) and refuses new ones.
    pub fn shutdown(&mut self) {
        self.entries.clear();
        self.timers.clear();
        self.shut_down = true;
    }

    /// How many caches are present.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no cache is present.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// When the next cache times out.
    #[must_use]
    pub fn next_deadline(&self) -> Option<Instant> {
        self.timers.first().map(|(due, ..)| *due)
    }

    /// Removes and returns the earliest cache that timed out by `now`.
    pub(crate) fn take_expired(&mut self, now: Instant) -> Option<Box<dyn NumberCache<C>>> {
        let &(due, _, type_id, number) = self.timers.first().filter(|(due, ..)| *due <= now)?;
        self.timers.pop_first();
        debug_assert!(due <= now);
        self.entries.remove(&(type_id, number)).map(|entry| entry.cache)
    }
}
