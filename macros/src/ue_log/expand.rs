//! Generates the code of a `ue_log!` call.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::parse::UeLog;
use crate::codegen::{EventWrite, Site, callsite_statics, level_expr};

pub fn expand(event: &UeLog) -> TokenStream {
    let krate = &event.krate;
    let site_ident = format_ident!("__UE_SITE");
    let keyword = match &event.keyword {
        Some(expr) => quote!(#expr),
        None => quote!(1u64),
    };
    let statics = callsite_statics(&Site {
        krate,
        ident: site_ident.clone(),
        event_name: &event.name,
        level: level_expr(&event.level, krate),
        keyword,
        fields: &event.fields,
    });
    let write = EventWrite {
        krate,
        site: &site_ident,
        fields: &event.fields,
        body: event.body.as_ref(),
        opcode: quote!(0u8),
        // The current activity (an `#[otel_event]` call running, or its future
        // being polled, on this thread) ties the event to it. Read at the call,
        // inside the enabled branch: the disabled path stays one load.
        activity: quote!(#krate::__private::current_ids(
            &#krate::__private::ActivityId::current()
        )),
    };
    // The check is a non-const function named so that rustc's error in a
    // `const fn` ("cannot call non-const function `ue_log_cannot_be_used_in_a_const_fn`")
    // says what is wrong: a macro cannot see that it is in a `const fn`. The
    // write is a closure it calls, so that error is the only one (calls inside
    // a closure are not checked as const); a `dyn` one, so the message names no
    // closure type. Inlined, the call is direct and the disabled path is still
    // one load and a branch.
    quote! {{
        #statics
        #[inline(always)]
        fn ue_log_cannot_be_used_in_a_const_fn(
            site: &#krate::__private::Callsite,
            write: &mut dyn ::core::ops::FnMut(),
        ) {
            if site.is_enabled() {
                write()
            }
        }
        ue_log_cannot_be_used_in_a_const_fn(&#site_ident, &mut || { #write });
    }}
}
