//! From names to modules: what each module's `use` items bind, and which
//! module of the crate a path leads to (following `use` and `pub use`, so a
//! re-exported item counts in the module that declares it). Paths into other
//! crates lead nowhere.

use std::collections::{HashMap, HashSet};

use crate::tree::Tree;

/// A `use` leaf: `name` is what it binds (none for a glob), `path` what it
/// names, as written.
pub struct UseLeaf {
    pub name: Option<String>,
    pub path: Vec<String>,
    pub line: usize,
}

/// Flattens a `use` tree into its leaves.
pub fn use_leaves(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<UseLeaf>) {
    let line = |span: proc_macro2::Span| span.start().line;
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_leaves(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => out.push(leaf(prefix, &n.ident, &n.ident, line(n.ident.span()))),
        syn::UseTree::Rename(r) => {
            out.push(leaf(prefix, &r.ident, &r.rename, line(r.ident.span())))
        }
        syn::UseTree::Glob(g) => out.push(UseLeaf {
            name: None,
            path: prefix.clone(),
            line: line(g.star_token.spans[0]),
        }),
        syn::UseTree::Group(g) => {
            for item in &g.items {
                use_leaves(item, prefix, out);
            }
        }
    }
}

fn leaf(prefix: &[String], ident: &syn::Ident, binding: &syn::Ident, line: usize) -> UseLeaf {
    let mut path = prefix.to_vec();
    // `use a::{self}` names `a` itself.
    if ident != "self" {
        path.push(ident.to_string());
    }
    let name = if binding == "self" {
        prefix.last().cloned()
    } else {
        Some(binding.to_string())
    };
    UseLeaf { name, path, line }
}

/// What a module binds and declares.
#[derive(Default)]
struct Scope {
    bindings: HashMap<String, Vec<String>>,
    globs: Vec<Vec<String>>,
    declared: HashSet<String>,
}

pub struct Resolver<'a> {
    tree: &'a Tree,
    scopes: Vec<Scope>,
}

/// `use` chains are short; a deeper one is a loop of re-exports.
const MAX_DEPTH: usize = 32;

impl<'a> Resolver<'a> {
    pub fn new(tree: &'a Tree) -> Self {
        let scopes = tree
            .modules
            .iter()
            .map(|module| {
                let mut scope = Scope::default();
                for item in &module.items {
                    if let syn::Item::Use(item_use) = item {
                        let mut leaves = Vec::new();
                        use_leaves(&item_use.tree, &mut Vec::new(), &mut leaves);
                        for leaf in leaves {
                            match leaf.name {
                                Some(name) => {
                                    scope.bindings.insert(name, leaf.path);
                                }
                                None => scope.globs.push(leaf.path),
                            }
                        }
                    } else if let Some(name) = declared_name(item) {
                        scope.declared.insert(name);
                    }
                }
                scope
            })
            .collect();
        Resolver { tree, scopes }
    }

    /// The module that `path`, written in `module`, leads to: the module
    /// itself when the path names one, else the module declaring the item.
    pub fn module_of(&self, module: usize, path: &[String]) -> Option<usize> {
        let absolute = self.absolute(module, path, 0)?;
        self.walk(&absolute, 0)
    }

    /// The path from the crate root, or None for another crate's path (and
    /// for names this module neither binds nor declares: locals, generics,
    /// the prelude).
    fn absolute(&self, module: usize, path: &[String], depth: usize) -> Option<Vec<String>> {
        let (first, rest) = path.split_first()?;
        let here = &self.tree.modules[module];
        let mut base = match first.as_str() {
            "crate" | "$crate" => return Some(rest.to_vec()),
            "self" => here.path.clone(),
            "super" => {
                let mut up = here.path.clone();
                up.pop()?;
                let mut rest = rest;
                while rest.first().is_some_and(|s| s == "super") {
                    up.pop()?;
                    rest = &rest[1..];
                }
                up.extend_from_slice(rest);
                return Some(up);
            }
            _ if here.children.contains_key(first)
                || self.scopes[module].declared.contains(first) =>
            {
                here.path.clone()
            }
            _ => {
                let bound = self.scopes[module].bindings.get(first)?;
                if depth >= MAX_DEPTH {
                    return None;
                }
                let mut target = self.absolute(module, bound, depth + 1)?;
                target.extend_from_slice(rest);
                return Some(target);
            }
        };
        if first != "self" {
            base.push(first.clone());
        }
        base.extend_from_slice(rest);
        Some(base)
    }

    /// Follows an absolute path down the tree, through re-exports.
    fn walk(&self, path: &[String], depth: usize) -> Option<usize> {
        let mut module = 0;
        for (i, segment) in path.iter().enumerate() {
            let here = &self.tree.modules[module];
            let scope = &self.scopes[module];
            if let Some(&child) = here.children.get(segment) {
                module = child;
                continue;
            }
            if scope.declared.contains(segment) || depth >= MAX_DEPTH {
                return Some(module);
            }
            if let Some(bound) = scope.bindings.get(segment) {
                // Another crate's item re-exported here has no module of ours.
                let mut target = self.absolute(module, bound, depth + 1)?;
                target.extend_from_slice(&path[i + 1..]);
                return self.walk(&target, depth + 1);
            }
            for glob in &scope.globs {
                let Some(mut target) = self.absolute(module, glob, depth + 1) else {
                    continue;
                };
                let Some(source) = self.walk(&target, depth + 1) else {
                    continue;
                };
                if self.has_name(source, segment) {
                    target.extend_from_slice(&path[i..]);
                    return self.walk(&target, depth + 1);
                }
            }
            // Not found (an enum's variant, a macro-made item): the closest
            // module is as near as this check needs.
            return Some(module);
        }
        Some(module)
    }

    fn has_name(&self, module: usize, name: &str) -> bool {
        let scope = &self.scopes[module];
        self.tree.modules[module].children.contains_key(name)
            || scope.declared.contains(name)
            || scope.bindings.contains_key(name)
    }
}

fn declared_name(item: &syn::Item) -> Option<String> {
    let ident = match item {
        syn::Item::Const(i) => &i.ident,
        syn::Item::Enum(i) => &i.ident,
        syn::Item::ExternCrate(i) => i.rename.as_ref().map_or(&i.ident, |(_, r)| r),
        syn::Item::Fn(i) => &i.sig.ident,
        syn::Item::Macro(i) => i.ident.as_ref()?,
        syn::Item::Static(i) => &i.ident,
        syn::Item::Struct(i) => &i.ident,
        syn::Item::Trait(i) => &i.ident,
        syn::Item::TraitAlias(i) => &i.ident,
        syn::Item::Type(i) => &i.ident,
        syn::Item::Union(i) => &i.ident,
        _ => return None,
    };
    Some(ident.to_string())
}
