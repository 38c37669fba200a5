//! `ue_log!`: `parse` reads and checks the call (`tracing_habits` explains the
//! tracing syntax it does not take), `expand` generates its code.

mod expand;
mod parse;
mod tracing_habits;

use proc_macro2::TokenStream;

use crate::internals::Ctxt;

pub fn ue_log(input: TokenStream) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let parsed = parse::parse(&cx, input);
    cx.finish()?;
    Ok(parsed
        .map(|event| expand::expand(&event))
        .unwrap_or_default())
}
