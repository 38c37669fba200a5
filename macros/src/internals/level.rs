//! The level argument: a shorthand (`info`) or a path to a `Level` (`Level::Warn`).

use super::Ctxt;

/// The shorthands and the `Level` variant each stands for.
const SHORTHANDS: &[(&str, &str)] = &[
    ("critical", "Critical"),
    ("fatal", "Critical"),
    ("error", "Error"),
    ("warn", "Warn"),
    ("info", "Info"),
    ("verbose", "Verbose"),
    ("debug", "Verbose"),
    ("trace", "Verbose"),
];

/// A checked level.
pub enum Level {
    /// A shorthand, as the `Level` variant name.
    Shorthand(&'static str),
    /// A path evaluated in a const context (`Level::Warn`, `MY_LEVEL`).
    Path(syn::Path),
}

impl Level {
    /// A lowercase single identifier is a shorthand and must be a known one
    /// (a variable holding a level is not one: the level is a constant);
    /// anything else is a path to a `Level` value.
    pub fn from_path(cx: &Ctxt, path: syn::Path) -> Option<Level> {
        if let Some(ident) = path.get_ident() {
            let text = ident.to_string();
            if let Some((_, variant)) = SHORTHANDS.iter().find(|(s, _)| *s == text) {
                return Some(Level::Shorthand(variant));
            }
            if text.chars().next().is_some_and(|c| c.is_lowercase()) {
                cx.error_spanned_by(
                    ident,
                    format!(
                        "unknown level `{text}`: expected critical, fatal, error, warn, info, verbose, debug, trace, \
                         or a path to a `Level` constant such as `Level::Warn`. The level must be known at compile time, \
                         as it picks the tracepoint (`<Provider>_L<level>K<keyword>`); to choose one at run time, \
                         branch between calls"
                    ),
                );
                return None;
            }
        }
        Some(Level::Path(path))
    }
}
