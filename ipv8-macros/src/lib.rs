//! Procedural macros of rust-ipv8. Use them through the `ipv8` crate, which re-exports them:
//! `#[ipv8::payload]` generates a payload's serializer at compile time, and `#[ipv8::community]` with
//! `#[ipv8::lazy_handler]` the message dispatch table of a community.
//!
//! Each entry point parses its input into the model of the `internals` module, checks it there (all errors at
//! once, each at its span), and only then generates code.

mod community;
mod dummy;
mod internals;
mod payload;

use proc_macro::TokenStream;

/// Makes a struct an IPv8 payload: generates `Payload` (and with `msg_id`, `Message`).
///
/// See the `ipv8` crate's documentation of `payload` for the attribute's options.
#[proc_macro_attribute]
pub fn payload(args: TokenStream, input: TokenStream) -> TokenStream {
    payload::expand(args.into(), input.into()).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Makes an impl block's `#[lazy_handler]` methods the message handlers of a community: generates
/// the `Dispatch` impl that routes each message id to its handler.
///
/// See the `ipv8` crate's documentation of `community` for the handler signatures.
#[proc_macro_attribute]
pub fn community(args: TokenStream, input: TokenStream) -> TokenStream {
    community::expand(args.into(), input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Marks a message handler inside a `#[community]` impl block; on its own it is an error.
#[proc_macro_attribute]
pub fn lazy_handler(_args: TokenStream, input: TokenStream) -> TokenStream {
    let input = proc_macro2::TokenStream::from(input);
    let message = "#[lazy_handler] only works on a method inside a #[community] impl block";
    let error = syn::Error::new(proc_macro2::Span::call_site(), message).into_compile_error();
    quote::quote!(#error #input).into()
}
