//! One interface over both proof systems, chosen by [`IdFormat`] (py-ipv8's `IdentityAlgorithm`):
//! what the wallet needs to attest, to hold an attestation, to prove it and to verify it, whatever
//! the format.

use num_bigint::BigUint;
use rand_chacha::ChaCha12Rng;
use rand_chacha::rand_core::{RngCore as _, SeedableRng as _};
use rand_core::{CryptoRng, RngCore};

use super::boneh::{BonehError, BonehPrivateKey, BonehPublicKey};
use super::bonehexact::{BonehAttestation, Histogram, respond};
use super::formats::IdFormat;
use super::pengbaorange::{RangeAttestation, RangeError, RangeProof, range_certainty};

/// The range of `id_metadata_range_18plus`.
pub const RANGE_18PLUS: (u32, u32) = (18, 200);

/// Why an attestation could not be made, read or proven.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AttestationError {
    /// A Boneh key, exact-value attestation or challenge was malformed.
    #[error(transparent)]
    Boneh(#[from] BonehError),
    /// A range proof was malformed, or the value was out of range.
    #[error(transparent)]
    Range(#[from] RangeError),
    /// A range format's value is not a big-endian number of at most eight bytes.
    #[error("a range value must be a number of at most 8 bytes")]
    RangeValue,
}

/// A seedable generator for the primitives' `rand_core` traits (`ChaCha12`): jobs get one seeded
/// from the node's generator, so a simulated network stays deterministic.
#[derive(Debug, Clone)]
pub struct SeededRng(ChaCha12Rng);

impl SeededRng {
    /// A generator with this 32-byte seed.
    #[must_use]
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self(ChaCha12Rng::from_seed(seed))
    }
}

impl RngCore for SeededRng {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }

    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest);
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.0.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for SeededRng {}

/// An attestation as its subject holds it: the public part and the secrets that answer
/// challenges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnedAttestation {
    /// An exact-value attestation (the subject's Boneh key answers its challenges).
    Exact(BonehAttestation),
    /// A range proof with its secrets.
    Range(Box<RangeAttestation>),
}

/// An attestation as a verifier receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicAttestation {
    /// An exact-value attestation.
    Exact(BonehAttestation),
    /// A range proof.
    Range(Box<RangeProof>),
}

/// What a verifier has learnt from the answers so far (py-ipv8's "relativity map").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Aggregate {
    /// The histogram of the decrypted bit-pair sums.
    Exact(Histogram),
    /// Whether each answered range challenge checked.
    Range(Vec<bool>),
}

impl IdFormat {
    /// A fresh Boneh key for this format, the subject's secret for one attribute.
    ///
    /// # Errors
    ///
    /// [`AttestationError::Boneh`] only if key generation fails (it does not for the built-in
    /// sizes).
    pub fn generate_key<R: RngCore + CryptoRng>(
        self,
        rng: &mut R,
    ) -> Result<BonehPrivateKey, AttestationError> {
        Ok(BonehPrivateKey::generate(self.key_size(), rng)?)
    }

    /// The attester's blob for `value` under the subject's key: the public attestation (exact
    /// values) or the proof with its encrypted secrets (ranges).
    ///
    /// # Errors
    ///
    /// A range value out of range or longer than eight bytes; a malformed key.
    pub fn attest<R: RngCore + CryptoRng>(
        self,
        key: &BonehPublicKey,
        value: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, AttestationError> {
        if let Some(hash) = self.value_hash() {
            return Ok(BonehAttestation::attest(key, &hash.bits(value), rng).to_bytes());
        }
        if value.len() > 8 {
            return Err(AttestationError::RangeValue);
        }
        let number = value.iter().fold(0_u64, |n, byte| n << 8 | u64::from(*byte));
        let (low, high) = RANGE_18PLUS;
        let bits = u32::try_from(self.key_size()).unwrap_or(32);
        let attestation = RangeAttestation::attest(key, number, low, high, bits, rng)?;
        Ok(attestation.to_private_bytes(key, rng)?)
    }

    /// Reads the blob the attester sent (or our database kept) with the subject's key.
    ///
    /// # Errors
    ///
    /// A malformed blob, or secrets that do not decrypt under `key`.
    pub fn read_owned(
        self,
        key: &BonehPrivateKey,
        blob: &[u8],
    ) -> Result<OwnedAttestation, AttestationError> {
        if self.value_hash().is_some() {
            Ok(OwnedAttestation::Exact(BonehAttestation::from_bytes(blob)?))
        } else {
            Ok(OwnedAttestation::Range(Box::new(RangeAttestation::from_private_bytes(key, blob)?)))
        }
    }

    /// Reads the public blob a subject sends to prove its attestation.
    ///
    /// # Errors
    ///
    /// A malformed blob.
    pub fn read_public(self, blob: &[u8]) -> Result<PublicAttestation, AttestationError> {
        if self.value_hash().is_some() {
            Ok(PublicAttestation::Exact(BonehAttestation::from_bytes(blob)?))
        } else {
            Ok(PublicAttestation::Range(Box::new(RangeProof::read(blob)?.0)))
        }
    }

    /// How sure a verifier is that the attested value is `reference`, from what it learnt: for
    /// exact values the histogram match (1 − 2⁻ⁿ after n answers at best), for ranges 1.0 or 0.0
    /// for a reference byte `01` ("in range"), inverted for `00`.
    #[must_use]
    pub fn certainty(self, aggregate: &Aggregate, reference: &[u8]) -> f64 {
        match (self.value_hash(), aggregate) {
            (Some(hash), Aggregate::Exact(seen)) => seen.certainty(&hash.relativity(reference)),
            (None, Aggregate::Range(results)) => {
                range_certainty(results, reference.first().is_some_and(|b| *b != 0))
            }
            _ => 0.0,
        }
    }

    /// What a verifier knows before any answer (and what a caught liar's proof ends with).
    #[must_use]
    pub fn empty_aggregate(self) -> Aggregate {
        if self.value_hash().is_some() {
            Aggregate::Exact(Histogram::default())
        } else {
            Aggregate::Range(Vec::new())
        }
    }
}

impl OwnedAttestation {
    /// The public serialization; its SHA-1 is the attribute hash.
    #[must_use]
    pub fn public_bytes(&self) -> Vec<u8> {
        match self {
            Self::Exact(a) => a.to_bytes(),
            Self::Range(a) => a.proof.to_bytes(),
        }
    }

    /// What the wallet database keeps: the public attestation for exact values, the proof with
    /// its secrets encrypted again under `key` for ranges.
    ///
    /// # Errors
    ///
    /// Secrets too long to encode (never for attestations this crate reads).
    pub fn private_bytes<R: RngCore + CryptoRng>(
        &self,
        key: &BonehPublicKey,
        rng: &mut R,
    ) -> Result<Vec<u8>, AttestationError> {
        match self {
            Self::Exact(a) => Ok(a.to_bytes()),
            Self::Range(a) => Ok(a.to_private_bytes(key, rng)?),
        }
    }

    /// The subject's answer to a verifier's challenge: one byte (the decrypted pair sum) for
    /// exact values, four numbers for ranges.
    ///
    /// # Errors
    ///
    /// A malformed challenge.
    pub fn respond<R: RngCore + CryptoRng>(
        &self,
        key: &BonehPrivateKey,
        challenge: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, AttestationError> {
        match self {
            Self::Exact(_) => Ok(vec![respond(key, challenge)?]),
            Self::Range(a) => Ok(a.respond(challenge, rng)?),
        }
    }
}

impl PublicAttestation {
    /// The public serialization; its SHA-1 is the attribute hash.
    #[must_use]
    pub fn public_bytes(&self) -> Vec<u8> {
        match self {
            Self::Exact(a) => a.to_bytes(),
            Self::Range(p) => p.to_bytes(),
        }
    }

    /// The challenges that prove the attestation: one per bit pair, or one range challenge.
    #[must_use]
    pub fn challenges<R: RngCore + CryptoRng>(&self, rng: &mut R) -> Vec<Vec<u8>> {
        match self {
            Self::Exact(a) => (0..a.bitpairs.len()).filter_map(|i| a.challenge(i, rng)).collect(),
            Self::Range(p) => vec![p.challenge(rng)],
        }
    }

    /// An honesty check (exact values only): a fresh encryption of a random value in 0..=2
    /// that an honest subject decrypts back; `None` for ranges.
    #[must_use]
    pub fn honesty_check<R: RngCore + CryptoRng>(&self, rng: &mut R) -> Option<(u8, Vec<u8>)> {
        match self {
            Self::Exact(a) => {
                let value = u8::try_from(rng.next_u32() % 3).unwrap_or(0);
                Some((value, a.honesty_check(value, rng)))
            }
            Self::Range(_) => None,
        }
    }

    /// Adds the answer to `challenge` to what the verifier learnt. Range answers are checked here
    /// (the costly part: run it as a job).
    pub fn process(&self, aggregate: &mut Aggregate, challenge: &[u8], response: &[u8]) {
        match (self, aggregate) {
            (Self::Exact(_), Aggregate::Exact(seen)) => {
                if let [answer] = response {
                    seen.add(*answer);
                } else {
                    seen.add(3);
                }
            }
            (Self::Range(proof), Aggregate::Range(results)) => {
                let (low, high) = RANGE_18PLUS;
                results.push(proof.check(low, high, challenge, response));
            }
            _ => {}
        }
    }
}

/// The value a range format attests, as py-ipv8's REST API takes it: one byte per number.
#[must_use]
pub fn range_value(age: u8) -> Vec<u8> {
    BigUint::from(age).to_bytes_be()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rng() -> SeededRng {
        SeededRng::from_seed([7; 32])
    }

    /// A whole proof without the network: every challenge answered by the subject.
    fn prove(format: IdFormat, value: &[u8]) -> (Aggregate, PublicAttestation) {
        let mut rng = rng();
        let key = format.generate_key(&mut rng).expect("a key");
        let blob = format.attest(&key.public, value, &mut rng).expect("an attestation");
        let owned = format.read_owned(&key, &blob).expect("the subject reads it");
        let public = format.read_public(&owned.public_bytes()).expect("the verifier reads it");
        let mut aggregate = format.empty_aggregate();
        for challenge in public.challenges(&mut rng) {
            let response = owned.respond(&key, &challenge, &mut rng).expect("an answer");
            public.process(&mut aggregate, &challenge, &response);
        }
        (aggregate, public)
    }

    #[test]
    fn an_exact_value_matches_only_itself() {
        let format = IdFormat::Metadata;
        let (aggregate, _) = prove(format, b"value");
        assert!(format.certainty(&aggregate, b"value") > 0.99);
        assert!(format.certainty(&format.empty_aggregate(), b"value") < 0.01);
        let other = (0..50)
            .map(|i| format!("other {i}").into_bytes())
            .find(|v| {
                IdFormat::Metadata.value_hash().map(|h| h.relativity(v))
                    != IdFormat::Metadata.value_hash().map(|h| h.relativity(b"value"))
            })
            .expect("a value with another histogram");
        assert!(format.certainty(&aggregate, &other) < 0.5);
    }

    #[test]
    fn a_range_proof_shows_the_value_in_range() {
        let format = IdFormat::Range18Plus;
        let (aggregate, _) = prove(format, &range_value(42));
        assert_eq!(aggregate, Aggregate::Range(vec![true]));
        assert!((format.certainty(&aggregate, &[1]) - 1.0).abs() < f64::EPSILON);
        assert!(format.certainty(&aggregate, &[0]).abs() < f64::EPSILON);
    }

    #[test]
    fn out_of_range_and_overlong_values_are_refused() {
        let mut rng = rng();
        let format = IdFormat::Range18Plus;
        let key = format.generate_key(&mut rng).expect("a key");
        assert!(matches!(
            format.attest(&key.public, &range_value(17), &mut rng),
            Err(AttestationError::Range(_))
        ));
        assert_eq!(
            format.attest(&key.public, &[1; 9], &mut rng),
            Err(AttestationError::RangeValue)
        );
    }

    #[test]
    fn an_honesty_check_decrypts_to_its_value() {
        let mut rng = rng();
        let format = IdFormat::Metadata;
        let key = format.generate_key(&mut rng).expect("a key");
        let blob = format.attest(&key.public, b"v", &mut rng).expect("an attestation");
        let owned = format.read_owned(&key, &blob).expect("owned");
        let public = format.read_public(&blob).expect("public");
        for _ in 0..5 {
            let (value, check) = public.honesty_check(&mut rng).expect("exact values have them");
            assert_eq!(owned.respond(&key, &check, &mut rng).expect("an answer"), [value]);
        }
    }
}
