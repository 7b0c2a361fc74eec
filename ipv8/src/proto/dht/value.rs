//! [`Value`]: the serialized form of a value the DHT stores (spec `dht.md` §6.1): a type byte, then
//! either raw data (`00`) or data, a version and the signer's key followed by a signature over
//! everything before it (`01`).

use crate::crypto::{PrivateKey, PublicKey};
use crate::messages::dht::SignedStrPayload;
use crate::wire::{DecodeError, EncodeError, Payload, Reader};

/// The largest serialized value a DHT node stores (py-ipv8's `MAX_ENTRY_SIZE`).
pub const MAX_ENTRY_SIZE: usize = 170;

const UNSIGNED: u8 = 0;
const SIGNED: u8 = 1;

/// A value as stored in the DHT, parsed and, if signed, verified.
///
/// # Examples
///
/// ```
/// use ipv8::crypto::{Curve, PrivateKey};
/// use ipv8::proto::dht::Value;
///
/// assert_eq!(Value::unsigned(b"hello")?, [0x00, b'h', b'e', b'l', b'l', b'o']);
///
/// let key = PrivateKey::generate(Curve::Curve25519)?;
/// let stored = Value::signed(b"hi", 1_700_000_000, &key)?;
/// let Value::Signed { data, version, public_key } = Value::parse(&stored)? else {
///     unreachable!("a signed value parses as signed")
/// };
/// assert_eq!((data.as_slice(), version, public_key), (&b"hi"[..], 1_700_000_000, key.public_key()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Anyone's bytes.
    Unsigned(Vec<u8>),
    /// Bytes signed by `public_key`; of several values of one signer under a key, the highest
    /// `version` wins.
    Signed {
        /// The data.
        data: Vec<u8>,
        /// The version (py-ipv8 uses the Unix time of signing).
        version: u32,
        /// The signer.
        public_key: PublicKey,
    },
}

/// Why bytes are not a value the DHT stores.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// No bytes at all.
    #[error("an empty value")]
    Empty,
    /// The type byte is neither `00` nor `01`.
    #[error("unknown value type {0}")]
    UnknownType(u8),
    /// The serialized value is longer than [`MAX_ENTRY_SIZE`].
    #[error("a value of {0} bytes is larger than the DHT stores ({MAX_ENTRY_SIZE})")]
    TooLarge(usize),
    /// A signed value's fields do not decode.
    #[error(transparent)]
    Malformed(#[from] DecodeError),
    /// A signed value's fields do not encode.
    #[error(transparent)]
    Unencodable(#[from] EncodeError),
    /// A signed value names a key that does not parse.
    #[error("a signed value with an invalid public key")]
    InvalidKey,
    /// A signed value's signature is missing or does not verify.
    #[error("a signed value with a bad signature")]
    BadSignature,
}

impl Value {
    /// Serializes `data` as an unsigned value.
    ///
    /// # Errors
    ///
    /// [`ValueError::TooLarge`] beyond [`MAX_ENTRY_SIZE`].
    pub fn unsigned(data: &[u8]) -> Result<Vec<u8>, ValueError> {
        let mut out = Vec::with_capacity(1 + data.len());
        out.push(UNSIGNED);
        out.extend_from_slice(data);
        fits(out)
    }

    /// Serializes `data` with `version`, signed by `key` (py-ipv8's `_serialize_value(sign=True)`).
    ///
    /// # Errors
    ///
    /// [`ValueError::TooLarge`] beyond [`MAX_ENTRY_SIZE`] (with a curve25519 key, more than 23 bytes
    /// of data), or [`ValueError::Unencodable`] for data over 65535 bytes.
    pub fn signed(data: &[u8], version: u32, key: &PrivateKey) -> Result<Vec<u8>, ValueError> {
        let public_key = key.public_key().to_bin().to_vec();
        let payload = SignedStrPayload { data: data.to_vec(), version, public_key };
        let mut out = vec![SIGNED];
        payload.encode(&mut out)?;
        let signature = key.sign(&out);
        out.extend_from_slice(&signature);
        fits(out)
    }

    /// Parses a stored value; a signed one must carry a valid signature of the key it names.
    ///
    /// # Errors
    ///
    /// A [`ValueError`] saying what is wrong.
    pub fn parse(bytes: &[u8]) -> Result<Value, ValueError> {
        if bytes.len() > MAX_ENTRY_SIZE {
            return Err(ValueError::TooLarge(bytes.len()));
        }
        match bytes.split_first() {
            None => Err(ValueError::Empty),
            Some((&UNSIGNED, data)) => Ok(Value::Unsigned(data.to_vec())),
            Some((&SIGNED, rest)) => {
                let mut reader = Reader::new(rest);
                let payload = SignedStrPayload::decode(&mut reader)?;
                let public_key =
                    PublicKey::from_bin(&payload.public_key).map_err(|_| ValueError::InvalidKey)?;
                let signature = reader.take_rest();
                let signed = bytes.get(..bytes.len() - signature.len()).unwrap_or_default();
                if signature.len() != public_key.signature_len()
                    || !public_key.verify(signed, signature)
                {
                    return Err(ValueError::BadSignature);
                }
                Ok(Value::Signed { data: payload.data, version: payload.version, public_key })
            }
            Some((&other, _)) => Err(ValueError::UnknownType(other)),
        }
    }
}

fn fits(bytes: Vec<u8>) -> Result<Vec<u8>, ValueError> {
    if bytes.len() > MAX_ENTRY_SIZE {
        return Err(ValueError::TooLarge(bytes.len()));
    }
    Ok(bytes)
}
