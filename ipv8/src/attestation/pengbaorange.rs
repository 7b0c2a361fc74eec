//! Range proofs (py-ipv8's `pengbaorange`, spec `attestation.md` §4): the attester commits to a
//! value `v` under the subject's Boneh key and proves `a ≤ v ≤ b` with Boudot's sub-proofs; the
//! subject keeps the private numbers (sent encrypted byte by byte under its own key) to answer
//! a verifier's `(s, t)` challenges.
//!
//! Unlike py-ipv8, the nonces are drawn from the ranges the paper asks for, so a proof does not
//! reveal the value (quirk A4), and a value outside the range is an error rather than a hang.

use num_bigint::{BigInt, BigUint};
use rand_core::{CryptoRng, RngCore};

use super::boneh::{BonehError, BonehPrivateKey, BonehPublicKey};
use super::boudot::{El, ElBases, Sqr};
use super::fp2::{Field, Fp2};
use super::ipack::{ipack, iunpack, iunpack_n};
use super::random::between;

/// Challenge numbers below this are refused (answered with noise), as py-ipv8 does.
pub const LARGE_INTEGER: u32 = 32_765;

/// Why a range proof cannot be made or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RangeError {
    /// The value is outside the range (py-ipv8 would never return).
    #[error("value {value} is outside {low}..={high}")]
    OutOfRange {
        /// The value.
        value: u64,
        /// The range's lower end.
        low: u32,
        /// The range's upper end.
        high: u32,
    },
    /// The key or blob is malformed.
    #[error(transparent)]
    Boneh(#[from] BonehError),
    /// A number in the blob is not an element of the key's field, or the arithmetic failed.
    #[error("not a range proof")]
    Invalid,
}

/// The commitments of a range proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeCommitment {
    /// `g^v h^r`.
    pub c: Fp2,
    /// `c / g^(a−1)`.
    pub c1: Fp2,
    /// `g^(b+1) / c`.
    pub c2: Fp2,
    /// `c1^(b−v+1) h^ra`.
    pub ca: Fp2,
    /// `g^m1 h^r1`.
    pub ca1: Fp2,
    /// `g^m2 h^r2`.
    pub ca2: Fp2,
    /// `caa / (ca1·ca2)`.
    pub ca3: Fp2,
    /// `ca^(w²) h^raa`.
    pub caa: Fp2,
}

/// What a verifier gets: the subject's key, the key size, the commitments and the sub-proofs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeProof {
    /// The subject's Boneh public key.
    pub key: BonehPublicKey,
    /// Bits per prime of the key.
    pub bitspace: u32,
    /// The commitments.
    pub commitment: RangeCommitment,
    /// That `c2` and `ca` hide the same `b − v + 1`.
    pub el: El,
    /// That `caa` hides a square (base `ca`).
    pub sqr1: Sqr,
    /// That `ca3` hides a square (base `g`).
    pub sqr2: Sqr,
}

/// The subject's secrets to answer challenges: `m1, m2, m3, r1, r2, r3`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeSecrets(pub [BigUint; 6]);

/// A range proof with the subject's secrets, as the attester sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeAttestation {
    /// The public part.
    pub proof: RangeProof,
    /// The secrets.
    pub secrets: RangeSecrets,
}

fn random_bytes_int<R: RngCore + CryptoRng>(rng: &mut R, bytes: usize) -> BigUint {
    let mut buf = vec![0_u8; bytes];
    rng.fill_bytes(&mut buf);
    BigUint::from_bytes_be(&buf)
}

/// A random non-zero number of `bytes` bytes modulo `modulus`, as py-ipv8 draws them.
fn nonzero_mod<R: RngCore + CryptoRng>(rng: &mut R, bytes: usize, modulus: &BigUint) -> BigUint {
    if *modulus <= BigUint::from(1_u8) {
        return BigUint::from(1_u8);
    }
    loop {
        let n = random_bytes_int(rng, bytes) % modulus;
        if n != BigUint::ZERO {
            return n;
        }
    }
}

impl RangeAttestation {
    /// Attests `low ≤ value ≤ high` for the subject's key (`bitspace` = its bits per prime).
    ///
    /// # Errors
    ///
    /// [`RangeError::OutOfRange`] for a value outside the range; [`RangeError::Invalid`] if the
    /// key's arithmetic fails (a malformed key).
    pub fn attest<R: RngCore + CryptoRng>(
        key: &BonehPublicKey,
        value: u64,
        low: u32,
        high: u32,
        bitspace: u32,
        rng: &mut R,
    ) -> Result<Self, RangeError> {
        if value < u64::from(low) || value > u64::from(high) || low == 0 {
            return Err(RangeError::OutOfRange { value, low, high });
        }
        let f = &key.field;
        let (g, h) = (&key.g, &key.h);
        let bytes = usize::try_from(bitspace / 8).unwrap_or(4);
        let v = BigUint::from(value);
        let (a, b) = (BigUint::from(low), BigUint::from(high));
        let r = random_bytes_int(rng, bytes);
        let ra = random_bytes_int(rng, bytes);
        let raa = {
            let half = random_bytes_int(rng, usize::try_from(bitspace / 16).unwrap_or(2));
            &half * &half
        };
        let w = random_bytes_int(rng, bytes);
        let w2 = &w * &w;
        let c = f.mul(&f.pow(g, &v), &f.pow(h, &r));
        let c1 = f.div(&c, &f.pow(g, &(&a - 1_u8))).ok_or(RangeError::Invalid)?;
        let c2 = f.div(&f.pow(g, &(&b + 1_u8)), &c).ok_or(RangeError::Invalid)?;
        let upper = &b - &v + 1_u8;
        let ca = f.mul(&f.pow(&c1, &upper), &f.pow(h, &ra));
        let caa = f.mul(&f.pow(&ca, &w2), &f.pow(h, &raa));
        let mst = &w2 * (&v - &a + 1_u8) * &upper;
        let m4 = nonzero_mod(rng, bytes, &(mst.sqrt() - 1_u8));
        let m3 = &m4 * &m4;
        let m1 = nonzero_mod(rng, bytes, &(&mst - &m4));
        let m2 = minus(&mst, &(&m1 + &m3)).ok_or(RangeError::Invalid)?;
        let rst = &w2 * (&upper * &r + &ra) + &raa;
        let half = (&rst >> 1_u32) - 1_u8;
        let r1 = nonzero_mod(rng, bytes * bytes, &half);
        let r2 = nonzero_mod(rng, bytes * bytes, &half);
        let r3 = minus(&rst, &(&r1 + &r2)).ok_or(RangeError::Invalid)?;
        let ca1 = f.mul(&f.pow(g, &m1), &f.pow(h, &r1));
        let ca2 = f.mul(&f.pow(g, &m2), &f.pow(h, &r2));
        let ca3 = f.div(&caa, &f.mul(&ca1, &ca2)).ok_or(RangeError::Invalid)?;
        let signed = |n: &BigUint| BigInt::from(n.clone());
        let bases = ElBases { field: f, g1: g, h1: h, g2: &c1, h2: h };
        let el =
            El::create(&signed(&upper), &-signed(&r), &signed(&ra), &bases, high, bitspace, rng)
                .ok_or(RangeError::Invalid)?;
        let sqr1 = Sqr::create(f, &signed(&w), &signed(&raa), &ca, h, high, bitspace, rng)
            .ok_or(RangeError::Invalid)?;
        let sqr2 = Sqr::create(f, &signed(&m4), &signed(&r3), g, h, high, bitspace, rng)
            .ok_or(RangeError::Invalid)?;
        let commitment = RangeCommitment { c, c1, c2, ca, ca1, ca2, ca3, caa };
        let proof = RangeProof { key: key.clone(), bitspace, commitment, el, sqr1, sqr2 };
        Ok(Self { proof, secrets: RangeSecrets([m1, m2, m3, r1, r2, r3]) })
    }

    /// What the attester sends and the subject stores: the public data, then the secrets'
    /// bytes each encrypted under `key` (the subject's), after a count byte.
    ///
    /// # Errors
    ///
    /// [`RangeError::Invalid`] if the secrets take more than 255 bytes (py-ipv8 cannot send them
    /// either).
    pub fn to_private_bytes<R: RngCore + CryptoRng>(
        &self,
        key: &BonehPublicKey,
        rng: &mut R,
    ) -> Result<Vec<u8>, RangeError> {
        let mut out = self.proof.to_bytes();
        let mut secrets = Vec::new();
        for n in &self.secrets.0 {
            ipack(n, &mut secrets);
        }
        out.push(u8::try_from(secrets.len()).map_err(|_| RangeError::Invalid)?);
        for byte in secrets {
            write_element(&key.encrypt(&BigUint::from(byte), rng), &mut out);
        }
        Ok(out)
    }

    /// Reads what [`RangeAttestation::to_private_bytes`] wrote, decrypting the secrets with the
    /// subject's key.
    ///
    /// # Errors
    ///
    /// [`RangeError`] for a malformed blob or secrets that do not decrypt to bytes.
    pub fn from_private_bytes(key: &BonehPrivateKey, blob: &[u8]) -> Result<Self, RangeError> {
        let (proof, rest) = RangeProof::read(blob)?;
        let (&count, mut rest) = rest.split_first().ok_or(RangeError::Invalid)?;
        let all: Vec<u64> = (0..=255).collect();
        let mut secrets = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            let (x, next) = read_element(&key.public.field, rest)?;
            let byte = key.decrypt(&all, &x).ok_or(RangeError::Invalid)?;
            secrets.push(u8::try_from(byte).map_err(|_| RangeError::Invalid)?);
            rest = next;
        }
        let (nums, _) = iunpack_n(&secrets, 6).map_err(BonehError::from)?;
        let secrets =
            RangeSecrets(<[BigUint; 6]>::try_from(nums).map_err(|_| RangeError::Invalid)?);
        Ok(Self { proof, secrets })
    }

    /// The subject's answer to challenge `ipack(s) ipack(t)`: `ipack(x) ipack(y) ipack(u)
    /// ipack(v)`; noise if `s` or `t` is below [`LARGE_INTEGER`].
    ///
    /// # Errors
    ///
    /// [`RangeError`] for a challenge that is not two integers.
    pub fn respond<R: RngCore + CryptoRng>(
        &self,
        challenge: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, RangeError> {
        let (nums, _) = iunpack_n(challenge, 2).map_err(BonehError::from)?;
        let (s, t) = (&nums[0], &nums[1]);
        let large = BigUint::from(LARGE_INTEGER);
        let mut out = Vec::new();
        if *s < large || *t < large {
            let p = self.proof.key.field.p();
            for _ in 0..4 {
                ipack(&between(rng, &large, &(p - 1_u8)), &mut out);
            }
            return Ok(out);
        }
        let [m1, m2, m3, r1, r2, r3] = &self.secrets.0;
        for n in [s * m1 + m2 + m3, m1 + t * m2 + m3, s * r1 + r2 + r3, r1 + t * r2 + r3] {
            ipack(&n, &mut out);
        }
        Ok(out)
    }
}

impl RangeProof {
    /// The public data: key, `ipack(bitspace)`, commitments, `el`, `sqr1`, `sqr2`. Its SHA-1 is
    /// the attribute hash.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let f = &self.key.field;
        let mut out = self.key.to_bytes();
        ipack(&BigUint::from(self.bitspace), &mut out);
        ipack(f.p(), &mut out);
        let k = &self.commitment;
        for x in [&k.c, &k.c1, &k.c2, &k.ca, &k.ca1, &k.ca2, &k.ca3, &k.caa] {
            write_element(x, &mut out);
        }
        self.el.write(&mut out);
        self.sqr1.write(f, &mut out);
        self.sqr2.write(f, &mut out);
        out
    }

    /// Reads the public data from the front of `blob`; returns it and the rest.
    ///
    /// # Errors
    ///
    /// [`RangeError`] for a malformed blob.
    pub fn read(blob: &[u8]) -> Result<(Self, &[u8]), RangeError> {
        let (key, rest) = BonehPublicKey::read(blob)?;
        let f = &key.field;
        let (bitspace, rest) = iunpack(rest).map_err(BonehError::from)?;
        let bitspace = u32::try_from(bitspace).map_err(|_| RangeError::Invalid)?;
        let (_, mut rest) = iunpack(rest).map_err(BonehError::from)?;
        let mut elements = Vec::with_capacity(8);
        for _ in 0..8 {
            let (x, next) = read_element(f, rest)?;
            elements.push(x);
            rest = next;
        }
        let [c, c1, c2, ca, ca1, ca2, ca3, caa] =
            <[Fp2; 8]>::try_from(elements).map_err(|_| RangeError::Invalid)?;
        let (el, rest) = El::read(rest).map_err(BonehError::from)?;
        let (sqr1, rest) = Sqr::read(f, rest).map_err(BonehError::from)?;
        let (sqr2, rest) = Sqr::read(f, rest).map_err(BonehError::from)?;
        let commitment = RangeCommitment { c, c1, c2, ca, ca1, ca2, ca3, caa };
        Ok((Self { key, bitspace, commitment, el, sqr1, sqr2 }, rest))
    }

    /// A challenge: `ipack(s) ipack(t)`, each random `bitspace/8` bytes modulo `p − 1`, redrawn
    /// below [`LARGE_INTEGER`].
    pub fn challenge<R: RngCore + CryptoRng>(&self, rng: &mut R) -> Vec<u8> {
        let modulus = self.key.field.p() - 1_u8;
        let bytes = usize::try_from(self.bitspace / 8).unwrap_or(4);
        let mut out = Vec::new();
        for _ in 0..2 {
            let n = loop {
                let n = random_bytes_int(rng, bytes) % &modulus;
                if n >= BigUint::from(LARGE_INTEGER) {
                    break n;
                }
            };
            ipack(&n, &mut out);
        }
        out
    }

    /// Whether the answer to `challenge` shows a value in `low..=high`.
    #[must_use]
    pub fn check(&self, low: u32, high: u32, challenge: &[u8], response: &[u8]) -> bool {
        let (Ok((st, _)), Ok((xyuv, _))) = (iunpack_n(challenge, 2), iunpack_n(response, 4)) else {
            return false;
        };
        let (s, t) = (&st[0], &st[1]);
        let (x, y, u, v) = (&xyuv[0], &xyuv[1], &xyuv[2], &xyuv[3]);
        let f = &self.key.field;
        let (g, h) = (&self.key.g, &self.key.h);
        let k = &self.commitment;
        let bases = ElBases { field: f, g1: g, h1: h, g2: &k.c1, h2: h };
        let proofs = self.el.check(&bases, &k.c2, &k.ca)
            && self.sqr1.check(f, &k.ca, h, &k.caa)
            && self.sqr2.check(f, g, h, &k.ca3);
        let c1 = f.div(&k.c, &f.pow(g, &BigUint::from(low.saturating_sub(1))));
        let c2 = f.div(&f.pow(g, &BigUint::from(u64::from(high) + 1)), &k.c);
        let commitments = c1.as_ref() == Some(&k.c1)
            && c2.as_ref() == Some(&k.c2)
            && k.caa == f.mul(&f.mul(&k.ca1, &k.ca2), &k.ca3);
        let first =
            f.mul(&f.pow(g, x), &f.pow(h, u)) == f.mul(&f.mul(&f.pow(&k.ca1, s), &k.ca2), &k.ca3);
        let second =
            f.mul(&f.pow(g, y), &f.pow(h, v)) == f.mul(&f.mul(&k.ca1, &f.pow(&k.ca2, t)), &k.ca3);
        proofs && commitments && first && second && *x > BigUint::ZERO && *y > BigUint::ZERO
    }
}

/// py-ipv8's certainty for a range proof: with `expect_in_range` (the reference byte `01`), 1.0
/// if at least one challenge was answered and every answer checked, else 0.0; inverted when the
/// reference says out of range.
#[must_use]
pub fn range_certainty(results: &[bool], expect_in_range: bool) -> f64 {
    let in_range = !results.is_empty() && results.iter().all(|ok| *ok);
    if in_range == expect_in_range { 1.0 } else { 0.0 }
}

/// `x − y` when it is not negative.
fn minus(x: &BigUint, y: &BigUint) -> Option<BigUint> {
    (x >= y).then(|| x - y)
}

fn write_element(x: &Fp2, out: &mut Vec<u8>) {
    ipack(&x.a, out);
    ipack(&x.b, out);
}

fn read_element<'a>(field: &Field, input: &'a [u8]) -> Result<(Fp2, &'a [u8]), RangeError> {
    let (nums, rest) = iunpack_n(input, 2).map_err(BonehError::from)?;
    let mut nums = nums.into_iter();
    let (a, b) = (nums.next().unwrap_or_default(), nums.next().unwrap_or_default());
    if a >= *field.p() || b >= *field.p() {
        return Err(RangeError::Invalid);
    }
    Ok((Fp2 { a, b }, rest))
}

#[cfg(test)]
#[allow(clippy::float_cmp, reason = "the certainties are exact binary fractions")]
mod tests {
    use super::*;

    #[test]
    fn a_value_in_range_passes_and_a_wrong_answer_fails() {
        let mut rng = rand_core::OsRng;
        let key = BonehPrivateKey::generate(32, &mut rng).expect("a key");
        let made =
            RangeAttestation::attest(&key.public, 42, 18, 200, 32, &mut rng).expect("in range");
        let blob = made.to_private_bytes(&key.public, &mut rng).expect("fits");
        let stored = RangeAttestation::from_private_bytes(&key, &blob).expect("decrypts");
        assert_eq!(stored, made);
        let public = made.proof.to_bytes();
        let (proof, rest) = RangeProof::read(&public).expect("public data");
        assert!(rest.is_empty());
        let challenge = proof.challenge(&mut rng);
        let response = stored.respond(&challenge, &mut rng).expect("an answer");
        assert!(proof.check(18, 200, &challenge, &response));
        assert_eq!(range_certainty(&[true], true), 1.0);
        let mut wrong = response.clone();
        let last = wrong.len() - 1;
        wrong[last] ^= 1;
        assert!(!proof.check(18, 200, &challenge, &wrong));
        let small = [1, 1, 5, 1, 1, 5];
        let noise = stored.respond(&small, &mut rng).expect("noise");
        assert!(!proof.check(18, 200, &small, &noise));
    }

    #[test]
    fn values_outside_the_range_are_refused() {
        let mut rng = rand_core::OsRng;
        let key = BonehPrivateKey::generate(32, &mut rng).expect("a key");
        for value in [17, 201, 0] {
            let made = RangeAttestation::attest(&key.public, value, 18, 200, 32, &mut rng);
            assert!(matches!(made, Err(RangeError::OutOfRange { .. })), "{value}");
        }
    }
}
