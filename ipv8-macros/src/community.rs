//! Code generation for `#[community]`: the `Dispatch` impl (message id → handler) of a checked
//! [`Community`] model, and compile-time checks of the handlers' message ids.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ItemImpl;
use syn::ext::IdentExt as _;

use crate::dummy;
use crate::internals::ctxt::Ctxt;
use crate::internals::handler::{Community, Handler, payload_span};

/// First message id reserved for IPv8's own messages.
const FIRST_SYSTEM_ID: u8 = 231;

/// Expands `#[community(args)] impl ... { ... }`.
pub(crate) fn expand(args: TokenStream, input: TokenStream) -> syn::Result<TokenStream> {
    let mut item: ItemImpl = syn::parse2(input).map_err(|error| {
        syn::Error::new(
            error.span(),
            "#[community] goes on an impl block: `impl MyCommunity { ... }`",
        )
    })?;
    let mut cx = Ctxt::default();
    let community = Community::from_ast(&mut cx, args, &mut item);
    let errors = cx.check().err().map(syn::Error::into_compile_error);
    let dispatch = dummy::wrap(&dispatch(&community));
    Ok(quote!(#item #errors #dispatch))
}

fn dispatch(community: &Community) -> TokenStream {
    let krate = &community.krate;
    let private = quote!(#krate::__private);
    let self_ty = &community.self_ty;
    let (impl_generics, _, where_clause) = community.generics.split_for_impl();
    let ids = community.handlers.iter().map(|h| {
        let payload = &h.payload;
        quote!(<#payload as #private::Message>::MSG_ID)
    });
    let names = community.handlers.iter().map(|h| h.method.unraw().to_string());
    let arms = community.handlers.iter().map(|h| arm(&private, h));
    let checks = checks(&private, community);
    quote! {
        #[automatically_derived]
        impl #impl_generics #private::Dispatch for #self_ty #where_clause {
            const MESSAGE_IDS: &'static [u8] = &[#(#ids),*];
            const HANDLER_NAMES: &'static [&'static str] = &[#(#names),*];

            fn dispatch(
                &mut self,
                ctx: &mut #private::Context<'_, Self>,
                incoming: &#private::Incoming<'_>,
            ) -> #private::Result<(), #private::DropReason> {
                let msg_id = incoming.msg_id();
                #(#arms)*
                #private::Result::Err(#private::DropReason::UnknownMessage)
            }
        }
        #checks
    }
}

fn arm(private: &TokenStream, handler: &Handler) -> TokenStream {
    let payload = &handler.payload;
    let method = &handler.method;
    let call = if handler.unsigned {
        quote! {
            let payload = incoming.unsigned::<#payload>()?;
            self.#method(ctx, incoming.source(), payload);
        }
    } else {
        quote! {
            let (peer, payload) = incoming.signed::<#payload>()?;
            self.#method(ctx, &peer, payload);
        }
    };
    let bound = quote_spanned!(payload_span(handler)=> <#payload as #private::Message>::MSG_ID);
    quote! {
        if msg_id == #bound {
            #call
            return #private::Result::Ok(());
        }
    }
}

/// `const` assertions, each spanned at the payload type it is about: no system id, no id twice.
fn checks(private: &TokenStream, community: &Community) -> TokenStream {
    let handlers = &community.handlers;
    let system = handlers.iter().map(|h| {
        let payload = &h.payload;
        let message = format!(
            "msg_id of `{}` is in 231–255, which IPv8 reserves for its own messages; use 0–230",
            quote!(#payload).to_string().replace(' ', "")
        );
        quote_spanned! {payload_span(h)=>
            const _: () = ::core::assert!(<#payload as #private::Message>::MSG_ID < #FIRST_SYSTEM_ID, #message);
        }
    });
    let pairs = handlers.iter().enumerate().flat_map(|(i, first)| {
        handlers[i + 1..].iter().map(move |second| {
            let (a, b) = (&first.payload, &second.payload);
            let message = format!(
                "`{}` and `{}` both handle the msg_id of `{}`; each message id gets one handler",
                first.method,
                second.method,
                quote!(#b).to_string().replace(' ', "")
            );
            quote_spanned! {payload_span(second)=>
                const _: () = ::core::assert!(
                    <#a as #private::Message>::MSG_ID != <#b as #private::Message>::MSG_ID,
                    #message
                );
            }
        })
    });
    quote!(#(#system)* #(#pairs)*)
}
