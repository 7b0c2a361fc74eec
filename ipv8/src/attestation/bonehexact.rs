//! Exact-value attestations (py-ipv8's `bonehexact`, spec `attestation.md` §3.3–3.5): the
//! attester encrypts the bits of a value's hash in pairs under the subject's Boneh key; a
//! verifier challenges each pair and learns only the histogram of pair sums, which it compares
//! with the histogram of the value it expects.

use num_bigint::BigUint;
use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha256, Sha512};

use super::boneh::{BonehError, BonehPrivateKey, BonehPublicKey};
use super::fp2::Fp2;
use super::ipack::{ipack, iunpack_n};
use super::random::between;

/// How a value becomes the integer whose bits are attested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueHash {
    /// The first 4 bytes of SHA-256 (32 bits; `id_metadata`).
    Sha256First4,
    /// SHA-256 (256 bits; `id_metadata_big`).
    Sha256,
    /// SHA-512 (512 bits; `id_metadata_huge`).
    Sha512,
}

impl ValueHash {
    /// Bits attested.
    #[must_use]
    pub fn bitspace(self) -> usize {
        match self {
            Self::Sha256First4 => 32,
            Self::Sha256 => 256,
            Self::Sha512 => 512,
        }
    }

    /// The value's hash, big-endian.
    #[must_use]
    pub fn hash(self, value: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256First4 => Sha256::digest(value)[..4].to_vec(),
            Self::Sha256 => Sha256::digest(value).to_vec(),
            Self::Sha512 => Sha512::digest(value).to_vec(),
        }
    }

    /// The attested bits of `value`, most significant first.
    #[must_use]
    pub fn bits(self, value: &[u8]) -> Vec<u8> {
        self.hash(value).iter().flat_map(|byte| (0..8).rev().map(move |i| byte >> i & 1)).collect()
    }

    /// What an honest subject's answers look like for `value`: how many bit pairs sum to 0, 1
    /// and 2 (and 3: none).
    #[must_use]
    pub fn relativity(self, value: &[u8]) -> Histogram {
        let mut counts = [0_u32; 4];
        for pair in self.bits(value).chunks(2) {
            let sum = pair.iter().map(|b| usize::from(*b)).sum::<usize>();
            counts[sum.min(3)] += 1;
        }
        Histogram(counts)
    }
}

/// Counts of challenge answers 0, 1, 2 and 3 (3: the challenge decrypted to none of 0..=2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Histogram(pub [u32; 4]);

impl Histogram {
    /// Counts one answer (answers above 3 count as 3).
    pub fn add(&mut self, answer: u8) {
        self.0[usize::from(answer.min(3))] += 1;
    }

    /// How well these answers fit `expected` (py-ipv8's `binary_relativity_match`): 0 if any
    /// answer came more often than expected, else the product of observed/expected over the
    /// answers seen and expected.
    #[must_use]
    pub fn matches(&self, expected: &Histogram) -> f64 {
        let mut result = 1.0;
        for (seen, wanted) in self.0.iter().zip(expected.0) {
            if *seen > wanted {
                return 0.0;
            }
            if *seen != 0 && wanted != 0 {
                result *= f64::from(*seen) / f64::from(wanted);
            }
        }
        result
    }

    /// py-ipv8's certainty: the match times `1 − 0.5^answers`.
    #[must_use]
    pub fn certainty(&self, expected: &Histogram) -> f64 {
        let answers: u32 = self.0.iter().sum();
        let exponent = i32::try_from(answers).unwrap_or(i32::MAX);
        self.matches(expected) * (1.0 - 0.5_f64.powi(exponent))
    }
}

/// One attested bit pair: the encryptions of both bits (each blinded) and the complement that
/// cancels the blinding when all three are multiplied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BitPair {
    /// `E(A[i] + R[i])`.
    pub a: Fp2,
    /// `E(A[i+1] + R[i+1])`.
    pub b: Fp2,
    /// `E(p + 1 − ((R[i] + R[i+1]) mod (p + 1)))`.
    pub complement: Fp2,
}

/// An exact-value attestation: the subject's public key and the bit pairs, shuffled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BonehAttestation {
    /// The subject's Boneh public key.
    pub key: BonehPublicKey,
    /// The bit pairs.
    pub bitpairs: Vec<BitPair>,
}

impl BonehAttestation {
    /// Attests the bits of `hash` (most significant first, `bitspace` of them, zero-padded in
    /// front) for the subject's `key`.
    pub fn attest<R: RngCore + CryptoRng>(key: &BonehPublicKey, bits: &[u8], rng: &mut R) -> Self {
        let p = key.field.p();
        let modulus = p + 1_u8;
        let count = bits.len();
        // R: uniform in [1, p − 1], the last one making the sum ≡ 0 mod p + 1.
        let mut blinds: Vec<BigUint> =
            (1..count).map(|_| between(rng, &BigUint::from(1_u8), &(p - 1_u8))).collect();
        let sum: BigUint = blinds.iter().sum();
        blinds.push(&modulus - (sum % &modulus));
        shuffle(&mut blinds, rng);
        let mut bitpairs: Vec<BitPair> = bits
            .chunks(2)
            .zip(blinds.chunks(2))
            .map(|(bit, blind)| {
                let (b0, b1) =
                    (bit.first().copied().unwrap_or(0), bit.get(1).copied().unwrap_or(0));
                let (r0, r1) = (&blind[0], blind.get(1).unwrap_or(&blind[0]));
                let complement = &modulus - ((r0 + r1) % &modulus);
                BitPair {
                    a: key.encrypt(&(r0 + b0), rng),
                    b: key.encrypt(&(r1 + b1), rng),
                    complement: key.encrypt(&complement, rng),
                }
            })
            .collect();
        shuffle(&mut bitpairs, rng);
        Self { key: key.clone(), bitpairs }
    }

    /// The blob py-ipv8 sends and stores: the key, then six `ipack`ed integers per pair.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.key.to_bytes();
        for pair in &self.bitpairs {
            for x in [&pair.a, &pair.b, &pair.complement] {
                ipack(&x.a, &mut out);
                ipack(&x.b, &mut out);
            }
        }
        out
    }

    /// Reads a blob.
    ///
    /// # Errors
    ///
    /// [`BonehError`] for bytes that are no attestation (a pair's numbers out of the field
    /// included).
    pub fn from_bytes(blob: &[u8]) -> Result<Self, BonehError> {
        let (key, mut rest) = BonehPublicKey::read(blob)?;
        let p = key.field.p().clone();
        let mut bitpairs = Vec::new();
        while !rest.is_empty() {
            let (nums, next) = iunpack_n(rest, 6)?;
            if nums.iter().any(|n| *n >= p) {
                return Err(BonehError::Invalid);
            }
            let mut nums = nums.into_iter();
            let mut element =
                || Fp2 { a: nums.next().unwrap_or_default(), b: nums.next().unwrap_or_default() };
            bitpairs.push(BitPair { a: element(), b: element(), complement: element() });
            rest = next;
        }
        Ok(Self { key, bitpairs })
    }

    /// A challenge for bit pair `index`: the pair's product, re-randomized with `E(0)`, as
    /// `ipack(a) ipack(b)`.
    pub fn challenge<R: RngCore + CryptoRng>(&self, index: usize, rng: &mut R) -> Option<Vec<u8>> {
        let pair = self.bitpairs.get(index)?;
        let f = &self.key.field;
        let product = f.mul(&f.mul(&pair.a, &pair.b), &pair.complement);
        let challenge = f.mul(&product, &self.key.encrypt(&BigUint::ZERO, rng));
        Some(element_bytes(&challenge))
    }

    /// An honesty check: `E(value)` for a known value, which an honest subject decrypts.
    pub fn honesty_check<R: RngCore + CryptoRng>(&self, value: u8, rng: &mut R) -> Vec<u8> {
        element_bytes(&self.key.encrypt(&BigUint::from(value), rng))
    }
}

/// The subject's answer to a challenge: the decryption among 0, 1 and 2, or 3.
///
/// # Errors
///
/// [`BonehError`] for a challenge that is not two integers of the key's field.
pub fn respond(key: &BonehPrivateKey, challenge: &[u8]) -> Result<u8, BonehError> {
    let (nums, _) = iunpack_n(challenge, 2)?;
    let p = key.public.field.p();
    if nums.iter().any(|n| n >= p) {
        return Err(BonehError::Invalid);
    }
    let mut nums = nums.into_iter();
    let c = Fp2 { a: nums.next().unwrap_or_default(), b: nums.next().unwrap_or_default() };
    Ok(key.decrypt(&[0, 1, 2], &c).map_or(3, |m| m as u8))
}

fn element_bytes(x: &Fp2) -> Vec<u8> {
    let mut out = Vec::new();
    ipack(&x.a, &mut out);
    ipack(&x.b, &mut out);
    out
}

fn shuffle<T, R: RngCore + CryptoRng>(items: &mut [T], rng: &mut R) {
    for i in (1..items.len()).rev() {
        let j = between(rng, &BigUint::ZERO, &BigUint::from(i));
        let j = usize::try_from(j).unwrap_or(0);
        items.swap(i, j);
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp, reason = "the certainties are exact binary fractions")]
mod tests {
    use super::*;

    fn prove(key: &BonehPrivateKey, attestation: &BonehAttestation) -> Histogram {
        let mut rng = rand_core::OsRng;
        let mut seen = Histogram::default();
        for i in 0..attestation.bitpairs.len() {
            let challenge = attestation.challenge(i, &mut rng).expect("a pair");
            seen.add(respond(key, &challenge).expect("a challenge"));
        }
        seen
    }

    #[test]
    fn the_attested_value_matches_and_another_does_not() {
        let mut rng = rand_core::OsRng;
        let key = BonehPrivateKey::generate(32, &mut rng).expect("a key");
        let hash = ValueHash::Sha256First4;
        let attestation = BonehAttestation::attest(&key.public, &hash.bits(b"1234"), &mut rng);
        assert_eq!(attestation.bitpairs.len(), 16);
        let blob = attestation.to_bytes();
        let received = BonehAttestation::from_bytes(&blob).expect("a blob");
        assert_eq!(received, attestation);
        let seen = prove(&key, &received);
        assert_eq!(seen, hash.relativity(b"1234"), "the histogram of the value's pair sums");
        assert_eq!(seen.certainty(&hash.relativity(b"1234")), 1.0 - 0.5_f64.powi(16));
        let other = (0..100)
            .map(|i| format!("other {i}"))
            .find(|v| hash.relativity(v.as_bytes()) != hash.relativity(b"1234"));
        let other = other.expect("a value with another histogram");
        assert!(seen.certainty(&hash.relativity(other.as_bytes())) < 0.5);
    }

    #[test]
    fn honesty_checks_decrypt_to_their_value() {
        let mut rng = rand_core::OsRng;
        let key = BonehPrivateKey::generate(32, &mut rng).expect("a key");
        let attestation = BonehAttestation::attest(&key.public, &[0; 32], &mut rng);
        for value in 0..3 {
            let check = attestation.honesty_check(value, &mut rng);
            assert_eq!(respond(&key, &check), Ok(value));
        }
    }

    #[test]
    fn a_histogram_with_more_of_an_answer_than_expected_does_not_match() {
        let expected = Histogram([4, 8, 4, 0]);
        assert_eq!(Histogram([4, 8, 4, 0]).matches(&expected), 1.0);
        assert_eq!(Histogram([2, 4, 2, 0]).matches(&expected), 0.5 * 0.5 * 0.5);
        assert_eq!(Histogram([5, 7, 4, 0]).matches(&expected), 0.0);
        assert_eq!(Histogram([0, 0, 0, 1]).matches(&expected), 0.0);
    }

    #[test]
    fn malformed_blobs_and_challenges_are_errors() {
        let mut rng = rand_core::OsRng;
        let key = BonehPrivateKey::generate(32, &mut rng).expect("a key");
        let blob = BonehAttestation::attest(&key.public, &[1; 32], &mut rng).to_bytes();
        assert!(BonehAttestation::from_bytes(&blob[..blob.len() - 3]).is_err());
        assert!(BonehAttestation::from_bytes(&[]).is_err());
        assert!(respond(&key, &[1, 1]).is_err());
    }
}
