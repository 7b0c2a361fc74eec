//! Checks of a `#[payload]` that need more than one attribute or field to decide.

use super::ast::{Field, Fixup, Format};
use super::attr;
use super::ctxt::Ctxt;

/// First message id reserved for IPv8's own messages (231 puncture … 255).
const FIRST_RESERVED_ID: u8 = 231;

/// The message id, checked: 0–255, and below 231 unless the payload is a `system` one.
pub(crate) fn msg_id(cx: &mut Ctxt, attrs: &attr::Container) -> Option<u8> {
    if let (Some((tokens, _)), None) = (attrs.system.get(), attrs.msg_id.get()) {
        cx.error_spanned_by(
            tokens,
            "`system` goes with a `msg_id`: #[payload(msg_id = 246, system)]",
        );
    }
    let (_, lit) = attrs.msg_id.get()?;
    let Ok(id) = lit.base10_parse::<u8>() else {
        cx.error_spanned_by(
            lit,
            "msg_id must be an integer from 0 to 255 (0–230 for applications)",
        );
        return None;
    };
    if id >= FIRST_RESERVED_ID && attrs.system.get().is_none() {
        cx.error_spanned_by(
            lit,
            format!("msg_id {id} is reserved for IPv8's own messages (231–255); use 0–230"),
        );
    }
    Some(id)
}

/// The fix-up pair: `with = module`, or both `fix_pack` and `fix_unpack`, with an explicit format.
pub(crate) fn fixup(cx: &mut Ctxt, attrs: &attr::Field) -> Option<Fixup> {
    let pack = attrs.fix_pack.get();
    let unpack = attrs.fix_unpack.get();
    let fixup = match (attrs.with.get(), pack, unpack) {
        (None, None, None) => return None,
        (Some((tokens, _)), Some(_), _) | (Some((tokens, _)), _, Some(_)) => {
            cx.error_spanned_by(
                tokens,
                "`with` conflicts with `fix_pack`/`fix_unpack`: use one or the other",
            );
            return None;
        }
        (Some((_, module)), None, None) => Fixup {
            pack: syn::parse_quote!(#module::fix_pack),
            unpack: syn::parse_quote!(#module::fix_unpack),
        },
        (None, Some((_, pack)), Some((_, unpack))) => {
            Fixup { pack: pack.clone(), unpack: unpack.clone() }
        }
        (None, Some((tokens, _)), None) | (None, None, Some((tokens, _))) => {
            cx.error_spanned_by(tokens, "a fix-up needs both `fix_pack` and `fix_unpack`");
            return None;
        }
    };
    if attrs.format.get().is_none() {
        let (tokens, _) = attrs.with.get().or(pack).or(unpack)?;
        cx.error_spanned_by(
            tokens,
            "a fix-up needs the wire format of the converted value, e.g. `format = \"varlenH\"`",
        );
    }
    Some(fixup)
}

/// `raw` takes every remaining byte, so only the last field may have it.
pub(crate) fn raw_is_last(cx: &mut Ctxt, fields: &[Field]) {
    let Some((_, init)) = fields.split_last() else { return };
    for field in init {
        if matches!(&field.format, Format::Builtin { name, .. } if name == "raw") {
            cx.error_spanned_by(
                &field.ident,
                "a `raw` field takes every remaining byte, so it must be the last field",
            );
        }
    }
}
