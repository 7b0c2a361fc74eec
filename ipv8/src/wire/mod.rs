//! The IPv8 wire codec: py-ipv8's serializer formats, byte for byte.
//!
//! A payload is the plain concatenation of its fields; each field has a [`Format`] from [`format`](mod@format).
//! All integers are big-endian except the `arrayH-*` formats, which py-ipv8 writes little-endian.
//! Decoding never panics: malformed bytes give a [`DecodeError`] naming the payload and field.
//!
//! # Examples
//!
//! ```
//! use ipv8::payload;
//! use ipv8::wire::Payload;
//!
//! #[payload]
//! #[derive(Debug, PartialEq)]
//! struct Inner {
//!     x: i64,
//! }
//!
//! #[payload(msg_id = 2)]
//! #[derive(Debug, PartialEq)]
//! struct Text {
//!     text: String,
//!     blob: Vec<u8>,
//!     nums: Vec<i64>,
//!     inner: Inner,
//! }
//!
//! let text = Text { text: "hé".into(), blob: vec![1], nums: vec![1], inner: Inner { x: 7 } };
//! let bytes = text.to_bytes()?;
//! assert_eq!(Text::from_bytes(&bytes)?, text);
//!
//! let err = Text::from_bytes(&bytes[..5]).unwrap_err();
//! assert_eq!(err.to_string(), "Text.blob: unexpected end (needed 2 bytes, 0 left)");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
pub mod fixup;
pub mod format;
mod payload;
mod reader;

pub use error::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind};
pub use format::Format;
pub use payload::{Field, Message, Payload};
pub use reader::Reader;
