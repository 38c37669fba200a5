//! Event fields: `name = value`, `name = %value`, `name = ?value`, `%value`,
//! `?value`, `value`, `"dotted.name" = value`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::Token;
use syn::parse::ParseStream;
use syn::spanned::Spanned;

/// How a value becomes a field.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Capture {
    /// Through its `FieldValue` implementation.
    Value,
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
    pub capture: Capture,
    pub value: syn::Expr,
}

impl Field {
    /// A reference to the value as something implementing `FieldValue`, spanned
    /// at the user's expression so type errors point there.
    pub fn reference(&self, krate: &TokenStream) -> TokenStream {
        let value = &self.value;
        let span = value.span();
        match self.capture {
            Capture::Value => quote_spanned!(span=> &(#value)),
            Capture::Display => {
                quote_spanned!(span=> &#krate::__private::DisplayField(&(#value)))
            }
            Capture::Debug => quote_spanned!(span=> &#krate::__private::DebugField(&(#value))),
        }
    }
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
    let capture = if input.peek(Token![%]) {
        input.parse::<Token![%]>()?;
        Capture::Display
    } else if input.peek(Token![?]) {
        input.parse::<Token![?]>()?;
        Capture::Debug
    } else {
        Capture::Value
    };
    let value: syn::Expr = input.parse()?;
    let (name, name_span) = match name {
        Some(name) => name,
        None => shorthand_name(&value)?,
    };
    Ok(Field {
        name,
        name_span,
        capture,
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

/// The EventHeader metadata of a struct named `PartC` holding `fields`, as a
/// const array expression. Encoding and format bytes come from each field's type
/// (`type_params[i]`), so the array is a constant per call site.
pub fn part_c_metadata(
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
pub fn type_param(i: usize) -> syn::Ident {
    syn::Ident::new(&format!("__UeT{i}"), Span::call_site())
}
