//! The zero-knowledge attestation primitives of py-ipv8's wallet (spec `attestation.md` §2–4,
//! §7): [`ipack`] integers, [`Fp2`] arithmetic, [`BonehPrivateKey`] keys with their encryption,
//! exact-value attestations ([`BonehAttestation`]) with their challenges and certainty, and range
//! proofs ([`RangeAttestation`], Peng–Bao with Boudot's sub-proofs). Pure
//! functions on bytes: communities run them as CPU jobs.
//!
//! # Examples
//!
//! An attester attests a value for a subject's key; a verifier challenges every bit pair and
//! checks the subject's answers against the value it expects:
//!
//! ```
//! use ipv8::attestation::{BonehAttestation, BonehPrivateKey, Histogram, ValueHash, respond};
//!
//! let mut rng = rand_core::OsRng;
//! let subject = BonehPrivateKey::generate(32, &mut rng)?;
//! let hash = ValueHash::Sha256First4; // id_metadata
//! let blob = BonehAttestation::attest(&subject.public, &hash.bits(b"alice"), &mut rng).to_bytes();
//!
//! let attestation = BonehAttestation::from_bytes(&blob)?;
//! let mut answers = Histogram::default();
//! for i in 0..attestation.bitpairs.len() {
//!     let challenge = attestation.challenge(i, &mut rng).expect("a pair");
//!     answers.add(respond(&subject, &challenge)?);
//! }
//! assert!(answers.certainty(&hash.relativity(b"alice")) > 0.99);
//! # Ok::<(), ipv8::attestation::BonehError>(())
//! ```

#![allow(
    clippy::many_single_char_names,
    reason = "the arithmetic keeps the papers' and the spec's one-letter names"
)]

mod algorithm;
mod boneh;
mod bonehexact;
mod boudot;
mod formats;
mod fp2;
mod ipack;
mod montgomery;
mod pengbaorange;
mod prime;
mod random;

pub use algorithm::{
    Aggregate, AttestationError, OwnedAttestation, PublicAttestation, RANGE_18PLUS, SeededRng,
    range_value,
};
pub use boneh::{BonehError, BonehPrivateKey, BonehPublicKey, KEY_SIZES};
pub use bonehexact::{BitPair, BonehAttestation, Histogram, ValueHash, respond};
pub use boudot::{El, ElBases, Sqr};
pub use formats::{ID_FORMATS, IdFormat};
pub use fp2::{Field, Fp2};
pub use ipack::{IpackError, ipack, iunpack, iunpack_n, sipack, siunpack};
pub use pengbaorange::{
    LARGE_INTEGER, RangeAttestation, RangeCommitment, RangeError, RangeProof, RangeSecrets,
    range_certainty,
};
pub use prime::{is_probable_prime, random_prime, safe_prime};
