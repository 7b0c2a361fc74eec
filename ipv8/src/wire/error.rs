//! Errors of the wire codec: [`DecodeError`] for bytes from the network and [`EncodeError`] for values
//! that do not fit their wire format.

use std::fmt;

/// Why bytes could not be decoded.
///
/// Every failure names where it happened as a stack of `Payload.field` frames, outermost first, so a
/// truncated introduction-request reads `IntroductionRequestPayload.source_lan_address: unexpected end
/// (needed 6 bytes, 2 left)`.
///
/// # Examples
///
/// ```
/// use ipv8::wire::{DecodeErrorKind, Reader};
///
/// let mut reader = Reader::new(&[0x00]);
/// let err = reader.read_u16().unwrap_err();
/// assert!(matches!(err.kind(), DecodeErrorKind::UnexpectedEnd { needed: 2, remaining: 1 }));
/// ```
pub struct DecodeError {
    inner: Box<Inner>,
}

struct Inner {
    kind: DecodeErrorKind,
    stack: Vec<(&'static str, &'static str)>,
}

/// The kind of a [`DecodeError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The buffer ended before the field did.
    #[error("unexpected end (needed {needed} bytes, {remaining} left)")]
    UnexpectedEnd {
        /// How many bytes the field needed.
        needed: usize,
        /// How many bytes were left.
        remaining: usize,
    },
    /// Bytes were left after the last field of a payload.
    #[error("has {0} bytes of extra data")]
    ExtraData(usize),
    /// A UTF-8 string field held invalid UTF-8.
    #[error("invalid utf-8")]
    InvalidUtf8,
    /// An address field had a type byte other than 1 (IPv4), 2 (host name) or 3 (IPv6).
    #[error("unknown address type {0}")]
    UnknownAddressType(u8),
    /// An `ip_address` field held a host name, which that format refuses.
    #[error("host names are not allowed in an ip_address")]
    HostNameNotAllowed,
    /// A field fix-up or a user format refused the value.
    #[error("{0}")]
    Custom(String),
}

impl DecodeError {
    /// Creates an error of the given kind with an empty location.
    #[must_use]
    pub fn new(kind: DecodeErrorKind) -> Self {
        Self { inner: Box::new(Inner { kind, stack: Vec::new() }) }
    }

    /// Creates a [`DecodeErrorKind::Custom`] error, for fix-ups and user formats.
    #[must_use]
    pub fn custom(message: impl fmt::Display) -> Self {
        Self::new(DecodeErrorKind::Custom(message.to_string()))
    }

    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> &DecodeErrorKind {
        &self.inner.kind
    }

    /// Where it went wrong: `(payload, field)` frames, outermost first.
    pub fn location(&self) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
        self.inner.stack.iter().rev().copied()
    }

    /// Adds the frame `payload.field` around the current location; generated decoders call this.
    #[must_use]
    pub fn within(mut self, payload: &'static str, field: &'static str) -> Self {
        self.inner.stack.push((payload, field));
        self
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (payload, field) in self.location() {
            if field.is_empty() {
                write!(f, "{payload}: ")?;
            } else {
                write!(f, "{payload}.{field}: ")?;
            }
        }
        write!(f, "{}", self.inner.kind)
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DecodeError({self})")
    }
}

impl std::error::Error for DecodeError {}

/// Why a value could not be encoded: it does not fit its wire format.
///
/// # Examples
///
/// ```
/// use ipv8::wire::{format, Format};
///
/// let mut out = Vec::new();
/// let err = format::VarlenH::encode(&vec![0_u8; 70_000], &mut out).unwrap_err();
/// assert_eq!(err.to_string(), "70000 bytes do not fit varlenH (at most 65535)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{kind}", Location(.stack))]
pub struct EncodeError {
    kind: EncodeErrorKind,
    stack: Vec<(&'static str, &'static str)>,
}

/// The kind of an [`EncodeError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeErrorKind {
    /// A value is longer than its length prefix can count.
    #[error("{len} {unit} do not fit {format} (at most {max})")]
    TooLong {
        /// The format's py-ipv8 name.
        format: &'static str,
        /// What is counted: bytes or items.
        unit: &'static str,
        /// The value's length.
        len: usize,
        /// The largest length the format can carry.
        max: usize,
    },
    /// A byte string's length is not a whole number of the format's units.
    #[error("{len} bytes are not a whole number of {unit}-byte units for {format}")]
    NotMultiple {
        /// The format's py-ipv8 name.
        format: &'static str,
        /// The value's length.
        len: usize,
        /// The unit size.
        unit: usize,
    },
    /// An IPv6 address was given to an IPv4-only format.
    #[error("{0} is not an IPv4 address")]
    NotIpv4(std::net::SocketAddr),
    /// A fix-up or a user format refused the value.
    #[error("{0}")]
    Custom(String),
}

impl EncodeError {
    /// Creates an error of the given kind with an empty location.
    #[must_use]
    pub fn new(kind: EncodeErrorKind) -> Self {
        Self { kind, stack: Vec::new() }
    }

    /// Creates an [`EncodeErrorKind::Custom`] error, for fix-ups and user formats.
    #[must_use]
    pub fn custom(message: impl fmt::Display) -> Self {
        Self::new(EncodeErrorKind::Custom(message.to_string()))
    }

    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> &EncodeErrorKind {
        &self.kind
    }

    /// Adds the frame `payload.field` around the current location; generated encoders call this.
    #[must_use]
    pub fn within(mut self, payload: &'static str, field: &'static str) -> Self {
        self.stack.push((payload, field));
        self
    }

    pub(crate) fn too_long(
        format: &'static str,
        unit: &'static str,
        len: usize,
        max: usize,
    ) -> Self {
        Self::new(EncodeErrorKind::TooLong { format, unit, len, max })
    }
}

struct Location<'a>(&'a [(&'static str, &'static str)]);

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (payload, field) in self.0.iter().rev() {
            write!(f, "{payload}.{field}: ")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_error_names_the_path_outermost_first() {
        let err = DecodeError::new(DecodeErrorKind::UnexpectedEnd { needed: 6, remaining: 2 })
            .within("Inner", "x")
            .within("Outer", "i");
        assert_eq!(err.to_string(), "Outer.i: Inner.x: unexpected end (needed 6 bytes, 2 left)");
    }

    #[test]
    fn encode_error_names_the_path_outermost_first() {
        let err = EncodeError::too_long("varlenH", "bytes", 70_000, 65_535).within("Text", "blob");
        assert_eq!(err.to_string(), "Text.blob: 70000 bytes do not fit varlenH (at most 65535)");
    }
}
