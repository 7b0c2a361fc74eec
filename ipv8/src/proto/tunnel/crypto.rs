//! Tunnel cryptography (spec `tunnels.md` §5), as py-ipv8 and its Rust extension do it: an
//! ntor-like handshake between a circuit's originator and each hop, session keys from HKDF-Expand
//! (SHA-256), and one ChaCha20-Poly1305 layer per hop with a counter nonce.

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce, Tag};
use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha512};

use crate::crypto::{PrivateKey, PublicKey, box_beforenm, x25519_public};

/// Bytes a layer adds: an 8-byte counter and a 16-byte tag.
pub const LAYER_OVERHEAD: usize = 24;
/// The counter's bytes at the front of a layer.
const COUNTER_LEN: usize = 8;
/// HKDF's `info` for the session keys.
const KEY_GENERATION: &[u8] = b"key_generation";

/// Which way a layer travels along a circuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the originator toward the exit.
    Forward,
    /// Toward the originator.
    Backward,
}

/// Why a handshake or a layer failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// A key that is not a curve25519 key (only those take part in tunnels).
    #[error("not a curve25519 key")]
    NotCurve25519,
    /// A key exchange with a low-order public key.
    #[error("the key exchange failed")]
    Exchange,
    /// The responder's proof does not match.
    #[error("the handshake's auth does not match")]
    BadAuth,
    /// A layer shorter than [`LAYER_OVERHEAD`].
    #[error("a layer shorter than 24 bytes")]
    TooShort,
    /// A layer that does not decrypt with these keys.
    #[error("a layer that does not decrypt")]
    Decrypt,
    /// A layer whose counter was seen before (a replayed cell).
    #[error("a layer seen before")]
    Replayed,
}

/// The ephemeral X25519 key of one side of a handshake (`x` or `y`).
#[derive(Clone)]
pub struct EphemeralKey {
    secret: [u8; 32],
}

impl std::fmt::Debug for EphemeralKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EphemeralKey").field("public", &self.public()).finish_non_exhaustive()
    }
}

impl EphemeralKey {
    /// A new key from the operating system's random generator.
    #[must_use]
    pub fn generate() -> Self {
        let mut secret = [0; 32];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut secret);
        Self { secret }
    }

    /// The key with this secret (for tests and vectors).
    #[must_use]
    pub fn from_secret(secret: [u8; 32]) -> Self {
        Self { secret }
    }

    /// The public half, sent in the handshake (`X` or `Y`).
    #[must_use]
    pub fn public(&self) -> [u8; 32] {
        x25519_public(&self.secret)
    }

    fn exchange(&self, public: &[u8; 32]) -> Result<[u8; 32], CryptoError> {
        box_beforenm(&self.secret, public).ok_or(CryptoError::Exchange)
    }
}

/// What a hop answers a create or extend with: its ephemeral public key `Y`, the proof `auth`,
/// and the session keys it now shares with the originator.
#[derive(Debug, Clone)]
pub struct Created {
    /// The hop's ephemeral public key.
    pub y: [u8; 32],
    /// HMAC-SHA512 of `Y` under the first half of the shared secret, cut to 32 bytes.
    pub auth: [u8; 32],
    /// The session keys.
    pub keys: SessionKeys,
}

/// The hop's side of a handshake: with its long-term key `me`, a fresh `ephemeral` key and the
/// originator's `x`, computes `S = DH(y, X) ‖ DH(b, X)`, the proof and the keys.
///
/// # Errors
///
/// [`CryptoError::NotCurve25519`] for a legacy `me`; [`CryptoError::Exchange`] for a low-order `x`.
pub fn respond(
    me: &PrivateKey,
    ephemeral: &EphemeralKey,
    x: &[u8; 32],
) -> Result<Created, CryptoError> {
    let first = ephemeral.exchange(x)?;
    let second = me.key_exchange(x).ok_or(CryptoError::NotCurve25519)?;
    let shared = concat(&first, &second);
    let y = ephemeral.public();
    let auth = auth(&first, &y);
    Ok(Created { y, auth, keys: SessionKeys::derive(&shared) })
}

/// The originator's side, once the hop answered with `y` and `auth`: `S = DH(x, Y) ‖ DH(x, B)`
/// with `B` the hop's long-term key, the proof checked in constant time, then the keys.
///
/// # Errors
///
/// [`CryptoError::NotCurve25519`] for a legacy hop key, [`CryptoError::Exchange`] for low-order
/// keys, [`CryptoError::BadAuth`] if the proof does not match.
pub fn complete(
    ephemeral: &EphemeralKey,
    hop: &PublicKey,
    y: &[u8; 32],
    proof: &[u8; 32],
) -> Result<SessionKeys, CryptoError> {
    let hop = hop.x25519().ok_or(CryptoError::NotCurve25519)?;
    let first = ephemeral.exchange(y)?;
    let second = ephemeral.exchange(&hop)?;
    let expected = auth(&first, y);
    // Constant time: every byte is compared.
    let differs = expected.iter().zip(proof).fold(0_u8, |acc, (a, b)| acc | (a ^ b));
    if differs != 0 {
        return Err(CryptoError::BadAuth);
    }
    Ok(SessionKeys::derive(&concat(&first, &second)))
}

fn concat(first: &[u8; 32], second: &[u8; 32]) -> [u8; 64] {
    let mut shared = [0; 64];
    shared[..32].copy_from_slice(first);
    shared[32..].copy_from_slice(second);
    shared
}

fn hmac_sha512(key: &[u8; 32]) -> Hmac<Sha512> {
    // HMAC takes keys of any length.
    <Hmac<Sha512> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("any key length"))
}

fn auth(first: &[u8; 32], y: &[u8; 32]) -> [u8; 32] {
    let mut mac = hmac_sha512(first);
    mac.update(y);
    let full = mac.finalize().into_bytes();
    let mut auth = [0; 32];
    auth.copy_from_slice(full.get(..32).unwrap_or(&[0; 32]));
    auth
}

/// The keys one originator shares with one hop: a key and a 4-byte salt per direction, and a
/// counter per direction for the nonces of the layers it makes.
#[derive(Clone)]
pub struct SessionKeys {
    forward: DirectionKeys,
    backward: DirectionKeys,
}

#[derive(Clone)]
struct DirectionKeys {
    cipher: ChaCha20Poly1305,
    key: [u8; 32],
    salt: [u8; 4],
    counter: u64,
}

impl DirectionKeys {
    fn new(key: &[u8], salt: &[u8]) -> Self {
        let mut k = [0; 32];
        k.copy_from_slice(key);
        let mut s = [0; 4];
        s.copy_from_slice(salt);
        Self { cipher: ChaCha20Poly1305::new(Key::from_slice(&k)), key: k, salt: s, counter: 1 }
    }

    fn nonce(&self, counter: u64) -> [u8; 12] {
        let mut nonce = [0; 12];
        nonce[..4].copy_from_slice(&self.salt);
        nonce[4..].copy_from_slice(&counter.to_be_bytes());
        nonce
    }
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionKeys").finish_non_exhaustive()
    }
}

impl SessionKeys {
    /// The keys of the 64-byte shared secret `S`: HKDF-Expand (no extract step) with SHA-256,
    /// info `key_generation`, 72 bytes split into the backward key, the forward key, the
    /// backward salt and the forward salt.
    #[must_use]
    pub fn derive(shared: &[u8; 64]) -> Self {
        let mut okm = [0; 72];
        // A 64-byte PRK is longer than SHA-256's output, as HKDF-Expand requires, and 72 bytes are
        // far below its 8160-byte limit.
        let hkdf = hkdf::Hkdf::<Sha256>::from_prk(shared)
            .unwrap_or_else(|_| unreachable!("a 64-byte PRK is long enough"));
        hkdf.expand(KEY_GENERATION, &mut okm)
            .unwrap_or_else(|_| unreachable!("72 bytes is a valid length"));
        Self {
            backward: DirectionKeys::new(&okm[0..32], &okm[64..68]),
            forward: DirectionKeys::new(&okm[32..64], &okm[68..72]),
        }
    }

    fn keys(&self, direction: Direction) -> &DirectionKeys {
        match direction {
            Direction::Forward => &self.forward,
            Direction::Backward => &self.backward,
        }
    }

    /// The key of `direction`.
    #[must_use]
    pub fn key(&self, direction: Direction) -> &[u8; 32] {
        &self.keys(direction).key
    }

    /// The salt of `direction`.
    #[must_use]
    pub fn salt(&self, direction: Direction) -> &[u8; 4] {
        &self.keys(direction).salt
    }

    /// Wraps `plaintext` in one layer for `direction`: the next counter (8 bytes, big-endian),
    /// then the ciphertext and its tag.
    pub fn encrypt(&mut self, direction: Direction, plaintext: &[u8]) -> Vec<u8> {
        let mut layer = Vec::with_capacity(plaintext.len() + LAYER_OVERHEAD);
        layer.extend_from_slice(plaintext);
        self.encrypt_in_place(direction, &mut layer, 0);
        layer
    }

    /// As [`SessionKeys::encrypt`] on `buffer[start..]`, in place: the plaintext there becomes
    /// the layer (24 bytes longer); what comes before `start` is left alone.
    pub fn encrypt_in_place(&mut self, direction: Direction, buffer: &mut Vec<u8>, start: usize) {
        let keys = match direction {
            Direction::Forward => &mut self.forward,
            Direction::Backward => &mut self.backward,
        };
        keys.counter = keys.counter.wrapping_add(1);
        let counter = keys.counter;
        let start = start.min(buffer.len());
        let plaintext_len = buffer.len() - start;
        buffer.extend_from_slice(&[0; COUNTER_LEN]);
        buffer.copy_within(start..start + plaintext_len, start + COUNTER_LEN);
        buffer[start..start + COUNTER_LEN].copy_from_slice(&counter.to_be_bytes());
        let sealed = &mut buffer[start + COUNTER_LEN..];
        let tag = keys
            .cipher
            .encrypt_in_place_detached(Nonce::from_slice(&keys.nonce(counter)), b"", sealed)
            .unwrap_or_else(|_| unreachable!("ChaCha20-Poly1305 seals any message a packet holds"));
        buffer.extend_from_slice(&tag);
    }

    /// Skips one counter value of `direction`, as if a message had been sent: for a counter the
    /// other end used already (a hop seals its candidate list under the FORWARD counter the
    /// originator starts from).
    pub fn skip(&mut self, direction: Direction) {
        let keys = match direction {
            Direction::Forward => &mut self.forward,
            Direction::Backward => &mut self.backward,
        };
        keys.counter = keys.counter.wrapping_add(1);
    }

    /// Removes one layer of `direction`. The counter is taken from the layer (py-ipv8 checks no
    /// replay at this level).
    ///
    /// # Errors
    ///
    /// [`CryptoError::TooShort`] or [`CryptoError::Decrypt`].
    pub fn decrypt(&self, direction: Direction, layer: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut plaintext = layer.to_vec();
        let len = self.decrypt_in_place(direction, &mut plaintext)?;
        plaintext.copy_within(COUNTER_LEN..COUNTER_LEN + len, 0);
        plaintext.truncate(len);
        Ok(plaintext)
    }

    /// As [`SessionKeys::decrypt`], in place: the plaintext replaces the ciphertext in
    /// `layer[8..]` and its length is returned. A layer that does not open is left as it was.
    ///
    /// # Errors
    ///
    /// As [`SessionKeys::decrypt`].
    pub fn decrypt_in_place(
        &self,
        direction: Direction,
        layer: &mut [u8],
    ) -> Result<usize, CryptoError> {
        let counter = counter_of(layer)?;
        let len = layer.len() - LAYER_OVERHEAD;
        let (sealed, tag) = layer[COUNTER_LEN..].split_at_mut(len);
        let keys = self.keys(direction);
        let nonce = keys.nonce(counter);
        keys.cipher
            .decrypt_in_place_detached(Nonce::from_slice(&nonce), b"", sealed, Tag::from_slice(tag))
            .map_err(|_| CryptoError::Decrypt)?;
        Ok(len)
    }

    /// As [`SessionKeys::decrypt`], refusing a layer whose counter `window` has seen, and
    /// recording the counter of one that decrypts.
    ///
    /// # Errors
    ///
    /// As [`SessionKeys::decrypt`], and [`CryptoError::Replayed`].
    pub fn decrypt_once(
        &self,
        direction: Direction,
        layer: &[u8],
        window: &mut super::ReplayWindow,
    ) -> Result<Vec<u8>, CryptoError> {
        if !window.would_accept(counter_of(layer)?) {
            return Err(CryptoError::Replayed);
        }
        let plaintext = self.decrypt(direction, layer)?;
        window.accept(counter_of(layer)?);
        Ok(plaintext)
    }

    /// As [`SessionKeys::decrypt_in_place`], refusing a layer whose counter `window` has seen,
    /// and recording the counter of one that decrypts.
    ///
    /// # Errors
    ///
    /// As [`SessionKeys::decrypt`], and [`CryptoError::Replayed`].
    pub fn decrypt_once_in_place(
        &self,
        direction: Direction,
        layer: &mut [u8],
        window: &mut super::ReplayWindow,
    ) -> Result<usize, CryptoError> {
        let counter = counter_of(layer)?;
        if !window.would_accept(counter) {
            return Err(CryptoError::Replayed);
        }
        let len = self.decrypt_in_place(direction, layer)?;
        window.accept(counter);
        Ok(len)
    }
}

/// The counter a layer starts with; refuses a layer too short to hold a counter and a tag.
fn counter_of(layer: &[u8]) -> Result<u64, CryptoError> {
    if layer.len() < LAYER_OVERHEAD {
        return Err(CryptoError::TooShort);
    }
    let mut bytes = [0; COUNTER_LEN];
    bytes.copy_from_slice(&layer[..COUNTER_LEN]);
    Ok(u64::from_be_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::tunnel::ReplayWindow;

    fn keys() -> SessionKeys {
        SessionKeys::derive(&[7; 64])
    }

    #[test]
    fn a_layer_made_in_place_is_the_layer_made_apart_and_opens_in_place() {
        let (mut apart, mut in_place) = (keys(), keys());
        let layer = apart.encrypt(Direction::Forward, b"inner message");
        let mut buffer = b"header".to_vec();
        buffer.extend_from_slice(b"inner message");
        in_place.encrypt_in_place(Direction::Forward, &mut buffer, 6);
        assert_eq!(&buffer[..6], b"header", "what precedes the layer is untouched");
        assert_eq!(buffer[6..], layer[..]);
        let len = keys().decrypt_in_place(Direction::Forward, &mut buffer[6..]).unwrap();
        assert_eq!(&buffer[6 + 8..6 + 8 + len], b"inner message");
        assert_eq!(keys().decrypt(Direction::Forward, &layer).unwrap(), b"inner message");
    }

    #[test]
    fn a_layer_that_does_not_open_is_left_as_it_was() {
        let mut layer = keys().encrypt(Direction::Backward, b"inner message");
        let last = layer.len() - 1;
        layer[last] ^= 1;
        let before = layer.clone();
        let wrong_way = keys().decrypt_in_place(Direction::Forward, &mut layer.clone());
        assert_eq!(wrong_way, Err(CryptoError::Decrypt));
        assert_eq!(
            keys().decrypt_in_place(Direction::Backward, &mut layer),
            Err(CryptoError::Decrypt)
        );
        assert_eq!(layer, before);
        assert_eq!(
            keys().decrypt_in_place(Direction::Backward, &mut [0; 23]),
            Err(CryptoError::TooShort)
        );
    }

    #[test]
    fn a_layer_opens_once_in_place() {
        let layer = keys().encrypt(Direction::Forward, b"inner message");
        let (receiver, mut window) = (keys(), ReplayWindow::default());
        let mut first = layer.clone();
        assert_eq!(
            receiver.decrypt_once_in_place(Direction::Forward, &mut first, &mut window),
            Ok(13)
        );
        let mut again = layer.clone();
        let replayed = receiver.decrypt_once_in_place(Direction::Forward, &mut again, &mut window);
        assert_eq!(replayed, Err(CryptoError::Replayed));
        assert_eq!(again, layer, "a replay is not decrypted");
    }
}
