//! Event fields: `name = value`, `name = %value`, `name = ?value`, `%value`,
//! `?value`, `value`, `"dotted.name" = value`.

use proc_macro2::Span;
use syn::Token;
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

/// Parses one field: `name = value` or `"dotted.name" = value`, with `%` (Display)
/// or `?` (Debug) before the value, or the shorthands `value`, `%value`, `?value`
/// named after the variable or the last member.
pub fn parse_field(input: ParseStream) -> syn::Result<Field> {
    let named = input.peek2(Token![=]) && !input.peek2(Token![==]);
    let name = if named && input.peek(syn::LitStr) {
        let lit: syn::LitStr = input.parse()?;
        input.parse::<Token![=]>()?;
        Some((lit.value(), lit.span()))
    } else if named && input.peek(syn::Ident) {
        let ident: syn::Ident = input.parse()?;
        input.parse::<Token![=]>()?;
        Some((unraw(&ident), ident.span()))
    } else {
        None
    };
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
    let (name, name_span) = match name {
        Some(name) => name,
        None => shorthand_name(&value)?,
    };
    Ok(Field {
        name,
        name_span,
        conversion,
        value,
    })
}

/// An identifier's text without a raw `r#` prefix.
pub fn unraw(ident: &syn::Ident) -> String {
    let text = ident.to_string();
    text.strip_prefix("r#").map(str::to_owned).unwrap_or(text)
}

/// The name of a field written as a bare value: the variable (`x`) or the last
/// member (`self.x`).
fn shorthand_name(value: &syn::Expr) -> syn::Result<(String, Span)> {
    match value {
        syn::Expr::Path(p) if p.path.segments.len() == 1 && p.qself.is_none() => {
            let ident = &p.path.segments[0].ident;
            Ok((unraw(ident), ident.span()))
        }
        syn::Expr::Field(syn::ExprField {
            member: syn::Member::Named(ident),
            ..
        }) => Ok((unraw(ident), ident.span())),
        other => Err(syn::Error::new(
            other.span(),
            "this field needs a name: write `name = value`",
        )),
    }
}
