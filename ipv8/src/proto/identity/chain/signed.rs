//! What every signed object shares: SHA3-256 hashes of `plaintext ‖ signature`, and the padding
//! that puts a 20-byte SHA-1 attribute hash into the 32-byte SHA3-256 space.

use std::fmt;

use sha3::{Digest as _, Sha3_256};

/// Length of every hash and pointer in a chain (SHA3-256).
pub const HASH_LEN: usize = 32;

/// What [`pad_hash`] puts in front of a 20-byte SHA-1 hash: `"SHA-1"` and seven zero bytes.
const SHA1_PADDING: [u8; 12] = *b"SHA-1\0\0\0\0\0\0\0";

/// The SHA3-256 of `data`.
#[must_use]
pub fn sha3_256(data: &[u8]) -> [u8; HASH_LEN] {
    Sha3_256::digest(data).into()
}

/// The hash of a signed object: SHA3-256 of its plaintext followed by its signature.
pub(super) fn signed_hash(plaintext: &[u8], signature: &[u8]) -> [u8; HASH_LEN] {
    let mut hasher = Sha3_256::new();
    hasher.update(plaintext);
    hasher.update(signature);
    hasher.finalize().into()
}

/// A 20-byte (SHA-1) attribute hash as a token's 32-byte content hash: `"SHA-1"`, seven zero bytes
/// and the hash (py-ipv8's `pad_hash`).
///
/// # Examples
///
/// ```
/// use ipv8::proto::identity::chain::{pad_hash, strip_sha1_padding};
///
/// let padded = pad_hash(&[0xab; 20]);
/// assert_eq!(&padded[..5], b"SHA-1");
/// assert_eq!(strip_sha1_padding(&padded), &[0xab; 20]);
/// ```
#[must_use]
pub fn pad_hash(attribute_hash: &[u8; 20]) -> [u8; HASH_LEN] {
    let mut padded = [0; HASH_LEN];
    padded[..SHA1_PADDING.len()].copy_from_slice(&SHA1_PADDING);
    padded[SHA1_PADDING.len()..].copy_from_slice(attribute_hash);
    padded
}

/// `hash` without the padding of [`pad_hash`], or all of it when it has none (py-ipv8's
/// `strip_sha1_padding`).
#[must_use]
pub fn strip_sha1_padding(hash: &[u8]) -> &[u8] {
    hash.strip_prefix(SHA1_PADDING.as_slice()).unwrap_or(hash)
}

/// Formats bytes as lowercase hex (for `Debug` output).
pub(super) struct Hex<'a>(pub(super) &'a [u8]);

impl fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

/// Splits `data` into a fixed-size head and the signature that follows it, which is
/// `signature_len` bytes long; `None` when `data` is too short. Bytes after the signature are
/// left alone, as py-ipv8's `struct.unpack_from` leaves them.
pub(super) fn split_signed<const N: usize>(
    data: &[u8],
    signature_len: usize,
) -> Option<([u8; N], Vec<u8>)> {
    let head: [u8; N] = data.get(..N)?.try_into().ok()?;
    let signature = data.get(N..N.checked_add(signature_len)?)?.to_vec();
    Some((head, signature))
}
