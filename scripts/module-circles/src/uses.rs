//! Which modules each module uses: every `use` item and every path written
//! in its code, function bodies and macro arguments included, that leads to
//! another module of the crate.

use std::collections::BTreeMap;

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

use crate::resolve::{Resolver, use_leaves};
use crate::tree::Tree;

/// Where a use is written: its line and the path as written.
pub struct Site {
    pub line: usize,
    pub path: String,
}

/// (from module, to module) -> the sites that make the step, in source order.
pub type Steps = BTreeMap<(usize, usize), Vec<Site>>;

pub fn steps(tree: &Tree, resolver: &Resolver) -> Steps {
    let mut steps = Steps::new();
    for module in 0..tree.modules.len() {
        let mut collector = Collector {
            module,
            resolver,
            steps: &mut steps,
        };
        for item in &tree.modules[module].items {
            collector.visit_item(item);
        }
    }
    for sites in steps.values_mut() {
        sites.sort_by_key(|site| site.line);
    }
    steps
}

struct Collector<'a, 'r> {
    module: usize,
    resolver: &'a Resolver<'r>,
    steps: &'a mut Steps,
}

impl Collector<'_, '_> {
    fn record(&mut self, path: &[String], line: usize) {
        if let Some(target) = self.resolver.module_of(self.module, path)
            && target != self.module
        {
            self.steps
                .entry((self.module, target))
                .or_default()
                .push(Site {
                    line,
                    path: path.join("::"),
                });
        }
    }

    /// Macro arguments are only tokens to syn: take every `a::b` run in them
    /// as a path (`$crate::x` too, for `macro_rules!` bodies).
    fn scan_tokens(&mut self, tokens: TokenStream) {
        let mut path: Vec<String> = Vec::new();
        let mut line = 0;
        // Colons seen since the last identifier: 2 continues the path.
        let mut colons = 0;
        let mut dollar = false;
        for token in tokens {
            match token {
                TokenTree::Ident(ident) => {
                    let name = if dollar {
                        format!("${ident}")
                    } else {
                        ident.to_string()
                    };
                    if colons != 2 || path.is_empty() {
                        self.finish(&mut path, line);
                        line = ident.span().start().line;
                    }
                    path.push(name);
                    colons = 0;
                    dollar = false;
                }
                TokenTree::Punct(punct) if punct.as_char() == ':' && colons < 2 => {
                    colons += 1;
                    dollar = false;
                }
                TokenTree::Punct(punct) => {
                    self.finish(&mut path, line);
                    colons = 0;
                    dollar = punct.as_char() == '$';
                }
                TokenTree::Group(group) => {
                    self.finish(&mut path, line);
                    colons = 0;
                    dollar = false;
                    self.scan_tokens(group.stream());
                }
                TokenTree::Literal(_) => {
                    self.finish(&mut path, line);
                    colons = 0;
                    dollar = false;
                }
            }
        }
        self.finish(&mut path, line);
    }

    fn finish(&mut self, path: &mut Vec<String>, line: usize) {
        // One name alone is a local name or one a `use` brought in (counted there).
        if path.len() >= 2 {
            self.record(path, line);
        }
        path.clear();
    }
}

impl<'ast> Visit<'ast> for Collector<'_, '_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let mut leaves = Vec::new();
        use_leaves(&item.tree, &mut Vec::new(), &mut leaves);
        for leaf in leaves {
            self.record(&leaf.path, leaf.line);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.leading_colon.is_none() && path.segments.len() >= 2 {
            let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            self.record(&segments, path.segments[0].ident.span().start().line);
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.visit_path(&mac.path);
        self.scan_tokens(mac.tokens.clone());
    }

    // Attributes name derive macros and tools, not the crate's modules.
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}
}
