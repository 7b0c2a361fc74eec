//! Identities: keys, signatures and mids, interchangeable with py-ipv8.
//!
//! A peer is its public key. There are two families of keys, as in py-ipv8 3.2.1:
//!
//! - **curve25519** (the default): `LibNaCLPK:`/`LibNaCLSK:` ‖ X25519 ‖ Ed25519, 74 bytes, 64-byte
//!   Ed25519 signatures (ed25519-dalek; x25519-dalek for the key-exchange half).
//! - **legacy curves** (Dispersy era, feature `legacy-curves`, on by default, through `OpenSSL`):
//!   very-low = sect163k1, low = sect233k1, medium = sect409k1 and high = **sect571k1** (what py-ipv8
//!   3.2.1 generates; its docs and py-ipv8 ≤ 3.2.0 say sect571r1, accepted as [`Curve::HighR1`]). Keys
//!   are DER, signatures ECDSA over SHA-1 as raw `r ‖ s` of 42/60/104/144 bytes. py-ipv8's bootstrap
//!   servers sign with sect163k1.
//!
//! The [`Mid`] is the SHA-1 of the public key bytes. Bad signatures are `false`, never errors; bad keys
//! are [`KeyError`]s, never panics. [`keyfile`] reads and writes key files as py-ipv8 does.
//!
//! # Examples
//!
//! ```
//! use ipv8::crypto::{Curve, PrivateKey, PublicKey};
//!
//! let key = PrivateKey::generate(Curve::Curve25519)?;
//! let signature = key.sign(b"payload");
//!
//! // What a peer receives: the key bytes and the signature.
//! let peer = PublicKey::from_bin(key.public_key().to_bin())?;
//! assert_eq!(signature.len(), peer.signature_len());
//! assert!(peer.verify(b"payload", &signature));
//! assert_eq!(peer.mid(), key.mid());
//! # Ok::<(), ipv8::crypto::KeyError>(())
//! ```

mod batch;
mod curve;
mod der;
mod encoding;
mod error;
mod exchange;
pub mod keyfile;
#[cfg_attr(not(feature = "legacy-curves"), path = "nolegacy.rs")]
mod legacy;
mod libnacl;
mod mid;
mod private;
mod public;

#[cfg(test)]
mod tests;

pub use batch::verify_batch;
pub use curve::Curve;
pub use error::{KeyError, KeyFileError};
pub use exchange::{box_beforenm, x25519_public};
pub use mid::Mid;
pub use private::PrivateKey;
pub use public::PublicKey;
