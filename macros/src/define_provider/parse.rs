//! Parses `define_provider!(pub NAME, "ProviderName", group = "g", keywords = [K, ..])`.

use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Token, bracketed};

use otel_user_events_abi::name::{ProviderGroup, ProviderName, ProviderNameError};

use crate::internals::Ctxt;

/// The example every syntax error shows.
const EXAMPLE: &str =
    "define_provider!(pub DRIVER, \"AcmeDriver\", group = \"acme\", keywords = [0x10])";

/// A checked provider definition.
pub struct Definition {
    /// Path of the facade crate, passed in by its `macro_rules!` wrapper.
    pub krate: TokenStream,
    /// Outer attributes (`#[doc = ..]`, `#[cfg(..)]`) of the static.
    pub attrs: Vec<syn::Attribute>,
    pub vis: syn::Visibility,
    pub ident: syn::Ident,
    /// The provider name, and its literal (where errors about it point).
    pub name: syn::LitStr,
    pub group: Option<syn::LitStr>,
    pub keywords: Vec<syn::Expr>,
}

/// Parses and checks the input; every problem found goes to `cx`.
pub fn parse(cx: &Ctxt, tokens: TokenStream) -> Option<Definition> {
    let parser = |input: ParseStream| -> syn::Result<Option<Definition>> {
        let krate_tokens;
        bracketed!(krate_tokens in input);
        let krate: TokenStream = krate_tokens.parse()?;
        let attrs = input.call(syn::Attribute::parse_outer)?;
        let vis: syn::Visibility = input.parse()?;
        let ident: syn::Ident = input.parse().map_err(|e| {
            syn::Error::new(e.span(), format!("expected the static's name: `{EXAMPLE}`"))
        })?;
        input.parse::<Token![,]>().map_err(|e| {
            syn::Error::new(
                e.span(),
                format!("expected `,` and the provider name: `{EXAMPLE}`"),
            )
        })?;
        let name: syn::LitStr = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                format!("the provider name must be a string literal: `{EXAMPLE}`"),
            )
        })?;
        let mut group: Option<syn::LitStr> = None;
        let mut keywords: Option<Vec<syn::Expr>> = None;
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let option: syn::Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            match option.to_string().as_str() {
                "group" if group.is_some() => {
                    input.parse::<syn::LitStr>()?;
                    cx.error_spanned_by(&option, "`group` is given twice");
                }
                "group" => group = Some(input.parse()?),
                "keywords" if keywords.is_some() => {
                    input.parse::<syn::ExprArray>()?;
                    cx.error_spanned_by(&option, "`keywords` is given twice");
                }
                "keywords" => {
                    let list;
                    bracketed!(list in input);
                    let parsed = Punctuated::<syn::Expr, Token![,]>::parse_terminated(&list)?;
                    keywords = Some(parsed.into_iter().collect());
                }
                other => {
                    return Err(syn::Error::new(
                        option.span(),
                        format!(
                            "unknown option `{other}`; expected `group` or `keywords`: `{EXAMPLE}`"
                        ),
                    ));
                }
            }
        }
        let valid = check_name(cx, &name, group.as_ref());
        Ok(valid.then(|| Definition {
            krate,
            attrs,
            vis,
            ident,
            name,
            group,
            keywords: keywords.unwrap_or_default(),
        }))
    };
    match parser.parse2(tokens) {
        Ok(parsed) => parsed,
        Err(e) => {
            cx.syn_error(e);
            None
        }
    }
}

/// The name and group rules, as at run time: errors point at the literal
/// that breaks them (the group's when only the group does).
fn check_name(cx: &Ctxt, name: &syn::LitStr, group: Option<&syn::LitStr>) -> bool {
    let mut valid = true;
    if let Err(e) = ProviderName::new(&name.value()) {
        cx.error_spanned_by(name, format!("invalid provider name: {e}"));
        valid = false;
    }
    if let Some(group) = group
        && let Err(e) = ProviderGroup::new(&group.value())
    {
        cx.error_spanned_by(group, format!("invalid provider group: {e}"));
        valid = false;
    }
    if valid
        && let Err(ProviderNameError::InvalidGroup(e)) = ProviderName::with_optional_group(
            &name.value(),
            group.map(syn::LitStr::value).as_deref(),
        )
    {
        // Both valid alone: together too long.
        cx.error_spanned_by(group, format!("invalid provider group: {e}"));
        valid = false;
    }
    valid
}
