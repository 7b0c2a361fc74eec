//! The Boneh–Goh–Nissim-style cryptosystem under py-ipv8's attestations (spec `attestation.md`
//! §3.2–3.3): keys `(p, g, h)` with secret `(n, t1)`, `E(m) = g^m · h^r` in `F_p²`, and decryption
//! by trying the candidate messages.

use num_bigint::BigUint;
use rand_core::{CryptoRng, RngCore};

use super::fp2::{Field, Fp2};
use super::ipack::{IpackError, ipack, iunpack_n};
use super::prime::{is_probable_prime, random_prime, safe_prime};
use super::random::between;

/// Key sizes (bits per prime) py-ipv8 accepts.
pub const KEY_SIZES: std::ops::RangeInclusive<u64> = 32..=512;

/// Why a Boneh key cannot be made or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BonehError {
    /// The key size is outside 32..=512 bits.
    #[error("illegal key size {0} (32..=512 bits per prime)")]
    KeySize(u64),
    /// The bytes do not hold the integers of a key.
    #[error("malformed key: {0}")]
    Malformed(#[from] IpackError),
    /// The integers do not make a usable key (modulus below 5, elements out of range).
    #[error("not a usable key")]
    Invalid,
}

/// A public key: the field's modulus `p`, the generator `g` of order `n`, and `h` of order `t1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BonehPublicKey {
    /// `F_p²`.
    pub field: Field,
    /// Of order `n`.
    pub g: Fp2,
    /// `u^t2` for some `u` of order `n`: `h^t1 = 1`.
    pub h: Fp2,
}

/// A private key: the public key, `n = t1·t2`, and the prime `t1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BonehPrivateKey {
    /// The public half.
    pub public: BonehPublicKey,
    /// `t1 · t2`.
    pub n: BigUint,
    /// The smaller prime factor of `n`.
    pub t1: BigUint,
}

impl BonehPublicKey {
    /// py-ipv8's serialization: `ipack` of `p`, `g.a`, `g.b`, `h.a`, `h.b`.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for n in [self.field.p(), &self.g.a, &self.g.b, &self.h.a, &self.h.b] {
            ipack(n, &mut out);
        }
        out
    }

    /// Reads a public key from the front of `input`; returns it and the rest.
    ///
    /// # Errors
    ///
    /// [`BonehError`] for bytes that are no key.
    pub fn read(input: &[u8]) -> Result<(Self, &[u8]), BonehError> {
        let (nums, rest) = iunpack_n(input, 5)?;
        let [p, ga, gb, ha, hb] =
            <[BigUint; 5]>::try_from(nums).map_err(|_| BonehError::Invalid)?;
        if p < BigUint::from(5_u8) || [&ga, &gb, &ha, &hb].into_iter().any(|x| *x >= p) {
            return Err(BonehError::Invalid);
        }
        let field = Field::new(p);
        let g = Fp2 { a: ga, b: gb };
        let h = Fp2 { a: ha, b: hb };
        if g == field.one() || h == field.one() {
            return Err(BonehError::Invalid);
        }
        Ok((Self { field, g, h }, rest))
    }

    /// `E(m) = g^m · h^r` with `r` uniform in `[4, p − 1]` and `h^r ≠ 1`.
    pub fn encrypt<R: RngCore + CryptoRng>(&self, m: &BigUint, rng: &mut R) -> Fp2 {
        let f = &self.field;
        let low = BigUint::from(4_u8);
        let high = f.p() - 1_u8;
        let one = f.one();
        let mut blind = f.pow(&self.h, &between(rng, &low, &high));
        // `h` is never 1 (such keys are refused when read), so this ends; bounded all the same.
        for _ in 0..64 {
            if blind != one {
                break;
            }
            blind = f.pow(&self.h, &between(rng, &low, &high));
        }
        f.mul(&f.pow(&self.g, m), &blind)
    }
}

impl BonehPrivateKey {
    /// A fresh key with two primes of `key_size` bits (safe primes below 512 bits).
    ///
    /// # Errors
    ///
    /// [`BonehError::KeySize`] outside 32..=512.
    pub fn generate<R: RngCore + CryptoRng>(
        key_size: u64,
        rng: &mut R,
    ) -> Result<Self, BonehError> {
        if !KEY_SIZES.contains(&key_size) {
            return Err(BonehError::KeySize(key_size));
        }
        let prime = |rng: &mut R| {
            if key_size >= 512 { random_prime(key_size, rng) } else { safe_prime(key_size, rng) }
        };
        let (x, y) = (prime(rng), prime(rng));
        let (t1, t2) = if x <= y { (x, y) } else { (y, x) };
        let n = &t1 * &t2;
        let p = modulus_for(&n, rng);
        let field = Field::new(p);
        let g = element_of_order(&field, &n, &t1, &t2, rng);
        let u = element_of_order(&field, &n, &t1, &t2, rng);
        let h = field.pow(&u, &t2);
        Ok(Self { public: BonehPublicKey { field, g, h }, n, t1 })
    }

    /// py-ipv8's serialization: the public key's, then `ipack(n) ipack(t1)`.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.public.to_bytes();
        ipack(&self.n, &mut out);
        ipack(&self.t1, &mut out);
        out
    }

    /// Reads a private key.
    ///
    /// # Errors
    ///
    /// [`BonehError`] for bytes that are no private key.
    pub fn from_bytes(input: &[u8]) -> Result<Self, BonehError> {
        let (public, rest) = BonehPublicKey::read(input)?;
        let (nums, _) = iunpack_n(rest, 2)?;
        let [n, t1] = <[BigUint; 2]>::try_from(nums).map_err(|_| BonehError::Invalid)?;
        if t1 == BigUint::ZERO {
            return Err(BonehError::Invalid);
        }
        Ok(Self { public, n, t1 })
    }

    /// Decrypts `c` if it encrypts one of `candidates` (tried in order).
    #[must_use]
    pub fn decrypt(&self, candidates: &[u64], c: &Fp2) -> Option<u64> {
        let f = &self.public.field;
        let d = f.pow(c, &self.t1);
        let base = f.pow(&self.public.g, &self.t1);
        candidates.iter().copied().find(|m| f.pow(&base, &BigUint::from(*m)) == d)
    }
}

/// The first `l·n − 1` (l = 1, 2, …) that is prime and ≡ 2 mod 3: then `n | p + 1`.
fn modulus_for<R: RngCore + CryptoRng>(n: &BigUint, rng: &mut R) -> BigUint {
    let mut l = BigUint::from(1_u8);
    loop {
        let p = &l * n - 1_u8;
        if &p % 3_u8 == BigUint::from(2_u8) && is_probable_prime(&p, rng) {
            return p;
        }
        l += 1_u8;
    }
}

/// A random element of order exactly `n = t1·t2` in `F_p²*`: `z^((p² − 1)/n)` for random `z`,
/// until neither `t1` nor `t2` alone is its order. (py-ipv8 finds one through a Weil pairing;
/// both lie in the same subgroup, and peers see only the elements.)
fn element_of_order<R: RngCore + CryptoRng>(
    field: &Field,
    n: &BigUint,
    t1: &BigUint,
    t2: &BigUint,
    rng: &mut R,
) -> Fp2 {
    let p = field.p();
    let cofactor = (p * p - 1_u8) / n;
    let one = field.one();
    let high = p - 1_u8;
    loop {
        let z =
            field.element(between(rng, &BigUint::ZERO, &high), between(rng, &BigUint::ZERO, &high));
        let x = field.pow(&z, &cofactor);
        if field.pow(&x, t1) != one && field.pow(&x, t2) != one {
            return x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_key_decrypts_what_its_public_half_encrypts() {
        let mut rng = rand_core::OsRng;
        let key = BonehPrivateKey::generate(32, &mut rng).expect("a key");
        let f = &key.public.field;
        assert_eq!(f.p() % 3_u8, BigUint::from(2_u8));
        assert_eq!((f.p() + 1_u8) % &key.n, BigUint::ZERO);
        assert_eq!(f.pow(&key.public.h, &key.t1), f.one(), "h^t1 = 1");
        for m in 0..3_u64 {
            let c = key.public.encrypt(&BigUint::from(m), &mut rng);
            assert_eq!(key.decrypt(&[0, 1, 2], &c), Some(m));
        }
        let c = key.public.encrypt(&BigUint::from(7_u8), &mut rng);
        assert_eq!(key.decrypt(&[0, 1, 2], &c), None);
    }

    #[test]
    fn keys_round_trip_and_bad_bytes_are_refused() {
        let mut rng = rand_core::OsRng;
        let key = BonehPrivateKey::generate(32, &mut rng).expect("a key");
        assert_eq!(BonehPrivateKey::from_bytes(&key.to_bytes()), Ok(key.clone()));
        let public = key.public.to_bytes();
        assert_eq!(BonehPublicKey::read(&public).map(|(k, _)| k), Ok(key.public));
        assert!(BonehPublicKey::read(&public[..public.len() - 1]).is_err());
        assert_eq!(BonehPrivateKey::generate(16, &mut rng), Err(BonehError::KeySize(16)));
    }
}
