//! Code generation for `#[payload]`: the `Payload` and `Message` impls of a checked [`Container`].

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote};
use syn::Item;
use syn::spanned::Spanned;

use crate::dummy;
use crate::internals::ast::{Container, Field, Format};
use crate::internals::ctxt::Ctxt;

/// Expands `#[payload(args)] item`.
pub(crate) fn expand(args: TokenStream, input: TokenStream) -> syn::Result<TokenStream> {
    let mut item = match syn::parse2::<Item>(input)? {
        Item::Struct(item) => item,
        other => {
            let message =
                "#[payload] goes on a struct with named fields: `struct Name { field: Type }`";
            return Err(syn::Error::new_spanned(other, message));
        }
    };
    let mut cx = Ctxt::default();
    let container = Container::from_ast(&mut cx, args, &mut item);
    match (cx.check(), container) {
        (Ok(()), Some(container)) => {
            let impls = dummy::wrap(&impls(&container));
            Ok(quote!(#item #impls))
        }
        (result, container) => {
            let errors = result.err().map(syn::Error::into_compile_error);
            let fallback = container.map(|c| dummy::wrap(&fallback(&c)));
            Ok(quote!(#item #errors #fallback))
        }
    }
}

fn impls(container: &Container) -> TokenStream {
    let private = private(container);
    let (impl_generics, ty_generics, where_clause) = container.generics.split_for_impl();
    let ident = &container.ident;
    let name = ident.to_string();
    let field_infos = container.fields.iter().map(|field| field_info(&private, field));
    let encodes = container.fields.iter().map(|field| encode(&private, field));
    let decodes = container.fields.iter().map(|field| decode(&private, field));
    let lens = container.fields.iter().map(|field| encoded_len(&private, field));
    let members = container.fields.iter().map(|field| &field.ident);
    let message = message_impl(container);
    quote! {
        #[automatically_derived]
        impl #impl_generics #private::Payload for #ident #ty_generics #where_clause {
            const NAME: &'static str = #name;
            const FIELDS: &'static [#private::Field] = &[#(#field_infos),*];

            #[inline]
            fn encode(
                &self,
                out: &mut #private::Vec<u8>,
            ) -> #private::Result<(), #private::EncodeError> {
                #(#encodes)*
                #private::Result::Ok(())
            }

            #[inline]
            fn decode(
                reader: &mut #private::Reader<'_>,
            ) -> #private::Result<Self, #private::DecodeError> {
                #(#decodes)*
                #private::Result::Ok(Self { #(#members),* })
            }

            #[inline]
            fn encoded_len(&self) -> usize {
                0 #(+ #lens)*
            }
        }
        #message
    }
}

fn message_impl(container: &Container) -> Option<TokenStream> {
    let private = private(container);
    let (impl_generics, ty_generics, where_clause) = container.generics.split_for_impl();
    let ident = &container.ident;
    let id = container.msg_id?;
    Some(quote! {
        #[automatically_derived]
        impl #impl_generics #private::Message for #ident #ty_generics #where_clause {
            const MSG_ID: u8 = #id;
        }
    })
}

/// Impls with the right shape but no behaviour, emitted beside errors so that uses of the struct
/// do not add a cascade of "trait not implemented" errors.
fn fallback(container: &Container) -> TokenStream {
    let private = private(container);
    let (impl_generics, ty_generics, where_clause) = container.generics.split_for_impl();
    let ident = &container.ident;
    let message = message_impl(container);
    quote! {
        impl #impl_generics #private::Payload for #ident #ty_generics #where_clause {
            const NAME: &'static str = "";
            const FIELDS: &'static [#private::Field] = &[];
            fn encode(&self, _: &mut #private::Vec<u8>) -> #private::Result<(), #private::EncodeError> {
                ::core::unreachable!()
            }
            fn decode(_: &mut #private::Reader<'_>) -> #private::Result<Self, #private::DecodeError> {
                ::core::unreachable!()
            }
            fn encoded_len(&self) -> usize {
                ::core::unreachable!()
            }
        }
        #message
    }
}

fn private(container: &Container) -> TokenStream {
    let krate = &container.krate;
    quote!(#krate::__private)
}

fn field_info(private: &TokenStream, field: &Field) -> TokenStream {
    let name = field.ident.to_string();
    let format = match &field.format {
        Format::Builtin { name, .. } => name.clone(),
        Format::User(ty) => quote!(#ty).to_string().replace(' ', ""),
    };
    quote!(#private::Field { name: #name, format: #format })
}

/// `<Marker as Format<T>>::method`, spanned at the format so a type mismatch points at the field.
fn format_fn(private: &TokenStream, field: &Field, method: &str) -> TokenStream {
    let value_ty = field_value_ty(field);
    let (marker, span) = match &field.format {
        Format::Builtin { marker, span, .. } => {
            let marker: TokenStream = marker.parse().unwrap_or_default();
            (quote!(#private::format::#marker), *span)
        }
        Format::User(ty) => (quote!(#ty), ty.span()),
    };
    let method = format_ident!("{method}");
    respan(quote!(<#marker as #private::Format<#value_ty>>::#method), span)
}

/// `tokens` with every span set to `span`, so errors about them point at the user's field.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let TokenTree::Group(group) = &token {
                let mut inner = Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                token = TokenTree::Group(inner);
            }
            token.set_span(span);
            token
        })
        .collect()
}

fn field_value_ty(field: &Field) -> TokenStream {
    if field.fixup.is_some() {
        quote!(_)
    } else {
        let ty = &field.ty;
        quote!(#ty)
    }
}

fn encode(private: &TokenStream, field: &Field) -> TokenStream {
    let ident = &field.ident;
    let name = ident.to_string();
    let format = format_fn(private, field, "encode");
    let call = match &field.fixup {
        None => quote!(#format(&self.#ident, out)),
        Some(fixup) => {
            let pack = &fixup.pack;
            let wire = format_ident!("__wire");
            quote!(#private::fixup_pack(&self.#ident, #pack)
                .and_then(|#wire| #format(&#wire, out)))
        }
    };
    quote!(#call.map_err(|err| err.within(<Self as #private::Payload>::NAME, #name))?;)
}

fn decode(private: &TokenStream, field: &Field) -> TokenStream {
    let ident = &field.ident;
    let name = ident.to_string();
    let format = format_fn(private, field, "decode");
    let call = match &field.fixup {
        None => quote!(#format(reader)),
        Some(fixup) => {
            let unpack = &fixup.unpack;
            quote!(#format(reader).and_then(|wire| #private::fixup_unpack(wire, #unpack)))
        }
    };
    quote!(let #ident = #call.map_err(|err| err.within(<Self as #private::Payload>::NAME, #name))?;)
}

fn encoded_len(private: &TokenStream, field: &Field) -> TokenStream {
    let ident = &field.ident;
    let format = format_fn(private, field, "encoded_len");
    match &field.fixup {
        None => quote!(#format(&self.#ident)),
        Some(fixup) => {
            let pack = &fixup.pack;
            quote!(#private::fixup_pack(&self.#ident, #pack).map_or(0, |wire| #format(&wire)))
        }
    }
}
