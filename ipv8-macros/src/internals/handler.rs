//! The model of a `#[community]` impl block: its `#[lazy_handler]` methods and their payload types.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ImplItem, ItemImpl, ReturnType, Type};

use super::ctxt::Ctxt;
use super::symbol::{CRATE, LAZY_HANDLER, UNSIGNED};

/// A checked `#[community]` impl block.
pub(crate) struct Community {
    pub(crate) self_ty: Type,
    pub(crate) generics: syn::Generics,
    pub(crate) krate: syn::Path,
    pub(crate) handlers: Vec<Handler>,
}

/// One `#[lazy_handler]` method.
pub(crate) struct Handler {
    pub(crate) method: Ident,
    pub(crate) payload: Type,
    /// `#[lazy_handler(unsigned)]`: the message carries no key and signature.
    pub(crate) unsigned: bool,
}

impl Community {
    /// Builds the model and strips the `#[lazy_handler]` markers from `item`.
    pub(crate) fn from_ast(
        cx: &mut Ctxt,
        args: proc_macro2::TokenStream,
        item: &mut ItemImpl,
    ) -> Self {
        let krate = parse_args(cx, args);
        if let Some((_, path, _)) = &item.trait_ {
            cx.error_spanned_by(
                path,
                "#[community] goes on an inherent impl block: `impl MyCommunity { ... }`",
            );
        }
        let handlers =
            item.items.iter_mut().filter_map(|item| Handler::take_from(cx, item)).collect();
        Self { self_ty: (*item.self_ty).clone(), generics: item.generics.clone(), krate, handlers }
    }
}

fn parse_args(cx: &mut Ctxt, args: proc_macro2::TokenStream) -> syn::Path {
    let mut krate = None;
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident(CRATE) {
            let lit: syn::LitStr = meta.value()?.parse()?;
            krate = Some(lit.parse()?);
            Ok(())
        } else {
            Err(meta.error("unknown community attribute; expected `crate`"))
        }
    });
    if let Err(error) = syn::parse::Parser::parse2(parser, args) {
        cx.syn_error(error);
    }
    krate.unwrap_or_else(|| syn::parse_quote!(::ipv8))
}

impl Handler {
    fn take_from(cx: &mut Ctxt, item: &mut ImplItem) -> Option<Self> {
        let ImplItem::Fn(method) = item else { return None };
        let position = method.attrs.iter().position(|attr| attr.path().is_ident(LAZY_HANDLER))?;
        let attr = method.attrs.remove(position);
        // The signature is fixed by the dispatch table, so lints about its shape do not apply.
        method
            .attrs
            .push(syn::parse_quote!(#[allow(clippy::needless_pass_by_value, clippy::unused_self)]));
        let unsigned = parse_marker(cx, &attr);
        let payload = check_signature(cx, &method.sig, unsigned)?;
        Some(Self { method: method.sig.ident.clone(), payload, unsigned })
    }
}

fn parse_marker(cx: &mut Ctxt, attr: &syn::Attribute) -> bool {
    if matches!(attr.meta, syn::Meta::Path(_)) {
        return false;
    }
    let mut unsigned = false;
    let result = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident(UNSIGNED) {
            unsigned = true;
            Ok(())
        } else {
            Err(meta.error("unknown lazy_handler option; expected `unsigned`"))
        }
    });
    if let Err(error) = result {
        cx.syn_error(error);
    }
    unsigned
}

/// Checks `fn name(&mut self, ctx: &mut Context<Self>, peer: &Peer, payload: P)` (or, unsigned,
/// `source: SocketAddr` instead of the peer) and returns `P`.
fn check_signature(cx: &mut Ctxt, sig: &syn::Signature, unsigned: bool) -> Option<Type> {
    let expected = if unsigned {
        "an unsigned handler looks like `fn name(&mut self, ctx: &mut Context<Self>, source: SocketAddr, payload: MyPayload)`"
    } else {
        "a handler looks like `fn name(&mut self, ctx: &mut Context<Self>, peer: &Peer, payload: MyPayload)`"
    };
    let mut inputs = sig.inputs.iter();
    let receiver_ok = matches!(inputs.next(), Some(FnArg::Receiver(r)) if r.reference.is_some() && r.mutability.is_some());
    let args: Vec<_> = inputs.collect();
    if !receiver_ok || args.len() != 3 || sig.asyncness.is_some() || !sig.generics.params.is_empty()
    {
        cx.error_spanned_by(sig, expected);
        return None;
    }
    if let ReturnType::Type(_, ty) = &sig.output {
        cx.error_spanned_by(ty, "a handler returns nothing; report problems through the context");
    }
    let [ctx, from, payload] = [args[0], args[1], args[2]].map(typed);
    let (ctx, from, payload) = (ctx?, from?, payload?);
    if !matches!(ctx, Type::Reference(r) if r.mutability.is_some()) {
        cx.error_spanned_by(
            ctx,
            format!("the second argument is the context, `ctx: &mut Context<Self>`; {expected}"),
        );
    }
    match (unsigned, from) {
        (false, Type::Reference(_)) | (true, Type::Path(_)) => {}
        (false, other) => cx.error_spanned_by(
            other,
            format!("a signed handler receives the sender as `peer: &Peer`; {expected}"),
        ),
        (true, other) => {
            cx.error_spanned_by(
                other,
                format!(
                    "an unsigned handler receives the source as `source: SocketAddr`; {expected}"
                ),
            );
        }
    }
    if let Type::Reference(_) = payload {
        cx.error_spanned_by(
            payload,
            "the handler takes its payload by value: `payload: MyPayload`",
        );
        return None;
    }
    Some(payload.clone())
}

fn typed(arg: &FnArg) -> Option<&Type> {
    match arg {
        FnArg::Typed(pat) => Some(&pat.ty),
        FnArg::Receiver(_) => None,
    }
}

/// The span of a handler's payload type, for errors about its message id.
pub(crate) fn payload_span(handler: &Handler) -> Span {
    handler.payload.span()
}
