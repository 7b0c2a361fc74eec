//! [`Metadata`]: a JSON dictionary signed onto a token (py-ipv8's `identity/metadata.py`).

use std::fmt;

use super::ChainError;
use super::signed::{HASH_LEN, Hex, signed_hash};
use super::token::Token;
use crate::crypto::{PrivateKey, PublicKey};

/// What a credential says about its token: the token's hash and a serialized JSON dictionary,
/// signed by the pseudonym's owner.
#[derive(Clone)]
pub struct Metadata {
    token_pointer: [u8; HASH_LEN],
    json: Vec<u8>,
    signature: Vec<u8>,
    hash: [u8; HASH_LEN],
}

impl Metadata {
    /// Metadata `json` for `token`, signed with `key`.
    #[must_use]
    pub fn create(token: &Token, json: Vec<u8>, key: &PrivateKey) -> Self {
        let token_pointer = *token.hash();
        let signature = key.sign(&[token_pointer.as_slice(), &json].concat());
        Self::from_parts(token_pointer, json, signature)
    }

    /// Metadata from its fields (as stored or received); the signature is not checked.
    #[must_use]
    pub fn from_parts(token_pointer: [u8; HASH_LEN], json: Vec<u8>, signature: Vec<u8>) -> Self {
        let hash = signed_hash(&[token_pointer.as_slice(), &json].concat(), &signature);
        Self { token_pointer, json, signature, hash }
    }

    /// Reads serialized metadata, which is all of `data`: the token pointer, the JSON and a
    /// signature of `signature_len` bytes at the end.
    ///
    /// # Errors
    ///
    /// [`ChainError::Truncated`] when `data` cannot hold a pointer and a signature.
    pub fn parse(data: &[u8], signature_len: usize) -> Result<Self, ChainError> {
        let truncated = || ChainError::Truncated("metadata");
        let json_end = data.len().checked_sub(signature_len).ok_or_else(truncated)?;
        let token_pointer = data.get(..HASH_LEN).ok_or_else(truncated)?;
        let json = data.get(HASH_LEN..json_end).ok_or_else(truncated)?;
        let signature = data.get(json_end..).ok_or_else(truncated)?;
        let token_pointer = token_pointer.try_into().map_err(|_| truncated())?;
        Ok(Self::from_parts(token_pointer, json.to_vec(), signature.to_vec()))
    }

    /// The hash of the token this metadata belongs to.
    #[must_use]
    pub fn token_pointer(&self) -> &[u8; HASH_LEN] {
        &self.token_pointer
    }

    /// The serialized JSON dictionary.
    #[must_use]
    pub fn json(&self) -> &[u8] {
        &self.json
    }

    /// The owner's signature.
    #[must_use]
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// This metadata's hash: SHA3-256 of its serialization.
    #[must_use]
    pub fn hash(&self) -> &[u8; HASH_LEN] {
        &self.hash
    }

    /// What the owner signs: the token pointer and the JSON.
    #[must_use]
    pub fn plaintext(&self) -> Vec<u8> {
        [self.token_pointer.as_slice(), &self.json].concat()
    }

    /// The plaintext followed by the signature.
    #[must_use]
    pub fn serialize(&self) -> Vec<u8> {
        [self.token_pointer.as_slice(), &self.json, &self.signature].concat()
    }

    /// Whether `key` signed this metadata.
    #[must_use]
    pub fn verify(&self, key: &PublicKey) -> bool {
        key.verify(&self.plaintext(), &self.signature)
    }

    /// The JSON parsed, if it is a JSON object.
    #[must_use]
    pub fn json_object(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        match serde_json::from_slice(&self.json).ok()? {
            serde_json::Value::Object(object) => Some(object),
            _ => None,
        }
    }
}

/// Metadata are equal when their signed bytes are.
impl PartialEq for Metadata {
    fn eq(&self, other: &Self) -> bool {
        self.token_pointer == other.token_pointer
            && self.json == other.json
            && self.signature == other.signature
    }
}

impl Eq for Metadata {}

impl fmt::Debug for Metadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metadata")
            .field("hash", &Hex(&self.hash))
            .field("token_pointer", &Hex(&self.token_pointer))
            .field("json", &String::from_utf8_lossy(&self.json))
            .finish_non_exhaustive()
    }
}
