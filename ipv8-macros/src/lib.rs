//! Procedural macros of rust-ipv8. Use them through the `ipv8` crate, which re-exports them:
//! `#[ipv8::payload]` generates a payload's serializer at compile time.
//!
//! Each entry point parses its input into the model of the `internals` module, checks it there (all errors at
//! once, each at its span), and only then generates code.

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
