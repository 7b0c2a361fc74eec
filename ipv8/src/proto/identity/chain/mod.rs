//! py-ipv8's signed objects and token tree (`ipv8/attestation/signed_object.py`,
//! `tokentree/{token,tree}.py`, `identity/{metadata,attestation,manager}.py`; spec `attestation.md`
//! §5.2): a pseudonym's chain of [`Token`]s from the genesis hash of its public key, the
//! [`Metadata`] each credential adds, and the [`IdentityAttestation`]s authorities sign over it.
//!
//! Every signed object is its plaintext followed by the signer's signature; its hash is the
//! SHA3-256 of those bytes. Signatures are as long as the signer's key makes them (64 bytes for
//! curve25519, longer for the legacy curves). Parsing bytes from the network returns
//! [`ChainError`]s, never panics, and is bounded ([`MAX_DISCLOSED`], [`MAX_FOREIGN_TOKENS`]).
//!
//! # Examples
//!
//! ```
//! use ipv8::crypto::{Curve, PrivateKey};
//! use ipv8::proto::identity::chain::TokenTree;
//!
//! let key = PrivateKey::generate(Curve::Curve25519)?;
//! let mut mine = TokenTree::with_private_key(key.clone());
//! let first = mine.add(b"my first attribute", None)?;
//! let second = mine.add_by_hash([7; 32], Some(&first))?;
//!
//! // Someone who knows only our public key rebuilds the chain from its serialization, in any order.
//! let mut theirs = TokenTree::with_public_key(key.public_key());
//! assert!(!theirs.unserialize_public(&second.serialize()));
//! assert!(theirs.unserialize_public(&first.serialize()));
//! assert_eq!(theirs.len(), 2);
//! assert_eq!(theirs.root_path(&second, 1000).len(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod attestation;
mod disclosure;
mod error;
mod json;
mod metadata;
mod pseudonym;
mod signed;
mod token;
mod tree;

#[cfg(test)]
mod tests;

pub use attestation::IdentityAttestation;
pub use disclosure::{Disclosure, SAFE_UDP_PACKET_LENGTH};
pub use error::ChainError;
pub use json::{MetadataValue, metadata_json, python_json_string};
pub use metadata::Metadata;
pub use pseudonym::{Credential, MAX_DISCLOSED, Pseudonym};
pub use signed::{HASH_LEN, pad_hash, sha3_256, strip_sha1_padding};
pub use token::Token;
pub use tree::{MAX_DEPTH, MAX_FOREIGN_TOKENS, TokenTree, UNCHAINED_MAX};
