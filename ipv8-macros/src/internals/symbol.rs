//! Names of the attributes and keys the macros understand.

/// The attribute and field-attribute name.
pub(crate) const PAYLOAD: &str = "payload";
/// `#[payload(msg_id = N)]`.
pub(crate) const MSG_ID: &str = "msg_id";
/// `#[payload(crate = "path")]`.
pub(crate) const CRATE: &str = "crate";
/// `#[payload(msg_id = N, system)]`: allows the reserved ids 231–255 (IPv8's own messages).
pub(crate) const SYSTEM: &str = "system";
/// `#[payload(format = "name")]` or `#[payload(format = path::Format)]` on a field.
pub(crate) const FORMAT: &str = "format";
/// `#[payload(fix_pack = path)]` on a field.
pub(crate) const FIX_PACK: &str = "fix_pack";
/// `#[payload(fix_unpack = path)]` on a field.
pub(crate) const FIX_UNPACK: &str = "fix_unpack";
/// `#[payload(with = module)]` on a field: `module::fix_pack` and `module::fix_unpack`.
pub(crate) const WITH: &str = "with";
/// The method attribute of a message handler inside `#[community]`.
pub(crate) const LAZY_HANDLER: &str = "lazy_handler";
/// `#[lazy_handler(unsigned)]`.
pub(crate) const UNSIGNED: &str = "unsigned";
