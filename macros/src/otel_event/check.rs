//! Checks the options against the function they are on, and settles what the
//! events record. Reports into the `Ctxt`; generates no code.

use super::attr::{Options, Recorded};
use super::item::FnItem;
use super::sig::{self, Arg};
use crate::internals::Ctxt;
use crate::internals::event_fields::{check_field, check_field_count};
use crate::internals::field::{Field, unraw};
use crate::internals::level::Level;

/// A checked annotated function: what to generate.
pub struct EventFn {
    pub func: FnItem,
    /// `crate = path`, if given; else the facade is found by name.
    pub krate: Option<syn::Path>,
    pub level: Option<Level>,
    pub keyword: Option<syn::Expr>,
    pub provider: Option<syn::Path>,
    pub name: String,
    /// Arguments the entry event records, before `fields`.
    pub recorded_args: Vec<Arg>,
    /// `fields(..)`: the other fields of the entry event.
    pub fields: Vec<Field>,
    pub ret: Option<Recorded>,
    pub err: Option<Recorded>,
    /// `duration`: an activity even without `ret` or `err`, for the
    /// `duration_ns` that every stop event carries.
    pub duration: bool,
    /// Whether and how the stop event tells a success from an error.
    pub split: Split,
}

/// How the stop event tells the function's success from its error.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// It does not: whatever the function returns is its success.
    No,
    /// The function returns a `Result`: `err` was given (a type error if it
    /// does not), or `ret` on a type written `Result<..>`.
    Result,
    /// `ret` on a type that may be a `Result` under another name (`Fallible<T>`,
    /// `Self::Output`): split if the type checker finds it is one, else the
    /// whole value is the success. So `ret` records the success value of a
    /// `Result` whatever it is called, as `err` records its error.
    IfResult,
}

impl EventFn {
    /// Whether the function is an activity (start and stop events) rather
    /// than one event.
    pub fn is_activity(&self) -> bool {
        self.ret.is_some() || self.err.is_some() || self.duration
    }
}

/// `None` if the options do not fit the function (then `cx` holds why).
pub fn check(cx: &Ctxt, options: Options, func: FnItem) -> Option<EventFn> {
    let args = sig::args(&func.sig);
    let mut ok = check_skip(cx, &options, &func, &args);
    ok &= check_ret(cx, &options, &func);
    ok &= check_err(cx, &options, &func);
    ok &= check_future(cx, &options, &func);

    // The arguments recorded: those not skipped and not replaced by a field of
    // the same name.
    let mut recorded_args = Vec::new();
    if !options.skip_all {
        for arg in args {
            let replaced = options.fields.iter().any(|f| f.name == arg.name);
            if replaced || options.skip.contains(&arg.ident) {
                continue;
            }
            if let Some(generic) = &arg.unbounded_generic {
                let name = &arg.name;
                cx.error_spanned_by(
                    &arg.ident,
                    format!(
                        "argument `{name}` has the generic type `{generic}`, which is recorded only if it implements `FieldValue`: \
                         add the bound `otel_user_events::FieldValue`, skip the argument with `#[otel_event(skip({name}))]`, \
                         or record it formatted with `fields({name} = ?{name})`"
                    ),
                );
                ok = false;
                continue;
            }
            recorded_args.push(arg);
        }
    }
    // The arguments' names are identifiers, distinct, and none is a field's
    // (those were replaced), so only `fields` needs the name checks.
    for (i, field) in options.fields.iter().enumerate() {
        ok &= check_field(cx, field, &options.fields[..i]);
    }
    let count = recorded_args.len() + options.fields.len();
    if let Err(limit) = check_field_count(count) {
        cx.error_spanned_by(
            &func.sig.ident,
            format!(
                "too many fields: the entry event would have {count} (arguments and `fields`); {limit}; skip some"
            ),
        );
        ok = false;
    }
    if !ok {
        return None;
    }

    let output = sig::output(&func.sig);
    let split =
        if options.err.is_some() || (options.ret.is_some() && output.is_some_and(sig::is_result)) {
            Split::Result
        } else if options.ret.is_some() && output.is_some_and(|ty| !sig::surely_not_result(ty)) {
            Split::IfResult
        } else {
            Split::No
        };
    Some(EventFn {
        krate: options.krate,
        level: options.level,
        keyword: options.keyword,
        provider: options.provider,
        name: options.name.unwrap_or_else(|| unraw(&func.sig.ident)),
        recorded_args,
        fields: options.fields,
        split,
        ret: options.ret,
        err: options.err,
        duration: options.duration,
        func,
    })
}

/// Every name in `skip(..)` is an argument (or `self` of a method).
fn check_skip(cx: &Ctxt, options: &Options, func: &FnItem, args: &[Arg]) -> bool {
    let has_receiver = func.sig.receiver().is_some();
    let mut ok = true;
    for skipped in &options.skip {
        if skipped == "self" && has_receiver {
            continue;
        }
        if !args.iter().any(|a| a.ident == *skipped) {
            let names: Vec<&str> = args.iter().map(|a| a.name.as_str()).collect();
            let known = if names.is_empty() {
                "the function has no arguments to skip".to_owned()
            } else {
                format!("its arguments are: {}", names.join(", "))
            };
            cx.error_spanned_by(
                skipped,
                format!("`skip({skipped})`: the function has no argument `{skipped}`; {known}"),
            );
            ok = false;
        }
    }
    ok
}

/// `ret` has a value to record: the function does not return `()` or
/// `Result<(), E>`.
fn check_ret(cx: &Ctxt, options: &Options, func: &FnItem) -> bool {
    let Some(ret) = &options.ret else {
        return true;
    };
    let unit = match sig::output(&func.sig) {
        None => Some("`()`".to_owned()),
        Some(ty) if sig::is_unit(ty) => Some("`()`".to_owned()),
        Some(ty) if sig::is_result(ty) && sig::result_ok_is_unit(ty) => Some(format!(
            "`{}`, whose success value is `()`; use `err` alone to record its errors",
            sig::type_text(ty)
        )),
        _ => None,
    };
    let Some(unit) = unit else {
        return true;
    };
    cx.syn_error(syn::Error::new(
        ret.span,
        format!("`ret` has nothing to record: the function returns {unit}"),
    ));
    false
}

/// `err` is on a function that may return a `Result`. Types that are not one
/// but may look so are found by the type checker (`__private::SplitResult`), with
/// the error at `err` too.
fn check_err(cx: &Ctxt, options: &Options, func: &FnItem) -> bool {
    let Some(err) = &options.err else {
        return true;
    };
    let output = sig::output(&func.sig);
    if !output.is_none_or(sig::surely_not_result) {
        return true;
    }
    let returns = output.map_or_else(
        || "`()`".to_owned(),
        |ty| format!("`{}`", sig::type_text(ty)),
    );
    cx.syn_error(syn::Error::new(
        err.span,
        format!("`err` needs a function that returns a `Result`; this one returns {returns}"),
    ));
    false
}

/// An activity is not on a function that returns a future without being an
/// `async fn`: its stop event would be written once the future is built, not
/// when it completes, and `duration` would measure the building.
fn check_future(cx: &Ctxt, options: &Options, func: &FnItem) -> bool {
    let activity = options.ret.is_some() || options.err.is_some() || options.duration;
    if !activity || func.sig.asyncness.is_some() {
        return true;
    }
    let Some(future) = sig::output(&func.sig).filter(|ty| sig::is_impl_future(ty)) else {
        return true;
    };
    cx.error_spanned_by(
        future,
        "with `ret`, `err` or `duration`, the activity would end when this future is built, not when it completes \
         (and `duration` would measure only the building): write the function as an `async fn`",
    );
    false
}
