//! Stands in for `legacy.rs` in builds without the `legacy-curves` feature: the key types are empty
//! enums, so nothing can hold a legacy key, and legacy keys in input are refused with
//! [`KeyError::LegacyCurvesDisabled`].

use super::{Curve, KeyError};

/// The DER of the `id-ecPublicKey` algorithm identifier (1.2.840.10045.2.1) that every EC key carries.
const EC_KEY_OID: [u8; 9] = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

/// A parsed private key (never produced in this build).
#[allow(dead_code)] // Matched on by the caller, never built without `OpenSSL`.
pub(crate) enum Loaded {
    /// A key on one of the legacy curves.
    Ec(SecretKey),
    /// The seed of an Ed25519 key.
    Ed25519Seed([u8; 32]),
}

/// A parsed public key (never produced in this build).
#[allow(dead_code)] // Matched on by the caller, never built without `OpenSSL`.
pub(crate) enum LoadedPublic {
    /// A key on one of the legacy curves, and its DER.
    Ec(PublicKey, Vec<u8>),
    /// The 32 bytes of an Ed25519 key.
    Ed25519([u8; 32]),
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
    pub(crate) fn from_der(der: &[u8]) -> Result<LoadedPublic, KeyError> {
        Err(refusal(der))
    }

    pub(crate) fn curve(&self) -> Curve {
        match *self {}
    }

    pub(crate) fn verify(&self, _data: &[u8], _signature: &[u8]) -> bool {
        match *self {}
    }
}

/// Why `der` cannot be read here: it is an EC key, or something else entirely.
fn refusal(der: &[u8]) -> KeyError {
    if der.windows(EC_KEY_OID.len()).any(|window| window == EC_KEY_OID) {
        KeyError::LegacyCurvesDisabled
    } else {
        KeyError::UnsupportedKeyType(
            "other than curve25519 (without the legacy-curves feature)".into(),
        )
    }
}
