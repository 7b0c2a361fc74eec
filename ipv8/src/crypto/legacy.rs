//! Legacy (Dispersy-era) keys on the binary-field curves, through `OpenSSL`: DER SEC1 `ECPrivateKey`
//! private keys, DER `SubjectPublicKeyInfo` public keys, and ECDSA over SHA-1 with raw `r ‖ s`
//! signatures, each half left-padded to ⌈field degree / 8⌉ bytes.

use openssl::asn1::Asn1Object;
use openssl::bn::{BigNum, BigNumRef};
use openssl::ec::{Asn1Flag, EcGroup, EcGroupRef, EcKey};
use openssl::ecdsa::EcdsaSig;
use openssl::error::ErrorStack;
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Private, Public};
use sha1::{Digest as _, Sha1};

use super::der::{self, Shape};
use super::{Curve, KeyError};

/// A parsed private key: a legacy EC key, or an Ed25519 PKCS#8 key that only `OpenSSL` could read.
pub(crate) enum Loaded {
    /// A key on one of the legacy curves.
    Ec(SecretKey),
    /// The seed of an Ed25519 key.
    Ed25519Seed([u8; 32]),
}

/// A legacy private key, with its serializations made once.
#[derive(Clone)]
pub(crate) struct SecretKey {
    key: EcKey<Private>,
    curve: Curve,
    der: Vec<u8>,
    public: PublicKey,
    public_der: Vec<u8>,
}

impl SecretKey {
    /// A new key on `curve`, from `OpenSSL`'s random generator (seeded by the operating system).
    pub(crate) fn generate(curve: Curve) -> Result<Self, KeyError> {
        let nid = nid(curve).ok_or(KeyError::UnknownCurve(curve.curve_name().to_owned()))?;
        let mut group = EcGroup::from_curve_name(nid).map_err(openssl_failed)?;
        group.set_asn1_flag(Asn1Flag::NAMED_CURVE);
        let key = EcKey::generate(&group).map_err(openssl_failed)?;
        Self::new(&PKey::from_ec_key(key).map_err(openssl_failed)?, curve)
    }

    /// Reads a DER private key: SEC1 `ECPrivateKey` (what py-ipv8 writes) or PKCS#8.
    pub(crate) fn from_der(der: &[u8]) -> Result<Loaded, KeyError> {
        let pkey = match PKey::private_key_from_der(der) {
            Ok(pkey) => pkey,
            Err(err) => return Err(refused_private(der, &err)),
        };
        match pkey.id() {
            Id::EC => {
                let key = pkey.ec_key().map_err(|e| invalid_der(&e))?;
                let curve = curve_of(key.group())?;
                key.check_key().map_err(|_| KeyError::InvalidDer("inconsistent EC key".into()))?;
                Ok(Loaded::Ec(Self::new(&pkey, curve)?))
            }
            Id::ED25519 => raw_32(&pkey.raw_private_key()).map(Loaded::Ed25519Seed),
            other => Err(unsupported(other)),
        }
    }

    /// Serializes through the `PKey`, which (unlike its `EcKey`) keeps a compressed point compressed,
    /// as py-ipv8 does.
    fn new(pkey: &PKey<Private>, curve: Curve) -> Result<Self, KeyError> {
        let der = pkey.private_key_to_der().map_err(openssl_failed)?;
        let public_der = pkey.public_key_to_der().map_err(openssl_failed)?;
        let key = pkey.ec_key().map_err(openssl_failed)?;
        let public = EcKey::public_key_from_der(&public_der).map_err(openssl_failed)?;
        Ok(SecretKey { key, curve, der, public: PublicKey { key: public, curve }, public_der })
    }

    /// The DER SEC1 `ECPrivateKey`, py-ipv8's `key_to_bin`.
    pub(crate) fn to_bin(&self) -> Vec<u8> {
        self.der.clone()
    }

    /// The public key and its DER `SubjectPublicKeyInfo`.
    pub(crate) fn public_key(&self) -> (PublicKey, Vec<u8>) {
        (self.public.clone(), self.public_der.clone())
    }

    /// The curve.
    pub(crate) fn curve(&self) -> Curve {
        self.curve
    }

    /// ECDSA-SHA1 as raw `r ‖ s` of [`Curve::signature_len`] bytes; nonces are random.
    ///
    /// # Panics
    ///
    /// If `OpenSSL` fails to sign with this already-validated key, which means its random generator failed.
    pub(crate) fn sign(&self, data: &[u8]) -> Vec<u8> {
        let signature = EcdsaSig::sign(&Sha1::digest(data), &self.key)
            .expect("OpenSSL could not sign with a validated key (random generator failure)");
        let half = self.curve.signature_len() / 2;
        let mut out = vec![0; 2 * half];
        put_padded(&mut out[..half], signature.r());
        put_padded(&mut out[half..], signature.s());
        out
    }
}

/// A legacy public key, ready to verify.
#[derive(Clone)]
pub(crate) struct PublicKey {
    key: EcKey<Public>,
    curve: Curve,
}

impl PublicKey {
    /// Reads a DER `SubjectPublicKeyInfo` with a named curve.
    ///
    /// The direct EC parser is some twenty times faster than `OpenSSL`'s generic decoder (9 µs, not
    /// 195), which matters since every new legacy peer's key is parsed. A refusal is explained
    /// from the DER's first tags, not by the generic decoders, since keys come from the network.
    pub(crate) fn from_der(der: &[u8]) -> Result<(PublicKey, Vec<u8>), KeyError> {
        let key = match EcKey::public_key_from_der(der) {
            Ok(key) => key,
            Err(err) => return Err(refused_public(der, &err)),
        };
        let curve = curve_of(key.group())?;
        // Re-serialized as py-ipv8 does: trailing bytes dropped, a compressed point kept compressed.
        let bin = key.public_key_to_der().map_err(openssl_failed)?;
        Ok((PublicKey { key, curve }, bin))
    }

    /// The curve.
    pub(crate) fn curve(&self) -> Curve {
        self.curve
    }

    /// Whether `signature` is a valid ECDSA-SHA1 `r ‖ s` signature of `data`; anything malformed is `false`.
    pub(crate) fn verify(&self, data: &[u8], signature: &[u8]) -> bool {
        if signature.len() != self.curve.signature_len() {
            return false;
        }
        let (r, s) = signature.split_at(signature.len() / 2);
        let (Ok(r), Ok(s)) = (BigNum::from_slice(r), BigNum::from_slice(s)) else {
            return false;
        };
        let Ok(signature) = EcdsaSig::from_private_components(r, s) else {
            return false;
        };
        signature.verify(&Sha1::digest(data), &self.key).unwrap_or(false)
    }
}

/// The `OpenSSL` name of a legacy curve; `None` for curve25519.
fn nid(curve: Curve) -> Option<Nid> {
    match curve {
        Curve::Curve25519 => None,
        Curve::VeryLow => Some(Nid::SECT163K1),
        Curve::Low => Some(Nid::SECT233K1),
        Curve::Medium => Some(Nid::SECT409K1),
        Curve::High => Some(Nid::SECT571K1),
        Curve::HighR1 => Some(Nid::SECT571R1),
    }
}

/// The [`Curve`] of an `OpenSSL` group, or an error naming the unknown curve.
fn curve_of(group: &EcGroupRef) -> Result<Curve, KeyError> {
    let Some(found) = group.curve_name() else {
        return Err(KeyError::UnknownCurve("given by explicit parameters".into()));
    };
    Curve::ALL.into_iter().find(|&curve| nid(curve) == Some(found)).ok_or_else(|| {
        KeyError::UnknownCurve(found.short_name().unwrap_or("without a name").to_owned())
    })
}

/// Why `OpenSSL` refused `der` as a public key: a private key, a malformed Ed25519 key (the
/// well-formed ones never get here), a key of another algorithm, or else `OpenSSL`'s reason.
/// Told from the DER's shape, not by more decoding (see [`der`](super::der)).
fn refused_public(der: &[u8], err: &ErrorStack) -> KeyError {
    match der::shape(der) {
        Shape::PrivateKey => KeyError::NotPublic,
        Shape::PublicKey(der::ED25519) => KeyError::InvalidDer("malformed Ed25519 key".into()),
        Shape::PublicKey(oid) if oid != der::EC_PUBLIC_KEY => unsupported_algorithm(oid),
        _ => invalid_der(err),
    }
}

/// Why `OpenSSL` refused `der` as a private key: a public key, or else `OpenSSL`'s reason.
fn refused_private(der: &[u8], err: &ErrorStack) -> KeyError {
    match der::shape(der) {
        Shape::PublicKey(_) => KeyError::NotPrivate,
        _ => invalid_der(err),
    }
}

/// [`KeyError::UnsupportedKeyType`] for an algorithm identifier, named as `OpenSSL` names it
/// (`X25519`, `rsaEncryption`) or in dotted form.
fn unsupported_algorithm(oid: &[u8]) -> KeyError {
    let Some(dotted) = der::dotted_oid(oid) else {
        return KeyError::InvalidDer("malformed algorithm identifier".into());
    };
    let nid = Asn1Object::from_str(&dotted).map_or(Nid::UNDEF, |object| object.nid());
    let name = (nid != Nid::UNDEF).then(|| nid.short_name().ok()).flatten();
    KeyError::UnsupportedKeyType(name.map_or(dotted, str::to_owned))
}

fn raw_32(raw: &Result<Vec<u8>, ErrorStack>) -> Result<[u8; 32], KeyError> {
    match raw {
        Ok(bytes) => {
            bytes.as_slice().try_into().map_err(|_| KeyError::InvalidDer("bad Ed25519 key".into()))
        }
        Err(e) => Err(invalid_der(e)),
    }
}

/// Writes `n` big-endian into `out`, left-padded with zeros.
fn put_padded(out: &mut [u8], n: &BigNumRef) {
    let bytes = n.to_vec();
    let bytes = &bytes[bytes.len().saturating_sub(out.len())..];
    let start = out.len() - bytes.len();
    out[start..].copy_from_slice(bytes);
}

fn unsupported(id: Id) -> KeyError {
    let name = Nid::from_raw(id.as_raw()).short_name().unwrap_or("without a name");
    KeyError::UnsupportedKeyType(name.to_owned())
}

/// The first reason `OpenSSL` gave, which is the most specific one.
fn invalid_der(err: &ErrorStack) -> KeyError {
    let reason = err.errors().first().and_then(openssl::error::Error::reason);
    KeyError::InvalidDer(reason.unwrap_or("not a key").to_owned())
}

#[allow(clippy::needless_pass_by_value)] // Used as `map_err(openssl_failed)`.
fn openssl_failed(err: ErrorStack) -> KeyError {
    KeyError::OpenSsl(err.to_string())
}
