//! Parsing of `#[payload(...)]` arguments on the struct and on its fields.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{LitInt, LitStr, Type};

use super::ctxt::Ctxt;
use super::symbol::{CRATE, FIX_PACK, FIX_UNPACK, FORMAT, MSG_ID, PAYLOAD, SYSTEM, WITH};

/// An attribute value that may be set once; a second `set` is a spanned "duplicate" error.
pub(crate) struct Attr<T> {
    name: &'static str,
    value: Option<(TokenStream, T)>,
}

impl<T> Attr<T> {
    fn none(name: &'static str) -> Self {
        Self { name, value: None }
    }

    fn set(&mut self, cx: &mut Ctxt, tokens: impl ToTokens, value: T) {
        let tokens = tokens.into_token_stream();
        if self.value.is_some() {
            cx.error_spanned_by(tokens, format!("duplicate payload attribute `{}`", self.name));
        } else {
            self.value = Some((tokens, value));
        }
    }

    /// The value, with the tokens it was written as (for error spans).
    pub(crate) fn get(&self) -> Option<(&TokenStream, &T)> {
        self.value.as_ref().map(|(tokens, value)| (tokens, value))
    }

    pub(crate) fn into_value(self) -> Option<T> {
        self.value.map(|(_, value)| value)
    }
}

/// Arguments of `#[payload(...)]` on the struct.
pub(crate) struct Container {
    /// `msg_id = N`, as written.
    pub(crate) msg_id: Attr<LitInt>,
    /// `crate = "path"`: where the `ipv8` crate is.
    pub(crate) krate: Attr<syn::Path>,
    /// `system`: the payload is one of IPv8's own messages and may use the reserved ids.
    pub(crate) system: Attr<Span>,
}

impl Container {
    pub(crate) fn from_args(cx: &mut Ctxt, args: TokenStream) -> Self {
        let mut container = Self {
            msg_id: Attr::none(MSG_ID),
            krate: Attr::none(CRATE),
            system: Attr::none(SYSTEM),
        };
        let parser = syn::meta::parser(|meta| {
            container.parse_one(cx, &meta);
            Ok(())
        });
        if let Err(error) = parser.parse2(args) {
            cx.syn_error(error);
        }
        container
    }

    fn parse_one(&mut self, cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) {
        let path = &meta.path;
        let result = if path.is_ident(MSG_ID) {
            meta.value()
                .and_then(syn::parse::ParseBuffer::parse::<LitInt>)
                .map(|lit| self.msg_id.set(cx, path, lit))
        } else if path.is_ident(CRATE) {
            parse_lit_path(meta).map(|krate| self.krate.set(cx, path, krate))
        } else if path.is_ident(SYSTEM) {
            self.system.set(cx, path, meta.input.span());
            Ok(())
        } else {
            Err(meta.error(format!(
                "unknown payload attribute `{}`; expected `msg_id`, `crate` or `system`",
                path.to_token_stream()
            )))
        };
        if let Err(error) = result {
            cx.syn_error(error);
        }
    }
}

fn parse_lit_path(meta: &ParseNestedMeta<'_>) -> syn::Result<syn::Path> {
    let lit: LitStr = meta.value()?.parse()?;
    lit.parse()
}

/// The wire format named by `format = ...`.
pub(crate) enum FormatName {
    /// A built-in format by its py-ipv8 name, such as `"varlenH"`.
    Builtin(LitStr),
    /// A user format: a type implementing `Format<T>`.
    User(Box<Type>),
}

/// Arguments of `#[payload(...)]` on a field.
pub(crate) struct Field {
    pub(crate) format: Attr<FormatName>,
    pub(crate) fix_pack: Attr<syn::Path>,
    pub(crate) fix_unpack: Attr<syn::Path>,
    pub(crate) with: Attr<syn::Path>,
}

impl Field {
    /// Parses and removes the `#[payload(...)]` attributes of a field.
    pub(crate) fn take_from(cx: &mut Ctxt, attrs: &mut Vec<syn::Attribute>) -> Self {
        let mut field = Self {
            format: Attr::none(FORMAT),
            fix_pack: Attr::none(FIX_PACK),
            fix_unpack: Attr::none(FIX_UNPACK),
            with: Attr::none(WITH),
        };
        attrs.retain(|attr| {
            if !attr.path().is_ident(PAYLOAD) {
                return true;
            }
            if let Err(error) = attr.parse_nested_meta(|meta| field.parse_one(cx, &meta)) {
                cx.syn_error(error);
            }
            false
        });
        field
    }

    fn parse_one(&mut self, cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let path = &meta.path;
        if path.is_ident(FORMAT) {
            let value = meta.value()?;
            let format = if value.peek(LitStr) {
                FormatName::Builtin(value.parse()?)
            } else {
                FormatName::User(Box::new(value.parse()?))
            };
            self.format.set(cx, path, format);
        } else if path.is_ident(FIX_PACK) {
            self.fix_pack.set(cx, path, meta.value()?.parse()?);
        } else if path.is_ident(FIX_UNPACK) {
            self.fix_unpack.set(cx, path, meta.value()?.parse()?);
        } else if path.is_ident(WITH) {
            self.with.set(cx, path, meta.value()?.parse()?);
        } else {
            return Err(meta.error(format!(
                "unknown field attribute `{}`; expected `format`, `fix_pack`, `fix_unpack` or `with`",
                path.to_token_stream()
            )));
        }
        Ok(())
    }
}
