//! Generates the annotated function: the call-site statics, the entry event,
//! and for an activity the body moved into a closure (or an `async` block) so
//! its result, early returns, `?` and panics all pass through the stop event.
//! The body is moved as the tokens it was written in.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::visit_mut::VisitMut;

use super::attr::Recorded;
use super::check::{EventFn, Split};
use super::sig;
use crate::codegen::{ActivitySource, EventWrite, Site, callsite_statics, level_expr, respan};
use crate::internals::field::{Conversion, Field};

/// The name of the facade crate in Cargo.toml.
const FACADE: &str = "otel-user-events";

use otel_user_events_abi::opcode::{
    ACTIVITY_START as OPCODE_START, ACTIVITY_STOP as OPCODE_STOP, INFO as OPCODE_INFO,
};

/// The events of one function, as code: what their call sites share.
struct FnEvents<'a> {
    ev: &'a EventFn,
    /// Path of the facade crate.
    krate: TokenStream,
    /// Const expressions.
    level: TokenStream,
    keyword: TokenStream,
    /// Fields of the entry event: recorded arguments, then `fields(..)`.
    entry_fields: Vec<Field>,
}

pub fn expand(ev: &EventFn) -> TokenStream {
    let krate = ev
        .krate
        .as_ref()
        .map(|p| p.to_token_stream())
        .unwrap_or_else(facade_path);
    let level = ev
        .level
        .as_ref()
        .map(|l| level_expr(l, &krate))
        .unwrap_or_else(|| quote!(#krate::__private::Level::Info));
    let keyword = ev
        .keyword
        .as_ref()
        .map(|k| k.to_token_stream())
        .unwrap_or_else(|| {
            let keyword = otel_user_events_abi::DEFAULT_KEYWORD;
            quote!(#keyword)
        });
    let mut entry_fields: Vec<Field> = ev
        .recorded_args
        .iter()
        .map(|a| arg_field(a, &krate))
        .collect();
    entry_fields.extend(ev.fields.iter().cloned());
    let events = FnEvents {
        ev,
        krate,
        level,
        keyword,
        entry_fields,
    };

    let mut sig = ev.func.sig.clone();
    let body = if ev.is_activity() {
        activity_body(&events, &mut sig)
    } else {
        event_body(&events)
    };
    let attrs = &ev.func.attrs;
    let vis = &ev.func.vis;
    let inner = &ev.func.inner_attrs;
    quote! {
        #(#attrs)*
        #vis #sig {
            #(#inner)*
            #body
        }
    }
}

/// The facade's path as the user's Cargo.toml names it (renamed or not).
fn facade_path() -> TokenStream {
    use proc_macro_crate::{FoundCrate, crate_name};
    match crate_name(FACADE) {
        Ok(FoundCrate::Name(name)) => {
            let ident = syn::Ident::new(&name, Span::call_site());
            quote!(::#ident)
        }
        // The facade's own lib, examples and doctests: all see it under its
        // own name (the lib through `extern crate self as otel_user_events`).
        Ok(FoundCrate::Itself) | Err(_) => quote!(::otel_user_events),
    }
}

/// The field of a recorded argument. It is read through `ArgRef` (a copy
/// when `Copy`, taken in the enabled branch), spanned at the argument so type
/// errors point there.
fn arg_field(arg: &sig::Arg, krate: &TokenStream) -> Field {
    let span = arg.ident.span();
    let krate_at = respan(krate.clone(), span);
    let ident = &arg.ident;
    let value = quote_spanned! {span=>
        {
            #[allow(unused_imports)]
            use #krate_at::__private::{ByCopy as _, ByRef as _};
            (&#krate_at::__private::ArgRef(&#ident)).arg()
        }
    };
    Field {
        name: arg.name.clone(),
        name_span: span,
        conversion: Conversion::AsIs,
        value: syn::parse2(value).expect("an argument read is an expression"),
    }
}

/// Local names of the generated code, hidden from the user's code.
fn local(name: &str) -> syn::Ident {
    syn::Ident::new(name, Span::mixed_site())
}

/// A field whose value is generated code; type errors about it point at `at`.
fn generated_field(name: &str, at: Span, conversion: Conversion, value: TokenStream) -> Field {
    let value = quote_spanned!(at=> #value);
    Field {
        name: name.to_owned(),
        name_span: at,
        conversion,
        value: syn::parse2(value).expect("generated field values are expressions"),
    }
}

/// One call site: its statics, and the write of its event.
struct SiteCode {
    statics: TokenStream,
    ident: syn::Ident,
    fields: Vec<Field>,
}

impl SiteCode {
    fn new(events: &FnEvents, ident: &str, fields: Vec<Field>) -> SiteCode {
        let ident = format_ident!("{}", ident);
        let statics = callsite_statics(&Site {
            krate: &events.krate,
            ident: ident.clone(),
            event_name: &events.ev.name,
            level: events.level.clone(),
            keyword: events.keyword.clone(),
            fields: &fields,
            provider: events.ev.provider.as_ref(),
        });
        SiteCode {
            statics,
            ident,
            fields,
        }
    }

    /// `{ write }`: writes the event with `opcode` and activity ids `activity`.
    fn write(&self, events: &FnEvents, opcode: u8, activity: TokenStream) -> TokenStream {
        let write = EventWrite {
            krate: &events.krate,
            site: &self.ident,
            fields: &self.fields,
            body: None,
            opcode: quote!(#opcode),
            activity: ActivitySource::Given(activity),
        };
        quote!({ #write })
    }

    /// `if SITE.is_enabled() { write }`.
    fn write_if_enabled(
        &self,
        events: &FnEvents,
        opcode: u8,
        activity: TokenStream,
    ) -> TokenStream {
        let site = &self.ident;
        let write = self.write(events, opcode, activity);
        quote!(if #site.is_enabled() #write)
    }
}

/// No activity: one event on entry (carrying the current activity's id, if
/// any), then the body unchanged.
fn event_body(events: &FnEvents) -> TokenStream {
    let krate = &events.krate;
    let site = SiteCode::new(events, "__UE_FN_EVENT", events.entry_fields.clone());
    let statics = &site.statics;
    let write = site.write_if_enabled(
        events,
        OPCODE_INFO,
        quote!(#krate::__private::current_ids(&#krate::__private::ActivityId::current())),
    );
    let body = &events.ev.func.body;
    quote! {
        #statics
        #write
        #body
    }
}

/// An activity: start event on entry, the body in a closure or `async` block,
/// a stop event for each way it can end.
fn activity_body(events: &FnEvents, sig: &mut syn::Signature) -> TokenStream {
    let ev = events.ev;
    let krate = &events.krate;
    let is_async = ev.func.sig.asyncness.is_some();
    let act = local("__ue_act");
    let why = local("__ue_why");
    let out = local("__ue_out");
    let ok = local("__ue_ok");
    let err = local("__ue_err");

    // Every stop event ends with the call's duration.
    let duration_field = |fields: &mut Vec<Field>| {
        fields.push(generated_field(
            "duration_ns",
            Span::mixed_site(),
            Conversion::AsIs,
            quote!(#act.duration_ns()),
        ));
    };
    let record = |name: &str, recorded: &Recorded, value: &syn::Ident| {
        let at = Span::mixed_site().located_at(recorded.span);
        let value = syn::Ident::new(&value.to_string(), at);
        generated_field(name, at, recorded.conversion, quote!(#value))
    };

    let start = SiteCode::new(events, "__UE_FN_START", events.entry_fields.clone());

    // Stop after a return: `return` and/or `error`, and `duration_ns`.
    let mut stop_fields = Vec::new();
    if let Some(ret) = &ev.ret {
        stop_fields.push(record(
            "return",
            ret,
            if ev.split == Split::No { &out } else { &ok },
        ));
    }
    duration_field(&mut stop_fields);
    let stop = SiteCode::new(events, "__UE_FN_STOP", stop_fields);
    let stop_err = (ev.split != Split::No).then(|| {
        let mut fields = Vec::new();
        if let Some(err_opt) = &ev.err {
            fields.push(record("error", err_opt, &err));
        }
        duration_field(&mut fields);
        SiteCode::new(events, "__UE_FN_STOP_ERR", fields)
    });
    let abandoned = |name: &str, ident: &str| {
        let mut fields = vec![generated_field(
            name,
            Span::mixed_site(),
            Conversion::AsIs,
            quote!(true),
        )];
        duration_field(&mut fields);
        SiteCode::new(events, ident, fields)
    };
    let panicked = abandoned("panicked", "__UE_FN_PANICKED");
    let cancelled = is_async.then(|| abandoned("cancelled", "__UE_FN_CANCELLED"));

    let statics = [
        Some(&start),
        Some(&stop),
        stop_err.as_ref(),
        Some(&panicked),
        cancelled.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(|s| &s.statics);
    let start_site = &start.ident;
    let started = local("__ue_started");
    let write_start = start.write(events, OPCODE_START, quote!(#started.start_ids()));
    let stop_ids = quote!(#act.stop_ids());

    // Written when the function returns, with `act` and `out` in scope.
    let write_stop = stop.write_if_enabled(events, OPCODE_STOP, stop_ids.clone());
    let on_return = match &stop_err {
        Some(stop_err) => {
            let write_err = stop_err.write_if_enabled(events, OPCODE_STOP, stop_ids.clone());
            // A type error here (the function does not return a `Result`)
            // points at `err` (or `ret`).
            let at = ev
                .err
                .as_ref()
                .or(ev.ret.as_ref())
                .map_or(Span::call_site(), |r| r.span);
            // One span for every token, or the error falls back to the whole attribute.
            let at = Span::mixed_site().located_at(at);
            let krate_at = respan(krate.clone(), at);
            let out_at = syn::Ident::new("__ue_out", at);
            // `out` is a reference to the result here.
            let split = if ev.split == Split::IfResult {
                quote_spanned! {at=> {
                    #[allow(unused_imports)]
                    use #krate_at::__private::{OtherReturned as _, ResultReturned as _};
                    #krate_at::__private::Returned(#out_at).outcome()
                }}
            } else {
                quote_spanned!(at=> #krate_at::__private::SplitResult::split(#out_at))
            };
            quote! {
                match #split {
                    ::core::result::Result::Ok(#ok) => #write_stop,
                    ::core::result::Result::Err(#err) => #write_err,
                }
            }
        }
        None => write_stop,
    };

    // Written when the function unwinds (or its future is dropped).
    let write_panicked = panicked.write_if_enabled(events, OPCODE_STOP, stop_ids.clone());
    let write_cancelled = match &cancelled {
        Some(site) => site.write_if_enabled(events, OPCODE_STOP, stop_ids.clone()),
        None => quote!({}),
    };
    let on_abandon = quote! {
        |#act: &#krate::__private::Activity, #why: #krate::__private::Abandoned| match #why {
            #krate::__private::Abandoned::Panicked => #write_panicked,
            #krate::__private::Abandoned::Cancelled => #write_cancelled,
        }
    };

    let edge = return_type_hint(&ev.func.sig.output);
    let body = &ev.func.body;
    let start_activity = quote! {
        let #started = #krate::__private::Activity::start();
        #write_start
        let #act = #started.activity();
    };

    // A synchronous function's activity: started and held by a scope that
    // ends it on return or unwind, when the start call site is enabled.
    let enter_scope = quote! {
        if #start_site.is_enabled() {
            #start_activity
            ::core::option::Option::Some(#krate::__private::ActivityScope::enter(#act, #on_abandon))
        } else {
            ::core::option::Option::None
        }
    };

    if is_async {
        let (shadows, params) = shadow_params(sig);
        quote! {
            #(#statics)*
            // The start's locals end before the `.await`, so the future does
            // not keep them: the arguments the start event borrows are
            // rebound in this block and moved into the body's future.
            let (#out, #act) = {
                let (#(#shadows,)*) = (#(#params,)*);
                let #act = if #start_site.is_enabled() {
                    #start_activity
                    ::core::option::Option::Some(#act)
                } else {
                    ::core::option::Option::None
                };
                #krate::__private::ActivityFuture::new(
                    #act,
                    #on_abandon,
                    async move {
                        #edge
                        #body
                    },
                )
            }
            .await;
            if let ::core::option::Option::Some(#act) = #act {
                let #act = &#act;
                let #out = &#out;
                #on_return
            }
            #out
        }
    } else if let Some(never) = sig::never_type(&ev.func.sig) {
        // `-> !`: the call never returns; only a panic ends the activity.
        let scope = local("_ue_scope");
        quote! {
            #(#statics)*
            let #scope = #enter_scope;
            #krate::__private::call_once(move || -> #never {
                #body
            })
        }
    } else {
        let scope = local("__ue_scope");
        quote! {
            #(#statics)*
            let #scope = #enter_scope;
            // `call_once` makes the closure `FnOnce`, so the body may return
            // borrows of the `&mut` arguments it captured.
            let #out = #krate::__private::call_once(move || {
                #edge
                #body
            });
            if let ::core::option::Option::Some(#scope) = #scope {
                #scope.finish_with(&#out, |#act: &#krate::__private::Activity, #out| {
                    #on_return
                });
            }
            #out
        }
    }
}

/// Takes `mut` off the simple arguments (`x`, `mut x`) of `sig` and returns
/// the patterns (with their `mut`) and names to rebind them with, so that the
/// rebinding, not the argument, is what the body's future captures.
fn shadow_params(sig: &mut syn::Signature) -> (Vec<TokenStream>, Vec<syn::Ident>) {
    let mut patterns = Vec::new();
    let mut names = Vec::new();
    for input in &mut sig.inputs {
        let syn::FnArg::Typed(pat_type) = input else {
            continue;
        };
        let syn::Pat::Ident(pat) = &mut *pat_type.pat else {
            continue;
        };
        if pat.by_ref.is_some() || pat.subpat.is_some() {
            continue;
        }
        let mutability = pat.mutability.take();
        let ident = &pat.ident;
        patterns.push(quote!(#mutability #ident));
        names.push(ident.clone());
    }
    (patterns, names)
}

/// A return that never runs but tells type inference what the closure or
/// `async` block returns, so `?` and `.into()` in the body keep working.
/// `impl Trait` becomes `_` (it cannot be named here).
fn return_type_hint(output: &syn::ReturnType) -> TokenStream {
    let syn::ReturnType::Type(_, ty) = output else {
        return TokenStream::new();
    };
    if matches!(**ty, syn::Type::Never(_)) {
        return TokenStream::new();
    }
    let mut ty = (**ty).clone();
    ImplToInfer.visit_type_mut(&mut ty);
    let never = local("__ue_never");
    quote! {
        #[allow(unreachable_code, clippy::diverging_sub_expression, clippy::empty_loop, clippy::needless_return)]
        if false {
            let #never: #ty = loop {};
            return #never;
        }
    }
}

/// Replaces `impl Trait` with `_`.
struct ImplToInfer;

impl VisitMut for ImplToInfer {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if let syn::Type::ImplTrait(i) = ty {
            *ty = syn::Type::Infer(syn::TypeInfer {
                attrs: Vec::new(),
                underscore_token: syn::Token![_](i.impl_token.span),
            });
            return;
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
}
