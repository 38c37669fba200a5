//! Procedural macros of `otel-user-events`. Use them through the `otel-user-events`
//! crate, which documents them: `ue_log!`, `#[otel_event]` and `define_provider!`.
//!
//! Layout: each macro reads and checks its input, errors collected in a
//! `Ctxt`, and only then generates code. `internals` holds the reading and the
//! rules both macros share (fields, levels, names, limits) and generates
//! nothing; `codegen` holds the code generation both share; each macro has a
//! folder: `ue_log` (`parse`, `tracing_habits`, `expand`), `otel_event`
//! (`attr`, `item`, `sig`, `check`, `expand`) and `define_provider`
//! (`parse`, `expand`).

mod codegen;
mod define_provider;
mod internals;
mod otel_event;
mod ue_log;

use proc_macro::TokenStream;

/// Implementation of `ue_log!`; call `otel_user_events::ue_log!` instead, which
/// passes its own crate path as the first token tree.
#[doc(hidden)]
#[proc_macro]
pub fn ue_log_impl(input: TokenStream) -> TokenStream {
    ue_log::ue_log(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implementation of `define_provider!`; call `otel_user_events::define_provider!`
/// instead, which passes its own crate path as the first token tree.
#[doc(hidden)]
#[proc_macro]
pub fn define_provider_impl(input: TokenStream) -> TokenStream {
    define_provider::define_provider(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Writes events when the annotated function is called: one event with its
/// arguments, or with `ret`, `err` or `duration` an activity (start and stop
/// events). Use it as `otel_user_events::otel_event`, which documents it.
#[proc_macro_attribute]
pub fn otel_event(attr: TokenStream, item: TokenStream) -> TokenStream {
    otel_event::otel_event(attr.into(), item.into()).into()
}
