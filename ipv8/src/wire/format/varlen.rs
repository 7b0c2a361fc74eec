//! Variable-size byte and string formats: `raw`, `varlenH`, `varlenI`, their UTF-8 forms,
//! `varlenBx2`, `varlenHx20` and `varlenH-list`.
//!
//! py-ipv8 does not bounds-check a declared length on decode (it returns a shorter slice); these
//! decoders are stricter and fail with `unexpected end`, which only refuses packets py-ipv8 never sends.

use super::Format;
use crate::wire::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind, Reader};

/// Width of a length prefix.
#[derive(Clone, Copy)]
pub(super) enum Prefix {
    U8,
    U16,
    U32,
}

impl Prefix {
    const fn size(self) -> usize {
        match self {
            Self::U8 => 1,
            Self::U16 => 2,
            Self::U32 => 4,
        }
    }

    const fn max(self) -> usize {
        match self {
            Self::U8 => u8::MAX as usize,
            Self::U16 => u16::MAX as usize,
            Self::U32 => u32::MAX as usize,
        }
    }

    pub(super) fn put(
        self,
        format: &'static str,
        unit: &'static str,
        n: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        if n > self.max() {
            return Err(EncodeError::too_long(format, unit, n, self.max()));
        }
        match self {
            Self::U8 => out.push(n as u8),
            Self::U16 => out.extend_from_slice(&(n as u16).to_be_bytes()),
            Self::U32 => out.extend_from_slice(&(n as u32).to_be_bytes()),
        }
        Ok(())
    }

    pub(super) fn get(self, reader: &mut Reader<'_>) -> Result<usize, DecodeError> {
        Ok(match self {
            Self::U8 => usize::from(reader.read_u8()?),
            Self::U16 => usize::from(reader.read_u16()?),
            Self::U32 => reader.read_u32()? as usize,
        })
    }
}

/// Writes `bytes` behind a `prefix` holding `bytes.len() / unit`.
fn put_counted(
    format: &'static str,
    prefix: Prefix,
    unit: usize,
    bytes: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    if !bytes.len().is_multiple_of(unit) {
        return Err(EncodeError::new(EncodeErrorKind::NotMultiple {
            format,
            len: bytes.len(),
            unit,
        }));
    }
    let what = if unit == 1 { "bytes" } else { "items" };
    prefix.put(format, what, bytes.len() / unit, out)?;
    out.extend_from_slice(bytes);
    Ok(())
}

/// Reads a `prefix` count and then `count * unit` bytes.
fn get_counted<'a>(
    prefix: Prefix,
    unit: usize,
    reader: &mut Reader<'a>,
) -> Result<&'a [u8], DecodeError> {
    let count = prefix.get(reader)?;
    reader.take(count * unit)
}

macro_rules! counted_bytes {
    ($($(#[$doc:meta])* $format:ident = $name:literal, $prefix:ident, $unit:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $format;

        impl Format<Vec<u8>> for $format {
            #[inline]
            fn encode(value: &Vec<u8>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
                put_counted($name, Prefix::$prefix, $unit, value, out)
            }
            #[inline]
            fn decode(reader: &mut Reader<'_>) -> Result<Vec<u8>, DecodeError> {
                get_counted(Prefix::$prefix, $unit, reader).map(<[u8]>::to_vec)
            }
            #[inline]
            fn encoded_len(value: &Vec<u8>) -> usize {
                Prefix::$prefix.size() + value.len()
            }
        }
    )*};
}

counted_bytes! {
    /// `varlenH` (and its alias `doublevarlenH`): a `u16` byte count, then the bytes.
    VarlenH = "varlenH", U16, 1;
    /// `varlenI`: a `u32` byte count, then the bytes.
    VarlenI = "varlenI", U32, 1;
    /// `varlenBx2`: a `u8` count of 2-byte units, then the bytes.
    VarlenBx2 = "varlenBx2", U8, 2;
    /// `varlenHx20`: a `u16` count of 20-byte units (such as community ids or mids), then the bytes.
    VarlenHx20 = "varlenHx20", U16, 20;
}

impl Format<Vec<[u8; 20]>> for VarlenHx20 {
    fn encode(value: &Vec<[u8; 20]>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        put_counted("varlenHx20", Prefix::U16, 20, value.as_flattened(), out)
    }
    fn decode(reader: &mut Reader<'_>) -> Result<Vec<[u8; 20]>, DecodeError> {
        let bytes = get_counted(Prefix::U16, 20, reader)?;
        Ok(bytes.as_chunks::<20>().0.to_vec())
    }
    fn encoded_len(value: &Vec<[u8; 20]>) -> usize {
        2 + 20 * value.len()
    }
}

macro_rules! counted_strings {
    ($($(#[$doc:meta])* $format:ident = $name:literal, $prefix:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $format;

        impl Format<String> for $format {
            #[inline]
            fn encode(value: &String, out: &mut Vec<u8>) -> Result<(), EncodeError> {
                put_counted($name, Prefix::$prefix, 1, value.as_bytes(), out)
            }
            #[inline]
            fn decode(reader: &mut Reader<'_>) -> Result<String, DecodeError> {
                let bytes = get_counted(Prefix::$prefix, 1, reader)?;
                let text = std::str::from_utf8(bytes)
                    .map_err(|_| DecodeError::new(DecodeErrorKind::InvalidUtf8))?;
                Ok(text.to_owned())
            }
            #[inline]
            fn encoded_len(value: &String) -> usize {
                Prefix::$prefix.size() + value.len()
            }
        }
    )*};
}

counted_strings! {
    /// `varlenHutf8`: a `u16` count of UTF-8 bytes, then the text; the format of a dataclass `str`.
    VarlenHUtf8 = "varlenHutf8", U16;
    /// `varlenIutf8`: a `u32` count of UTF-8 bytes, then the text.
    VarlenIUtf8 = "varlenIutf8", U32;
}

/// `raw`: every remaining byte, with no length; only meaningful as a payload's last field.
#[derive(Debug, Clone, Copy)]
pub struct Raw;

impl Format<Vec<u8>> for Raw {
    #[inline]
    fn encode(value: &Vec<u8>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(value);
        Ok(())
    }
    #[inline]
    fn decode(reader: &mut Reader<'_>) -> Result<Vec<u8>, DecodeError> {
        Ok(reader.take_rest().to_vec())
    }
    #[inline]
    fn encoded_len(value: &Vec<u8>) -> usize {
        value.len()
    }
}

/// `varlenH-list`: a `u8` item count, then each item as a `varlenH`.
#[derive(Debug, Clone, Copy)]
pub struct VarlenHList;

impl Format<Vec<Vec<u8>>> for VarlenHList {
    fn encode(value: &Vec<Vec<u8>>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        Prefix::U8.put("varlenH-list", "items", value.len(), out)?;
        value.iter().try_for_each(|item| VarlenH::encode(item, out))
    }
    fn decode(reader: &mut Reader<'_>) -> Result<Vec<Vec<u8>>, DecodeError> {
        let count = Prefix::U8.get(reader)?;
        (0..count).map(|_| VarlenH::decode(reader)).collect()
    }
    fn encoded_len(value: &Vec<Vec<u8>>) -> usize {
        1 + value.iter().map(VarlenH::encoded_len).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_refuses_a_length_running_past_the_end() {
        let err = VarlenH::decode(&mut Reader::new(&[0, 5, 1, 2])).unwrap_err();
        assert_eq!(err.kind(), &DecodeErrorKind::UnexpectedEnd { needed: 5, remaining: 2 });
    }

    #[test]
    fn varlen_hx20_refuses_partial_units_on_encode() {
        let err = VarlenHx20::encode(&vec![0; 25], &mut Vec::new()).unwrap_err();
        assert!(matches!(err.kind(), EncodeErrorKind::NotMultiple { len: 25, unit: 20, .. }));
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        let err = VarlenHUtf8::decode(&mut Reader::new(&[0, 1, 0xff])).unwrap_err();
        assert_eq!(err.kind(), &DecodeErrorKind::InvalidUtf8);
    }

    #[test]
    fn list_count_is_bounded() {
        let err = VarlenHList::encode(&vec![Vec::new(); 256], &mut Vec::new()).unwrap_err();
        assert!(matches!(err.kind(), EncodeErrorKind::TooLong { len: 256, max: 255, .. }));
    }
}
