//! Reads and checks `#[otel_event(..)]`: its options and the function it is on.
//! Every problem goes to the `Ctxt`, spanned at the offending token.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::Token;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;

use super::respan;
use crate::internals::Ctxt;
use crate::internals::field::{Capture, Field, parse_field};
use crate::internals::level::Level;
use crate::internals::names::{check_event_name, check_field_name};

/// The most fields an EventHeader struct (PartC) can hold.
const MAX_FIELDS: usize = 127;

/// The options, in the order the docs list them.
const OPTIONS: &str = "level, name, keyword, skip, skip_all, fields, ret, err, duration, crate";

/// The name of the facade crate in Cargo.toml.
const FACADE: &str = "otel-user-events";

/// `ret`/`err`: how the value is written.
#[derive(Clone, Copy)]
pub struct Record {
    /// The option's token, where type errors about the value point.
    pub span: Span,
    pub capture: Capture,
}

/// A checked annotated function.
pub struct EventFn {
    /// Path of the facade crate.
    pub krate: TokenStream,
    pub func: syn::ItemFn,
    pub level: TokenStream,
    pub keyword: TokenStream,
    pub name: String,
    /// Fields of the entry event: captured arguments, then `fields(..)`.
    pub entry_fields: Vec<Field>,
    pub ret: Option<Record>,
    pub err: Option<Record>,
    pub duration: bool,
    /// The function returns a `Result` whose outcome the stop event splits on
    /// (`err` was given, or `ret` on a function returning `Result`).
    pub split: bool,
}

/// The options as written, before they are checked against the function.
#[derive(Default)]
struct Options {
    krate: Option<syn::Path>,
    level: Option<Level>,
    name: Option<String>,
    keyword: Option<syn::Expr>,
    skip: Vec<syn::Ident>,
    skip_all: bool,
    fields: Vec<Field>,
    ret: Option<Record>,
    err: Option<Record>,
    duration: bool,
}

/// Parses `attr` and `item`; returns the checked function, or `None` if
/// anything was wrong (then `cx` holds why).
pub fn parse(cx: &Ctxt, attr: TokenStream, item: TokenStream) -> Option<EventFn> {
    let options = parse_options(cx, attr);
    let func = parse_fn(cx, item)?;
    check(cx, options?, func)
}

fn parse_fn(cx: &Ctxt, item: TokenStream) -> Option<syn::ItemFn> {
    if let Ok(func) = syn::parse2::<syn::ItemFn>(item.clone()) {
        if let Some(constness) = &func.sig.constness {
            cx.error_spanned_by(
                constness,
                "#[otel_event] cannot be used on a `const fn`: events are written at run time",
            );
            return None;
        }
        return Some(func);
    }
    let message = "#[otel_event] can only be used on functions and methods with a body";
    match syn::parse2::<syn::Item>(item.clone()) {
        Ok(item) => cx.error_spanned_by(item_keyword(&item), message),
        Err(_) => match syn::parse2::<syn::TraitItemFn>(item.clone()) {
            // A trait method without a default body.
            Ok(method) if method.default.is_none() => cx.error_spanned_by(
                &method.sig.ident,
                "#[otel_event] needs a function body; put it on the implementations of this method",
            ),
            _ => cx.error_spanned_by(item, message),
        },
    }
    None
}

/// The token that says what kind of item this is (`struct`, `impl`, ...).
fn item_keyword(item: &syn::Item) -> TokenStream {
    match item {
        syn::Item::Struct(i) => i.struct_token.to_token_stream(),
        syn::Item::Enum(i) => i.enum_token.to_token_stream(),
        syn::Item::Union(i) => i.union_token.to_token_stream(),
        syn::Item::Impl(i) => i.impl_token.to_token_stream(),
        syn::Item::Trait(i) => i.trait_token.to_token_stream(),
        syn::Item::Mod(i) => i.mod_token.to_token_stream(),
        syn::Item::Const(i) => i.const_token.to_token_stream(),
        syn::Item::Static(i) => i.static_token.to_token_stream(),
        syn::Item::Type(i) => i.type_token.to_token_stream(),
        syn::Item::Use(i) => i.use_token.to_token_stream(),
        other => other.to_token_stream(),
    }
}

/// Reads the options; records unknown, duplicate and malformed ones.
fn parse_options(cx: &Ctxt, attr: TokenStream) -> Option<Options> {
    let metas = match Punctuated::<syn::Meta, Token![,]>::parse_terminated.parse2(attr) {
        Ok(metas) => metas,
        Err(e) => {
            cx.syn_error(e);
            return None;
        }
    };
    let mut options = Options::default();
    let mut seen: Vec<String> = Vec::new();
    let mut ok = true;
    for meta in metas {
        let path = meta.path();
        let key = path.get_ident().map(|i| i.to_string()).unwrap_or_default();
        if !OPTIONS.split(", ").any(|o| o == key) {
            cx.error_spanned_by(
                path,
                format!(
                    "unknown option `{}`; expected one of {OPTIONS}",
                    path.to_token_stream().to_string().replace(' ', "")
                ),
            );
            ok = false;
            continue;
        }
        if seen.contains(&key) {
            cx.error_spanned_by(path, format!("`{key}` is given twice"));
            ok = false;
            continue;
        }
        seen.push(key.clone());
        ok &= parse_option(cx, &key, &meta, &mut options);
    }
    if options.skip_all && !options.skip.is_empty() {
        cx.error_spanned_by(
            &options.skip[0],
            "`skip(..)` has nothing to do with `skip_all`: remove one of them",
        );
        ok = false;
    }
    ok.then_some(options)
}

/// Reads one option into `options`; false if it was malformed.
fn parse_option(cx: &Ctxt, key: &str, meta: &syn::Meta, options: &mut Options) -> bool {
    let flag_only = |what: &str| {
        cx.error_spanned_by(meta, format!("`{key}` takes no value; write `{what}`"));
        false
    };
    match key {
        "level" => {
            let Some(value) = name_value(cx, meta, "level = \"warn\"") else {
                return false;
            };
            options.level = parse_level(cx, value);
            options.level.is_some()
        }
        "name" => {
            let Some(value) = name_value(cx, meta, "name = \"EventName\"") else {
                return false;
            };
            let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(lit),
                ..
            }) = value
            else {
                cx.error_spanned_by(
                    value,
                    "the event name must be a string literal: it is part of the metadata built at compile time",
                );
                return false;
            };
            match check_event_name(&lit.value()) {
                Ok(()) => {
                    options.name = Some(lit.value());
                    true
                }
                Err(message) => {
                    cx.error_spanned_by(lit, message);
                    false
                }
            }
        }
        "keyword" => {
            let Some(value) = name_value(cx, meta, "keyword = 0x10") else {
                return false;
            };
            options.keyword = Some(value.clone());
            true
        }
        "crate" => {
            let Some(value) = name_value(cx, meta, "crate = ::otel_user_events") else {
                return false;
            };
            let path = match value {
                syn::Expr::Path(p) if p.qself.is_none() => Some(p.path.clone()),
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(lit),
                    ..
                }) => lit.parse::<syn::Path>().ok(),
                _ => None,
            };
            if path.is_none() {
                cx.error_spanned_by(
                    value,
                    "`crate` takes the path of the otel-user-events crate, e.g. `crate = ::otel_user_events`",
                );
            }
            options.krate = path;
            options.krate.is_some()
        }
        "skip" => {
            let Some(list) = list(cx, meta, "skip(arg, ..)") else {
                return false;
            };
            // `parse_any`: also `self`, which tracing users write (and which is
            // never recorded anyway).
            let names = |input: ParseStream| {
                Punctuated::<syn::Ident, Token![,]>::parse_terminated_with(
                    input,
                    syn::ext::IdentExt::parse_any,
                )
            };
            match names.parse2(list.tokens.clone()) {
                Ok(names) if !names.is_empty() => {
                    options.skip = names.into_iter().collect();
                    true
                }
                Ok(_) => {
                    cx.error_spanned_by(
                        meta,
                        "`skip` needs the names of arguments: `skip(arg, ..)`",
                    );
                    false
                }
                Err(e) => {
                    cx.syn_error(e);
                    false
                }
            }
        }
        "fields" => {
            let Some(list) = list(cx, meta, "fields(name = value, ..)") else {
                return false;
            };
            match parse_fields.parse2(list.tokens.clone()) {
                Ok(fields) => {
                    options.fields = fields;
                    true
                }
                Err(e) => {
                    cx.syn_error(e);
                    false
                }
            }
        }
        "ret" | "err" => {
            let span = meta.path().span();
            let capture = match meta {
                syn::Meta::Path(_) if key == "ret" => Capture::Value,
                syn::Meta::Path(_) => Capture::Display,
                syn::Meta::List(list) => match list.tokens.to_string().as_str() {
                    "Display" => Capture::Display,
                    "Debug" => Capture::Debug,
                    _ => {
                        cx.error_spanned_by(
                            &list.tokens,
                            format!("expected `{key}`, `{key}(Display)` or `{key}(Debug)`"),
                        );
                        return false;
                    }
                },
                syn::Meta::NameValue(_) => {
                    return flag_only(&format!("{key}`, `{key}(Display)` or `{key}(Debug)"));
                }
            };
            let record = Some(Record { span, capture });
            if key == "ret" {
                options.ret = record;
            } else {
                options.err = record;
            }
            true
        }
        "skip_all" | "duration" => {
            if !matches!(meta, syn::Meta::Path(_)) {
                return flag_only(key);
            }
            if key == "skip_all" {
                options.skip_all = true;
            } else {
                options.duration = true;
            }
            true
        }
        _ => unreachable!("option names are checked first"),
    }
}

fn name_value<'m>(cx: &Ctxt, meta: &'m syn::Meta, example: &str) -> Option<&'m syn::Expr> {
    match meta {
        syn::Meta::NameValue(nv) => Some(&nv.value),
        _ => {
            cx.error_spanned_by(meta, format!("expected `{example}`"));
            None
        }
    }
}

fn list<'m>(cx: &Ctxt, meta: &'m syn::Meta, example: &str) -> Option<&'m syn::MetaList> {
    match meta {
        syn::Meta::List(list) => Some(list),
        _ => {
            cx.error_spanned_by(meta, format!("expected `{example}`"));
            None
        }
    }
}

/// `level = "warn"`, `level = warn` or `level = Level::Warn`.
fn parse_level(cx: &Ctxt, value: &syn::Expr) -> Option<Level> {
    match value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(lit),
            ..
        }) => {
            // Any case, as in tracing ("WARN", "warn").
            let text = lit.value().to_ascii_lowercase();
            let ident_like =
                !text.is_empty() && text.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            if !ident_like {
                cx.error_spanned_by(
                    lit,
                    format!(
                        "unknown level {text:?}; expected one of critical, fatal, error, warn, info, verbose, debug, trace"
                    ),
                );
                return None;
            }
            let path: syn::Path = syn::Ident::new(&text, lit.span()).into();
            Level::from_path(cx, path)
        }
        syn::Expr::Path(p) if p.qself.is_none() => Level::from_path(cx, p.path.clone()),
        other => {
            cx.error_spanned_by(
                other,
                "expected a level: `level = \"warn\"` or a path to a Level such as `Level::Warn`",
            );
            None
        }
    }
}

/// `fields(name = value, "dotted.name" = %value, ?value, self.member, ..)`.
fn parse_fields(input: ParseStream) -> syn::Result<Vec<Field>> {
    let mut fields = Vec::new();
    while !input.is_empty() {
        fields.push(parse_field(input)?);
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(fields)
}

/// An argument binding the entry event may capture.
struct Binding {
    ident: syn::Ident,
    name: String,
}

/// The identifiers an argument pattern binds (`x`, `mut x`, and those inside
/// tuple, struct and slice patterns).
fn bindings(pat: &syn::Pat, out: &mut Vec<Binding>) {
    match pat {
        syn::Pat::Ident(p) => {
            let text = p.ident.to_string();
            out.push(Binding {
                ident: p.ident.clone(),
                name: text.strip_prefix("r#").unwrap_or(&text).to_owned(),
            });
            if let Some((_, sub)) = &p.subpat {
                bindings(sub, out);
            }
        }
        syn::Pat::Tuple(p) => p.elems.iter().for_each(|p| bindings(p, out)),
        syn::Pat::TupleStruct(p) => p.elems.iter().for_each(|p| bindings(p, out)),
        syn::Pat::Struct(p) => p.fields.iter().for_each(|f| bindings(&f.pat, out)),
        syn::Pat::Slice(p) => p.elems.iter().for_each(|p| bindings(p, out)),
        syn::Pat::Reference(p) => bindings(&p.pat, out),
        syn::Pat::Paren(p) => bindings(&p.pat, out),
        syn::Pat::Type(p) => bindings(&p.pat, out),
        // Bindings of an or-pattern are the same in every alternative.
        syn::Pat::Or(p) => {
            if let Some(first) = p.cases.first() {
                bindings(first, out);
            }
        }
        _ => {}
    }
}

/// Checks the options against the function.
fn check(cx: &Ctxt, options: Options, func: syn::ItemFn) -> Option<EventFn> {
    let mut ok = true;

    let mut args = Vec::new();
    // Arguments of a generic type that surely is not a `FieldValue`.
    let mut unbounded: Vec<(syn::Ident, String)> = Vec::new();
    for input in &func.sig.inputs {
        if let syn::FnArg::Typed(pat_type) = input {
            bindings(&pat_type.pat, &mut args);
            if let syn::Pat::Ident(p) = &*pat_type.pat
                && let Some(generic) = unbounded_generic(&pat_type.ty, &func.sig.generics)
            {
                unbounded.push((p.ident.clone(), generic));
            }
        }
    }
    let has_receiver = func.sig.receiver().is_some();
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

    let output = match &func.sig.output {
        syn::ReturnType::Default => None,
        syn::ReturnType::Type(_, ty) => Some(&**ty),
    };
    let returns_result = output.is_some_and(is_result);
    if let Some(ret) = &options.ret {
        let unit = match output {
            None => Some("`()`".to_owned()),
            Some(ty) if is_unit(ty) => Some("`()`".to_owned()),
            Some(ty) if returns_result && result_ok_is_unit(ty) => Some(format!(
                "`{}`, whose success value is `()`; use `err` alone to record its errors",
                ty.to_token_stream().to_string().replace(' ', "")
            )),
            _ => None,
        };
        if let Some(unit) = unit {
            cx.syn_error(syn::Error::new(
                ret.span,
                format!("`ret` has nothing to record: the function returns {unit}"),
            ));
            ok = false;
        }
    }
    // Other types that are not a `Result` are found by the type checker
    // (`__private::Outcome`), with the error at `err` too.
    let surely_not_result = |ty: &syn::Type| {
        is_unit(ty)
            || matches!(
                ty,
                syn::Type::Tuple(_)
                    | syn::Type::Reference(_)
                    | syn::Type::Array(_)
                    | syn::Type::Slice(_)
                    | syn::Type::Never(_)
            )
    };
    if let Some(err) = &options.err
        && output.is_none_or(surely_not_result)
    {
        let returns = output.map_or_else(
            || "`()`".to_owned(),
            |ty| format!("`{}`", ty.to_token_stream().to_string().replace(' ', "")),
        );
        cx.syn_error(syn::Error::new(
            err.span,
            format!("`err` needs a function that returns a `Result`; this one returns {returns}"),
        ));
        ok = false;
    }

    // Entry fields: the arguments not skipped and not replaced by a field of
    // the same name, then `fields(..)`.
    let mut entry_fields: Vec<Field> = Vec::new();
    if !options.skip_all {
        for arg in &args {
            let replaced = options.fields.iter().any(|f| f.name == arg.name);
            if replaced || options.skip.contains(&arg.ident) {
                continue;
            }
            if let Some((_, generic)) = unbounded.iter().find(|(i, _)| *i == arg.ident) {
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
            entry_fields.push(Field {
                name: arg.name.clone(),
                name_span: arg.ident.span(),
                capture: Capture::Value,
                value: syn::Expr::Path(syn::ExprPath {
                    attrs: Vec::new(),
                    qself: None,
                    path: arg.ident.clone().into(),
                }),
            });
        }
    }
    for (i, field) in options.fields.iter().enumerate() {
        if let Err(message) = check_field_name(&field.name) {
            cx.syn_error(syn::Error::new(field.name_span, message));
            ok = false;
        } else if options.fields[..i].iter().any(|f| f.name == field.name) {
            cx.syn_error(syn::Error::new(
                field.name_span,
                format!("duplicate field `{}`", field.name),
            ));
            ok = false;
        }
    }
    let captured_args = entry_fields.len();
    entry_fields.extend(options.fields);
    if entry_fields.len() > MAX_FIELDS {
        cx.error_spanned_by(
            &func.sig.ident,
            format!(
                "too many fields: the entry event would have {} (arguments and `fields`); an event holds at most {MAX_FIELDS} (the EventHeader struct limit); skip some",
                entry_fields.len()
            ),
        );
        ok = false;
    }

    if !ok {
        return None;
    }
    let krate = options
        .krate
        .map(|p| p.to_token_stream())
        .unwrap_or_else(facade_path);
    // Arguments are read through `ArgRef` (a copy when `Copy`, taken in the
    // enabled branch), spanned at the argument so type errors point there.
    for field in &mut entry_fields[..captured_args] {
        let syn::Expr::Path(path) = &field.value else {
            continue;
        };
        let span = field.name_span;
        let krate_at = respan(krate.clone(), span);
        let value = quote::quote_spanned! {span=>
            {
                #[allow(unused_imports)]
                use #krate_at::__private::{ByCopy as _, ByRef as _};
                (&#krate_at::__private::ArgRef(&#path)).arg()
            }
        };
        field.value = syn::parse2(value).expect("an argument read is an expression");
    }
    let level = options
        .level
        .map(|l| l.to_tokens(&krate))
        .unwrap_or_else(|| quote!(#krate::__private::Level::Info));
    let keyword = options
        .keyword
        .map(|k| k.to_token_stream())
        .unwrap_or_else(|| quote!(1u64));
    let name = options.name.unwrap_or_else(|| {
        let text = func.sig.ident.to_string();
        text.strip_prefix("r#").unwrap_or(&text).to_owned()
    });
    Some(EventFn {
        krate,
        level,
        keyword,
        name,
        entry_fields,
        split: options.err.is_some() || (options.ret.is_some() && returns_result),
        ret: options.ret,
        err: options.err,
        duration: options.duration,
        func,
    })
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

fn is_unit(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Tuple(t) => t.elems.is_empty(),
        syn::Type::Paren(p) => is_unit(&p.elem),
        _ => false,
    }
}

/// `Result<..>`, `io::Result<..>`, `anyhow::Result<..>`: the last segment is `Result`.
fn is_result(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Result"),
        syn::Type::Paren(p) => is_result(&p.elem),
        syn::Type::Group(g) => is_result(&g.elem),
        _ => false,
    }
}

/// `Result<(), E>` or `io::Result<()>`.
fn result_ok_is_unit(ty: &syn::Type) -> bool {
    let syn::Type::Path(p) = ty else {
        return false;
    };
    let Some(last) = p.path.segments.last() else {
        return false;
    };
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return false;
    };
    matches!(args.args.first(), Some(syn::GenericArgument::Type(t)) if is_unit(t))
}

/// Traits of the standard library, none of which implies `FieldValue`.
const STD_TRAITS: &[&str] = &[
    "Clone",
    "Copy",
    "Debug",
    "Display",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Hash",
    "Default",
    "AsRef",
    "AsMut",
    "Borrow",
    "BorrowMut",
    "Into",
    "From",
    "TryInto",
    "TryFrom",
    "ToString",
    "ToOwned",
    "Iterator",
    "IntoIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Fn",
    "FnMut",
    "FnOnce",
    "Future",
    "IntoFuture",
    "Error",
    "Any",
    "Read",
    "Write",
    "BufRead",
    "Seek",
    "Deref",
    "DerefMut",
    "UnwindSafe",
    "RefUnwindSafe",
];

/// If `ty` is `T`, `&T` or `&mut T` for a type parameter `T` of the function,
/// or `impl Bounds`, whose bounds are all standard traits (so it cannot be a
/// `FieldValue` inside the function), its name as written.
fn unbounded_generic(ty: &syn::Type, generics: &syn::Generics) -> Option<String> {
    match ty {
        syn::Type::Reference(r) => unbounded_generic(&r.elem, generics),
        syn::Type::Paren(p) => unbounded_generic(&p.elem, generics),
        syn::Type::ImplTrait(i) => {
            only_std(i.bounds.iter()).then(|| ty.to_token_stream().to_string())
        }
        syn::Type::Path(p) if p.qself.is_none() => {
            let ident = p.path.get_ident()?;
            let param = generics.type_params().find(|t| t.ident == *ident)?;
            let bounds = param.bounds.iter().chain(
                generics
                    .where_clause
                    .iter()
                    .flat_map(|w| &w.predicates)
                    .filter_map(|pred| match pred {
                        syn::WherePredicate::Type(t) if is_ident(&t.bounded_ty, ident) => {
                            Some(&t.bounds)
                        }
                        _ => None,
                    })
                    .flatten(),
            );
            only_std(bounds).then(|| ident.to_string())
        }
        _ => None,
    }
}

/// Every bound is a lifetime or a standard trait.
fn only_std<'a>(mut bounds: impl Iterator<Item = &'a syn::TypeParamBound>) -> bool {
    bounds.all(|b| match b {
        syn::TypeParamBound::Trait(t) => t
            .path
            .segments
            .last()
            .is_some_and(|s| STD_TRAITS.contains(&s.ident.to_string().as_str())),
        syn::TypeParamBound::Lifetime(_) => true,
        _ => false,
    })
}

fn is_ident(ty: &syn::Type, ident: &syn::Ident) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident(ident))
}
