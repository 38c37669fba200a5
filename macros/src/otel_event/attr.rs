//! The options of `#[otel_event(..)]`, read and checked on their own (against
//! the function they are on, in `check`). Every problem goes to the `Ctxt`,
//! spanned at the offending token.

use proc_macro2::Span;
use quote::ToTokens;
use syn::Token;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;

use crate::internals::Ctxt;
use crate::internals::field::{Conversion, Field, parse_field};
use crate::internals::level::Level;
use crate::internals::names::check_event_name;

/// The options, in the order the docs list them.
const OPTIONS: &str =
    "level, name, keyword, provider, skip, skip_all, fields, ret, err, duration, crate";

/// `ret` or `err`: how the returned value or the error is written.
#[derive(Clone, Copy)]
pub struct Recorded {
    /// The option's token, where type errors about the value point.
    pub span: Span,
    pub conversion: Conversion,
}

/// The options, each read and checked.
pub struct Options {
    /// `crate = path`: the facade crate's path.
    pub krate: Option<syn::Path>,
    pub level: Option<Level>,
    pub name: Option<String>,
    pub keyword: Option<syn::Expr>,
    /// `provider = PATH`: the library provider its events go to.
    pub provider: Option<syn::Path>,
    pub skip: Vec<syn::Ident>,
    pub skip_all: bool,
    pub fields: Vec<Field>,
    pub ret: Option<Recorded>,
    pub err: Option<Recorded>,
    pub duration: bool,
}

/// The place of one option while the options are read: it takes the option
/// once, and reports a second occurrence at that occurrence's name.
struct Attr<T> {
    name: &'static str,
    given: bool,
    value: Option<T>,
}

impl<T> Attr<T> {
    fn new(name: &'static str) -> Self {
        Attr {
            name,
            given: false,
            value: None,
        }
    }

    /// Reads the occurrence `meta` of this option with `read`; false if it was
    /// given before (reported at `meta`'s name, and not read) or is malformed.
    fn read(
        &mut self,
        cx: &Ctxt,
        meta: &syn::Meta,
        read: impl FnOnce(&Ctxt, &syn::Meta) -> Option<T>,
    ) -> bool {
        if self.given {
            cx.error_spanned_by(meta.path(), format!("`{}` is given twice", self.name));
            return false;
        }
        self.given = true;
        self.value = read(cx, meta);
        self.value.is_some()
    }
}

/// Every option's place.
struct Attrs {
    krate: Attr<syn::Path>,
    level: Attr<Level>,
    name: Attr<String>,
    keyword: Attr<syn::Expr>,
    provider: Attr<syn::Path>,
    skip: Attr<Vec<syn::Ident>>,
    skip_all: Attr<()>,
    fields: Attr<Vec<Field>>,
    ret: Attr<Recorded>,
    err: Attr<Recorded>,
    duration: Attr<()>,
}

/// Reads the options; `None` if any is unknown, given twice or malformed (then
/// `cx` holds why).
pub fn parse(cx: &Ctxt, attr: proc_macro2::TokenStream) -> Option<Options> {
    let metas = match Punctuated::<syn::Meta, Token![,]>::parse_terminated.parse2(attr) {
        Ok(metas) => metas,
        Err(e) => {
            cx.syn_error(e);
            return None;
        }
    };
    let mut attrs = Attrs {
        krate: Attr::new("crate"),
        level: Attr::new("level"),
        name: Attr::new("name"),
        keyword: Attr::new("keyword"),
        provider: Attr::new("provider"),
        skip: Attr::new("skip"),
        skip_all: Attr::new("skip_all"),
        fields: Attr::new("fields"),
        ret: Attr::new("ret"),
        err: Attr::new("err"),
        duration: Attr::new("duration"),
    };
    let mut ok = true;
    for meta in &metas {
        let key = meta.path().get_ident().map(|i| i.to_string());
        ok &= match key.as_deref().unwrap_or_default() {
            "level" => attrs.level.read(cx, meta, read_level),
            "name" => attrs.name.read(cx, meta, read_name),
            "keyword" => attrs.keyword.read(cx, meta, |cx, meta| {
                name_value(cx, meta, "keyword = 0x10").cloned()
            }),
            "provider" => attrs.provider.read(cx, meta, read_provider),
            "crate" => attrs.krate.read(cx, meta, read_crate),
            "skip" => attrs.skip.read(cx, meta, read_skip),
            "fields" => attrs.fields.read(cx, meta, read_fields),
            "ret" => attrs.ret.read(cx, meta, |cx, meta| {
                read_recorded(cx, meta, "ret", Conversion::AsIs)
            }),
            "err" => attrs.err.read(cx, meta, |cx, meta| {
                read_recorded(cx, meta, "err", Conversion::Display)
            }),
            "skip_all" => attrs
                .skip_all
                .read(cx, meta, |cx, meta| flag(cx, meta, "skip_all")),
            "duration" => attrs
                .duration
                .read(cx, meta, |cx, meta| flag(cx, meta, "duration")),
            _ => {
                let path = meta.path();
                cx.error_spanned_by(
                    path,
                    format!(
                        "unknown option `{}`; expected one of {OPTIONS}",
                        path.to_token_stream().to_string().replace(' ', "")
                    ),
                );
                false
            }
        };
    }
    let skip = attrs.skip.value.unwrap_or_default();
    let skip_all = attrs.skip_all.value.is_some();
    if skip_all && !skip.is_empty() {
        cx.error_spanned_by(
            &skip[0],
            "`skip(..)` has nothing to do with `skip_all`: remove one of them",
        );
        ok = false;
    }
    ok.then(|| Options {
        krate: attrs.krate.value,
        level: attrs.level.value,
        name: attrs.name.value,
        keyword: attrs.keyword.value,
        provider: attrs.provider.value,
        skip,
        skip_all,
        fields: attrs.fields.value.unwrap_or_default(),
        ret: attrs.ret.value,
        err: attrs.err.value,
        duration: attrs.duration.value.is_some(),
    })
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

/// `skip_all`, `duration`: a flag with no value.
fn flag(cx: &Ctxt, meta: &syn::Meta, key: &str) -> Option<()> {
    if matches!(meta, syn::Meta::Path(_)) {
        return Some(());
    }
    cx.error_spanned_by(meta, format!("`{key}` takes no value; write `{key}`"));
    None
}

/// `level = "warn"`, `level = warn` or `level = Level::Warn`.
fn read_level(cx: &Ctxt, meta: &syn::Meta) -> Option<Level> {
    match name_value(cx, meta, "level = \"warn\"")? {
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

/// `name = "EventName"`, following the event name rules.
fn read_name(cx: &Ctxt, meta: &syn::Meta) -> Option<String> {
    let value = name_value(cx, meta, "name = \"EventName\"")?;
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(lit),
        ..
    }) = value
    else {
        cx.error_spanned_by(
            value,
            "the event name must be a string literal: it is part of the metadata built at compile time",
        );
        return None;
    };
    match check_event_name(&lit.value()) {
        Ok(()) => Some(lit.value()),
        Err(message) => {
            cx.error_spanned_by(lit, message);
            None
        }
    }
}

/// `crate = ::otel_user_events` or `crate = "::otel_user_events"`.
fn read_crate(cx: &Ctxt, meta: &syn::Meta) -> Option<syn::Path> {
    let value = name_value(cx, meta, "crate = ::otel_user_events")?;
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
    path
}

/// `skip(arg, ..)`: at least one name.
fn read_skip(cx: &Ctxt, meta: &syn::Meta) -> Option<Vec<syn::Ident>> {
    let list = list(cx, meta, "skip(arg, ..)")?;
    // `parse_any`: also `self`, which tracing users write (and which is never
    // recorded anyway).
    let names = |input: ParseStream| {
        Punctuated::<syn::Ident, Token![,]>::parse_terminated_with(
            input,
            syn::ext::IdentExt::parse_any,
        )
    };
    match names.parse2(list.tokens.clone()) {
        Ok(names) if !names.is_empty() => Some(names.into_iter().collect()),
        Ok(_) => {
            cx.error_spanned_by(meta, "`skip` needs the names of arguments: `skip(arg, ..)`");
            None
        }
        Err(e) => {
            cx.syn_error(e);
            None
        }
    }
}

/// `fields(name = value, "dotted.name" = %value, ?value, self.member, ..)`.
fn read_fields(cx: &Ctxt, meta: &syn::Meta) -> Option<Vec<Field>> {
    let list = list(cx, meta, "fields(name = value, ..)")?;
    let fields = |input: ParseStream| {
        let mut fields = Vec::new();
        while !input.is_empty() {
            fields.push(parse_field(input)?);
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(fields)
    };
    match fields.parse2(list.tokens.clone()) {
        Ok(fields) => Some(fields),
        Err(e) => {
            cx.syn_error(e);
            None
        }
    }
}

/// `ret`, `ret(Display)`, `ret(Debug)` (and the same for `err`); the bare
/// option writes the value `bare`.
fn read_recorded(cx: &Ctxt, meta: &syn::Meta, key: &str, bare: Conversion) -> Option<Recorded> {
    let conversion = match meta {
        syn::Meta::Path(_) => bare,
        syn::Meta::List(list) => match list.tokens.to_string().as_str() {
            "Display" => Conversion::Display,
            "Debug" => Conversion::Debug,
            _ => {
                cx.error_spanned_by(
                    &list.tokens,
                    format!("expected `{key}`, `{key}(Display)` or `{key}(Debug)`"),
                );
                return None;
            }
        },
        syn::Meta::NameValue(_) => {
            cx.error_spanned_by(
                meta,
                format!(
                    "`{key}` takes no value; write `{key}`, `{key}(Display)` or `{key}(Debug)`"
                ),
            );
            return None;
        }
    };
    Some(Recorded {
        span: meta.path().span(),
        conversion,
    })
}

/// `provider = PATH`: the path of a library provider's static.
fn read_provider(cx: &Ctxt, meta: &syn::Meta) -> Option<syn::Path> {
    let example = "provider = crate::DRIVER";
    match name_value(cx, meta, example)? {
        syn::Expr::Path(path) if path.attrs.is_empty() && path.qself.is_none() => {
            Some(path.path.clone())
        }
        other => {
            cx.error_spanned_by(
                other,
                format!("expected the path of a library provider's static: `{example}`"),
            );
            None
        }
    }
}
