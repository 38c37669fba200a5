//! Generates a library provider's static, its entry in the link-time list of
//! library providers, and the crate-wide marker that makes a second definition
//! of the same name in one crate a compile error.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};

use super::parse::Definition;

pub fn expand(def: &Definition) -> TokenStream {
    let Definition {
        krate,
        attrs,
        vis,
        ident,
        name,
        group,
        keywords,
    } = def;
    // `#[cfg(..)]` applies to every item generated, not the static alone.
    let cfgs: Vec<&syn::Attribute> = attrs.iter().filter(|a| a.path().is_ident("cfg")).collect();
    let group = match group {
        Some(group) => quote!(::core::option::Option::Some(#group)),
        None => quote!(::core::option::Option::None),
    };
    // `#[macro_export]` macros share the crate root's namespace: two with one
    // name are "defined multiple times", reported at the name's literal.
    let marker = format_ident!(
        "__otel_user_events_provider_{}",
        name.value(),
        span = name.span()
    );
    let marker = quote_spanned! {name.span()=>
        #(#cfgs)*
        #[doc(hidden)]
        #[macro_export]
        macro_rules! #marker {
            () => {};
        }
    };
    quote! {
        #(#attrs)*
        #vis static #ident: #krate::__private::LibraryProvider =
            #krate::__private::LibraryProvider::__new(
                #name,
                #group,
                &[#(#keywords),*],
                ::core::module_path!(),
            );
        #(#cfgs)*
        const _: () = {
            #[#krate::__private::linkme::distributed_slice(#krate::__private::LIBRARY_PROVIDERS)]
            #[linkme(crate = #krate::__private::linkme)]
            static ENTRY: &#krate::__private::LibraryProvider = &#ident;
        };
        #marker
    }
}
