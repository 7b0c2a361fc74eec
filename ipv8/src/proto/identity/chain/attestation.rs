//! [`IdentityAttestation`]: an authority's signature over a pseudonym's metadata (py-ipv8's
//! `identity/attestation.py`; not the zero-knowledge attestation of the wallet).

use std::fmt;

use super::ChainError;
use super::metadata::Metadata;
use super::signed::{HASH_LEN, Hex, signed_hash, split_signed};
use crate::crypto::{PrivateKey, PublicKey};

/// An authority vouches for metadata: the metadata's hash, signed by the authority.
#[derive(Clone, PartialEq, Eq)]
pub struct IdentityAttestation {
    metadata_pointer: [u8; HASH_LEN],
    signature: Vec<u8>,
    hash: [u8; HASH_LEN],
}

impl IdentityAttestation {
    /// An attestation of `metadata` by the authority whose key is `key`.
    #[must_use]
    pub fn create(metadata: &Metadata, key: &PrivateKey) -> Self {
        let metadata_pointer = *metadata.hash();
        Self::from_parts(metadata_pointer, key.sign(&metadata_pointer))
    }

    /// An attestation from its fields (as stored or received); the signature is not checked.
    #[must_use]
    pub fn from_parts(metadata_pointer: [u8; HASH_LEN], signature: Vec<u8>) -> Self {
        let hash = signed_hash(&metadata_pointer, &signature);
        Self { metadata_pointer, signature, hash }
    }

    /// Reads a serialized attestation (a 32-byte pointer, then a signature of `signature_len`
    /// bytes) from the start of `data`; later bytes are ignored.
    ///
    /// # Errors
    ///
    /// [`ChainError::Truncated`] when `data` is shorter than an attestation.
    pub fn parse(data: &[u8], signature_len: usize) -> Result<Self, ChainError> {
        let (pointer, signature) = split_signed::<HASH_LEN>(data, signature_len)
            .ok_or(ChainError::Truncated("attestation"))?;
        Ok(Self::from_parts(pointer, signature))
    }

    /// The hash of the attested metadata.
    #[must_use]
    pub fn metadata_pointer(&self) -> &[u8; HASH_LEN] {
        &self.metadata_pointer
    }

    /// The authority's signature.
    #[must_use]
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// This attestation's hash: SHA3-256 of its serialization.
    #[must_use]
    pub fn hash(&self) -> &[u8; HASH_LEN] {
        &self.hash
    }

    /// The pointer followed by the signature.
    #[must_use]
    pub fn serialize(&self) -> Vec<u8> {
        [self.metadata_pointer.as_slice(), &self.signature].concat()
    }

    /// Whether `authority` signed this attestation.
    #[must_use]
    pub fn verify(&self, authority: &PublicKey) -> bool {
        authority.verify(&self.metadata_pointer, &self.signature)
    }
}

impl fmt::Debug for IdentityAttestation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityAttestation")
            .field("hash", &Hex(&self.hash))
            .field("metadata_pointer", &Hex(&self.metadata_pointer))
            .finish_non_exhaustive()
    }
}
