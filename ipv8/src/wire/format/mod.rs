//! The wire formats of py-ipv8's serializer, one marker type per format name.
//!
//! A format is a zero-sized type implementing [`Format<T>`] for each Rust type it can carry: for
//! example [`VarlenH`] (py-ipv8's `"varlenH"`) carries `Vec<u8>`. The `#[payload]` macro maps every
//! field to a format, either by its Rust type (as py-ipv8 maps dataclass annotations) or by a
//! `#[payload(format = "name")]` override, and calls these impls.
//!
//! Your own format (py-ipv8's `add_packer`) is any type that implements [`Format<T>`]; name it by path
//! with `#[payload(format = my_crate::MyFormat)]`.
//!
//! # Examples
//!
//! ```
//! use ipv8::wire::{format::ArrayQ, Format, Reader};
//!
//! // py-ipv8 writes `arrayH-q` in the host's byte order: little-endian in practice.
//! let mut out = Vec::new();
//! ArrayQ::encode(&vec![1, -2], &mut out)?;
//! assert_eq!(out, [2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
//! assert_eq!(ArrayQ::decode(&mut Reader::new(&out))?, vec![1, -2]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod address;
mod array;
mod fixed;
mod nested;
mod node_list;
mod varlen;

pub use address::{Address, AddressFmt, IpAddress, Ipv4};
pub use array::{ArrayBool, ArrayD, ArrayQ};
pub use fixed::{
    Bbh, Bh, Bits, Bool, C20s, Ccb, Char, F32, F64, FixedBytes, Hh, I32, I64, Ll, Qh, Ql, Qqhhbh,
    S4h, U8, U16, U32, U64,
};
pub use nested::{Nested, NestedList};
pub use node_list::{DhtNode, NodeList};
pub use varlen::{
    Raw, VarlenBx2, VarlenH, VarlenHList, VarlenHUtf8, VarlenHx20, VarlenI, VarlenIUtf8,
};

use super::{DecodeError, EncodeError, Reader};

/// A wire format that can carry values of type `T`.
///
/// Implement it on a marker type to add a format of your own (py-ipv8's `add_packer`).
///
/// # Examples
///
/// ```
/// use ipv8::wire::{DecodeError, EncodeError, Format, Reader};
///
/// /// A temperature in tenths of a degree, as a big-endian `i16`.
/// struct Decidegrees;
///
/// impl Format<f32> for Decidegrees {
///     fn encode(value: &f32, out: &mut Vec<u8>) -> Result<(), EncodeError> {
///         out.extend_from_slice(&((value * 10.0).round() as i16).to_be_bytes());
///         Ok(())
///     }
///     fn decode(reader: &mut Reader<'_>) -> Result<f32, DecodeError> {
///         Ok(f32::from(i16::from_be_bytes(reader.read_array()?)) / 10.0)
///     }
///     fn encoded_len(_: &f32) -> usize {
///         2
///     }
/// }
///
/// let mut out = Vec::new();
/// Decidegrees::encode(&21.5, &mut out)?;
/// assert_eq!(out, [0x00, 0xd7]);
/// # Ok::<(), EncodeError>(())
/// ```
pub trait Format<T> {
    /// Appends `value` to `out`.
    fn encode(value: &T, out: &mut Vec<u8>) -> Result<(), EncodeError>;
    /// Reads a value from `reader`.
    fn decode(reader: &mut Reader<'_>) -> Result<T, DecodeError>;
    /// How many bytes [`Format::encode`] appends for `value` (exact when encoding succeeds).
    fn encoded_len(value: &T) -> usize;
}
