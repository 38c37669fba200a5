//! Parses `ue_log!(level, "Name", keyword = K, field = value, %x, ?y, body = b)`.

use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::{Token, bracketed};

use crate::internals::Ctxt;
use crate::internals::event_fields::{MAX_FIELDS, check_field, check_field_count};
use crate::internals::field::{Conversion, Field, NameForm, parse_field_and_form};
use crate::internals::level::Level;
use crate::internals::names::check_event_name;

use super::tracing_habits::tracing_syntax;

/// A checked `ue_log!` call.
pub struct UeLog {
    /// Path of the facade crate, passed in by its `macro_rules!` wrapper.
    pub krate: TokenStream,
    /// `provider: PATH,` before the level: the library provider it writes to.
    pub provider: Option<syn::Path>,
    pub level: Level,
    pub name: String,
    pub keyword: Option<syn::Expr>,
    pub body: Option<Field>,
    pub fields: Vec<Field>,
}

/// One comma-separated item after the event name.
enum Item {
    Keyword(syn::Expr),
    Body(Field),
    Field(Field),
}

/// Parses and checks the input; every problem found goes to `cx`.
pub fn parse(cx: &Ctxt, tokens: TokenStream) -> Option<UeLog> {
    let parser = |input: ParseStream| -> syn::Result<Option<UeLog>> {
        let krate_tokens;
        bracketed!(krate_tokens in input);
        let krate: TokenStream = krate_tokens.parse()?;

        if input.is_empty() {
            return Err(input
                .error("expected a level and an event name, e.g. `ue_log!(info, \"Started\")`"));
        }
        let provider = parse_provider(input)?;
        if let Some(error) = tracing_syntax(input, false) {
            return Err(error);
        }
        let level_path: syn::Path = input.parse()?;
        let level = Level::from_path(cx, level_path);

        let name = parse_event_name(cx, input)?;
        let mut keyword: Option<syn::Expr> = None;
        let mut body: Option<Field> = None;
        let mut fields: Vec<Field> = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            if let Some(error) = tracing_syntax(input, true) {
                return Err(error);
            }
            match parse_item(input)? {
                Item::Keyword(expr) if keyword.is_some() => {
                    cx.error_spanned_by(expr, "`keyword` is given twice")
                }
                Item::Keyword(expr) => keyword = Some(expr),
                Item::Body(field) if body.is_some() => {
                    cx.syn_error(syn::Error::new(field.name_span, "`body` is given twice"))
                }
                Item::Body(field) => body = Some(field),
                Item::Field(field) => {
                    check_field(cx, &field, &fields);
                    fields.push(field);
                }
            }
        }
        // Pointed at the first field past the limit.
        if let Err(limit) = check_field_count(fields.len()) {
            cx.syn_error(syn::Error::new(
                fields[MAX_FIELDS].name_span,
                format!("too many fields: {limit}"),
            ));
        }
        Ok(level.zip(name).map(|(level, name)| UeLog {
            krate,
            provider,
            level,
            name,
            keyword,
            body,
            fields,
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

/// `provider: PATH,` (a library provider's static) at the start, if there.
fn parse_provider(input: ParseStream) -> syn::Result<Option<syn::Path>> {
    let is_provider = input
        .fork()
        .parse::<syn::Ident>()
        .is_ok_and(|i| i == "provider")
        && input.peek2(Token![:])
        && !input.peek2(Token![::]);
    if !is_provider {
        return Ok(None);
    }
    input.parse::<syn::Ident>()?;
    input.parse::<Token![:]>()?;
    let path: syn::Path = input.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            "expected the path of a library provider's static after `provider:`, e.g. \
             `ue_log!(provider: crate::DRIVER, info, \"Connected\")`",
        )
    })?;
    if input.is_empty() {
        return Err(input.error(
            "expected a level and an event name after the provider, e.g. \
             `ue_log!(provider: crate::DRIVER, info, \"Connected\")`",
        ));
    }
    input.parse::<Token![,]>()?;
    Ok(Some(path))
}

/// `, "Name"`: a string literal that follows the event name rules.
fn parse_event_name(cx: &Ctxt, input: ParseStream) -> syn::Result<Option<String>> {
    let missing = "missing event name: expected a string literal after the level, e.g. `ue_log!(info, \"OrderPlaced\", ..)`";
    if input.is_empty() {
        return Err(input.error(missing));
    }
    input.parse::<Token![,]>()?;
    if let Some(error) = tracing_syntax(input, false) {
        return Err(error);
    }
    let looks_like_field = input.is_empty()
        || input.peek(Token![%])
        || input.peek(Token![?])
        || (input.peek2(Token![=]) && !input.peek2(Token![==]));
    if looks_like_field {
        return Err(input.error(missing));
    }
    if !input.peek(syn::LitStr) {
        let expr: syn::Expr = input.parse()?;
        cx.error_spanned_by(
            &expr,
            "the event name must be a string literal: it is part of the metadata built at compile time",
        );
        return Ok(None);
    }
    let lit: syn::LitStr = input.parse()?;
    let name = lit.value();
    if let Err(message) = check_event_name(&name) {
        cx.error_spanned_by(&lit, message);
        return Ok(None);
    }
    Ok(Some(name))
}

/// `keyword = CONST`, `body = VALUE`, or a field. An option's name means the
/// option in the shorthand too (`body` is `body = body`); `r#body = x` and
/// `"body" = x` are fields named `body`.
fn parse_item(input: ParseStream) -> syn::Result<Item> {
    let (field, form) = parse_field_and_form(input)?;
    if form == NameForm::Verbatim {
        return Ok(Item::Field(field));
    }
    match field.name.as_str() {
        "keyword" if field.conversion != Conversion::AsIs => Err(syn::Error::new(
            field.name_span,
            "`keyword` takes a constant expression, without `%` or `?`: `keyword = 0x10`; for a field named `keyword`, write `r#keyword`",
        )),
        "keyword" => Ok(Item::Keyword(field.value)),
        "body" => Ok(Item::Body(field)),
        _ => Ok(Item::Field(field)),
    }
}
