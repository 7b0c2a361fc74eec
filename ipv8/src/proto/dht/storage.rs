//! [`Storage`]: the values a DHT node keeps for others (spec `dht.md` §6.2), and [`Tokens`]: the
//! secrets that prove a storer asked us for a token first (§5).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sha1::{Digest, Sha1};

use super::{Value, ValueError};
use crate::crypto::PublicKey;
use crate::proto::Rng;

/// Most keys one node stores values for; beyond it, new keys are refused.
pub const MAX_KEYS: usize = 10_000;
/// Most values kept under one key; beyond it, the oldest unsigned ones go first.
pub const MAX_VALUES_PER_KEY: usize = 64;
/// How often the token secret changes (py-ipv8: every 300 s; the last two are accepted).
pub const TOKEN_ROTATION: Duration = Duration::from_secs(300);

/// One stored value.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// SHA-1 of the signer's key (one value per signer and key), or of the value when unsigned.
    id: [u8; 20],
    value: Vec<u8>,
    last_update: Instant,
    max_age: Duration,
    version: u32,
}

/// Why a value was not stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The bytes are not a value (or a signed one does not verify).
    #[error(transparent)]
    Value(#[from] ValueError),
    /// The node stores [`MAX_KEYS`] keys already.
    #[error("this node stores the most keys it will")]
    TooManyKeys,
    /// A newer value of the same signer is stored.
    #[error("a newer version of this value is stored")]
    Stale,
}

/// Values by key, newest first, each with an expiry (py-ipv8's `Storage`).
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use ipv8::proto::dht::{Storage, Value};
///
/// let mut storage = Storage::default();
/// let now = Instant::now();
/// let hour = Duration::from_secs(3600);
/// storage.put([1; 20], Value::unsigned(b"a")?, hour, now)?;
/// storage.put([1; 20], Value::unsigned(b"b")?, hour, now)?;
/// assert_eq!(storage.get(&[1; 20], 0, 8), [Value::unsigned(b"b")?, Value::unsigned(b"a")?]);
/// storage.clean(now + hour);
/// assert!(storage.get(&[1; 20], 0, 8).is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default, Clone)]
pub struct Storage {
    items: HashMap<[u8; 20], VecDeque<Entry>>,
}

impl Storage {
    /// Stores a serialized value under `key` for `max_age`. A signer's value replaces its older
    /// one under the same key; an unsigned value replaces an identical one.
    ///
    /// # Errors
    ///
    /// [`StoreError`] for bytes that are not a value, an older version, or too many keys.
    pub fn put(
        &mut self,
        key: [u8; 20],
        value: Vec<u8>,
        max_age: Duration,
        now: Instant,
    ) -> Result<(), StoreError> {
        let (id, version) = match Value::parse(&value)? {
            Value::Signed { public_key, version, .. } => (sha1(public_key.to_bin()), version),
            Value::Unsigned(_) => (sha1(&value), 0),
        };
        if !self.items.contains_key(&key) && self.items.len() >= MAX_KEYS {
            return Err(StoreError::TooManyKeys);
        }
        // Most keys hold one value: start with room for one.
        let entries = self.items.entry(key).or_insert_with(|| VecDeque::with_capacity(1));
        if let Some(position) = entries.iter().position(|e| e.id == id) {
            if entries.get(position).is_some_and(|old| old.version > version) {
                return Err(StoreError::Stale);
            }
            entries.remove(position);
        }
        entries.push_front(Entry { id, value, last_update: now, max_age, version });
        if entries.len() > MAX_VALUES_PER_KEY {
            entries.pop_back();
        }
        // py-ipv8 keeps the entries whose id equals the key at the end.
        entries.make_contiguous().sort_by_key(|entry| entry.id == key);
        Ok(())
    }

    /// Up to `max` values under `key`, newest first, from `offset` on.
    #[must_use]
    pub fn get(&self, key: &[u8; 20], offset: usize, max: usize) -> Vec<Vec<u8>> {
        let Some(entries) = self.items.get(key) else { return Vec::new() };
        entries.iter().skip(offset).take(max).map(|entry| entry.value.clone()).collect()
    }

    /// Drops expired values: from the end of each key's list, up to the first that lives on (as
    /// py-ipv8 does, every hour).
    pub fn clean(&mut self, now: Instant) {
        for entries in self.items.values_mut() {
            while entries.back().is_some_and(|e| now.duration_since(e.last_update) >= e.max_age) {
                entries.pop_back();
            }
        }
        self.items.retain(|_, entries| !entries.is_empty());
    }

    /// How many keys have values.
    #[must_use]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing is stored.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Every key with its values, newest first (for the REST API's `/dht/values`).
    pub fn iter(&self) -> impl Iterator<Item = (&[u8; 20], Vec<&[u8]>)> {
        self.items
            .iter()
            .map(|(key, entries)| (key, entries.iter().map(|e| e.value.as_slice()).collect()))
    }
}

/// The secrets behind store tokens: a node hands each requester a token in its find-responses, and
/// accepts a store only with a token it handed out within the last one or two rotations.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use ipv8::crypto::{Curve, PrivateKey};
/// use ipv8::proto::Rng;
/// use ipv8::proto::dht::Tokens;
///
/// let (mut rng, now) = (Rng::new(1), Instant::now());
/// let mut tokens = Tokens::new(&mut rng, now);
/// let key = PrivateKey::generate(Curve::Curve25519)?.public_key();
/// let at = "10.0.0.1:8090".parse()?;
/// let token = tokens.token_for(at, &key);
/// assert!(tokens.accepts(&token, at, &key));
/// tokens.rotate(&mut rng, now + Duration::from_secs(300));
/// assert!(tokens.accepts(&token, at, &key), "still valid after one rotation");
/// tokens.rotate(&mut rng, now + Duration::from_secs(600));
/// assert!(!tokens.accepts(&token, at, &key), "not after two");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Tokens {
    /// The newest secret first; at most two.
    secrets: VecDeque<[u8; 16]>,
    rotated: Instant,
}

impl Tokens {
    /// A first secret, drawn from `rng`.
    pub fn new(rng: &mut Rng, now: Instant) -> Self {
        let mut tokens = Self { secrets: VecDeque::with_capacity(2), rotated: now };
        tokens.secrets.push_front(secret(rng));
        tokens
    }

    /// Draws a new secret if [`TOKEN_ROTATION`] has passed; the one before stays valid.
    pub fn rotate(&mut self, rng: &mut Rng, now: Instant) {
        if now.duration_since(self.rotated) < TOKEN_ROTATION {
            return;
        }
        self.rotated = now;
        self.secrets.push_front(secret(rng));
        self.secrets.truncate(2);
    }

    /// The token for the node with `key` at `address`, under the newest secret.
    #[must_use]
    pub fn token_for(&self, address: SocketAddr, key: &PublicKey) -> [u8; 20] {
        token(address, key, self.secrets.front().unwrap_or(&[0; 16]))
    }

    /// Whether `token` is one we handed the node with `key` at `address` lately.
    #[must_use]
    pub fn accepts(&self, token: &[u8; 20], address: SocketAddr, key: &PublicKey) -> bool {
        self.secrets.iter().any(|secret| &self::token(address, key, secret) == token)
    }
}

fn secret(rng: &mut Rng) -> [u8; 16] {
    let mut secret = [0; 16];
    secret[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
    secret[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
    secret
}

/// SHA-1 over the node's address and mid and the secret (any private function of those is
/// compatible: tokens are opaque to others).
fn token(address: SocketAddr, key: &PublicKey, secret: &[u8; 16]) -> [u8; 20] {
    let mut hasher = Sha1::new();
    hasher.update(address.to_string().as_bytes());
    hasher.update(key.mid().as_bytes());
    hasher.update(secret);
    hasher.finalize().into()
}

fn sha1(bytes: &[u8]) -> [u8; 20] {
    Sha1::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{Curve, PrivateKey};

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn a_signer_keeps_one_value_per_key_and_newer_versions_win() {
        let (now, key) = (Instant::now(), PrivateKey::generate(Curve::Curve25519).unwrap());
        let mut storage = Storage::default();
        storage.put([1; 20], Value::signed(b"v1", 1, &key).unwrap(), HOUR, now).unwrap();
        storage.put([1; 20], Value::signed(b"v2", 2, &key).unwrap(), HOUR, now).unwrap();
        assert_eq!(storage.get(&[1; 20], 0, 8), [Value::signed(b"v2", 2, &key).unwrap()]);
        let stale = storage.put([1; 20], Value::signed(b"v0", 0, &key).unwrap(), HOUR, now);
        assert!(matches!(stale, Err(StoreError::Stale)));
        let forged = {
            let mut value = Value::signed(b"v3", 3, &key).unwrap();
            value[3] ^= 1;
            value
        };
        assert!(matches!(storage.put([1; 20], forged, HOUR, now), Err(StoreError::Value(_))));
        assert_eq!(storage.get(&[1; 20], 0, 8).len(), 1);
    }

    #[test]
    fn values_are_bounded_and_paged() {
        let now = Instant::now();
        let mut storage = Storage::default();
        for i in 0..100u8 {
            storage.put([2; 20], Value::unsigned(&[i]).unwrap(), HOUR, now).unwrap();
        }
        assert_eq!(storage.get(&[2; 20], 0, 1000).len(), MAX_VALUES_PER_KEY);
        assert_eq!(storage.get(&[2; 20], 0, 2), [vec![0, 99], vec![0, 98]]);
        assert_eq!(storage.get(&[2; 20], 2, 1), [vec![0, 97]]);
        for i in 0..MAX_KEYS {
            let mut key = [0; 20];
            key[..8].copy_from_slice(&(i as u64).to_be_bytes());
            key[19] = 9;
            let _ = storage.put(key, Value::unsigned(b"x").unwrap(), HOUR, now);
        }
        let refused = storage.put([3; 20], Value::unsigned(b"x").unwrap(), HOUR, now);
        assert!(matches!(refused, Err(StoreError::TooManyKeys)));
    }

    #[test]
    fn expiry_stops_at_the_first_live_value() {
        let now = Instant::now();
        let mut storage = Storage::default();
        storage.put([4; 20], Value::unsigned(b"old").unwrap(), HOUR, now).unwrap();
        storage.put([4; 20], Value::unsigned(b"young").unwrap(), HOUR, now + HOUR).unwrap();
        storage.clean(now + HOUR);
        assert_eq!(storage.get(&[4; 20], 0, 8), [Value::unsigned(b"young").unwrap()]);
    }

    #[test]
    fn tokens_are_bound_to_address_and_key() {
        let (mut rng, now) = (Rng::new(3), Instant::now());
        let tokens = Tokens::new(&mut rng, now);
        let key = PrivateKey::generate(Curve::Curve25519).unwrap().public_key();
        let other = PrivateKey::generate(Curve::Curve25519).unwrap().public_key();
        let at: SocketAddr = "10.0.0.1:8090".parse().unwrap();
        let token = tokens.token_for(at, &key);
        assert!(!tokens.accepts(&token, "10.0.0.2:8090".parse().unwrap(), &key));
        assert!(!tokens.accepts(&token, at, &other));
        assert!(!tokens.accepts(&[0; 20], at, &key));
    }
}
