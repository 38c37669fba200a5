//! Code generation shared by `ue_log!` and `#[otel_event]`: the call-site statics
//! and the out-of-line function that hands an event's values to the runtime.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};

use crate::internals::field::{Field, part_c_metadata, type_param};

/// What a call site's statics need.
pub struct Site<'a> {
    /// Path of the facade crate (`$crate` of the facade's `macro_rules!`, or found by name).
    pub krate: &'a TokenStream,
    /// Name of the call-site static to define.
    pub ident: syn::Ident,
    pub event_name: &'a str,
    /// Const expressions.
    pub level: TokenStream,
    pub keyword: TokenStream,
    pub fields: &'a [Field],
}

/// The statics of one call site: its description, its enable word, and its entry
/// in the runtime's link-time list of call sites.
pub fn callsite_statics(site: &Site<'_>) -> TokenStream {
    let Site {
        krate,
        ident,
        event_name,
        level,
        keyword,
        fields,
    } = site;
    let info = format_ident!("{}_INFO", ident);
    let entry = format_ident!("{}_ENTRY", ident);
    let names = fields.iter().map(|f| &f.name);
    quote! {
        static #info: #krate::__private::EventInfo = #krate::__private::EventInfo {
            name: #event_name,
            level: #level,
            keyword: #keyword,
            field_names: &[#(#names),*],
            target: ::core::module_path!(),
        };
        static #ident: #krate::__private::Callsite = #krate::__private::Callsite::new(&#info);
        #[#krate::__private::linkme::distributed_slice(#krate::__private::CALLSITES)]
        #[linkme(crate = #krate::__private::linkme)]
        static #entry: &#krate::__private::Callsite = &#ident;
    }
}

/// An event write: a generic function over the fields' types (so their metadata
/// is a per-site constant) and the call that evaluates the values and calls it.
///
/// `opcode` is a const expression (`0u8`). `activity` is an expression of type
/// `Option<(&[u8; 16], Option<&[u8; 16]>)>` evaluated at the call (so it may use
/// the caller's locals, e.g. activity ids computed by the caller) and passed in.
pub struct Emit<'a> {
    pub krate: &'a TokenStream,
    pub site: &'a syn::Ident,
    pub fields: &'a [Field],
    pub body: Option<&'a Field>,
    pub opcode: TokenStream,
    pub activity: TokenStream,
}

impl Emit<'_> {
    pub fn to_tokens(&self) -> TokenStream {
        let Emit {
            krate,
            site,
            fields,
            body,
            opcode,
            activity,
        } = self;
        let params: Vec<syn::Ident> = (0..fields.len()).map(type_param).collect();
        let args: Vec<syn::Ident> = (0..fields.len())
            .map(|i| format_ident!("__ue_f{i}"))
            .collect();
        let refs = fields.iter().map(|f| f.reference(krate));
        let (len, bytes) = part_c_metadata(fields, &params, krate);

        let body_ty = syn::Ident::new("__UeBody", Span::call_site());
        let (body_param, body_arg, body_ref, body_value) = match body {
            Some(body) => (
                quote!(#body_ty: #krate::__private::FieldValue,),
                quote!(__ue_body: &#body_ty,),
                body.reference(krate),
                quote!(::core::option::Option::Some((
                    __ue_body as &dyn #krate::__private::Field,
                    [<#body_ty as #krate::__private::FieldValue>::ENCODING,
                     <#body_ty as #krate::__private::FieldValue>::FORMAT],
                ))),
            ),
            None => (
                quote!(),
                quote!(),
                quote!(),
                quote!(::core::option::Option::None),
            ),
        };
        let comma = body.map(|_| quote!(,));

        quote! {
            #[inline]
            #[allow(non_camel_case_types, clippy::too_many_arguments)]
            fn __ue_emit<#(#params: #krate::__private::FieldValue,)* #body_param>(
                #(#args: &#params,)* #body_arg
                __ue_activity: ::core::option::Option<(&[u8; 16], ::core::option::Option<&[u8; 16]>)>,
            ) {
                struct __UeMeta<#(#params),*>(::core::marker::PhantomData<(#(#params,)*)>);
                impl<#(#params: #krate::__private::FieldValue),*> __UeMeta<#(#params),*> {
                    const PART_C: [u8; #len] = #bytes;
                }
                #krate::__private::emit(&#site, &#krate::__private::Event {
                    part_c_meta: &__UeMeta::<#(#params),*>::PART_C,
                    fields: &[#(#args as &dyn #krate::__private::Field),*],
                    body: #body_value,
                    opcode: #opcode,
                    activity: __ue_activity,
                });
            }
            __ue_emit(#(#refs,)* #body_ref #comma #activity);
        }
    }
}
