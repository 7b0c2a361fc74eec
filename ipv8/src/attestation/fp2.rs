//! [`Fp2`]: elements `a + b·ω` of `F_p² = F_p[ω]/(ω² + ω + 1)`, the group the Boneh attestations'
//! ciphertexts live in (spec `attestation.md` §3.1).

use num_bigint::{BigInt, BigUint, Sign};

/// An element `a + b·ω` with `a, b` in `[0, p)`. Equality is equality of `(a, b)`: every value
/// is kept normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fp2 {
    /// The coefficient of 1.
    pub a: BigUint,
    /// The coefficient of ω.
    pub b: BigUint,
}

/// The field a set of elements lives in: its modulus `p`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    p: BigUint,
}

impl Field {
    /// `F_p²` for the prime `p` (`p ≡ 2 mod 3` for the attestations).
    #[must_use]
    pub fn new(p: BigUint) -> Self {
        Self { p }
    }

    /// The modulus.
    #[must_use]
    pub fn p(&self) -> &BigUint {
        &self.p
    }

    /// The element `a + b·ω`, reduced.
    #[must_use]
    pub fn element(&self, a: BigUint, b: BigUint) -> Fp2 {
        Fp2 { a: a % &self.p, b: b % &self.p }
    }

    /// One.
    #[must_use]
    pub fn one(&self) -> Fp2 {
        Fp2 { a: BigUint::from(1_u8), b: BigUint::ZERO }
    }

    fn sub(&self, x: &BigUint, y: &BigUint) -> BigUint {
        if x >= y { x - y } else { &self.p - (y - x) }
    }

    /// `x · y`: `(ac − bd) + (ad + bc − bd)·ω`.
    #[must_use]
    pub fn mul(&self, x: &Fp2, y: &Fp2) -> Fp2 {
        let p = &self.p;
        let ac = (&x.a * &y.a) % p;
        let bd = (&x.b * &y.b) % p;
        let ad_bc = (&x.a * &y.b + &x.b * &y.a) % p;
        Fp2 { a: self.sub(&ac, &bd), b: self.sub(&ad_bc, &bd) }
    }

    /// `x^e` by square and multiply (Montgomery arithmetic on fixed limbs when `p` is odd and
    /// below 2^256, as every identity format's is).
    #[must_use]
    pub fn pow(&self, x: &Fp2, e: &BigUint) -> Fp2 {
        match super::montgomery::pow(&self.p, &x.a, &x.b, e) {
            Some((a, b)) => Fp2 { a, b },
            None => self.pow_slow(x, e),
        }
    }

    /// `x^e` on `num-bigint` alone.
    fn pow_slow(&self, x: &Fp2, e: &BigUint) -> Fp2 {
        let mut result = self.one();
        for i in (0..e.bits()).rev() {
            result = self.mul(&result, &result);
            if e.bit(i) {
                result = self.mul(&result, x);
            }
        }
        result
    }

    /// `x^−1` through the norm `a² − ab + b²` (`None` for zero).
    #[must_use]
    pub fn inverse(&self, x: &Fp2) -> Option<Fp2> {
        let p = &self.p;
        let norm = self.sub(&((&x.a * &x.a + &x.b * &x.b) % p), &((&x.a * &x.b) % p));
        if norm == BigUint::ZERO {
            return None;
        }
        let inv = norm.modpow(&(p - 2_u32), p);
        let a = (self.sub(&x.a, &x.b) * &inv) % p;
        let b = (self.sub(&BigUint::ZERO, &x.b) * &inv) % p;
        Some(Fp2 { a, b })
    }

    /// `x^e` for a signed `e` (a negative one through the inverse; `None` for zero then).
    #[must_use]
    pub fn pow_signed(&self, x: &Fp2, e: &BigInt) -> Option<Fp2> {
        match e.sign() {
            Sign::Minus => self.inverse(x).map(|inv| self.pow(&inv, e.magnitude())),
            _ => Some(self.pow(x, e.magnitude())),
        }
    }

    /// `x / y` (`None` if `y` is zero).
    #[must_use]
    pub fn div(&self, x: &Fp2, y: &Fp2) -> Option<Fp2> {
        self.inverse(y).map(|inv| self.mul(x, &inv))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field() -> Field {
        // 2^61 - 1 is prime but ≡ 1 mod 3; 1_000_000_007 ≡ 2 mod 3.
        Field::new(BigUint::from(1_000_000_007_u64))
    }

    #[test]
    fn omega_squared_is_minus_one_minus_omega() {
        let f = field();
        let omega = f.element(0_u8.into(), 1_u8.into());
        let squared = f.mul(&omega, &omega);
        let p = f.p().clone();
        assert_eq!(squared, Fp2 { a: &p - 1_u8, b: &p - 1_u8 });
        assert_eq!(f.mul(&squared, &omega), f.one(), "ω³ = 1");
    }

    #[test]
    fn the_fast_power_agrees_with_the_plain_one() {
        let mut rng = rand_core::OsRng;
        // Odd moduli of 1 to 4 limbs (primality does not matter for the arithmetic), and an
        // even one, which takes the plain path.
        for bits in [61_u64, 64, 69, 128, 137, 192, 199, 256, 300] {
            let p = super::super::prime::random_prime(bits, &mut rng);
            let f = Field::new(p.clone());
            for _ in 0..5 {
                let high = &p - 1_u8;
                let low = BigUint::ZERO;
                let x = f.element(
                    super::super::random::between(&mut rng, &low, &high),
                    super::super::random::between(&mut rng, &low, &high),
                );
                let e = super::super::random::between(&mut rng, &low, &(&p * &p));
                assert_eq!(f.pow(&x, &e), f.pow_slow(&x, &e), "{bits} bits");
            }
        }
        let even = Field::new(BigUint::from(1_000_000_006_u64));
        let x = even.element(3_u8.into(), 5_u8.into());
        assert_eq!(
            even.pow(&x, &BigUint::from(1234_u32)),
            even.pow_slow(&x, &BigUint::from(1234_u32))
        );
    }

    #[test]
    fn inverse_and_power_agree() {
        let f = field();
        let x = f.element(123_456_u32.into(), 987_654_u32.into());
        let inv = f.inverse(&x).expect("non-zero");
        assert_eq!(f.mul(&x, &inv), f.one());
        // The multiplicative group has order p² − 1.
        let order = f.p() * f.p() - 1_u8;
        assert_eq!(f.pow(&x, &order), f.one());
        assert_eq!(f.pow(&x, &(order - 1_u8)), inv);
        assert!(f.inverse(&f.element(0_u8.into(), 0_u8.into())).is_none());
    }
}
