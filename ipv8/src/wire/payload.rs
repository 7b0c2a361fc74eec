//! [`Payload`] and [`Message`]: what `#[payload]` implements for a struct.

use super::{DecodeError, EncodeError, Reader};

/// One field of a payload, as the macro resolved it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The field's name.
    pub name: &'static str,
    /// Its wire format's py-ipv8 name (`"q"`, `"varlenHutf8"`, …), or the path of a user format.
    pub format: &'static str,
}

/// A serializable payload: fields concatenated in declaration order, with no tags or lengths.
///
/// Implemented by `#[payload]`; hand-written implementations are possible but rarely needed.
///
/// # Examples
///
/// ```
/// use ipv8::payload;
/// use ipv8::wire::Payload;
///
/// #[payload(msg_id = 1)]
/// #[derive(Debug, PartialEq)]
/// struct Clock {
///     clock: i64,
/// }
///
/// let bytes = Clock { clock: 5 }.to_bytes()?;
/// assert_eq!(bytes, [0, 0, 0, 0, 0, 0, 0, 5]);
/// assert_eq!(Clock::from_bytes(&bytes)?, Clock { clock: 5 });
/// assert_eq!(Clock::FIELDS[0].format, "q");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Payload: Sized {
    /// The payload's name, used in error messages.
    const NAME: &'static str;
    /// The fields in wire order.
    const FIELDS: &'static [Field];

    /// Appends the payload's fields to `out`.
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError>;

    /// Reads the payload's fields; bytes after the last field are left in `reader`.
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// How many bytes [`Payload::encode`] appends (exact when encoding succeeds).
    fn encoded_len(&self) -> usize;

    /// Encodes the payload into a new buffer of exactly the right size.
    fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode(&mut out)?;
        Ok(out)
    }

    /// Decodes a payload that must fill `bytes` exactly.
    ///
    /// # Errors
    ///
    /// Fails on malformed fields, and with [`DecodeErrorKind::ExtraData`](super::DecodeErrorKind) when
    /// bytes are left after the last field, as py-ipv8 refuses a message that "has extra data".
    fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut reader = Reader::new(bytes);
        let payload = Self::decode(&mut reader)?;
        reader.finish().map_err(|err| err.within(Self::NAME, ""))?;
        Ok(payload)
    }
}

/// A payload that is sent as a message: it has a message id, the header's byte 22.
pub trait Message: Payload {
    /// The message id, 0–230 for application messages.
    const MSG_ID: u8;
}
