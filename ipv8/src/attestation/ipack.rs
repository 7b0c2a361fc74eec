//! py-ipv8's integer encoding for attestations (spec `attestation.md` §7): `ipack(n)` is
//! `u8 len(L) ‖ L ‖ B` where `B` is `n` as minimal big-endian bytes (zero: one `00` byte) and `L`
//! is `len(B)` the same way; `sipack` prefixes a list with a sign byte.

use num_bigint::{BigInt, BigUint, Sign};

/// Why bytes are not an `ipack`ed integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IpackError {
    /// The input ended inside an integer.
    #[error("truncated integer")]
    Truncated,
    /// The length of the length is larger than this implementation reads (8 bytes).
    #[error("integer length out of range")]
    TooLong,
}

/// Minimal big-endian bytes of `n` (one `00` byte for zero).
fn minimal_bytes(n: &BigUint) -> Vec<u8> {
    n.to_bytes_be()
}

/// Appends `ipack(n)` to `out`.
///
/// # Examples
///
/// ```
/// use ipv8::attestation::ipack;
/// use num_bigint::BigUint;
///
/// let mut out = Vec::new();
/// ipack(&BigUint::from(256_u32), &mut out);
/// assert_eq!(out, [0x01, 0x02, 0x01, 0x00]);
/// ```
pub fn ipack(n: &BigUint, out: &mut Vec<u8>) {
    let body = minimal_bytes(n);
    let len = minimal_bytes(&BigUint::from(body.len()));
    out.push(u8::try_from(len.len()).unwrap_or(u8::MAX));
    out.extend_from_slice(&len);
    out.extend_from_slice(&body);
}

/// Reads one `ipack`ed integer from the front of `input`; returns it and the rest.
///
/// # Errors
///
/// [`IpackError`] for input that ends early or announces an absurd length.
pub fn iunpack(input: &[u8]) -> Result<(BigUint, &[u8]), IpackError> {
    let (&len_len, rest) = input.split_first().ok_or(IpackError::Truncated)?;
    let len_len = usize::from(len_len);
    if len_len > 8 {
        return Err(IpackError::TooLong);
    }
    let len_bytes = rest.get(..len_len).ok_or(IpackError::Truncated)?;
    let len = len_bytes.iter().fold(0_u64, |acc, b| acc << 8 | u64::from(*b));
    let len = usize::try_from(len).map_err(|_| IpackError::TooLong)?;
    let rest = &rest[len_len..];
    let body = rest.get(..len).ok_or(IpackError::Truncated)?;
    Ok((BigUint::from_bytes_be(body), &rest[len..]))
}

/// Reads exactly `count` integers from the front of `input`; returns them and the rest.
///
/// # Errors
///
/// [`IpackError`] if fewer are there.
pub fn iunpack_n(mut input: &[u8], count: usize) -> Result<(Vec<BigUint>, &[u8]), IpackError> {
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let (n, rest) = iunpack(input)?;
        out.push(n);
        input = rest;
    }
    Ok((out, input))
}

/// Appends `sipack(items)`: a sign byte (bit i set if item i is negative, the first item the
/// most significant of the used bits), then the absolute values `ipack`ed in reverse order.
pub fn sipack(items: &[BigInt], out: &mut Vec<u8>) {
    let signs = items.iter().fold(0_u8, |acc, n| acc << 1 | u8::from(n.sign() == Sign::Minus));
    out.push(signs);
    for n in items.iter().rev() {
        ipack(n.magnitude(), out);
    }
}

/// Reads `sipack` of `count` items (at most 8) from the front of `input`.
///
/// # Errors
///
/// [`IpackError`] for short input.
pub fn siunpack(input: &[u8], count: usize) -> Result<(Vec<BigInt>, &[u8]), IpackError> {
    let (&signs, rest) = input.split_first().ok_or(IpackError::Truncated)?;
    let (mut magnitudes, rest) = iunpack_n(rest, count)?;
    magnitudes.reverse();
    let items = magnitudes
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let negative = signs >> (count - 1 - i) & 1 == 1;
            BigInt::from_biguint(if negative { Sign::Minus } else { Sign::Plus }, m)
        })
        .collect();
    Ok((items, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packed(n: &BigUint) -> Vec<u8> {
        let mut out = Vec::new();
        ipack(n, &mut out);
        out
    }

    #[test]
    fn the_specs_vectors() {
        assert_eq!(packed(&0_u32.into()), [1, 1, 0]);
        assert_eq!(packed(&255_u32.into()), [1, 1, 0xff]);
        assert_eq!(packed(&256_u32.into()), [1, 2, 1, 0]);
        let two_64: BigUint = BigUint::from(1_u8) << 64_u32;
        assert_eq!(packed(&two_64), [1, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
        let bytes = packed(&two_64);
        let (back, rest) = iunpack(&bytes).expect("valid");
        assert_eq!((back, rest.len()), (two_64, 0));
    }

    #[test]
    fn short_input_is_an_error() {
        assert_eq!(iunpack(&[]), Err(IpackError::Truncated));
        assert_eq!(iunpack(&[1, 3, 1]), Err(IpackError::Truncated));
        assert_eq!(iunpack(&[9]), Err(IpackError::TooLong));
    }

    #[test]
    fn signed_lists_round_trip_with_the_first_sign_most_significant() {
        let items: Vec<BigInt> = [-5_i64, 7, -1, 0].into_iter().map(BigInt::from).collect();
        let mut out = Vec::new();
        sipack(&items, &mut out);
        assert_eq!(out[0], 0b1010);
        let (back, rest) = siunpack(&out, 4).expect("valid");
        assert_eq!(back, items);
        assert!(rest.is_empty());
    }
}
