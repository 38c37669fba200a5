//! `#[otel_event]`: `attr` reads and checks the options and the function,
//! `expand` generates the instrumented function.

mod attr;
mod expand;

use proc_macro2::TokenStream;

use crate::internals::Ctxt;

pub fn otel_event(attr: TokenStream, item: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let parsed = attr::parse(&cx, attr, item.clone());
    match cx.check() {
        Ok(()) => parsed.map(expand::expand).unwrap_or(item),
        // The errors, and the function unchanged so its callers still compile
        // (no follow-on errors).
        Err(errors) => {
            let mut out = errors.into_compile_error();
            out.extend(item);
            out
        }
    }
}
