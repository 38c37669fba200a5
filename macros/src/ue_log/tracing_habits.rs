//! What users of `tracing` write that `ue_log!` does not take (`target:`,
//! `name:`, a message string), and the error that says what to write instead.

use proc_macro2::TokenStream;
use syn::Token;
use syn::parse::ParseStream;

use crate::internals::rust_text::rust_text;

/// The error for tracing syntax at the start of `input`, if there is some:
/// `target: ..` / `name: ..` (where the level or a field is expected), or a
/// format string (where a field is expected). Consumes the rest of the input
/// when it returns one: nothing after it can be read as intended.
pub fn tracing_syntax(input: ParseStream, at_field: bool) -> Option<syn::Error> {
    if input.peek(syn::Ident) && input.peek2(Token![:]) && !input.peek2(Token![::]) {
        let ident: syn::Ident = input.parse().ok()?;
        let rest: TokenStream = input.parse().ok()?;
        return Some(not_an_option(&ident, rest));
    }
    // A string followed by `=` (not `==`) is a quoted field name.
    let named = input.peek2(Token![=]) && !input.peek2(Token![==]);
    let message = input.peek(syn::LitStr) && !named;
    if at_field && message {
        let lit: syn::LitStr = input.fork().parse().ok()?;
        let format: TokenStream = input.parse().ok()?;
        return Some(syn::Error::new(
            lit.span(),
            format!(
                "a message string is not a field: to write it as the event's body, write \
                 `body = %format_args!({})`",
                rust_text(format)
            ),
        ));
    }
    None
}

/// `target: "x"`, `name: "X"`, `parent: ..`: tracing's options, none of which
/// `ue_log!` has. `rest` is what follows the `:`.
fn not_an_option(ident: &syn::Ident, rest: TokenStream) -> syn::Error {
    let option = ident.to_string();
    // The user's name in the example, when it follows `name:`.
    let name = syn::parse2::<syn::LitStr>(rest.into_iter().nth(1).into_iter().collect())
        .ok()
        .filter(|_| option == "name")
        .map_or_else(|| "\"EventName\"".to_owned(), |lit| lit.token().to_string());
    let syntax = format!("ue_log!(info, {name}, field = value, ..)");
    let why = match option.as_str() {
        "target" => format!(
            "an event's OpenTelemetry target is the module path of the call, and its name is the \
             string after the level: `{syntax}`"
        ),
        "name" => format!("the event name is the string after the level: `{syntax}`"),
        _ => format!("write `{syntax}`"),
    };
    syn::Error::new(
        ident.span(),
        format!("`{option}:` is not an option of ue_log!: {why}"),
    )
}
