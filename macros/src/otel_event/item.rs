//! The item `#[otel_event]` is on. Only a function with a body is accepted, and
//! it is read as attributes, visibility, signature and a body kept as tokens:
//! the macro never parses the body, so a syntax error in it is rustc's to
//! report, once, where it is.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::braced;
use syn::parse::{Parse, ParseStream};

use crate::internals::Ctxt;

/// A function with a body.
pub struct FnItem {
    /// The outer attributes (`#[..]` before the function).
    pub attrs: Vec<syn::Attribute>,
    pub vis: syn::Visibility,
    pub sig: syn::Signature,
    /// The inner attributes (`#![..]` at the start of the body).
    pub inner_attrs: Vec<syn::Attribute>,
    /// The statements of the body, after the inner attributes, unparsed.
    pub body: TokenStream,
}

impl Parse for FnItem {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(syn::Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let content;
        braced!(content in input);
        // Malformed inner attributes stay in the body, for rustc to report.
        let fork = content.fork();
        let inner_attrs = match fork.call(syn::Attribute::parse_inner) {
            Ok(inner_attrs) => {
                syn::parse::discouraged::Speculative::advance_to(&content, &fork);
                inner_attrs
            }
            Err(_) => Vec::new(),
        };
        let body = content.parse()?;
        Ok(FnItem {
            attrs,
            vis,
            sig,
            inner_attrs,
            body,
        })
    }
}

/// Reads the item; `None` if it is not a function with a body, is a
/// `const fn`, or has a second `#[otel_event]` (then `cx` holds why).
pub fn parse(cx: &Ctxt, item: TokenStream) -> Option<FnItem> {
    if let Ok(func) = syn::parse2::<FnItem>(item.clone()) {
        if let Some(constness) = &func.sig.constness {
            cx.error_spanned_by(
                constness,
                "#[otel_event] cannot be used on a `const fn`: events are written at run time",
            );
            return None;
        }
        if let Some(second) = func.attrs.iter().find(|a| is_otel_event(a)) {
            // This expansion runs for the first; the second is still on the
            // item. Expanded too, it would wrap the first's events in a
            // second set (two entry events, or an activity in an activity).
            cx.error_spanned_by(
                second,
                "#[otel_event] is given twice on this function: keep one, with all the options",
            );
            return None;
        }
        return Some(func);
    }
    let message = "#[otel_event] can only be used on functions and methods with a body";
    match syn::parse2::<syn::Item>(item.clone()) {
        Ok(item) => cx.error_spanned_by(item_keyword(&item), message),
        Err(_) => match syn::parse2::<syn::TraitItemFn>(item.clone()) {
            // A trait method without a default body.
            Ok(method) if method.default.is_none() => cx.error_spanned_by(
                &method.sig.ident,
                "#[otel_event] needs a function body; put it on the implementations of this method",
            ),
            _ => cx.error_spanned_by(item, message),
        },
    }
    None
}

/// `#[otel_event]` by any path: `otel_event`, `otel_user_events::otel_event`,
/// or through a renamed or re-exported facade (`telemetry::otel_event`). The
/// macro cannot tell where a path leads, so any attribute path ending in
/// `otel_event` is taken for it.
fn is_otel_event(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "otel_event")
}

/// The token that says what kind of item this is (`struct`, `impl`, ...).
fn item_keyword(item: &syn::Item) -> TokenStream {
    match item {
        syn::Item::Struct(i) => i.struct_token.to_token_stream(),
        syn::Item::Enum(i) => i.enum_token.to_token_stream(),
        syn::Item::Union(i) => i.union_token.to_token_stream(),
        syn::Item::Impl(i) => i.impl_token.to_token_stream(),
        syn::Item::Trait(i) => i.trait_token.to_token_stream(),
        syn::Item::Mod(i) => i.mod_token.to_token_stream(),
        syn::Item::Const(i) => i.const_token.to_token_stream(),
        syn::Item::Static(i) => i.static_token.to_token_stream(),
        syn::Item::Type(i) => i.type_token.to_token_stream(),
        syn::Item::Use(i) => i.use_token.to_token_stream(),
        other => other.to_token_stream(),
    }
}
