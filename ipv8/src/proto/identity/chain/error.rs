//! [`ChainError`]: why a chain operation or a disclosure failed.

use crate::proto::identity::db::DbError;

/// Why building, loading or disclosing part of a chain failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The tree belongs to someone else: it has no private key to sign new tokens with.
    #[error("the tree has no private key to sign with")]
    NoPrivateKey,
    /// Bytes ended in the middle of an object.
    #[error("truncated {0}")]
    Truncated(&'static str),
    /// A disclosure holds more objects of one kind than we accept.
    #[error("more than {limit} {what} in one disclosure")]
    TooMany {
        /// The kind of object.
        what: &'static str,
        /// How many we accept.
        limit: usize,
    },
    /// An authority's key in a disclosure is not a public key.
    #[error("an authority key is not a public key")]
    InvalidKey,
    /// Metadata points to a token the tree does not have.
    #[error("metadata points to a token that is not in the tree")]
    UnknownToken,
    /// A token's path back to the genesis hash is broken or badly signed.
    #[error("the token's chain back to genesis does not verify")]
    Unverifiable,
    /// The identity database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
