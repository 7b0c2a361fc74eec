//! Random numbers for attestations, from a cryptographic random source.

use num_bigint::BigUint;
use rand_core::{CryptoRng, RngCore};

/// A uniform integer in `[low, high]` (both included; `low` if the range is empty), by rejection
/// sampling on the range's bit length.
pub(crate) fn between<R: RngCore + CryptoRng>(
    rng: &mut R,
    low: &BigUint,
    high: &BigUint,
) -> BigUint {
    if high <= low {
        return low.clone();
    }
    let span = high - low;
    let bits = span.bits();
    let bytes = usize::try_from(bits.div_ceil(8)).unwrap_or(0);
    let excess = bytes * 8 - usize::try_from(bits).unwrap_or(0);
    let mut buf = vec![0_u8; bytes];
    loop {
        rng.fill_bytes(&mut buf);
        if let Some(first) = buf.first_mut() {
            *first &= 0xff_u8 >> excess;
        }
        let candidate = BigUint::from_bytes_be(&buf);
        if candidate <= span {
            return low + candidate;
        }
    }
}
