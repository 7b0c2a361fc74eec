//! Glue for field fix-ups (py-ipv8's `fix_pack_*`/`fix_unpack_*`), called by generated code.
//!
//! A fix-up is a pair of plain functions converting a field to the value its wire format carries and
//! back: `fn(&T) -> Result<W, E>` and `fn(W) -> Result<T, E>`, with any `E: Display` (use
//! [`std::convert::Infallible`] when a direction cannot fail).

use std::fmt::Display;

use super::{DecodeError, EncodeError};

/// Runs a pack fix-up, turning its error into an [`EncodeError`].
pub fn pack<T, W, E: Display>(
    value: &T,
    fix_pack: impl FnOnce(&T) -> Result<W, E>,
) -> Result<W, EncodeError> {
    fix_pack(value).map_err(EncodeError::custom)
}

/// Runs an unpack fix-up, turning its error into a [`DecodeError`].
pub fn unpack<T, W, E: Display>(
    wire: W,
    fix_unpack: impl FnOnce(W) -> Result<T, E>,
) -> Result<T, DecodeError> {
    fix_unpack(wire).map_err(DecodeError::custom)
}
