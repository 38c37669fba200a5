//! Generates the code of a `ue_log!` call.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::parse::UeLog;
use crate::codegen::{ActivitySource, EventWrite, Site, callsite_statics, level_expr};

pub fn expand(event: &UeLog) -> TokenStream {
    let krate = &event.krate;
    let site_ident = format_ident!("__UE_SITE");
    let keyword = match &event.keyword {
        Some(expr) => quote!(#expr),
        None => {
            let keyword = otel_user_events_abi::DEFAULT_KEYWORD;
            quote!(#keyword)
        }
    };
    let statics = callsite_statics(&Site {
        krate,
        ident: site_ident.clone(),
        event_name: &event.name,
        level: level_expr(&event.level, krate),
        keyword,
        fields: &event.fields,
        provider: event.provider.as_ref(),
    });
    let write = EventWrite {
        krate,
        site: &site_ident,
        fields: &event.fields,
        body: event.body.as_ref(),
        opcode: quote!(0u8),
        // The current activity (an `#[otel_event]` call running, or its future
        // being polled, on this thread) ties the event to it. Read inside the
        // enabled branch: the disabled path stays one load.
        activity: ActivitySource::Current,
    };
    // The check is a non-const function named so that rustc's error in a
    // `const fn` ("cannot call non-const function `ue_log_cannot_be_used_in_a_const_fn`")
    // says what is wrong: a macro cannot see that it is in a `const fn`.
    // (Passing the write as a closure would leave that error alone, but the
    // closure's captures make the disabled path spill the values: 8 -> 25
    // instructions in callgrind. rustc also names `__ue_dispatch`.)
    quote! {{
        #statics
        #[inline(always)]
        fn ue_log_cannot_be_used_in_a_const_fn(site: &#krate::__private::Callsite) -> bool {
            site.is_enabled()
        }
        if ue_log_cannot_be_used_in_a_const_fn(&#site_ident) {
            #write
        }
    }}
}
