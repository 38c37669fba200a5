//! Facts about the annotated function's signature: the arguments it binds,
//! what it returns, and which argument types surely are not a `FieldValue`.
//! These are guesses from the written types (a macro sees no type); each says
//! which way it errs.

use quote::ToTokens;

use crate::internals::field::unraw;
use crate::internals::rust_text::rust_text;

/// An identifier an argument binds, which the entry event may record.
pub struct Arg {
    pub ident: syn::Ident,
    /// The identifier without `r#`: the field's name.
    pub name: String,
    /// The generic type it has (as written), if that type surely does not
    /// implement `FieldValue` (see [`unbounded_generic`]).
    pub unbounded_generic: Option<String>,
}

/// Every identifier the arguments bind, in order (`self` is not one).
pub fn args(sig: &syn::Signature) -> Vec<Arg> {
    let mut args = Vec::new();
    for input in &sig.inputs {
        let syn::FnArg::Typed(pat_type) = input else {
            continue;
        };
        let first = args.len();
        bindings(&pat_type.pat, &mut args);
        // Only a whole argument (`x: T`) has the argument's type.
        if let syn::Pat::Ident(_) = &*pat_type.pat
            && let Some(arg) = args.get_mut(first)
        {
            arg.unbounded_generic = unbounded_generic(&pat_type.ty, &sig.generics);
        }
    }
    args
}

/// The identifiers a pattern binds (`x`, `mut x`, and those inside tuple,
/// struct and slice patterns).
fn bindings(pat: &syn::Pat, out: &mut Vec<Arg>) {
    match pat {
        syn::Pat::Ident(p) => {
            out.push(Arg {
                ident: p.ident.clone(),
                name: unraw(&p.ident),
                unbounded_generic: None,
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

/// The return type, if one is written.
pub fn output(sig: &syn::Signature) -> Option<&syn::Type> {
    match &sig.output {
        syn::ReturnType::Default => None,
        syn::ReturnType::Type(_, ty) => Some(ty),
    }
}

/// A type as the user wrote it, without the token spacing (`io::Result<()>`,
/// `&'static str`).
pub fn type_text(ty: &syn::Type) -> String {
    rust_text(ty.to_token_stream())
}

pub fn is_unit(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Tuple(t) => t.elems.is_empty(),
        syn::Type::Paren(p) => is_unit(&p.elem),
        _ => false,
    }
}

/// `Result<..>`, `io::Result<..>`, `anyhow::Result<..>`: the last segment is
/// `Result`. (A `Result` under another name is not seen as one.)
pub fn is_result(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Result"),
        syn::Type::Paren(p) => is_result(&p.elem),
        syn::Type::Group(g) => is_result(&g.elem),
        _ => false,
    }
}

/// `Result<(), E>` or `io::Result<()>`.
pub fn result_ok_is_unit(ty: &syn::Type) -> bool {
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

/// Types that cannot be a `Result` whatever the aliases in scope. Others that
/// are not one are found by the type checker.
pub fn surely_not_result(ty: &syn::Type) -> bool {
    is_unit(ty)
        || matches!(
            ty,
            syn::Type::Tuple(_)
                | syn::Type::Reference(_)
                | syn::Type::Array(_)
                | syn::Type::Slice(_)
                | syn::Type::Never(_)
        )
}

/// `impl Future<..>` or `impl IntoFuture<..>` (with any other bounds).
pub fn is_impl_future(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::ImplTrait(i) => i.bounds.iter().any(|b| {
            matches!(b, syn::TypeParamBound::Trait(t)
                if t.path.segments.last().is_some_and(|s| s.ident == "Future" || s.ident == "IntoFuture"))
        }),
        syn::Type::Paren(p) => is_impl_future(&p.elem),
        syn::Type::Group(g) => is_impl_future(&g.elem),
        _ => false,
    }
}

/// The `!` of `-> !`.
pub fn never_type(sig: &syn::Signature) -> Option<&syn::Type> {
    output(sig).filter(|ty| matches!(ty, syn::Type::Never(_)))
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
/// `FieldValue` inside the function), its name as written. Any other bound
/// (which may imply `FieldValue`) gives `None`: the type checker decides.
fn unbounded_generic(ty: &syn::Type, generics: &syn::Generics) -> Option<String> {
    match ty {
        syn::Type::Reference(r) => unbounded_generic(&r.elem, generics),
        syn::Type::Paren(p) => unbounded_generic(&p.elem, generics),
        syn::Type::ImplTrait(i) => only_std(i.bounds.iter()).then(|| type_text(ty)),
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
