//! Errors of key parsing and generation ([`KeyError`]) and of key files ([`KeyFileError`]).

use std::io;
use std::path::PathBuf;

/// Why bytes are not a key this crate can use, or why a key could not be made.
///
/// Bad *signatures* are never errors: [`PublicKey::verify`](super::PublicKey::verify) returns `false`.
///
/// # Examples
///
/// ```
/// use ipv8::crypto::{KeyError, PrivateKey};
///
/// let err = PrivateKey::from_bin(b"LibNaCLSK:too short").unwrap_err();
/// assert_eq!(err.to_string(), "truncated curve25519 private key: 19 bytes, expected 74");
/// assert_eq!(PrivateKey::from_bin(b"").unwrap_err(), KeyError::Empty);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The input was empty.
    #[error("empty key")]
    Empty,
    /// The input is neither a `LibNaCL` binary key, PEM, nor DER.
    #[error("unknown key format (expected LibNaCL binary, PEM or DER)")]
    UnknownFormat,
    /// A key was shorter than its format requires.
    #[error("truncated {what}: {len} bytes, expected {expected}")]
    Truncated {
        /// What was being read, such as "curve25519 private key".
        what: &'static str,
        /// How many bytes there were.
        len: usize,
        /// How many bytes the format needs.
        expected: usize,
    },
    /// A public key was given where a private key was expected.
    #[error("this is a public key, not a private key")]
    NotPrivate,
    /// A private key was given where a public key was expected.
    #[error("this is a private key, not a public key")]
    NotPublic,
    /// The input looked like PEM but is not valid PEM.
    #[error("invalid PEM: {0}")]
    InvalidPem(&'static str),
    /// The DER structure is malformed or is not a key.
    #[error("malformed DER key: {0}")]
    InvalidDer(String),
    /// The key is of an algorithm py-ipv8 does not use for identities, such as RSA or X25519 alone.
    #[error("unsupported key type {0}")]
    UnsupportedKeyType(String),
    /// An elliptic-curve key on a curve this crate does not know.
    #[error("unknown curve {0}")]
    UnknownCurve(String),
    /// A curve name that is not one of py-ipv8's security levels.
    #[error("unknown curve name {0:?} (expected curve25519, very-low, low, medium or high)")]
    UnknownCurveName(String),
    /// A legacy-curve key was met in a build without the `legacy-curves` feature.
    #[error("legacy curves need the legacy-curves feature")]
    LegacyCurvesDisabled,
    /// A base64 key (a configuration's `bin`) is not valid base64.
    #[error("invalid base64: {0}")]
    InvalidBase64(String),
    /// `OpenSSL` failed to generate or serialize a legacy key.
    #[error("openssl failed: {0}")]
    OpenSsl(String),
}

/// Why a key file could not be read or written. Every message names the file and the problem.
///
/// # Examples
///
/// ```
/// use ipv8::crypto::keyfile;
///
/// let err = keyfile::read("/nonexistent/ec_multichain.pem").unwrap_err();
/// assert!(err.to_string().starts_with("cannot read key file /nonexistent/ec_multichain.pem: "));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    /// The file could not be opened or read.
    #[error("cannot read key file {}: {error}", path.display())]
    Read {
        /// The key file.
        path: PathBuf,
        /// What the operating system said.
        error: io::Error,
    },
    /// The file holds no private key this crate can use.
    #[error("invalid key file {}: {error}", path.display())]
    Invalid {
        /// The key file.
        path: PathBuf,
        /// What is wrong with its content.
        error: KeyError,
    },
    /// The file exists and overwriting was not allowed.
    #[error("key file {} already exists", path.display())]
    Exists {
        /// The key file.
        path: PathBuf,
    },
    /// The file could not be written.
    #[error("cannot write key file {}: {error}", path.display())]
    Write {
        /// The key file.
        path: PathBuf,
        /// What the operating system said.
        error: io::Error,
    },
}
