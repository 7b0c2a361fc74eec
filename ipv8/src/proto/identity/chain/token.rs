//! [`Token`]: a double pointer, to the previous token of a chain and to some content (py-ipv8's
//! `tokentree/token.py`).

use std::fmt;

use super::ChainError;
use super::signed::{HASH_LEN, Hex, sha3_256, signed_hash, split_signed};
use crate::crypto::{PrivateKey, PublicKey};

/// One link of a chain: the hash of the token before it (or the genesis hash), the SHA3-256 hash
/// of its content, and the owner's signature over both. The content itself is optional: a token
/// received from someone else carries only its hash.
#[derive(Clone)]
pub struct Token {
    previous_hash: [u8; HASH_LEN],
    content_hash: [u8; HASH_LEN],
    content: Option<Vec<u8>>,
    signature: Vec<u8>,
    hash: [u8; HASH_LEN],
}

impl Token {
    /// A token for `content` after `previous_hash`, signed with `key`.
    #[must_use]
    pub fn with_content(previous_hash: [u8; HASH_LEN], content: &[u8], key: &PrivateKey) -> Self {
        let mut token = Self::by_hash(previous_hash, sha3_256(content), key);
        token.content = Some(content.to_vec());
        token
    }

    /// A token for content known only by its hash, signed with `key`.
    #[must_use]
    pub fn by_hash(
        previous_hash: [u8; HASH_LEN],
        content_hash: [u8; HASH_LEN],
        key: &PrivateKey,
    ) -> Self {
        let signature = key.sign(&plaintext(&previous_hash, &content_hash));
        Self::from_parts(previous_hash, content_hash, signature)
    }

    /// A token from its fields (as stored or received); the signature is not checked.
    #[must_use]
    pub fn from_parts(
        previous_hash: [u8; HASH_LEN],
        content_hash: [u8; HASH_LEN],
        signature: Vec<u8>,
    ) -> Self {
        let hash = signed_hash(&plaintext(&previous_hash, &content_hash), &signature);
        Self { previous_hash, content_hash, content: None, signature, hash }
    }

    /// Reads a serialized token (64 bytes of pointers, then a signature of `signature_len`
    /// bytes) from the start of `data`; later bytes are ignored.
    ///
    /// # Errors
    ///
    /// [`ChainError::Truncated`] when `data` is shorter than a token.
    pub fn parse(data: &[u8], signature_len: usize) -> Result<Self, ChainError> {
        let (pointers, signature) =
            split_signed::<64>(data, signature_len).ok_or(ChainError::Truncated("token"))?;
        let (previous, content) = pointers.split_at(HASH_LEN);
        let previous_hash = previous.try_into().map_err(|_| ChainError::Truncated("token"))?;
        let content_hash = content.try_into().map_err(|_| ChainError::Truncated("token"))?;
        Ok(Self::from_parts(previous_hash, content_hash, signature))
    }

    /// The serialized size of a token signed by a key whose signatures are `signature_len` long.
    #[must_use]
    pub fn serialized_len(signature_len: usize) -> usize {
        2 * HASH_LEN + signature_len
    }

    /// The hash of the token before this one (or the chain's genesis hash).
    #[must_use]
    pub fn previous_hash(&self) -> &[u8; HASH_LEN] {
        &self.previous_hash
    }

    /// The SHA3-256 hash of the content (for attributes: a padded attribute hash).
    #[must_use]
    pub fn content_hash(&self) -> &[u8; HASH_LEN] {
        &self.content_hash
    }

    /// The content, if we have it.
    #[must_use]
    pub fn content(&self) -> Option<&[u8]> {
        self.content.as_deref()
    }

    /// The owner's signature.
    #[must_use]
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// This token's hash: SHA3-256 of its serialization.
    #[must_use]
    pub fn hash(&self) -> &[u8; HASH_LEN] {
        &self.hash
    }

    /// What the owner signs: the previous hash and the content hash.
    #[must_use]
    pub fn plaintext(&self) -> [u8; 2 * HASH_LEN] {
        plaintext(&self.previous_hash, &self.content_hash)
    }

    /// The plaintext followed by the signature.
    #[must_use]
    pub fn serialize(&self) -> Vec<u8> {
        [self.plaintext().as_slice(), &self.signature].concat()
    }

    /// Whether `key` signed this token.
    #[must_use]
    pub fn verify(&self, key: &PublicKey) -> bool {
        key.verify(&self.plaintext(), &self.signature)
    }

    /// Takes `content` if its hash is this token's content hash; answers whether it did.
    pub fn receive_content(&mut self, content: &[u8]) -> bool {
        let matches = sha3_256(content) == self.content_hash;
        if matches {
            self.content = Some(content.to_vec());
        }
        matches
    }
}

fn plaintext(previous_hash: &[u8; HASH_LEN], content_hash: &[u8; HASH_LEN]) -> [u8; 2 * HASH_LEN] {
    let mut out = [0; 2 * HASH_LEN];
    out[..HASH_LEN].copy_from_slice(previous_hash);
    out[HASH_LEN..].copy_from_slice(content_hash);
    out
}

/// Tokens are equal when their signed bytes are (the content does not count).
impl PartialEq for Token {
    fn eq(&self, other: &Self) -> bool {
        self.plaintext() == other.plaintext() && self.signature == other.signature
    }
}

impl Eq for Token {}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("hash", &Hex(&self.hash))
            .field("previous_hash", &Hex(&self.previous_hash))
            .field("content_hash", &Hex(&self.content_hash))
            .field("has_content", &self.content.is_some())
            .finish_non_exhaustive()
    }
}
