//! curve25519 keys in py-ipv8's `LibNaCL` layout: a prefix, the X25519 half (key exchange, for the
//! tunnel community) and the Ed25519 half (signatures), 74 bytes in all. The halves are independent.

use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use rand_core::OsRng;
use x25519_dalek::StaticSecret;

use super::KeyError;

/// The prefix of a serialized public key.
pub(crate) const PUBLIC_PREFIX: &[u8; 10] = b"LibNaCLPK:";
/// The prefix of a serialized private key.
pub(crate) const PRIVATE_PREFIX: &[u8; 10] = b"LibNaCLSK:";
/// The length of both serializations: prefix ‖ X25519 (32) ‖ Ed25519 (32).
pub(crate) const KEY_LEN: usize = 74;

/// DER `SubjectPublicKeyInfo` of an Ed25519 key, up to the 32 key bytes (RFC 8410).
/// DER PKCS#8 v1 of an Ed25519 key, up to the 32 seed bytes (RFC 8410), as `key_to_pem` writes.
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// The secret halves of a curve25519 key.
#[derive(Clone)]
pub(crate) struct SecretKey {
    x25519: StaticSecret,
    signing: SigningKey,
}

impl SecretKey {
    /// A new key from the operating system's random generator.
    pub(crate) fn generate() -> Self {
        SecretKey {
            x25519: StaticSecret::random_from_rng(OsRng),
            signing: SigningKey::generate(&mut OsRng),
        }
    }

    /// Reads `LibNaCLSK:` ‖ X25519 ‖ Ed25519 seed; like py-ipv8, bytes past the 74th are ignored.
    pub(crate) fn from_bin(bytes: &[u8]) -> Result<Self, KeyError> {
        let body = body(bytes, "curve25519 private key")?;
        let (x25519, seed) = halves(body);
        Ok(SecretKey { x25519: StaticSecret::from(x25519), signing: SigningKey::from_bytes(&seed) })
    }

    /// A key from a bare Ed25519 seed (a PKCS#8 file). Like py-ipv8, the X25519 half is made up at random,
    /// so loading the same file twice gives different X25519 halves.
    pub(crate) fn from_ed25519_seed(seed: &[u8; 32]) -> Self {
        SecretKey {
            x25519: StaticSecret::random_from_rng(OsRng),
            signing: SigningKey::from_bytes(seed),
        }
    }

    /// `LibNaCLSK:` ‖ X25519 secret ‖ Ed25519 seed.
    pub(crate) fn to_bin(&self) -> Vec<u8> {
        [&PRIVATE_PREFIX[..], self.x25519.as_bytes(), self.signing.as_bytes()].concat()
    }

    /// `LibNaCLPK:` ‖ X25519 public ‖ Ed25519 public.
    pub(crate) fn public_bin(&self) -> [u8; KEY_LEN] {
        let x25519 = x25519_dalek::PublicKey::from(&self.x25519);
        join(x25519.as_bytes(), self.signing.verifying_key().as_bytes())
    }

    /// The X25519 secret.
    pub(crate) fn x25519_bytes(&self) -> [u8; 32] {
        self.x25519.to_bytes()
    }

    /// The Ed25519 verifying key.
    pub(crate) fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// A 64-byte Ed25519 signature (RFC 8032, deterministic).
    pub(crate) fn sign(&self, data: &[u8]) -> Vec<u8> {
        #[cfg(fuzzing)]
        return fuzz_build::sign(self.signing.verifying_key().as_bytes(), data).to_vec();
        #[cfg(not(fuzzing))]
        ed25519_dalek::Signer::sign(&self.signing, data).to_bytes().to_vec()
    }
}

/// Reads `LibNaCLPK:` ‖ X25519 ‖ Ed25519; longer input is cut to 74 bytes, as py-ipv8 does.
pub(crate) fn parse_public(bytes: &[u8]) -> Result<[u8; KEY_LEN], KeyError> {
    let (x25519, ed25519) = halves(body(bytes, "curve25519 public key")?);
    Ok(join(&x25519, &ed25519))
}

/// The key py-ipv8 makes of a bare Ed25519 public key (PEM or DER): the Ed25519 bytes fill *both*
/// halves, so the X25519 half is meaningless but the identity (and mid) match py-ipv8's.
pub(crate) fn public_from_ed25519(ed25519: &[u8; 32]) -> [u8; KEY_LEN] {
    join(ed25519, ed25519)
}

/// The Ed25519 half of a serialized public key as a verifying key, or `None` if it is not a curve point.
///
/// py-ipv8 accepts such keys and fails every signature; so do we.
pub(crate) fn verifying_key(bin: &[u8; KEY_LEN]) -> Option<VerifyingKey> {
    let (_, ed25519) = halves(bin[PUBLIC_PREFIX.len()..].try_into().ok()?);
    VerifyingKey::from_bytes(&ed25519).ok()
}

/// The seed of an Ed25519 PKCS#8 v1 DER private key.
pub(crate) fn ed25519_pkcs8_seed(der: &[u8]) -> Option<[u8; 32]> {
    der.strip_prefix(&ED25519_PKCS8_PREFIX)?.first_chunk().copied()
}

/// Whether `signature` is a valid Ed25519 signature of `data`; any malformed signature is `false`.
pub(crate) fn verify(key: &VerifyingKey, data: &[u8], signature: &[u8]) -> bool {
    #[cfg(fuzzing)]
    return signature == fuzz_build::sign(key.as_bytes(), data);
    #[cfg(not(fuzzing))]
    signature_of(signature)
        .is_some_and(|signature| ed25519_dalek::Verifier::verify(key, data, &signature).is_ok())
}

/// Signatures in fuzz builds only (cargo-fuzz sets `--cfg fuzzing`; no other build has this
/// module): a hash of the public key and the data, which only that key's holder makes in a
/// fuzz target and which `verify` accepts exactly as it would a real signature, at a tiny part
/// of the cost of Ed25519 under the fuzzer's instrumentation. The node-level targets sign every
/// scripted message and the node checks and signs again, so real curve arithmetic held them to a
/// few hundred executions a second; with this, the protocol logic gets the fuzzer's time.
///
/// The hash is not SHA-512 (as it first was) but a multiply-xorshift over 8-byte words: the
/// instrumented SHA-512 compression still took 40 % of `node_application`'s time, the node
/// signing every datagram it sends. Nothing needs it to resist forgery (the fuzzer could copy
/// any expected signature from the comparison anyway), only to be deterministic and to change
/// with the key and with every byte of the data.
#[cfg(fuzzing)]
mod fuzz_build {
    /// The fuzz build's signature by the holder of `public` over `data`.
    pub(super) fn sign(public: &[u8; 32], data: &[u8]) -> [u8; 64] {
        const K: u64 = 0x9e37_79b9_7f4a_7c15;
        let mix = |h: u64, word: u64| (h ^ word).wrapping_mul(K).rotate_left(29);
        let words = |bytes: &[u8], h: u64| {
            let mut chunks = bytes.chunks_exact(8);
            let h = chunks
                .by_ref()
                .fold(h, |h, c| mix(h, u64::from_le_bytes(c.try_into().unwrap_or_default())));
            let mut tail = [0; 8];
            tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
            mix(h, u64::from_le_bytes(tail))
        };
        let h = words(data, words(public, u64::try_from(data.len()).unwrap_or(u64::MAX)));
        let mut out = [0; 64];
        for (i, lane) in out.chunks_exact_mut(8).enumerate() {
            let x = mix(h, u64::try_from(i).unwrap_or(0) + 1);
            lane.copy_from_slice(&(x ^ (x >> 31)).wrapping_mul(K).to_le_bytes());
        }
        out
    }
}

/// `signature` as an Ed25519 signature, if it has the right length.
pub(crate) fn signature_of(signature: &[u8]) -> Option<Signature> {
    signature.try_into().ok().map(Signature::from_bytes)
}

/// The 64 key bytes after the prefix, or a truncation error naming `what`.
fn body<'a>(bytes: &'a [u8], what: &'static str) -> Result<&'a [u8; 64], KeyError> {
    bytes[PUBLIC_PREFIX.len().min(bytes.len())..].first_chunk().ok_or(KeyError::Truncated {
        what,
        len: bytes.len(),
        expected: KEY_LEN,
    })
}

fn halves(body: &[u8; 64]) -> ([u8; 32], [u8; 32]) {
    let (mut x25519, mut ed25519) = ([0; 32], [0; 32]);
    x25519.copy_from_slice(&body[..32]);
    ed25519.copy_from_slice(&body[32..]);
    (x25519, ed25519)
}

fn join(x25519: &[u8; 32], ed25519: &[u8; 32]) -> [u8; KEY_LEN] {
    let mut bin = [0; KEY_LEN];
    bin[..10].copy_from_slice(PUBLIC_PREFIX);
    bin[10..42].copy_from_slice(x25519);
    bin[42..].copy_from_slice(ed25519);
    bin
}
