//! Procedural macros of `otel-user-events`. Use them through the `otel-user-events`
//! crate, which documents them: `ue_log!` and `#[otel_event]`.
//!
//! Layout: `internals` parses and checks (errors collected in a `Ctxt`),
//! `codegen` holds the code generation both macros share, and each macro has a
//! folder with its own `parse` and `expand`.

mod codegen;
mod internals;
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
