//! [`PublicKey`]: a peer's identity, parsed once and then cheap to clone, compare and verify with.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use ed25519_dalek::VerifyingKey;

use super::legacy;
use super::{Curve, KeyError, Mid, der, encoding, libnacl};

/// A public key of any [`Curve`], as a peer's identity.
///
/// Cloning is cheap (an `Arc`), and the parsed verifying key is kept, so [`verify`](Self::verify) does
/// no parsing. Equality, ordering and hashing are those of the [`to_bin`](Self::to_bin) bytes, which
/// py-ipv8 also uses as peer identity.
///
/// # Examples
///
/// ```
/// use ipv8::crypto::{Curve, PrivateKey, PublicKey};
///
/// let key = PrivateKey::generate(Curve::Curve25519)?;
/// let public = PublicKey::from_bin(key.public_key().to_bin())?;
/// assert_eq!(public, key.public_key());
/// assert_eq!(public.to_bin().len(), 74);
/// assert!(public.verify(b"data", &key.sign(b"data")));
/// assert!(!public.verify(b"other data", &key.sign(b"data")));
/// # Ok::<(), ipv8::crypto::KeyError>(())
/// ```
#[derive(Clone)]
pub struct PublicKey(Arc<Inner>);

struct Inner {
    bin: Box<[u8]>,
    mid: Mid,
    curve: Curve,
    verifier: Verifier,
}

enum Verifier {
    /// `None` when the Ed25519 half is not a curve point: the key parses but verifies nothing.
    Ed25519(Option<VerifyingKey>),
    Legacy(legacy::PublicKey),
}

impl PublicKey {
    /// Parses a public key the way py-ipv8's `key_from_public_bin` does.
    ///
    /// Accepted: `LibNaCLPK:` binary (74 bytes; longer input is cut to 74, as in py-ipv8), DER
    /// `SubjectPublicKeyInfo` of a legacy curve or of Ed25519, and PEM of either. An Ed25519 key without
    /// an X25519 half becomes, as in py-ipv8, `LibNaCLPK:` ‖ Ed25519 ‖ Ed25519.
    ///
    /// # Errors
    ///
    /// A [`KeyError`] saying what is wrong: truncated, malformed, a private key, an unknown curve, or a
    /// legacy key without the `legacy-curves` feature.
    pub fn from_bin(bytes: &[u8]) -> Result<Self, KeyError> {
        if bytes.is_empty() {
            return Err(KeyError::Empty);
        }
        if bytes.starts_with(libnacl::PUBLIC_PREFIX) {
            return Ok(Self::curve25519(libnacl::parse_public(bytes)?));
        }
        if bytes.starts_with(libnacl::PRIVATE_PREFIX) {
            return Err(KeyError::NotPublic);
        }
        match encoding::pem_body(bytes) {
            Some(der) => Self::from_der(&der?),
            None => Self::from_der(bytes),
        }
    }

    fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        encoding::check_der(der)?;
        if let Some(ed25519) = der::ed25519_key(der) {
            return Ok(Self::curve25519(libnacl::public_from_ed25519(&ed25519)));
        }
        let (key, bin) = legacy::PublicKey::from_der(der)?;
        Ok(Self::legacy(key, bin))
    }

    fn curve25519(bin: [u8; libnacl::KEY_LEN]) -> Self {
        let verifying = libnacl::verifying_key(&bin);
        Self::new(bin.into(), Curve::Curve25519, Verifier::Ed25519(verifying))
    }

    /// The public half of one of our own curve25519 keys.
    pub(crate) fn from_curve25519(bin: [u8; libnacl::KEY_LEN], verifying: VerifyingKey) -> Self {
        Self::new(bin.into(), Curve::Curve25519, Verifier::Ed25519(Some(verifying)))
    }

    /// A legacy key and its serialization.
    pub(crate) fn legacy(key: legacy::PublicKey, bin: Vec<u8>) -> Self {
        let curve = key.curve();
        Self::new(bin.into(), curve, Verifier::Legacy(key))
    }

    fn new(bin: Box<[u8]>, curve: Curve, verifier: Verifier) -> Self {
        PublicKey(Arc::new(Inner { mid: Mid::hash(&bin), bin, curve, verifier }))
    }

    /// The serialization py-ipv8's `key_to_bin` gives: 74 bytes `LibNaCLPK:…`, or DER for legacy curves.
    #[must_use]
    pub fn to_bin(&self) -> &[u8] {
        &self.0.bin
    }

    /// The X25519 half of a curve25519 key (bytes 10..42 of its `LibNaCLPK:` form), which
    /// tunnel handshakes exchange keys with; `None` for legacy keys.
    #[must_use]
    pub fn x25519(&self) -> Option<[u8; 32]> {
        let bin = self.to_bin();
        if !bin.starts_with(super::libnacl::PUBLIC_PREFIX) {
            return None;
        }
        bin.get(10..42)?.try_into().ok()
    }

    /// The SHA-1 of [`to_bin`](Self::to_bin).
    #[must_use]
    pub fn mid(&self) -> Mid {
        self.0.mid
    }

    /// The kind of key.
    #[must_use]
    pub fn curve(&self) -> Curve {
        self.0.curve
    }

    /// The length of this key's signatures: 64 for curve25519, 42/60/104/144 for the legacy curves.
    #[must_use]
    pub fn signature_len(&self) -> usize {
        self.0.curve.signature_len()
    }

    /// Whether `signature` is this key's signature of `data`. A malformed or wrong signature is `false`.
    #[must_use]
    pub fn verify(&self, data: &[u8], signature: &[u8]) -> bool {
        match &self.0.verifier {
            Verifier::Ed25519(Some(key)) => libnacl::verify(key, data, signature),
            Verifier::Ed25519(None) => false,
            Verifier::Legacy(key) => key.verify(data, signature),
        }
    }

    /// The Ed25519 verifying key, for batch verification.
    pub(crate) fn ed25519(&self) -> Option<&VerifyingKey> {
        match &self.0.verifier {
            Verifier::Ed25519(key) => key.as_ref(),
            Verifier::Legacy(_) => None,
        }
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.bin == other.0.bin
    }
}

impl Eq for PublicKey {}

impl Hash for PublicKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.bin.hash(state);
    }
}

impl PartialOrd for PublicKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PublicKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.bin.cmp(&other.0.bin)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey").field("curve", &self.0.curve).field("mid", &self.0.mid).finish()
    }
}
