//! [`Bounded`]: a map that forgets its least recently inserted or used entry when full, for the
//! state the network (or a busy application) could otherwise grow without end.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// A map of at most `limit` entries; inserting into a full map evicts the entry touched longest
/// ago.
pub(super) struct Bounded<K, V> {
    entries: HashMap<K, V>,
    /// Keys, least recently touched first.
    order: VecDeque<K>,
    limit: usize,
}

impl<K: Eq + Hash + Clone, V> Bounded<K, V> {
    pub(super) fn new(limit: usize) -> Self {
        Self { entries: HashMap::new(), order: VecDeque::new(), limit: limit.max(1) }
    }

    pub(super) fn insert(&mut self, key: K, value: V) {
        if self.entries.insert(key.clone(), value).is_some() {
            self.order.retain(|k| k != &key);
        }
        self.order.push_back(key);
        while self.order.len() > self.limit {
            if let Some(oldest) = self.order.pop_front() {
                self.entries.remove(&oldest);
            }
        }
    }

    pub(super) fn get(&self, key: &K) -> Option<&V> {
        self.entries.get(key)
    }

    /// The entry, marked as the most recently used.
    pub(super) fn touch(&mut self, key: &K) -> Option<&mut V> {
        if self.entries.contains_key(key) && self.order.back() != Some(key) {
            self.order.retain(|k| k != key);
            self.order.push_back(key.clone());
        }
        self.entries.get_mut(key)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter()
    }

    pub(super) fn clear(&mut self) {
        self.entries.clear();
        self.order.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::Bounded;

    #[test]
    fn the_least_recently_touched_entry_goes_first() {
        let mut map = Bounded::new(2);
        map.insert(1, "a");
        map.insert(2, "b");
        assert!(map.touch(&1).is_some());
        map.insert(3, "c");
        assert!(map.get(&2).is_none());
        assert_eq!(map.get(&1), Some(&"a"));
        assert_eq!(map.get(&3), Some(&"c"));
    }
}
