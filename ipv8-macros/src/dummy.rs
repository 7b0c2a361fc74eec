//! Wraps generated impls in `const _: () = { ... };` so they add no names to the user's scope.

use proc_macro2::TokenStream;
use quote::quote;

/// `const _: () = { #tokens };`
pub(crate) fn wrap(tokens: &TokenStream) -> TokenStream {
    quote! {
        #[doc(hidden)]
        #[allow(
            non_upper_case_globals,
            unused_attributes,
            unused_qualifications,
            clippy::absolute_paths
        )]
        const _: () = {
            #tokens
        };
    }
}
