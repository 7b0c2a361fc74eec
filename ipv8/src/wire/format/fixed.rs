//! Fixed-size formats: the `struct`-module family of py-ipv8 (`?`, `B`, `H`, `QQHHBH`, `20s`, `bits`, …).

use super::Format;
use crate::wire::{DecodeError, EncodeError, Reader};

/// A fixed-size value: knows its size and its big-endian bytes.
trait Fixed: Sized {
    const SIZE: usize;
    fn put(&self, out: &mut Vec<u8>);
    fn get(reader: &mut Reader<'_>) -> Result<Self, DecodeError>;
}

macro_rules! fixed_numbers {
    ($($ty:ty),*) => {$(
        impl Fixed for $ty {
            const SIZE: usize = size_of::<$ty>();
            fn put(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_be_bytes());
            }
            fn get(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
                reader.read_array().map(<$ty>::from_be_bytes)
            }
        }
    )*};
}
fixed_numbers!(u8, u16, u32, u64, i32, i64, f32, f64);

impl<const N: usize> Fixed for [u8; N] {
    const SIZE: usize = N;
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
    fn get(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        reader.read_array()
    }
}

macro_rules! fixed_tuples {
    ($(($($name:ident: $ty:ident),+))*) => {$(
        impl<$($ty: Fixed),+> Fixed for ($($ty,)+) {
            const SIZE: usize = 0 $(+ $ty::SIZE)+;
            fn put(&self, out: &mut Vec<u8>) {
                let ($($name,)+) = self;
                $($name.put(out);)+
            }
            fn get(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok(($($ty::get(reader)?,)+))
            }
        }
    )*};
}
fixed_tuples! {
    (a: A, b: B)
    (a: A, b: B, c: C)
    (a: A, b: B, c: C, d: D, e: E, f: F)
}

macro_rules! fixed_formats {
    ($($(#[$doc:meta])* $format:ident => $ty:ty;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $format;

        impl Format<$ty> for $format {
            #[inline]
            fn encode(value: &$ty, out: &mut Vec<u8>) -> Result<(), EncodeError> {
                value.put(out);
                Ok(())
            }
            #[inline]
            fn decode(reader: &mut Reader<'_>) -> Result<$ty, DecodeError> {
                <$ty as Fixed>::get(reader)
            }
            #[inline]
            fn encoded_len(_: &$ty) -> usize {
                <$ty as Fixed>::SIZE
            }
        }
    )*};
}

fixed_formats! {
    /// `B`: one unsigned byte.
    U8 => u8;
    /// `BBH`: two bytes and a `u16`.
    Bbh => (u8, u8, u16);
    /// `BH`: a byte and a `u16`.
    Bh => (u8, u16);
    /// `c`: one raw byte (a 1-byte byte string in py-ipv8, not a signed number).
    Char => u8;
    /// `f`: IEEE-754 binary32.
    F32 => f32;
    /// `d`: IEEE-754 binary64.
    F64 => f64;
    /// `H`: `u16`.
    U16 => u16;
    /// `HH`: two `u16`.
    Hh => (u16, u16);
    /// `I`: `u32`.
    U32 => u32;
    /// `l`: `i32`.
    I32 => i32;
    /// `LL`: two `u32`.
    Ll => (u32, u32);
    /// `q`: `i64`, the format of a py-ipv8 dataclass `int`.
    I64 => i64;
    /// `Q`: `u64`.
    U64 => u64;
    /// `QH`: `u64` and `u16`.
    Qh => (u64, u16);
    /// `QL`: `u64` and `u32`.
    Ql => (u64, u32);
    /// `QQHHBH`: `u64`, `u64`, `u16`, `u16`, `u8`, `u16`.
    Qqhhbh => (u64, u64, u16, u16, u8, u16);
    /// `ccB`: two raw bytes and a `u8`.
    Ccb => (u8, u8, u8);
    /// `4SH`: four raw bytes (an IPv4 address) and a `u16` port.
    S4h => ([u8; 4], u16);
    /// `c20s`: one raw byte and 20 raw bytes.
    C20s => (u8, [u8; 20]);
}

/// `?`: a boolean; written as `01`/`00`, and any non-zero byte reads as `true`.
#[derive(Debug, Clone, Copy)]
pub struct Bool;

impl Format<bool> for Bool {
    #[inline]
    fn encode(value: &bool, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.push(u8::from(*value));
        Ok(())
    }
    #[inline]
    fn decode(reader: &mut Reader<'_>) -> Result<bool, DecodeError> {
        Ok(reader.read_u8()? != 0)
    }
    #[inline]
    fn encoded_len(_: &bool) -> usize {
        1
    }
}

/// `20s`, `32s`, `64s`, `74s`: a byte string of exactly `N` bytes.
///
/// As `[u8; N]` it is written as is. As `Vec<u8>` a shorter value is padded with zeros, as py-ipv8
/// does, and a longer one is refused (py-ipv8 would silently truncate it).
#[derive(Debug, Clone, Copy)]
pub struct FixedBytes<const N: usize>;

impl<const N: usize> Format<[u8; N]> for FixedBytes<N> {
    #[inline]
    fn encode(value: &[u8; N], out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(value);
        Ok(())
    }
    #[inline]
    fn decode(reader: &mut Reader<'_>) -> Result<[u8; N], DecodeError> {
        reader.read_array()
    }
    #[inline]
    fn encoded_len(_: &[u8; N]) -> usize {
        N
    }
}

impl<const N: usize> Format<Vec<u8>> for FixedBytes<N> {
    fn encode(value: &Vec<u8>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        if value.len() > N {
            return Err(EncodeError::too_long("a fixed byte string", "bytes", value.len(), N));
        }
        out.extend_from_slice(value);
        out.resize(out.len() + N - value.len(), 0);
        Ok(())
    }
    fn decode(reader: &mut Reader<'_>) -> Result<Vec<u8>, DecodeError> {
        Ok(reader.take(N)?.to_vec())
    }
    fn encoded_len(_: &Vec<u8>) -> usize {
        N
    }
}

/// `bits`: eight flags in one byte, the first flag in the most significant bit.
///
/// Carries `[bool; 8]` (flag 1 first) or the raw `u8`.
#[derive(Debug, Clone, Copy)]
pub struct Bits;

impl Format<u8> for Bits {
    #[inline]
    fn encode(value: &u8, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.push(*value);
        Ok(())
    }
    #[inline]
    fn decode(reader: &mut Reader<'_>) -> Result<u8, DecodeError> {
        reader.read_u8()
    }
    #[inline]
    fn encoded_len(_: &u8) -> usize {
        1
    }
}

impl Format<[bool; 8]> for Bits {
    fn encode(value: &[bool; 8], out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let byte = value.iter().fold(0_u8, |byte, &flag| (byte << 1) | u8::from(flag));
        out.push(byte);
        Ok(())
    }
    fn decode(reader: &mut Reader<'_>) -> Result<[bool; 8], DecodeError> {
        let byte = reader.read_u8()?;
        Ok(std::array::from_fn(|i| byte & (0x80 >> i) != 0))
    }
    fn encoded_len(_: &[bool; 8]) -> usize {
        1
    }
}
