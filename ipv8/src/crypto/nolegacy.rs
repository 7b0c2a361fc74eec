//! Stands in for `legacy.rs` in builds without the `legacy-curves` feature: the key types are empty
//! enums, so nothing can hold a legacy key, and legacy keys in input are refused with
//! [`KeyError::LegacyCurvesDisabled`].

use super::der::{self, Shape};
use super::{Curve, KeyError};

/// A parsed private key (never produced in this build).
#[allow(dead_code)] // Matched on by the caller, never built without `OpenSSL`.
pub(crate) enum Loaded {
    /// A key on one of the legacy curves.
    Ec(SecretKey),
    /// The seed of an Ed25519 key.
    Ed25519Seed([u8; 32]),
}

/// A legacy private key: none can exist in this build.
#[derive(Clone)]
pub(crate) enum SecretKey {}

/// A legacy public key: none can exist in this build.
#[derive(Clone)]
pub(crate) enum PublicKey {}

impl SecretKey {
    pub(crate) fn generate(_curve: Curve) -> Result<Self, KeyError> {
        Err(KeyError::LegacyCurvesDisabled)
    }

    pub(crate) fn from_der(der: &[u8]) -> Result<Loaded, KeyError> {
        Err(refusal(der))
    }

    pub(crate) fn to_bin(&self) -> Vec<u8> {
        match *self {}
    }

    pub(crate) fn public_key(&self) -> (PublicKey, Vec<u8>) {
        match *self {}
    }

    pub(crate) fn curve(&self) -> Curve {
        match *self {}
    }

    pub(crate) fn sign(&self, _data: &[u8]) -> Vec<u8> {
        match *self {}
    }
}

impl PublicKey {
    pub(crate) fn from_der(der: &[u8]) -> Result<(PublicKey, Vec<u8>), KeyError> {
        Err(refusal(der))
    }

    pub(crate) fn curve(&self) -> Curve {
        match *self {}
    }

    pub(crate) fn verify(&self, _data: &[u8], _signature: &[u8]) -> bool {
        match *self {}
    }
}

/// Why `der` cannot be read here: a malformed Ed25519 key (the well-formed ones never get here),
/// an EC key, a key of another kind, or no key at all.
fn refusal(der: &[u8]) -> KeyError {
    let shape = der::shape(der);
    if shape == Shape::PublicKey(der::ED25519) {
        KeyError::InvalidDer("malformed Ed25519 key".into())
    } else if der.windows(der::EC_PUBLIC_KEY.len()).any(|window| window == der::EC_PUBLIC_KEY) {
        KeyError::LegacyCurvesDisabled
    } else if shape == Shape::Other {
        KeyError::InvalidDer("not a key".into())
    } else {
        KeyError::UnsupportedKeyType(
            "other than curve25519 (without the legacy-curves feature)".into(),
        )
    }
}
