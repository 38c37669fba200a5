//! Finds import circles between the modules of one crate: module A uses B and
//! B uses A, directly or through other modules. A "use" is a `use` item or
//! any path in the code (function bodies and macro arguments included) that
//! leads to another module, re-exports followed to the declaring module.
//!
//!     module-circles CRATE-ROOT-FILE
//!
//! Prints every circle with the lines that make each of its steps and exits
//! with 1 when there is one (2 when the crate cannot be read).

mod circles;
mod resolve;
mod tree;
mod uses;

use std::path::Path;
use std::process::ExitCode;

/// Sites shown per step of a circle: enough to find them, short enough to read.
const SITES_SHOWN: usize = 3;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [root] = args.as_slice() else {
        eprintln!("usage: module-circles CRATE-ROOT-FILE");
        return ExitCode::from(2);
    };
    let tree = match tree::Tree::load(Path::new(root)) {
        Ok(tree) => tree,
        Err(error) => {
            eprintln!("module-circles: {error}");
            return ExitCode::from(2);
        }
    };
    let resolver = resolve::Resolver::new(&tree);
    let steps = uses::steps(&tree, &resolver);
    let circles = circles::circles(tree.modules.len(), &steps);
    for circle in &circles {
        let names: Vec<String> = circle.iter().map(|&m| tree.display(m)).collect();
        println!(
            "import circle of {} modules: {}",
            circle.len(),
            names.join(", ")
        );
        for (&(from, to), sites) in &steps {
            if !circle.contains(&from) || !circle.contains(&to) {
                continue;
            }
            println!("  {} uses {}:", tree.display(from), tree.display(to));
            let file = tree.modules[from].file.display();
            for site in sites.iter().take(SITES_SHOWN) {
                println!("    {file}:{}: {}", site.line, site.path);
            }
            if sites.len() > SITES_SHOWN {
                println!("    ... and {} more", sites.len() - SITES_SHOWN);
            }
        }
    }
    if circles.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
