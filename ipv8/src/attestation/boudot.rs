//! Boudot's sub-proofs used by the range proofs (spec `attestation.md` §4.1): [`El`], that two
//! commitments hide the same secret, and [`Sqr`], that a commitment hides a square. The challenge
//! is SHA-256 over the decimal digits of the two witnesses, as py-ipv8 computes it.

use num_bigint::{BigInt, BigUint, Sign};
use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};

use super::fp2::{Field, Fp2};
use super::ipack::{IpackError, ipack, iunpack_n, sipack, siunpack};
use super::random::between;

/// Security parameters of py-ipv8's proofs (`t`, `l`).
const T: u32 = 80;
const L: u32 = 40;

/// A proof that `y1 = g1^x h1^r1` and `y2 = g2^x h2^r2` hide the same `x`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct El {
    /// The challenge: SHA-256 of the witnesses, as an integer.
    pub c: BigInt,
    /// `w + c·x`.
    pub d: BigInt,
    /// `n1 + c·r1`.
    pub d1: BigInt,
    /// `n2 + c·r2`.
    pub d2: BigInt,
}

/// The bases and commitments an [`El`] speaks of.
pub struct ElBases<'a> {
    /// The field.
    pub field: &'a Field,
    /// First commitment's bases.
    pub g1: &'a Fp2,
    /// First commitment's blinding base.
    pub h1: &'a Fp2,
    /// Second commitment's bases.
    pub g2: &'a Fp2,
    /// Second commitment's blinding base.
    pub h2: &'a Fp2,
}

/// py-ipv8's challenge: SHA-256 over the decimal digits of both witnesses' coefficients.
fn challenge(w1: &Fp2, w2: &Fp2) -> BigInt {
    let text = format!("{}{}{}{}", w1.a, w1.b, w2.a, w2.b);
    BigInt::from_bytes_be(Sign::Plus, &Sha256::digest(text.as_bytes()))
}

fn random_signed<R: RngCore + CryptoRng>(rng: &mut R, bound: &BigUint) -> BigInt {
    BigInt::from(between(rng, &BigUint::from(1_u8), bound))
}

impl El {
    /// Proves knowledge of `x, r1, r2` (with `b` the range's upper end and `bitspace` the key
    /// size; the nonces come from proper ranges, not py-ipv8's, which reveal `x`).
    #[allow(clippy::too_many_arguments)]
    pub fn create<R: RngCore + CryptoRng>(
        x: &BigInt,
        r1: &BigInt,
        r2: &BigInt,
        bases: &ElBases<'_>,
        b: u32,
        bitspace: u32,
        rng: &mut R,
    ) -> Option<Self> {
        let f = bases.field;
        let w_bound = (BigUint::from(1_u8) << (L + T)) * b - 1_u8;
        let n_bound = (BigUint::from(1_u8) << (L + T + bitspace)) * f.p() - 1_u8;
        let w = random_signed(rng, &w_bound);
        let n1 = random_signed(rng, &n_bound);
        let n2 = random_signed(rng, &n_bound);
        let w1 = f.mul(&f.pow_signed(bases.g1, &w)?, &f.pow_signed(bases.h1, &n1)?);
        let w2 = f.mul(&f.pow_signed(bases.g2, &w)?, &f.pow_signed(bases.h2, &n2)?);
        let c = challenge(&w1, &w2);
        Some(Self { d: &w + &c * x, d1: &n1 + &c * r1, d2: &n2 + &c * r2, c })
    }

    /// Whether the proof holds for commitments `y1` and `y2`.
    #[must_use]
    pub fn check(&self, bases: &ElBases<'_>, y1: &Fp2, y2: &Fp2) -> bool {
        let f = bases.field;
        let witness = |g: &Fp2, h: &Fp2, d: &BigInt, y: &Fp2| -> Option<Fp2> {
            let product = f.mul(&f.pow_signed(g, &self.d)?, &f.pow_signed(h, d)?);
            Some(f.mul(&product, &f.pow_signed(y, &-&self.c)?))
        };
        let w1 = witness(bases.g1, bases.h1, &self.d1, y1);
        let w2 = witness(bases.g2, bases.h2, &self.d2, y2);
        match (w1, w2) {
            (Some(w1), Some(w2)) => challenge(&w1, &w2) == self.c,
            _ => false,
        }
    }

    /// `sipack(c, D, D1, D2)`.
    pub fn write(&self, out: &mut Vec<u8>) {
        sipack(&[self.c.clone(), self.d.clone(), self.d1.clone(), self.d2.clone()], out);
    }

    /// Reads one from the front of `input`.
    ///
    /// # Errors
    ///
    /// [`IpackError`] for short input.
    pub fn read(input: &[u8]) -> Result<(Self, &[u8]), IpackError> {
        let (nums, rest) = siunpack(input, 4)?;
        let mut nums = nums.into_iter();
        let mut next = || nums.next().unwrap_or_default();
        Ok((Self { c: next(), d: next(), d1: next(), d2: next() }, rest))
    }
}

/// A proof that a commitment `y = g^(x²) h^r1` hides a square.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sqr {
    /// `g^x h^r2`.
    pub f: Fp2,
    /// That `F` and `y` (with base `F`) hide the same `x`.
    pub el: El,
}

impl Sqr {
    /// Proves that `g^(x²) h^r1` hides a square.
    #[allow(clippy::too_many_arguments)]
    pub fn create<R: RngCore + CryptoRng>(
        field: &Field,
        x: &BigInt,
        r1: &BigInt,
        g: &Fp2,
        h: &Fp2,
        b: u32,
        bitspace: u32,
        rng: &mut R,
    ) -> Option<Self> {
        let bound = (BigUint::from(1_u8) << bitspace) * field.p() - 1_u8;
        let magnitude = between(rng, &BigUint::ZERO, &bound);
        let negative = between(rng, &BigUint::ZERO, &BigUint::from(1_u8)) == BigUint::ZERO;
        let r2 = BigInt::from_biguint(if negative { Sign::Minus } else { Sign::Plus }, magnitude);
        let f = field.mul(&field.pow_signed(g, x)?, &field.pow_signed(h, &r2)?);
        let r3 = r1 - &r2 * x;
        let bases = ElBases { field, g1: g, h1: h, g2: &f, h2: h };
        let el = El::create(x, &r2, &r3, &bases, b, bitspace, rng)?;
        Some(Self { f, el })
    }

    /// Whether `y` hides a square (bases `g`, `h`).
    #[must_use]
    pub fn check(&self, field: &Field, g: &Fp2, h: &Fp2, y: &Fp2) -> bool {
        let bases = ElBases { field, g1: g, h1: h, g2: &self.f, h2: h };
        self.el.check(&bases, &self.f, y)
    }

    /// `ipack(p) ipack(F.a) ipack(F.b)` then the proof.
    pub fn write(&self, field: &Field, out: &mut Vec<u8>) {
        ipack(field.p(), out);
        ipack(&self.f.a, out);
        ipack(&self.f.b, out);
        self.el.write(out);
    }

    /// Reads one from the front of `input`, its element reduced into `field`.
    ///
    /// # Errors
    ///
    /// [`IpackError`] for short input.
    pub fn read<'a>(field: &Field, input: &'a [u8]) -> Result<(Self, &'a [u8]), IpackError> {
        let (nums, rest) = iunpack_n(input, 3)?;
        let mut nums = nums.into_iter().skip(1);
        let f = field.element(nums.next().unwrap_or_default(), nums.next().unwrap_or_default());
        let (el, rest) = El::read(rest)?;
        Ok((Self { f, el }, rest))
    }
}
