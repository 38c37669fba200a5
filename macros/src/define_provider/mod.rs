//! `define_provider!`: `parse` reads and checks the definition (the name and
//! group rules of `otel_user_events_abi::name`), `expand` generates the
//! provider's static and its entry in the link-time list.

mod expand;
mod parse;

use proc_macro2::TokenStream;

use crate::internals::Ctxt;

pub fn define_provider(input: TokenStream) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let parsed = parse::parse(&cx, input);
    cx.finish()?;
    Ok(parsed.map(|p| expand::expand(&p)).unwrap_or_default())
}
