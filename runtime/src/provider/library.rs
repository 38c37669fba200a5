//! Library providers: a crate's own provider, defined statically
//! (`define_provider!`), named by its call sites or made the default of a
//! module (`default_provider!`), and started by the application
//! ([`LibraryProvider::builder`]).
//!
//! Which provider a call site writes to is decided once, when a provider
//! starts: the one the call site names; else the default of the nearest
//! enclosing module that has one (the longest module path); else the
//! application's provider. Both lists are gathered at link time, like the call
//! sites, so every provider linked into the program is known without
//! registering anything by hand.

use std::fmt;

use otel_user_events_abi::name::ProviderName;

/// A provider a library defines for its own events, with
/// `otel_user_events::define_provider!`: its name (checked at compile time),
/// its group and the keywords it registers even when no call site uses them.
///
/// It writes nothing until the application starts it with
/// [`builder`](Self::builder) (one line per library) or
/// [`Provider::build_libraries`](crate::Provider::build_libraries) (every library provider linked in);
/// until then each of its call sites costs one load, as any call site nobody
/// listens to.
///
/// ```
/// use otel_user_events_runtime::provider::LibraryProvider;
///
/// // What `define_provider!(pub DRIVER, "AcmeDriver", keywords = [0x10])` defines:
/// # static DRIVER: LibraryProvider = LibraryProvider::__new("AcmeDriver", None, &[0x10], module_path!());
/// assert_eq!(DRIVER.name(), "AcmeDriver");
/// assert_eq!(DRIVER.group(), None);
/// assert_eq!(DRIVER.keywords(), &[0x10]);
/// ```
pub struct LibraryProvider {
    name: &'static str,
    group: Option<&'static str>,
    keywords: &'static [u64],
    module: &'static str,
}

impl LibraryProvider {
    /// What `define_provider!` generates; the macro has checked the name
    /// and the group.
    #[doc(hidden)]
    pub const fn __new(
        name: &'static str,
        group: Option<&'static str>,
        keywords: &'static [u64],
        module: &'static str,
    ) -> LibraryProvider {
        LibraryProvider {
            name,
            group,
            keywords,
            module,
        }
    }

    /// The provider name: its tracepoints are `<name>_L<level>K<keyword>[G<group>]`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The provider group, if it has one.
    pub fn group(&self) -> Option<&'static str> {
        self.group
    }

    /// The keywords whose five levels it registers even when no call site
    /// uses them (those its call sites use are registered anyway).
    pub fn keywords(&self) -> &'static [u64] {
        self.keywords
    }

    /// The module that defines it (`module_path!()` there).
    pub fn module(&self) -> &'static str {
        self.module
    }

    /// Every library provider linked into this program, in no particular order.
    pub fn linked() -> impl Iterator<Item = &'static LibraryProvider> {
        LIBRARY_PROVIDERS.iter().copied()
    }

    /// Its tracepoint name for `level` and `keyword`, e.g. `AcmeDriver_L4K1`.
    pub fn tracepoint_name(&self, level: crate::Level, keyword: u64) -> String {
        // Name and group were checked by `define_provider!`.
        ProviderName::with_optional_group(self.name, self.group).map_or_else(
            |_| self.name.to_owned(),
            |name| name.tracepoint_name(level, keyword),
        )
    }
}

/// Whether `a` and `b` are the same provider: the same definition (not merely
/// the same name), or both `None` (the application's).
pub(crate) fn same(a: Option<&LibraryProvider>, b: Option<&LibraryProvider>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => std::ptr::eq(a, b),
        _ => false,
    }
}

impl fmt::Debug for LibraryProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LibraryProvider")
            .field("name", &self.name)
            .field("group", &self.group)
            .field("keywords", &self.keywords)
            .field("module", &self.module)
            .finish()
    }
}

/// A module's default provider, as `default_provider!` declares it.
#[doc(hidden)]
pub struct ModuleDefault {
    module: &'static str,
    provider: &'static LibraryProvider,
}

impl ModuleDefault {
    /// What `default_provider!` generates.
    #[doc(hidden)]
    pub const fn __new(module: &'static str, provider: &'static LibraryProvider) -> ModuleDefault {
        ModuleDefault { module, provider }
    }
}

/// Every `define_provider!` in the program.
#[doc(hidden)]
#[linkme::distributed_slice]
pub static LIBRARY_PROVIDERS: [&'static LibraryProvider];

/// Every `default_provider!` in the program.
#[doc(hidden)]
#[linkme::distributed_slice]
pub static MODULE_DEFAULTS: [ModuleDefault];

/// The library provider a call site in module `target` writes to: `named`
/// (the one the call site names) if any, else the default of the nearest
/// module enclosing `target`; `None` for the application's provider.
pub(crate) fn owner(
    named: Option<&'static LibraryProvider>,
    target: &str,
) -> Option<&'static LibraryProvider> {
    named.or_else(|| module_default(MODULE_DEFAULTS.iter(), target))
}

/// The provider of the longest module path in `defaults` that is `target` or
/// encloses it.
fn module_default<'a>(
    defaults: impl Iterator<Item = &'a ModuleDefault>,
    target: &str,
) -> Option<&'static LibraryProvider> {
    defaults
        .filter(|d| encloses(d.module, target))
        .max_by_key(|d| d.module.len())
        .map(|d| d.provider)
}

/// Whether module path `module` is `target` or one of its ancestors.
fn encloses(module: &str, target: &str) -> bool {
    target
        .strip_prefix(module)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
}

#[cfg(test)]
mod tests {
    use super::*;

    static A: LibraryProvider = LibraryProvider::__new("A", None, &[], "a");
    static B: LibraryProvider = LibraryProvider::__new("B", None, &[], "a::b");

    #[test]
    fn a_module_encloses_itself_and_its_children_only() {
        assert!(encloses("a", "a"));
        assert!(encloses("a", "a::b::c"));
        assert!(!encloses("a", "ab"));
        assert!(!encloses("a", "ab::c"));
        assert!(!encloses("a::b", "a"));
    }

    #[test]
    fn the_nearest_enclosing_default_wins_whatever_the_order() {
        let defaults = [
            ModuleDefault::__new("a", &A),
            ModuleDefault::__new("a::b", &B),
        ];
        let pick = |target| {
            let forward = module_default(defaults.iter(), target).map(LibraryProvider::name);
            let backward = module_default(defaults.iter().rev(), target).map(LibraryProvider::name);
            assert_eq!(forward, backward, "{target}");
            forward
        };
        assert_eq!(pick("a"), Some("A"));
        assert_eq!(pick("a::c"), Some("A"));
        assert_eq!(pick("a::b"), Some("B"));
        assert_eq!(pick("a::b::d"), Some("B"));
        assert_eq!(pick("ab::b"), None);
        assert_eq!(pick("other"), None);
    }

    #[test]
    fn a_named_provider_beats_any_default() {
        // No default_provider! in this crate's tests: the named one or none.
        assert!(same(owner(Some(&B), "a"), Some(&B)));
        assert!(!same(owner(Some(&B), "a"), Some(&A)));
        assert!(owner(None, "a").is_none());
    }
}
