//! A provider's call sites: which sites are its own, their registration,
//! their fallback bits and their release.

use std::collections::BTreeSet;

use super::library::{self, LibraryProvider};
use super::state::ProviderState;
use crate::events::callsite::{self, Callsite};
use crate::level::Level;
use crate::output::{OutputOptions, Tracepoints, enable};

/// The call sites that write to `library`'s provider (`None`: the
/// application's): those that name it, or whose module's default it is
/// ([`library::owner`]).
pub(super) fn own(library: Option<&'static LibraryProvider>) -> Vec<&'static Callsite> {
    callsite::all()
        .filter(|site| {
            let info = site.info();
            library::same(library::owner(info.provider, info.target), library)
        })
        .collect()
}

/// Every keyword the provider registers (all five levels of each): those
/// of the call sites in `sites` and `extra_keywords`, in increasing order.
pub(super) fn keywords_to_register(
    sites: impl IntoIterator<Item = (Level, u64)>,
    extra_keywords: &[u64],
) -> Vec<u64> {
    let keywords: BTreeSet<u64> = sites
        .into_iter()
        .map(|(_, keyword)| keyword)
        .chain(extra_keywords.iter().copied())
        .collect();
    keywords.into_iter().collect()
}

/// Registers the five levels of every keyword of `sites` and of
/// `extra_keywords` ([`keywords_to_register`]), then each site's own enable
/// word with its tracepoint; returns the tracepoints and the sites that
/// registered.
pub(super) fn register_all(
    options: &OutputOptions,
    name: otel_user_events_abi::name::ProviderName,
    extra_keywords: &[u64],
    sites: &[&'static Callsite],
) -> (Tracepoints, Vec<&'static Callsite>) {
    let keywords = keywords_to_register(
        sites
            .iter()
            .map(|site| (site.info().level, site.info().keyword)),
        extra_keywords,
    );
    let mut tracepoints = options.register(name, &keywords);
    let mut registered = Vec::new();
    for site in sites {
        let info = site.info();
        if let Ok(index) =
            tracepoints.register_call_site(info.level, info.keyword, site.enable_word())
        {
            site.set_write_index(index);
            registered.push(*site);
        }
    }
    (tracepoints, registered)
}

/// Makes `sites` forget their registration: no write index, no kernel bit.
/// The output's release unregisters their words.
pub(super) fn forget(sites: &[&'static Callsite]) {
    for site in sites {
        site.set_write_index(callsite::NOT_REGISTERED);
        site.set(enable::KERNEL, false);
    }
}

/// Points `sites` at `state` and sets their UNAVAILABLE bit where they have no
/// output at all: every site when nothing is active, the sites that are not
/// registered when only user_events is.
pub(super) fn claim(
    state: &'static ProviderState,
    sites: &[&'static Callsite],
    user_events: bool,
    opentelemetry: bool,
) {
    for site in sites {
        site.set_owner(Some(state));
        let unavailable = match (user_events, opentelemetry) {
            (false, false) => true,
            (true, false) => !site.is_registered(),
            _ => false,
        };
        site.set(enable::UNAVAILABLE, unavailable);
    }
}

/// Sets each of `sites`' FALLBACK bit from the logger's `event_enabled` for the
/// site's (severity, target, event name), so the enabled check stays one load
/// (see [`crate::events::fallback`] for the rule). Returns how many sites are on.
pub(super) fn refresh_fallback(state: &ProviderState, sites: &[&'static Callsite]) -> usize {
    use opentelemetry::logs::Logger as _;
    // Asked outside any suppression scope the caller may be in: the answer
    // is cached for every thread and context.
    let _clean = opentelemetry::Context::new().attach();
    let mut enabled = 0;
    for site in sites {
        let info = site.info();
        let wanted = state.logger.as_ref().is_some_and(|logger| {
            logger.event_enabled(info.level.severity(), info.target, Some(info.name))
        });
        site.set(enable::FALLBACK, wanted);
        enabled += usize::from(wanted);
    }
    enabled
}

/// Releases `state`'s tracepoints and leaves `sites` without output: call
/// sites are no-ops from then on. Does nothing the second time.
pub(super) fn shutdown(state: &ProviderState, sites: &[&'static Callsite]) {
    let _lifecycle = super::state::lifecycle();
    if !super::state::deactivate(state) {
        return; // already shut down
    }
    forget(sites);
    state.output.release();
    for site in sites {
        site.set(enable::FALLBACK | enable::UNAVAILABLE, false);
        site.set_owner(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_used_or_extra_keyword_is_registered_once_in_order() {
        let sites = [
            (Level::Info, 1),
            (Level::Warn, 0x10),
            (Level::Info, 1),
            (Level::Error, 1),
        ];
        assert_eq!(keywords_to_register(sites, &[0x20, 1]), [1, 0x10, 0x20]);
        assert_eq!(keywords_to_register([], &[]), Vec::<u64>::new());
        assert_eq!(keywords_to_register([], &[7]), [7]);
    }
}
