//! [`Pseudonym`]: one pseudonym's tree and credentials, backed by the identity database (py-ipv8's
//! `PseudonymManager` and `IdentityManager.substantiate`).

use std::collections::HashSet;

use super::ChainError;
use super::attestation::IdentityAttestation;
use super::disclosure::Disclosure;
use super::metadata::Metadata;
use super::signed::HASH_LEN;
use super::token::Token;
use super::tree::{MAX_DEPTH, TokenTree};
use crate::crypto::{PrivateKey, PublicKey};
use crate::proto::identity::db::{DbError, IdentityDb};

/// Metadata entries, attestations and tokens one disclosure may carry, at most (a disclosure
/// fitted to a UDP packet holds about ten tokens).
pub const MAX_DISCLOSED: usize = 64;

/// Metadata and the attestations authorities made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// The metadata.
    pub metadata: Metadata,
    /// Each authority's serialized public key and its attestation.
    pub attestations: Vec<(Vec<u8>, IdentityAttestation)>,
}

/// A pseudonym, ours or someone else's: its token tree in memory, its metadata and attestations
/// in the (shared) identity database.
#[derive(Debug)]
pub struct Pseudonym {
    db: IdentityDb,
    tree: TokenTree,
}

impl Pseudonym {
    /// Our pseudonym of `key`, with the tokens the database holds for it.
    ///
    /// # Errors
    ///
    /// The database failed.
    pub fn mine(db: IdentityDb, key: PrivateKey) -> Result<Self, DbError> {
        Self::load(db, TokenTree::with_private_key(key))
    }

    /// Someone else's pseudonym of `key`, with the tokens the database holds for it.
    ///
    /// # Errors
    ///
    /// The database failed.
    pub fn theirs(db: IdentityDb, key: PublicKey) -> Result<Self, DbError> {
        Self::load(db, TokenTree::with_public_key(key))
    }

    fn load(db: IdentityDb, mut tree: TokenTree) -> Result<Self, DbError> {
        for token in db.tokens_for(tree.public_key().to_bin())? {
            tree.insert_unchecked(token);
        }
        Ok(Self { db, tree })
    }

    /// The pseudonym's public key.
    #[must_use]
    pub fn public_key(&self) -> &PublicKey {
        self.tree.public_key()
    }

    /// Its token tree.
    #[must_use]
    pub fn tree(&self) -> &TokenTree {
        &self.tree
    }

    /// Its token tree, to gather tokens into.
    pub fn tree_mut(&mut self) -> &mut TokenTree {
        &mut self.tree
    }

    /// The database it lives in.
    #[must_use]
    pub fn db(&self) -> &IdentityDb {
        &self.db
    }

    /// Adds a credential: the token if it chains (stored even when the metadata is bad), then
    /// the metadata if the owner signed it for that token, then each attestation an authority
    /// signed. `None` when the token or the metadata was refused.
    ///
    /// # Errors
    ///
    /// The database failed.
    pub fn add_credential(
        &mut self,
        token: Token,
        metadata: Metadata,
        attestations: &[(PublicKey, IdentityAttestation)],
    ) -> Result<Option<Credential>, DbError> {
        let Some(token) = self.tree.gather_token(token).cloned() else { return Ok(None) };
        let owner = self.public_key().to_bin().to_vec();
        self.db.insert_token(&owner, &token)?;
        if !metadata.verify(self.public_key()) || metadata.token_pointer() != token.hash() {
            return Ok(None);
        }
        self.db.insert_metadata(&owner, &metadata)?;
        let mut valid = Vec::new();
        for (authority, attestation) in attestations {
            if self.add_attestation(authority, attestation)? {
                valid.push((authority.to_bin().to_vec(), attestation.clone()));
            }
        }
        Ok(Some(Credential { metadata, attestations: valid }))
    }

    /// Stores `attestation` if `authority` signed it; answers whether it did.
    ///
    /// # Errors
    ///
    /// The database failed.
    pub fn add_attestation(
        &self,
        authority: &PublicKey,
        attestation: &IdentityAttestation,
    ) -> Result<bool, DbError> {
        if !attestation.verify(authority) {
            return Ok(false);
        }
        self.db.insert_attestation(self.public_key().to_bin(), authority.to_bin(), attestation)?;
        Ok(true)
    }

    /// Stores `metadata` if the owner signed it; answers whether they did.
    ///
    /// # Errors
    ///
    /// The database failed.
    pub fn add_metadata(&self, metadata: &Metadata) -> Result<bool, DbError> {
        if !metadata.verify(self.public_key()) {
            return Ok(false);
        }
        self.db.insert_metadata(self.public_key().to_bin(), metadata)?;
        Ok(true)
    }

    /// Creates a credential of ours: a token for `attestation_hash` after the token of `after`
    /// (after the genesis hash when `None` or unknown) and the metadata `metadata_json` for it.
    ///
    /// # Errors
    ///
    /// [`ChainError::NoPrivateKey`] for someone else's pseudonym; the database failed.
    pub fn create_credential(
        &mut self,
        attestation_hash: [u8; HASH_LEN],
        metadata_json: Vec<u8>,
        after: Option<&Metadata>,
    ) -> Result<Option<Credential>, ChainError> {
        let preceding = after.and_then(|metadata| self.tree.get(metadata.token_pointer())).cloned();
        let token = self.tree.add_by_hash(attestation_hash, preceding.as_ref())?;
        let key = self.tree.private_key().ok_or(ChainError::NoPrivateKey)?;
        let metadata = Metadata::create(&token, metadata_json, key);
        Ok(self.add_credential(token, metadata, &[])?)
    }

    /// Every credential the database holds for this pseudonym, in the order it learnt them.
    ///
    /// # Errors
    ///
    /// The database failed.
    pub fn credentials(&self) -> Result<Vec<Credential>, DbError> {
        self.db.credentials_for(self.public_key().to_bin())
    }

    /// A disclosure of `metadata` (duplicates once), with the attestations whose hash
    /// `attestation_selector` holds and every token from the genesis to each metadata's token,
    /// oldest first (py-ipv8's `create_disclosure`).
    ///
    /// # Errors
    ///
    /// [`ChainError::UnknownToken`] or [`ChainError::Unverifiable`] when a metadata's token is not
    /// in the tree or its path to the genesis hash does not verify; the database failed.
    pub fn create_disclosure(
        &self,
        metadata: &[Metadata],
        attestation_selector: &HashSet<[u8; HASH_LEN]>,
    ) -> Result<Disclosure, ChainError> {
        let mut seen = HashSet::new();
        let metadata: Vec<&Metadata> = metadata.iter().filter(|m| seen.insert(*m.hash())).collect();
        let mut out = Disclosure::default();
        for entry in &metadata {
            let serialized = entry.serialize();
            out.metadata.extend_from_slice(&prefix_u32(serialized.len())?);
            out.metadata.extend_from_slice(&serialized);
        }
        for entry in &metadata {
            for (authority, attestation) in self.db.attestations_over(entry.hash())? {
                if attestation_selector.contains(attestation.hash()) {
                    out.attestations.extend_from_slice(&attestation.serialize());
                    out.authorities.extend_from_slice(&prefix_u16(authority.len())?);
                    out.authorities.extend_from_slice(&authority);
                }
            }
        }
        let mut included = HashSet::new();
        for entry in &metadata {
            let token = self.tree.get(entry.token_pointer()).ok_or(ChainError::UnknownToken)?;
            let path = self.tree.root_path(token, MAX_DEPTH);
            if path.is_empty() {
                return Err(ChainError::Unverifiable);
            }
            for token in path.into_iter().rev().filter(|token| included.insert(*token.hash())) {
                out.tokens.extend_from_slice(&token.serialize());
            }
        }
        Ok(out)
    }

    /// Loads a disclosure of this pseudonym: gathers its tokens (at most [`MAX_DISCLOSED`]),
    /// stores the metadata the owner signed and the attestations their authorities signed.
    /// Answers whether every token chained and every attestation verified (py-ipv8's
    /// `substantiate`).
    ///
    /// # Errors
    ///
    /// Malformed or oversized parts (nothing is loaded then); the database failed.
    pub fn substantiate(&mut self, disclosure: &Disclosure) -> Result<bool, ChainError> {
        let signature_len = self.public_key().signature_len();
        let metadata = parse_metadata(&disclosure.metadata, signature_len)?;
        let attestations = parse_attestations(&disclosure.attestations, &disclosure.authorities)?;
        let limit = MAX_DISCLOSED * Token::serialized_len(signature_len);
        let tokens = disclosure.tokens.get(..limit).unwrap_or(&disclosure.tokens);
        let mut correct = tokens.len() == disclosure.tokens.len();
        correct &= self.tree.unserialize_public(tokens);
        for entry in &metadata {
            self.add_metadata(entry)?;
        }
        for (authority, attestation) in &attestations {
            correct &= self.add_attestation(authority, attestation)?;
        }
        Ok(correct)
    }

    /// Removes every row of this pseudonym from the database (in one transaction) and forgets
    /// its tokens; answers the content hashes of the removed tokens.
    ///
    /// # Errors
    ///
    /// The database failed (then nothing was removed).
    pub fn remove(&mut self) -> Result<Vec<Vec<u8>>, DbError> {
        let removed = self.db.remove_all_for(self.public_key().to_bin())?;
        self.tree.clear();
        Ok(removed)
    }
}

/// Why a length does not fit its prefix: a part is too large to disclose.
fn too_long() -> ChainError {
    ChainError::TooMany { what: "bytes in one length-prefixed part", limit: u16::MAX as usize }
}

/// `len` as a big-endian `u32` prefix.
fn prefix_u32(len: usize) -> Result<[u8; 4], ChainError> {
    u32::try_from(len).map(u32::to_be_bytes).map_err(|_| too_long())
}

/// `len` as a big-endian `u16` prefix.
fn prefix_u16(len: usize) -> Result<[u8; 2], ChainError> {
    u16::try_from(len).map(u16::to_be_bytes).map_err(|_| too_long())
}

/// Metadata entries, each with a big-endian `u32` length in front.
fn parse_metadata(mut data: &[u8], signature_len: usize) -> Result<Vec<Metadata>, ChainError> {
    let mut out = Vec::new();
    while !data.is_empty() {
        if out.len() == MAX_DISCLOSED {
            return Err(ChainError::TooMany { what: "metadata", limit: MAX_DISCLOSED });
        }
        let (len, rest) =
            data.split_first_chunk::<4>().ok_or(ChainError::Truncated("metadata length"))?;
        let len = usize::try_from(u32::from_be_bytes(*len)).unwrap_or(usize::MAX);
        let (entry, rest) = rest.split_at_checked(len).ok_or(ChainError::Truncated("metadata"))?;
        out.push(Metadata::parse(entry, signature_len)?);
        data = rest;
    }
    Ok(out)
}

/// Authorities (each key with a big-endian `u16` length in front) and their attestations, one
/// after the other, each as long as its authority's signatures make it.
fn parse_attestations(
    attestations: &[u8],
    mut authorities: &[u8],
) -> Result<Vec<(PublicKey, IdentityAttestation)>, ChainError> {
    let mut out = Vec::new();
    let mut offset = 0;
    while !authorities.is_empty() {
        if out.len() == MAX_DISCLOSED {
            return Err(ChainError::TooMany { what: "attestations", limit: MAX_DISCLOSED });
        }
        let (len, rest) = authorities
            .split_first_chunk::<2>()
            .ok_or(ChainError::Truncated("authority length"))?;
        let (key, rest) = rest
            .split_at_checked(usize::from(u16::from_be_bytes(*len)))
            .ok_or(ChainError::Truncated("authority"))?;
        let authority = PublicKey::from_bin(key).map_err(|_| ChainError::InvalidKey)?;
        let signature_len = authority.signature_len();
        let at = attestations.get(offset..).unwrap_or_default();
        out.push((authority, IdentityAttestation::parse(at, signature_len)?));
        offset += HASH_LEN + signature_len;
        authorities = rest;
    }
    Ok(out)
}
