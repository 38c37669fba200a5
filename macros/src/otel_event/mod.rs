//! `#[otel_event]`, in three steps: read (`attr` the options, `item` the
//! function, whose body stays tokens; `sig` holds the facts about its
//! signature), `check` the options against the function (errors only), and
//! `expand` the instrumented function.

mod attr;
mod check;
mod expand;
mod item;
mod sig;

use proc_macro2::TokenStream;

use crate::internals::Ctxt;

pub fn otel_event(attr: TokenStream, item: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let options = attr::parse(&cx, attr);
    let func = item::parse(&cx, item.clone());
    let checked = options
        .zip(func)
        .and_then(|(options, func)| check::check(&cx, options, func));
    match cx.finish() {
        Ok(()) => checked.as_ref().map(expand::expand).unwrap_or(item),
        // The errors, and the function unchanged so its callers still compile
        // (no follow-on errors).
        Err(errors) => {
            let mut out = errors.into_compile_error();
            out.extend(item);
            out
        }
    }
}
