//! [`Table`]: circuit state by circuit id, shared between the [`TunnelCommunity`] (which adds,
//! ages and removes entries as its handlers run) and its fast path (which moves the cells of
//! established circuits past the handlers).
//!
//! [`TunnelCommunity`]: super::TunnelCommunity

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Entries by circuit id, behind one lock.
pub(super) struct Table<T>(Arc<Mutex<HashMap<u32, T>>>);

impl<T> Table<T> {
    /// The entries, locked. A panic while they were locked leaves them usable: every change to
    /// an entry is one assignment.
    pub(super) fn lock(&self) -> MutexGuard<'_, HashMap<u32, T>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T> Clone for Table<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Self(Arc::new(Mutex::new(HashMap::new())))
    }
}
