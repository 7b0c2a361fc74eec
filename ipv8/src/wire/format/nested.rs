//! Nested payload formats: `payload` (a `u16` length, then the payload) and `payload-list`.

use super::Format;
use super::varlen::Prefix;
use crate::wire::{DecodeError, EncodeError, Payload, Reader};

/// `payload`: a `u16` byte length, then a nested [`Payload`]'s own encoding.
///
/// As in py-ipv8, the nested payload is decoded from exactly that many bytes, and bytes it leaves
/// unread are ignored.
#[derive(Debug, Clone, Copy)]
pub struct Nested;

impl<T: Payload> Format<T> for Nested {
    fn encode(value: &T, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let start = out.len();
        out.extend_from_slice(&[0, 0]);
        value.encode(out)?;
        let len = out.len() - start - 2;
        let len = u16::try_from(len)
            .map_err(|_| EncodeError::too_long("payload", "bytes", len, u16::MAX.into()))?;
        out[start..start + 2].copy_from_slice(&len.to_be_bytes());
        Ok(())
    }
    fn decode(reader: &mut Reader<'_>) -> Result<T, DecodeError> {
        let len = usize::from(reader.read_u16()?);
        T::decode(&mut Reader::new(reader.take(len)?))
    }
    fn encoded_len(value: &T) -> usize {
        2 + value.encoded_len()
    }
}

/// `payload-list`: a `u8` item count, then each item as a [`Nested`] payload.
#[derive(Debug, Clone, Copy)]
pub struct NestedList;

impl<T: Payload> Format<Vec<T>> for NestedList {
    fn encode(value: &Vec<T>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        Prefix::U8.put("payload-list", "items", value.len(), out)?;
        value.iter().try_for_each(|item| Nested::encode(item, out))
    }
    fn decode(reader: &mut Reader<'_>) -> Result<Vec<T>, DecodeError> {
        let count = Prefix::U8.get(reader)?;
        (0..count).map(|_| Nested::decode(reader)).collect()
    }
    fn encoded_len(value: &Vec<T>) -> usize {
        1 + value.iter().map(Nested::encoded_len).sum::<usize>()
    }
}
