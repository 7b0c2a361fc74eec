//! Key exchange with curve25519 keys as py-ipv8's tunnels do it: libsodium's
//! `crypto_box_beforenm`, X25519 followed by `HSalsa20` over a zero input.

use salsa20::cipher::consts::U10;
use salsa20::cipher::generic_array::GenericArray;
use x25519_dalek::{PublicKey as X25519Public, StaticSecret};

/// The 32-byte secret libsodium's `crypto_box_beforenm(public, secret)` computes, or `None` when
/// the X25519 result is all zeros (a low-order public key; libsodium refuses those too).
///
/// # Examples
///
/// ```
/// use ipv8::crypto::{box_beforenm, x25519_public};
///
/// let (a, b) = ([0x11; 32], [0x22; 32]);
/// assert_eq!(box_beforenm(&a, &x25519_public(&b)), box_beforenm(&b, &x25519_public(&a)));
/// assert_eq!(box_beforenm(&a, &[0; 32]), None, "a low-order point");
/// ```
#[must_use]
pub fn box_beforenm(secret: &[u8; 32], public: &[u8; 32]) -> Option<[u8; 32]> {
    let shared = StaticSecret::from(*secret).diffie_hellman(&X25519Public::from(*public));
    if !shared.was_contributory() {
        return None;
    }
    let key = GenericArray::from_slice(shared.as_bytes());
    Some(salsa20::hsalsa::<U10>(key, &GenericArray::default()).into())
}

/// The X25519 public key of a 32-byte secret.
#[must_use]
pub fn x25519_public(secret: &[u8; 32]) -> [u8; 32] {
    X25519Public::from(&StaticSecret::from(*secret)).to_bytes()
}
