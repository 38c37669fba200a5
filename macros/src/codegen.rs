//! Code generation shared by `ue_log!` and `#[otel_event]`: the call-site
//! statics, and the write of one event (an out-of-line function that hands the
//! event's values to the runtime, and the call to it).

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::internals::field::{Conversion, Field};
use crate::internals::level::Level;

/// The most fields a call site hands to the generated writer: the runtime's
/// `__private::MAX_VALUES` (its `Values` tuples); more go the general way.
const DIRECT_MAX_FIELDS: usize = 12;

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
    /// The library provider the call site names (a path to its static).
    pub provider: Option<&'a syn::Path>,
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
        provider,
    } = site;
    let info = format_ident!("{}_INFO", ident);
    let entry = format_ident!("{}_ENTRY", ident);
    let name_meta = format_ident!("{}_NAME_META", ident);
    let part_b_data = format_ident!("{}_PART_B_DATA", ident);
    let names = fields.iter().map(|f| &f.name);
    // Spanned at the user's path: an unknown name or a static of another
    // type is reported there.
    let provider = match provider {
        Some(path) => quote_spanned! {path.span()=>
            ::core::option::Option::Some(#krate::__private::library_provider(&#path))
        },
        None => quote!(::core::option::Option::None),
    };
    // What the level and the name fix in every event, laid out at compile time.
    quote! {
        static #name_meta: [u8; #krate::__private::event_name_meta_len(#event_name)] =
            #krate::__private::event_name_meta(#event_name);
        static #part_b_data: [u8; #krate::__private::macro_part_b_data_len(#level, #event_name)] =
            #krate::__private::macro_part_b_data(#level, #event_name);
        static #info: #krate::__private::EventInfo = #krate::__private::EventInfo {
            name: #event_name,
            level: #level,
            keyword: #keyword,
            field_names: &[#(#names),*],
            target: ::core::module_path!(),
            name_meta: &#name_meta,
            part_b_data: &#part_b_data,
            provider: #provider,
        };
        static #ident: #krate::__private::Callsite = #krate::__private::Callsite::new(&#info);
        #[#krate::__private::linkme::distributed_slice(#krate::__private::CALLSITES)]
        #[linkme(crate = #krate::__private::linkme)]
        static #entry: &#krate::__private::Callsite = &#ident;
    }
}

/// A checked level as a const expression of type `Level`.
pub fn level_expr(level: &Level, krate: &TokenStream) -> TokenStream {
    match level {
        Level::Shorthand(variant) => {
            let variant = syn::Ident::new(variant, Span::call_site());
            quote!(#krate::__private::Level::#variant)
        }
        Level::Path(path) => quote!(#path),
    }
}

/// The write of one event: a generic function over the fields' types (so their
/// metadata is a per-site constant) that calls the runtime's `__private::dispatch`,
/// and the call that evaluates the values and passes them in. Interpolate it
/// (`#write`) where the event is written.
///
/// `opcode` is a const expression (`0u8`).
pub struct EventWrite<'a> {
    pub krate: &'a TokenStream,
    pub site: &'a syn::Ident,
    pub fields: &'a [Field],
    pub body: Option<&'a Field>,
    pub opcode: TokenStream,
    pub activity: ActivitySource,
}

/// Where the activity ids an event carries come from.
pub enum ActivitySource {
    /// An expression of type `Option<ActivityIds<'_>>` evaluated
    /// at the call (so it may use the caller's locals, e.g. ids the caller
    /// computed) and passed in.
    Given(TokenStream),
    /// The activity current on this thread, if any, read inside the generic
    /// function: nothing at the call site but the call (so in a `const fn`,
    /// rustc reports no other non-const call of ours).
    Current,
}

impl ToTokens for EventWrite<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let EventWrite {
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
        let refs = fields.iter().map(|f| field_value_ref(f, krate));
        let (len, bytes) = part_c_metadata(fields, &params, krate);

        let body_ty = syn::Ident::new("__UeBody", Span::call_site());
        let body_type_meta = quote!([<#body_ty as #krate::__private::FieldValue>::ENCODING,
                     <#body_ty as #krate::__private::FieldValue>::FORMAT]);
        let (body_param, body_arg, body_ref, body_value, body_meta) = match body {
            Some(body) => (
                quote!(#body_ty: #krate::__private::FieldValue,),
                quote!(__ue_body: &#body_ty,),
                field_value_ref(body, krate),
                quote!(::core::option::Option::Some((
                    __ue_body as &dyn #krate::__private::Field,
                    #body_type_meta,
                ))),
                quote!(::core::option::Option::Some(#body_type_meta)),
            ),
            None => (
                quote!(),
                quote!(),
                quote!(),
                quote!(::core::option::Option::None),
                quote!(::core::option::Option::None),
            ),
        };
        let has_body = body.is_some();
        // The metadata constants are generic over the fields' and body's types.
        let mut meta_params = params.clone();
        if has_body {
            meta_params.push(body_ty.clone());
        }
        let comma = body.map(|_| quote!(,));
        let (activity_param, activity_value, activity_arg) = match activity {
            ActivitySource::Given(expr) => (
                quote!(__ue_activity: ::core::option::Option<#krate::__private::ActivityIds<'_>>,),
                quote!(__ue_activity),
                quote!(#comma #expr),
            ),
            ActivitySource::Current => (
                quote!(),
                quote!(#krate::__private::current_ids(&#krate::__private::ActivityId::current())),
                quote!(),
            ),
        };

        // Up to the runtime's `__private::MAX_VALUES` fields, the values go
        // to the generated writer as well, as one tuple (`dispatch_direct`).
        let meta_tail = quote!(&__UeMeta::<#(#meta_params),*>::META_TAIL);
        let dispatch = if fields.len() <= DIRECT_MAX_FIELDS {
            let body_tuple = body.map(|_| quote!(__ue_body,));
            quote! {
                #krate::__private::dispatch_direct(
                    &#site,
                    &#krate::__private::EventMeta {
                        meta_tail: #meta_tail,
                        part_c_len: #len,
                        opcode: #opcode,
                        activity: #activity_value,
                    },
                    &(#(#args,)*),
                    &(#body_tuple),
                );
            }
        } else {
            quote! {
                #krate::__private::dispatch(&#site, &#krate::__private::Event {
                    meta_tail: #meta_tail,
                    part_c_len: #len,
                    fields: &[#(#args as &dyn #krate::__private::Field),*],
                    body: #body_value,
                    opcode: #opcode,
                    activity: #activity_value,
                });
            }
        };
        // The function keeps the name `__ue_dispatch`, after the runtime function it
        // calls: rustc names it in its notes about a field's type.
        tokens.extend(quote! {
            #[inline]
            #[allow(non_camel_case_types, clippy::too_many_arguments)]
            fn __ue_dispatch<#(#params: #krate::__private::FieldValue,)* #body_param>(
                #(#args: &#params,)* #body_arg
                #activity_param
            ) {
                struct __UeMeta<#(#meta_params),*>(::core::marker::PhantomData<(#(#meta_params,)*)>);
                impl<#(#meta_params: #krate::__private::FieldValue),*> __UeMeta<#(#meta_params),*> {
                    const PART_C: [u8; #len] = #bytes;
                    // PartC, then PartB: all the metadata after PartA.
                    const META_TAIL: [u8; #krate::__private::macro_meta_tail_len(#len, #has_body)] =
                        #krate::__private::macro_meta_tail(Self::PART_C, #body_meta);
                }
                #dispatch
            }
            __ue_dispatch(#(#refs,)* #body_ref #activity_arg);
        });
    }
}

/// A reference to a field's value as something implementing `FieldValue`,
/// spanned at the user's expression so type errors point there.
fn field_value_ref(field: &Field, krate: &TokenStream) -> TokenStream {
    let value = &field.value;
    let span = value.span();
    match field.conversion {
        Conversion::AsIs => quote_spanned!(span=> &(#value)),
        Conversion::Display => {
            quote_spanned!(span=> &#krate::__private::DisplayField(&(#value)))
        }
        Conversion::Debug => quote_spanned!(span=> &#krate::__private::DebugField(&(#value))),
    }
}

/// The EventHeader metadata of a struct named `PartC` holding `fields`, as a
/// const array expression. Encoding and format bytes come from each field's type
/// (`type_params[i]`), so the array is a constant per call site.
fn part_c_metadata(
    fields: &[Field],
    type_params: &[syn::Ident],
    krate: &TokenStream,
) -> (usize, TokenStream) {
    if fields.is_empty() {
        return (0, quote!([]));
    }
    let mut bytes: Vec<TokenStream> = Vec::new();
    let push_str = |bytes: &mut Vec<TokenStream>, s: &str| {
        bytes.extend(s.bytes().map(|b| quote!(#b)));
        bytes.push(quote!(0u8));
    };
    push_str(&mut bytes, "PartC");
    let count = fields.len() as u8;
    // Struct encoding with the format-follows flag, then the member count.
    bytes.push(quote!(0x81u8));
    bytes.push(quote!(#count));
    for (field, ty) in fields.iter().zip(type_params) {
        push_str(&mut bytes, &field.name);
        bytes.push(quote!(<#ty as #krate::__private::FieldValue>::ENCODING | 0x80));
        bytes.push(quote!(<#ty as #krate::__private::FieldValue>::FORMAT));
    }
    (bytes.len(), quote!([#(#bytes),*]))
}

/// `Ident` naming the type parameter of field `i`.
fn type_param(i: usize) -> syn::Ident {
    syn::Ident::new(&format!("__UeT{i}"), Span::call_site())
}

/// `tokens` with every token at `span`, so that an error about the expression
/// they form points at `span` (tokens of different spans make the compiler
/// fall back to the whole attribute).
pub fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(g) = &tt {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tt = group.into();
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}
