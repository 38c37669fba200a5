//! Event fields: `name = value`, `name = %value`, `name = ?value`, `%value`,
//! `?value`, `value`, `"dotted.name" = value`, `dotted.name = value`.

use proc_macro2::Span;
use quote::ToTokens;
use syn::Token;
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::spanned::Spanned;

/// How a value becomes a field.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    /// None: the value is written through its `FieldValue` implementation.
    AsIs,
    /// `%value`: formatted with `Display` when written.
    Display,
    /// `?value`: formatted with `Debug` when written.
    Debug,
}

/// One field of an event.
#[derive(Clone)]
pub struct Field {
    pub name: String,
    /// Where the name was written (for errors).
    pub name_span: Span,
    pub conversion: Conversion,
    pub value: syn::Expr,
}

/// How a field's name was written. Only a plain identifier (`body = x`, or
/// the shorthand `body`) may stand for an option of the macro; a raw
/// identifier (`r#body`), a quoted name and a dotted name always name a field.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum NameForm {
    Plain,
    Verbatim,
}

/// Parses one field: `name = value`, `"any.name" = value` or `dotted.name =
/// value` (as in tracing), with `%` (Display) or `?` (Debug) before the value,
/// or the shorthands `value`, `%value`, `?value` named after the variable or
/// the last member.
pub fn parse_field(input: ParseStream) -> syn::Result<Field> {
    parse_field_and_form(input).map(|(field, _)| field)
}

/// [`parse_field`], and how the name was written.
pub fn parse_field_and_form(input: ParseStream) -> syn::Result<(Field, NameForm)> {
    let name = parse_name(input)?;
    let conversion = if input.peek(Token![%]) {
        input.parse::<Token![%]>()?;
        Conversion::Display
    } else if input.peek(Token![?]) {
        input.parse::<Token![?]>()?;
        Conversion::Debug
    } else {
        Conversion::AsIs
    };
    let value: syn::Expr = input.parse()?;
    let (name, name_span, form) = match name {
        Some(name) => name,
        None => shorthand_name(&value)?,
    };
    let field = Field {
        name,
        name_span,
        conversion,
        value,
    };
    Ok((field, form))
}

/// The `name =` before a value, if there is one: a string literal, or
/// identifiers joined by `.` (`http.method`), followed by `=`. Without the `=`,
/// `a.b` is a value (the shorthand `self.x`), and nothing is consumed.
fn parse_name(input: ParseStream) -> syn::Result<Option<(String, Span, NameForm)>> {
    if input.peek(syn::LitStr) && input.peek2(Token![=]) && !input.peek2(Token![==]) {
        let lit: syn::LitStr = input.parse()?;
        input.parse::<Token![=]>()?;
        return Ok(Some((lit.value(), lit.span(), NameForm::Verbatim)));
    }
    let fork = input.fork();
    let followed_by_eq =
        |s: ParseStream| s.peek(Token![=]) && !s.peek(Token![==]) && !s.peek(Token![=>]);
    if !(dotted_name(&fork).is_ok() && followed_by_eq(&fork)) {
        return Ok(None);
    }
    let segments = dotted_name(input)?;
    let first = &segments[0];
    if syn::parse2::<syn::Ident>(first.to_token_stream()).is_err() {
        return Err(keyword_name(&segments));
    }
    input.parse::<Token![=]>()?;
    let text: Vec<String> = segments.iter().map(unraw).collect();
    let form = match segments.len() {
        1 if !first.to_string().starts_with("r#") => NameForm::Plain,
        _ => NameForm::Verbatim,
    };
    Ok(Some((text.join("."), first.span(), form)))
}

/// `a`, `a.b`, `a.b.c`: identifiers (raw ones too; after a `.`, keywords too,
/// as in `error.type`) joined by single dots.
fn dotted_name(input: ParseStream) -> syn::Result<Vec<syn::Ident>> {
    let mut segments = vec![input.call(syn::Ident::parse_any)?];
    while input.peek(Token![.]) && !input.peek(Token![..]) && input.peek2(syn::Ident::peek_any) {
        input.parse::<Token![.]>()?;
        segments.push(input.call(syn::Ident::parse_any)?);
    }
    Ok(segments)
}

/// The error for a name that starts with a Rust keyword (`type = 1`), at the
/// keyword: how to write it instead.
fn keyword_name(segments: &[syn::Ident]) -> syn::Error {
    let keyword = segments[0].to_string();
    let full: Vec<String> = segments.iter().map(unraw).collect();
    let quoted = format!("\"{}\" = ..", full.join("."));
    // These cannot be raw identifiers.
    let advice = if matches!(keyword.as_str(), "self" | "Self" | "super" | "crate" | "_") {
        format!("write the name quoted: `{quoted}`")
    } else {
        let mut raw = full.clone();
        raw[0] = format!("r#{keyword}");
        format!("write `{} = ..` or `{quoted}`", raw.join("."))
    };
    syn::Error::new(
        segments[0].span(),
        format!(
            "`{keyword}` is a Rust keyword, so it cannot start a field name as written: {advice}"
        ),
    )
}

/// An identifier's text without a raw `r#` prefix.
pub fn unraw(ident: &syn::Ident) -> String {
    let text = ident.to_string();
    text.strip_prefix("r#").map(str::to_owned).unwrap_or(text)
}

/// The name of a field written as a bare value: the variable (`x`) or the last
/// member (`self.x`).
fn shorthand_name(value: &syn::Expr) -> syn::Result<(String, Span, NameForm)> {
    let named = |ident: &syn::Ident| {
        let form = match ident.to_string().starts_with("r#") {
            true => NameForm::Verbatim,
            false => NameForm::Plain,
        };
        Ok((unraw(ident), ident.span(), form))
    };
    match value {
        syn::Expr::Path(p) if p.path.segments.len() == 1 && p.qself.is_none() => {
            named(&p.path.segments[0].ident)
        }
        syn::Expr::Field(syn::ExprField {
            member: syn::Member::Named(ident),
            ..
        }) => named(ident),
        other => Err(syn::Error::new(
            other.span(),
            "this field needs a name: write `name = value`",
        )),
    }
}
