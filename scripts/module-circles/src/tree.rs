//! The crate's module tree, read from its source files the way rustc finds
//! them: the root file, each `mod name;` in `name.rs` or `name/mod.rs` (or
//! its `#[path]`), and inline `mod name { ... }` blocks. Every module counts,
//! whatever its `#[cfg]`: test and feature-gated code must not make a circle
//! either.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

pub struct Module {
    /// From the crate root: empty for the root itself.
    pub path: Vec<String>,
    pub file: PathBuf,
    /// The module's own items; its child modules are in `children`.
    pub items: Vec<syn::Item>,
    pub children: BTreeMap<String, usize>,
}

pub struct Tree {
    /// The root is the first.
    pub modules: Vec<Module>,
}

impl Tree {
    pub fn load(root_file: &Path) -> Result<Tree, String> {
        let mut tree = Tree {
            modules: Vec::new(),
        };
        let items = parse(root_file)?;
        let dir = root_file.parent().unwrap_or(Path::new(".")).to_path_buf();
        tree.add(Vec::new(), root_file.to_path_buf(), dir, items)?;
        Ok(tree)
    }

    pub fn display(&self, module: usize) -> String {
        let path = &self.modules[module].path;
        if path.is_empty() {
            "crate".to_owned()
        } else {
            format!("crate::{}", path.join("::"))
        }
    }

    /// `dir` is where the files of the module's `mod name;` children are.
    fn add(
        &mut self,
        path: Vec<String>,
        file: PathBuf,
        dir: PathBuf,
        items: Vec<syn::Item>,
    ) -> Result<usize, String> {
        let index = self.modules.len();
        self.modules.push(Module {
            path: path.clone(),
            file: file.clone(),
            items: Vec::new(),
            children: BTreeMap::new(),
        });
        let mut own = Vec::new();
        for item in items {
            let syn::Item::Mod(decl) = item else {
                own.push(item);
                continue;
            };
            let name = decl.ident.to_string();
            let mut child_path = path.clone();
            child_path.push(name.clone());
            let child = match decl.content {
                Some((_, child_items)) => {
                    self.add(child_path, file.clone(), dir.join(&name), child_items)?
                }
                None => {
                    let child_file = find_file(&dir, &name, &decl.attrs)?;
                    let child_items = parse(&child_file)?;
                    let child_dir = files_dir(&child_file);
                    self.add(child_path, child_file, child_dir, child_items)?
                }
            };
            self.modules[index].children.insert(name, child);
        }
        self.modules[index].items = own;
        Ok(index)
    }
}

fn parse(file: &Path) -> Result<Vec<syn::Item>, String> {
    let text = fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let parsed = syn::parse_file(&text).map_err(|e| {
        let at = e.span().start();
        format!("{}:{}:{}: {e}", file.display(), at.line, at.column + 1)
    })?;
    Ok(parsed.items)
}

fn find_file(dir: &Path, name: &str, attrs: &[syn::Attribute]) -> Result<PathBuf, String> {
    for attr in attrs {
        if let syn::Meta::NameValue(meta) = &attr.meta
            && meta.path.is_ident("path")
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(lit),
                ..
            }) = &meta.value
        {
            return Ok(dir.join(lit.value()));
        }
    }
    let candidates = [
        dir.join(format!("{name}.rs")),
        dir.join(name).join("mod.rs"),
    ];
    candidates
        .iter()
        .find(|file| file.is_file())
        .cloned()
        .ok_or_else(|| {
            format!(
                "module `{name}`: neither {} nor {} exists",
                candidates[0].display(),
                candidates[1].display()
            )
        })
}

/// Where a file module's children live: next to `mod.rs`, or in the folder
/// named like `name.rs`.
fn files_dir(file: &Path) -> PathBuf {
    if file.file_name().is_some_and(|name| name == "mod.rs") {
        file.parent().unwrap_or(Path::new(".")).to_path_buf()
    } else {
        file.with_extension("")
    }
}
