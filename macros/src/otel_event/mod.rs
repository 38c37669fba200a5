//! `#[otel_event]`: `attr` reads and checks the options and the function,
//! `expand` generates the instrumented function.

mod attr;
mod expand;

use proc_macro2::{Span, TokenStream};

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

/// `tokens` with every token at `span`, so that an error about the expression
/// they form points at `span` (tokens of different spans make the compiler
/// fall back to the whole attribute).
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(g) = &tt {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tt = group.into();
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}
