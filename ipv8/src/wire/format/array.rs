//! The `arrayH-*` formats: py-ipv8 writes their count and items in the host's byte order, which is
//! little-endian on every host that runs it, so these are little-endian here (unlike every other format).

use super::Format;
use crate::wire::{DecodeError, EncodeError, Reader};

/// An array item: its size and little-endian bytes.
trait Item: Sized {
    const SIZE: usize;
    fn put(&self, out: &mut Vec<u8>);
    fn get(bytes: &[u8]) -> Self;
}

impl Item for bool {
    const SIZE: usize = 1;
    fn put(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    fn get(bytes: &[u8]) -> Self {
        bytes.first().is_some_and(|&byte| byte != 0)
    }
}

macro_rules! le_items {
    ($($ty:ty),*) => {$(
        impl Item for $ty {
            const SIZE: usize = size_of::<$ty>();
            fn put(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(bytes: &[u8]) -> Self {
                let mut array = [0; size_of::<$ty>()];
                array.copy_from_slice(bytes);
                <$ty>::from_le_bytes(array)
            }
        }
    )*};
}
le_items!(i64, f64);

fn encode<T: Item>(name: &'static str, items: &[T], out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let count = u16::try_from(items.len())
        .map_err(|_| EncodeError::too_long(name, "items", items.len(), u16::MAX.into()))?;
    out.reserve(2 + items.len() * T::SIZE);
    out.extend_from_slice(&count.to_le_bytes());
    for item in items {
        item.put(out);
    }
    Ok(())
}

fn decode<T: Item>(reader: &mut Reader<'_>) -> Result<Vec<T>, DecodeError> {
    let count = u16::from_le_bytes(reader.read_array()?);
    let bytes = reader.take(usize::from(count) * T::SIZE)?;
    Ok(bytes.chunks_exact(T::SIZE).map(T::get).collect())
}

macro_rules! array_formats {
    ($($(#[$doc:meta])* $format:ident = $name:literal, $ty:ty;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $format;

        impl Format<Vec<$ty>> for $format {
            #[inline]
            fn encode(value: &Vec<$ty>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
                encode($name, value, out)
            }
            #[inline]
            fn decode(reader: &mut Reader<'_>) -> Result<Vec<$ty>, DecodeError> {
                decode(reader)
            }
            #[inline]
            fn encoded_len(value: &Vec<$ty>) -> usize {
                2 + value.len() * <$ty as Item>::SIZE
            }
        }
    )*};
}

array_formats! {
    /// `arrayH-?`: a little-endian `u16` count, then one byte per boolean; a dataclass `list[bool]`.
    ArrayBool = "arrayH-?", bool;
    /// `arrayH-q`: a little-endian `u16` count, then little-endian `i64`s; a dataclass `list[int]`.
    ArrayQ = "arrayH-q", i64;
    /// `arrayH-d`: a little-endian `u16` count, then little-endian binary64s; a dataclass `list[float]`.
    ArrayD = "arrayH-d", f64;
}
