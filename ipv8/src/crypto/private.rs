//! [`PrivateKey`]: our own identity, to sign with.

use std::fmt;

use super::legacy::{self, Loaded};
use super::{Curve, KeyError, Mid, PublicKey, encoding, libnacl};

/// A private key of any [`Curve`], with its [`PublicKey`].
///
/// `Debug` shows the curve and the mid, never secret bytes.
///
/// # Examples
///
/// ```
/// use ipv8::crypto::{Curve, PrivateKey};
///
/// let key = PrivateKey::generate(Curve::Curve25519)?;
/// let signature = key.sign(b"hello");
/// assert_eq!(signature.len(), 64);
/// assert!(key.public_key().verify(b"hello", &signature));
///
/// let again = PrivateKey::from_bin(&key.to_bin())?;
/// assert_eq!(again.public_key(), key.public_key());
/// # Ok::<(), ipv8::crypto::KeyError>(())
/// ```
#[derive(Clone)]
pub struct PrivateKey {
    secret: Secret,
    public: PublicKey,
}

#[derive(Clone)]
enum Secret {
    Curve25519(Box<libnacl::SecretKey>),
    Legacy(legacy::SecretKey),
}

impl PrivateKey {
    /// A new key on `curve`, from the operating system's random generator (through `OpenSSL`'s for the
    /// legacy curves). [`Curve::High`] is sect571k1, as py-ipv8 3.2.1 generates.
    ///
    /// # Errors
    ///
    /// [`KeyError::LegacyCurvesDisabled`] for a legacy curve without the `legacy-curves` feature, or
    /// [`KeyError::OpenSsl`] if `OpenSSL` fails.
    pub fn generate(curve: Curve) -> Result<Self, KeyError> {
        match curve {
            Curve::Curve25519 => Ok(Self::curve25519(libnacl::SecretKey::generate())),
            legacy => legacy::SecretKey::generate(legacy).map(Self::legacy),
        }
    }

    /// Parses a private key the way py-ipv8's `key_from_private_bin` does (and so its key files).
    ///
    /// Accepted: `LibNaCLSK:` binary (74 bytes; longer input is cut to 74, as in py-ipv8), DER SEC1
    /// `ECPrivateKey` or PKCS#8 of a legacy curve, and PEM of those. A PKCS#8 Ed25519 key (what
    /// py-ipv8's `key_to_pem` writes for curve25519) has no X25519 half: as in py-ipv8, a random one is
    /// made up, so such a key keeps its signatures but not its identity.
    ///
    /// # Errors
    ///
    /// A [`KeyError`] saying what is wrong: empty, truncated, malformed, a public key, an unknown curve,
    /// or a legacy key without the `legacy-curves` feature.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipv8::crypto::{Curve, KeyError, PrivateKey};
    ///
    /// let mut bin = b"LibNaCLSK:".to_vec();
    /// bin.extend((0x20..0x40).chain(0..0x20));
    /// let key = PrivateKey::from_bin(&bin)?;
    /// assert_eq!(key.curve(), Curve::Curve25519);
    /// assert_eq!(key.mid().to_string(), "2ac359af2f5f2ccc00c02f64d42a4b447083322e");
    ///
    /// let public = key.public_key().to_bin().to_vec();
    /// assert_eq!(PrivateKey::from_bin(&public).unwrap_err(), KeyError::NotPrivate);
    /// # Ok::<(), KeyError>(())
    /// ```
    pub fn from_bin(bytes: &[u8]) -> Result<Self, KeyError> {
        if bytes.is_empty() {
            return Err(KeyError::Empty);
        }
        if bytes.starts_with(libnacl::PRIVATE_PREFIX) {
            return libnacl::SecretKey::from_bin(bytes).map(Self::curve25519);
        }
        if bytes.starts_with(libnacl::PUBLIC_PREFIX) {
            return Err(KeyError::NotPrivate);
        }
        match encoding::pem_body(bytes) {
            Some(der) => Self::from_der(&der?),
            None => Self::from_der(bytes),
        }
    }

    fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        encoding::check_der(der)?;
        if let Some(seed) = libnacl::ed25519_pkcs8_seed(der) {
            return Ok(Self::curve25519(libnacl::SecretKey::from_ed25519_seed(&seed)));
        }
        Ok(match legacy::SecretKey::from_der(der)? {
            Loaded::Ec(secret) => Self::legacy(secret),
            Loaded::Ed25519Seed(seed) => {
                Self::curve25519(libnacl::SecretKey::from_ed25519_seed(&seed))
            }
        })
    }

    fn curve25519(secret: libnacl::SecretKey) -> Self {
        let public = PublicKey::from_curve25519(secret.public_bin(), secret.verifying_key());
        PrivateKey { secret: Secret::Curve25519(Box::new(secret)), public }
    }

    // Without `legacy-curves`, `legacy::SecretKey` is uninhabited and this body is rightly unreachable.
    #[cfg_attr(not(feature = "legacy-curves"), allow(unreachable_code))]
    fn legacy(secret: legacy::SecretKey) -> Self {
        let (key, bin) = secret.public_key();
        PrivateKey { public: PublicKey::legacy(key, bin), secret: Secret::Legacy(secret) }
    }

    /// The serialization py-ipv8's `key_to_bin` gives, which is also what its key files hold: 74 bytes
    /// `LibNaCLSK:…`, or DER SEC1 `ECPrivateKey` for legacy curves.
    #[must_use]
    pub fn to_bin(&self) -> Vec<u8> {
        match &self.secret {
            Secret::Curve25519(secret) => secret.to_bin(),
            Secret::Legacy(secret) => secret.to_bin(),
        }
    }

    /// The public key (a cheap clone).
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    /// The mid of the public key.
    #[must_use]
    pub fn mid(&self) -> Mid {
        self.public.mid()
    }

    /// The key-exchange secret this key shares with the holder of the X25519 public key
    /// `their_x25519` (libsodium's `crypto_box_beforenm`, as py-ipv8's tunnel handshakes use it).
    /// `None` for legacy keys, which have no X25519 half, and for low-order public keys.
    #[must_use]
    pub fn key_exchange(&self, their_x25519: &[u8; 32]) -> Option<[u8; 32]> {
        match &self.secret {
            Secret::Curve25519(secret) => super::box_beforenm(&secret.x25519_bytes(), their_x25519),
            Secret::Legacy(_) => None,
        }
    }

    /// The kind of key.
    #[must_use]
    pub fn curve(&self) -> Curve {
        match &self.secret {
            Secret::Curve25519(_) => Curve::Curve25519,
            Secret::Legacy(secret) => secret.curve(),
        }
    }

    /// Signs `data`: a signature of [`PublicKey::signature_len`] bytes. Ed25519 signatures are
    /// deterministic; legacy ECDSA-SHA1 ones use random nonces.
    ///
    /// # Panics
    ///
    /// Only if `OpenSSL` cannot sign with a legacy key it has already validated, which means its random
    /// generator failed.
    #[must_use]
    pub fn sign(&self, data: &[u8]) -> Vec<u8> {
        match &self.secret {
            Secret::Curve25519(secret) => secret.sign(data),
            Secret::Legacy(secret) => secret.sign(data),
        }
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("curve", &self.curve())
            .field("mid", &self.mid())
            .finish_non_exhaustive()
    }
}
