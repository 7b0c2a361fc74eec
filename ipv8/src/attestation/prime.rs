//! Primes for Boneh keys (spec `attestation.md` §3.2): a Miller–Rabin test, safe primes below 512
//! bits and plain random primes from 512 bits on, as py-ipv8's helpers make them.

use num_bigint::BigUint;
use rand_core::{CryptoRng, RngCore};

use super::random::between;

/// Miller–Rabin rounds with random bases (error below 4^−40).
const ROUNDS: usize = 40;

const SMALL_PRIMES: [u32; 24] =
    [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89];

/// Whether `n` is prime: exactly below 2^64, else with an error chance below 4^−40.
pub fn is_probable_prime<R: RngCore + CryptoRng>(n: &BigUint, rng: &mut R) -> bool {
    let two = BigUint::from(2_u8);
    if *n < two {
        return false;
    }
    for small in SMALL_PRIMES {
        let small = BigUint::from(small);
        if *n == small {
            return true;
        }
        if (n % &small) == BigUint::ZERO {
            return false;
        }
    }
    let n_minus_1 = n - 1_u8;
    let s = n_minus_1.trailing_zeros().unwrap_or(0);
    let d = &n_minus_1 >> s;
    let high = n - 2_u8;
    let one = BigUint::from(1_u8);
    // Whether base `a` says "maybe prime".
    let passes = |a: &BigUint| {
        let mut x = a.modpow(&d, n);
        if x == one || x == n_minus_1 {
            return true;
        }
        for _ in 1..s {
            x = x.modpow(&two, n);
            if x == n_minus_1 {
                return true;
            }
        }
        false
    };
    // Below 2^64 the first twelve primes as bases decide exactly; above, random bases.
    if n.bits() <= 64 {
        return SMALL_PRIMES.iter().take(12).all(|base| passes(&BigUint::from(*base)));
    }
    (0..ROUNDS).all(|_| passes(&between(rng, &two, &high)))
}

/// A random prime of exactly `bits` bits.
pub fn random_prime<R: RngCore + CryptoRng>(bits: u64, rng: &mut R) -> BigUint {
    let low = BigUint::from(1_u8) << (bits - 1);
    let high = (BigUint::from(1_u8) << bits) - 1_u8;
    loop {
        let candidate = between(rng, &low, &high) | BigUint::from(1_u8);
        if is_probable_prime(&candidate, rng) {
            return candidate;
        }
    }
}

/// A random safe prime `q = 2r + 1` (`r` prime) of exactly `bits` bits.
pub fn safe_prime<R: RngCore + CryptoRng>(bits: u64, rng: &mut R) -> BigUint {
    let low = BigUint::from(1_u8) << (bits - 2);
    let high = (BigUint::from(1_u8) << (bits - 1)) - 1_u8;
    loop {
        // q ≡ 3 mod 4 and q ≢ 1 mod 3 for every safe prime above 7: r odd, r ≢ 0 mod 3.
        let r = between(rng, &low, &high) | BigUint::from(1_u8);
        let q: BigUint = (&r << 1_u32) + 1_u8;
        if q.bits() != bits || &r % 3_u8 == BigUint::ZERO {
            continue;
        }
        if is_probable_prime(&r, rng) && is_probable_prime(&q, rng) {
            return q;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_primes_and_composites() {
        let mut rng = rand_core::OsRng;
        for p in [2_u64, 3, 1_000_000_007, 2_305_843_009_213_693_951] {
            assert!(is_probable_prime(&BigUint::from(p), &mut rng), "{p}");
        }
        // 561 is a Carmichael number; the last is 2^61 - 1 times 3.
        for c in [0_u64, 1, 561, 1_000_000_007 * 3, 6_917_529_027_641_081_853] {
            assert!(!is_probable_prime(&BigUint::from(c), &mut rng), "{c}");
        }
    }

    #[test]
    fn safe_primes_have_the_size_and_form_asked_for() {
        let mut rng = rand_core::OsRng;
        for bits in [32, 64] {
            let q = safe_prime(bits, &mut rng);
            assert_eq!(q.bits(), bits);
            assert!(is_probable_prime(&((&q - 1_u8) >> 1), &mut rng));
        }
        assert_eq!(random_prime(80, &mut rng).bits(), 80);
    }
}
