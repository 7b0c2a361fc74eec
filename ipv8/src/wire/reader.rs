//! [`Reader`]: a bounds-checked cursor over untrusted bytes.

use super::{DecodeError, DecodeErrorKind};

/// A cursor over a byte slice; every read checks the remaining length first and never panics.
///
/// # Examples
///
/// ```
/// use ipv8::wire::Reader;
///
/// let mut reader = Reader::new(&[0x12, 0x34, 0xff]);
/// assert_eq!(reader.read_u16()?, 0x1234);
/// assert_eq!(reader.remaining(), 1);
/// assert!(reader.read_u16().is_err());
/// # Ok::<(), ipv8::wire::DecodeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Starts reading at the beginning of `buf`.
    #[must_use]
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf }
    }

    /// Bytes not yet read.
    #[must_use]
    pub fn remaining(&self) -> usize {
        self.buf.len()
    }

    /// Whether everything was read.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Reads the next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.buf.len() {
            return Err(DecodeError::new(DecodeErrorKind::UnexpectedEnd {
                needed: n,
                remaining: self.buf.len(),
            }));
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    /// Reads everything that is left (possibly nothing).
    pub fn take_rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.buf)
    }

    /// Reads the next `N` bytes as an array.
    pub fn read_array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let bytes = self.take(N)?;
        let mut array = [0; N];
        array.copy_from_slice(bytes);
        Ok(array)
    }

    /// Reads one byte.
    pub fn read_u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.read_array::<1>()?[0])
    }

    /// Reads a big-endian `u16`.
    pub fn read_u16(&mut self) -> Result<u16, DecodeError> {
        self.read_array().map(u16::from_be_bytes)
    }

    /// Reads a big-endian `u32`.
    pub fn read_u32(&mut self) -> Result<u32, DecodeError> {
        self.read_array().map(u32::from_be_bytes)
    }

    /// Reads a big-endian `u64`.
    pub fn read_u64(&mut self) -> Result<u64, DecodeError> {
        self.read_array().map(u64::from_be_bytes)
    }

    /// Fails with [`DecodeErrorKind::ExtraData`] unless everything was read.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::new(DecodeErrorKind::ExtraData(self.buf.len())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_past_the_end_fails_and_consumes_nothing() {
        let mut reader = Reader::new(&[1, 2, 3]);
        let err = reader.take(4).unwrap_err();
        assert_eq!(err.kind(), &DecodeErrorKind::UnexpectedEnd { needed: 4, remaining: 3 });
        assert_eq!(reader.remaining(), 3);
        assert_eq!(reader.take(3).unwrap(), &[1, 2, 3]);
        assert!(reader.is_empty());
    }

    #[test]
    fn finish_reports_leftover_bytes() {
        let mut reader = Reader::new(&[1, 2, 3]);
        reader.read_u8().unwrap();
        assert_eq!(reader.finish().unwrap_err().kind(), &DecodeErrorKind::ExtraData(2));
        reader.take_rest();
        assert!(reader.finish().is_ok());
    }
}
