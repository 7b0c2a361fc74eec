//! py-ipv8's identity layer (spec `attestation.md`): per pseudonym, an [`IdentityCommunity`] keeps
//! a signed chain of tokens, metadata and authorities' attestations, and an
//! [`AttestationCommunity`](wallet::AttestationCommunity) (py-ipv8's "wallet") moves
//! zero-knowledge attestations and runs their proofs.

// --- chain, identity database and IdentityCommunity (helper A's section) ---
pub mod chain;
mod community;
pub mod db;

pub use community::*;

// --- the wallet (AttestationCommunity) ---
pub mod wallet;
