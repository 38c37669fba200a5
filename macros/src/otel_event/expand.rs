//! Generates the annotated function: the call-site statics, the entry event,
//! and for an activity the body moved into a closure (or an `async` block) so
//! its result, early returns, `?` and panics all pass through the stop event.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::visit_mut::VisitMut;

use super::attr::{EventFn, Record};
use super::respan;
use crate::codegen::{Emit, Site, callsite_statics};
use crate::internals::field::{Capture, Field};

/// EventHeader opcodes.
const OPCODE_INFO: u8 = 0;
const OPCODE_START: u8 = 1;
const OPCODE_STOP: u8 = 2;

pub fn expand(ev: EventFn) -> TokenStream {
    let activity = ev.ret.is_some() || ev.err.is_some() || ev.duration;
    let mut sig = ev.func.sig.clone();
    let body = if activity {
        activity_body(&ev, &mut sig)
    } else {
        event_body(&ev)
    };
    let syn::ItemFn { attrs, vis, .. } = &ev.func;
    let (inner, outer): (Vec<_>, Vec<_>) = attrs
        .iter()
        .partition(|a| matches!(a.style, syn::AttrStyle::Inner(_)));
    quote! {
        #(#outer)*
        #vis #sig {
            #(#inner)*
            #body
        }
    }
}

/// Local names of the generated code, hidden from the user's code.
fn local(name: &str) -> syn::Ident {
    syn::Ident::new(name, Span::mixed_site())
}

/// A field whose value is generated code; type errors about it point at `at`.
fn field(name: &str, at: Span, capture: Capture, value: TokenStream) -> Field {
    let value = quote_spanned!(at=> #value);
    Field {
        name: name.to_owned(),
        name_span: at,
        capture,
        value: syn::parse2(value).expect("generated field values are expressions"),
    }
}

/// One call site: its statics, and an `emit` statement for it.
struct SiteCode {
    statics: TokenStream,
    ident: syn::Ident,
    fields: Vec<Field>,
}

impl SiteCode {
    fn new(ev: &EventFn, ident: &str, fields: Vec<Field>) -> SiteCode {
        let ident = format_ident!("{}", ident);
        let statics = callsite_statics(&Site {
            krate: &ev.krate,
            ident: ident.clone(),
            event_name: &ev.name,
            level: ev.level.clone(),
            keyword: ev.keyword.clone(),
            fields: &fields,
        });
        SiteCode {
            statics,
            ident,
            fields,
        }
    }

    /// `{ emit }`: writes the event with `opcode` and activity ids `activity`.
    fn emit(&self, ev: &EventFn, opcode: u8, activity: TokenStream) -> TokenStream {
        let emit = Emit {
            krate: &ev.krate,
            site: &self.ident,
            fields: &self.fields,
            body: None,
            opcode: quote!(#opcode),
            activity,
        }
        .to_tokens();
        quote!({ #emit })
    }

    /// `if SITE.is_enabled() { emit }`.
    fn emit_if_enabled(&self, ev: &EventFn, opcode: u8, activity: TokenStream) -> TokenStream {
        let site = &self.ident;
        let emit = self.emit(ev, opcode, activity);
        quote!(if #site.is_enabled() #emit)
    }
}

/// No activity: one event on entry (carrying the current activity's id, if
/// any), then the body unchanged.
fn event_body(ev: &EventFn) -> TokenStream {
    let krate = &ev.krate;
    let site = SiteCode::new(ev, "__UE_FN_EVENT", ev.entry_fields.clone());
    let statics = &site.statics;
    let emit = site.emit_if_enabled(
        ev,
        OPCODE_INFO,
        quote!(#krate::__private::current_ids(&#krate::__private::ActivityId::current())),
    );
    let stmts = &ev.func.block.stmts;
    quote! {
        #statics
        #emit
        #(#stmts)*
    }
}

/// An activity: start event on entry, the body in a closure or `async` block,
/// a stop event for each way it can end.
fn activity_body(ev: &EventFn, sig: &mut syn::Signature) -> TokenStream {
    let krate = &ev.krate;
    let is_async = ev.func.sig.asyncness.is_some();
    let act = local("__ue_act");
    let why = local("__ue_why");
    let out = local("__ue_out");
    let ok = local("__ue_ok");
    let err = local("__ue_err");

    let duration_field = |fields: &mut Vec<Field>| {
        if ev.duration {
            fields.push(field(
                "duration_ns",
                Span::mixed_site(),
                Capture::Value,
                quote!(#act.duration_ns()),
            ));
        }
    };
    let record = |name: &str, record: &Record, value: &syn::Ident| {
        let at = Span::mixed_site().located_at(record.span);
        let value = syn::Ident::new(&value.to_string(), at);
        field(name, at, record.capture, quote!(#value))
    };

    let start = SiteCode::new(ev, "__UE_FN_START", ev.entry_fields.clone());

    // Stop after a return: `return` and/or `error`, and `duration_ns`.
    let mut stop_fields = Vec::new();
    if let Some(ret) = &ev.ret {
        stop_fields.push(record("return", ret, if ev.split { &ok } else { &out }));
    }
    duration_field(&mut stop_fields);
    let stop = SiteCode::new(ev, "__UE_FN_STOP", stop_fields);
    let stop_err = ev.split.then(|| {
        let mut fields = Vec::new();
        if let Some(err_opt) = &ev.err {
            fields.push(record("error", err_opt, &err));
        }
        duration_field(&mut fields);
        SiteCode::new(ev, "__UE_FN_STOP_ERR", fields)
    });
    let abandoned = |name: &str, ident: &str| {
        let mut fields = vec![field(
            name,
            Span::mixed_site(),
            Capture::Value,
            quote!(true),
        )];
        duration_field(&mut fields);
        SiteCode::new(ev, ident, fields)
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
    let timed = ev.duration;
    let started = local("__ue_started");
    let emit_start = start.emit(ev, OPCODE_START, quote!(#started.start_ids()));
    let stop_ids = quote!(#act.stop_ids());

    // Written when the function returns, with `act` and `out` in scope.
    let emit_stop = stop.emit_if_enabled(ev, OPCODE_STOP, stop_ids.clone());
    let on_return = match &stop_err {
        Some(stop_err) => {
            let emit_err = stop_err.emit_if_enabled(ev, OPCODE_STOP, stop_ids.clone());
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
            let outcome = quote_spanned!(at=> #krate_at::__private::Outcome::outcome(#out_at));
            quote! {
                match #outcome {
                    ::core::result::Result::Ok(#ok) => #emit_stop,
                    ::core::result::Result::Err(#err) => #emit_err,
                }
            }
        }
        None => emit_stop,
    };

    // Written when the function unwinds (or its future is dropped).
    let emit_panicked = panicked.emit_if_enabled(ev, OPCODE_STOP, stop_ids.clone());
    let emit_cancelled = match &cancelled {
        Some(site) => site.emit_if_enabled(ev, OPCODE_STOP, stop_ids.clone()),
        None => quote!({}),
    };
    let on_abandon = quote! {
        |#act: &#krate::__private::Activity, #why: #krate::__private::Abandoned| match #why {
            #krate::__private::Abandoned::Panicked => #emit_panicked,
            #krate::__private::Abandoned::Cancelled => #emit_cancelled,
        }
    };

    let edge = return_type_hint(&ev.func.sig.output);
    let stmts = &ev.func.block.stmts;
    let start_activity = quote! {
        let #started = #krate::__private::Activity::start(#timed);
        #emit_start
        let #act = #started.activity();
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
                        #(#stmts)*
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
    } else if let Some(never) = never_type(&ev.func.sig.output) {
        // `-> !`: the call never returns; only a panic ends the activity.
        let scope = local("_ue_scope");
        quote! {
            #(#statics)*
            let #scope = if #start_site.is_enabled() {
                #start_activity
                ::core::option::Option::Some(#krate::__private::ActivityScope::enter(#act, #on_abandon))
            } else {
                ::core::option::Option::None
            };
            #[allow(clippy::redundant_closure_call)]
            (move || -> #never {
                #(#stmts)*
            })()
        }
    } else {
        let scope = local("__ue_scope");
        quote! {
            #(#statics)*
            let #scope = if #start_site.is_enabled() {
                #start_activity
                ::core::option::Option::Some(#krate::__private::ActivityScope::enter(#act, #on_abandon))
            } else {
                ::core::option::Option::None
            };
            #[allow(clippy::redundant_closure_call)]
            let #out = (move || {
                #edge
                #(#stmts)*
            })();
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

/// The `!` of `-> !`.
fn never_type(output: &syn::ReturnType) -> Option<&syn::Type> {
    match output {
        syn::ReturnType::Type(_, ty) if matches!(**ty, syn::Type::Never(_)) => Some(ty),
        _ => None,
    }
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
                underscore_token: syn::Token![_](i.impl_token.span),
            });
            return;
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
}
