//! The model of a `#[payload]` struct that code generation reads.

use proc_macro2::Span;
use quote::ToTokens;
use syn::{Fields, Generics, Ident, ItemStruct, Type};

use super::attr::{self, FormatName};
use super::check;
use super::ctxt::Ctxt;
use super::formats;

/// A checked `#[payload]` struct.
pub(crate) struct Container {
    pub(crate) ident: Ident,
    pub(crate) generics: Generics,
    /// The message id, for payloads sent as messages.
    pub(crate) msg_id: Option<u8>,
    /// Path of the `ipv8` crate in generated code.
    pub(crate) krate: syn::Path,
    pub(crate) fields: Vec<Field>,
}

/// A field with its resolved wire format.
pub(crate) struct Field {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    pub(crate) format: Format,
    pub(crate) fixup: Option<Fixup>,
}

/// A resolved wire format.
pub(crate) enum Format {
    /// A built-in format: its py-ipv8 name and marker type (`FixedBytes<20>`, `VarlenH`, …).
    Builtin { name: String, marker: &'static str, span: Span },
    /// A user format type.
    User(Type),
}

/// A field fix-up: functions converting the field to and from its wire type.
pub(crate) struct Fixup {
    pub(crate) pack: syn::Path,
    pub(crate) unpack: syn::Path,
}

impl Container {
    /// Builds the model and strips the macro's field attributes from `item`. Errors go to `cx`; the
    /// model is `None` only when the struct's shape is not supported at all.
    pub(crate) fn from_ast(
        cx: &mut Ctxt,
        args: proc_macro2::TokenStream,
        item: &mut ItemStruct,
    ) -> Option<Self> {
        let attrs = attr::Container::from_args(cx, args);
        let msg_id = check::msg_id(cx, &attrs);
        let krate = attrs.krate.into_value().unwrap_or_else(|| syn::parse_quote!(::ipv8));
        let fields = match &mut item.fields {
            Fields::Named(named) => {
                named.named.iter_mut().map(|f| Field::from_ast(cx, f)).collect::<Vec<_>>()
            }
            Fields::Unit => Vec::new(),
            Fields::Unnamed(_) => {
                cx.error_spanned_by(
                    &item.fields,
                    "#[payload] needs named fields: `struct Name { field: Type }`",
                );
                return None;
            }
        };
        let fields = fields.into_iter().collect::<Option<Vec<Field>>>()?;
        check::raw_is_last(cx, &fields);
        Some(Self {
            ident: item.ident.clone(),
            generics: item.generics.clone(),
            msg_id,
            krate,
            fields,
        })
    }
}

impl Field {
    fn from_ast(cx: &mut Ctxt, field: &mut syn::Field) -> Option<Self> {
        let attrs = attr::Field::take_from(cx, &mut field.attrs);
        let fixup = check::fixup(cx, &attrs);
        let format = match attrs.format.into_value() {
            Some(FormatName::Builtin(name)) => builtin(cx, &name.value(), name.span(), &name)?,
            Some(FormatName::User(ty)) => Format::User(*ty),
            None => default_format(cx, &field.ty)?,
        };
        let ident = field.ident.clone()?;
        Some(Self { ident, ty: field.ty.clone(), format, fixup })
    }
}

fn builtin(cx: &mut Ctxt, name: &str, span: Span, tokens: &impl ToTokens) -> Option<Format> {
    let Some(marker) = formats::marker(name) else {
        cx.error_spanned_by(
            tokens,
            format!(
                "unknown wire format \"{name}\"; the built-in formats are {}",
                formats::all_names()
            ),
        );
        return None;
    };
    Some(Format::Builtin { name: name.to_owned(), marker, span })
}

fn default_format(cx: &mut Ctxt, ty: &Type) -> Option<Format> {
    match formats::default_for(ty) {
        Ok(name) => builtin(cx, name, syn::spanned::Spanned::span(ty), ty),
        Err(formats::Unsupported(message)) => {
            cx.error_spanned_by(ty, message);
            None
        }
    }
}
