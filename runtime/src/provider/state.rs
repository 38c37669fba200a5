//! The state of the active provider: its output (tracepoints, data file,
//! counters), the call sites registered through it and the logger, reachable
//! by every writer through one pointer.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use opentelemetry_sdk::logs::SdkLogger;

use crate::encode::common_schema::CloudRole;
use crate::encode::profile::EncodingProfile;
use crate::events::callsite::{self, Callsite};
use crate::level::Level;
use crate::output::{self, CounterSnapshot, Output, OutputOptions, Tracepoints, enable};

/// The state of an initialised provider.
pub(crate) struct ProviderState {
    /// Its tracepoints (none when user_events is not used), counters, limit.
    pub(crate) output: Arc<Output>,
    /// PartA's cloud role, from the builder's resource.
    pub(crate) cloud_role: CloudRole,
    /// How macro events are encoded for user_events.
    pub(crate) profile: EncodingProfile,
    /// Present exactly when OpenTelemetry output is active.
    pub(crate) logger: Option<SdkLogger>,
    /// The call sites whose tracepoint registered, reset at shutdown.
    pub(super) registered: Mutex<Vec<&'static Callsite>>,
    /// [`output::site_drops_unavailable`] when this provider started: the
    /// drops its call sites count themselves are the ones after it.
    pub(super) site_drops_unavailable_base: u64,
}

impl ProviderState {
    /// The provider name (and group).
    pub(crate) fn name(&self) -> &otel_user_events_abi::name::ProviderName {
        self.output.tracepoints().name()
    }

    /// The counters now, with the events its call sites counted as dropped
    /// for want of an output (see [`output::site_dropped_unavailable`]).
    pub(crate) fn counters_now(&self) -> CounterSnapshot {
        let mut snapshot = self.output.counters().snapshot();
        snapshot.dropped_unavailable +=
            output::site_drops_unavailable().saturating_sub(self.site_drops_unavailable_base);
        snapshot
    }

    /// Sets each site's FALLBACK bit from the logger's `event_enabled` for the
    /// site's (severity, target, event name), so the enabled check stays one load
    /// (see [`crate::events::fallback`] for the rule). Returns how many sites are on.
    pub(super) fn refresh_fallback(&self) -> usize {
        use opentelemetry::logs::Logger as _;
        // Asked outside any suppression scope the caller may be in: the answer
        // is cached for every thread and context.
        let _clean = opentelemetry::Context::new().attach();
        let mut enabled = 0;
        for site in callsite::all() {
            let info = site.info();
            let wanted = self.logger.as_ref().is_some_and(|logger| {
                logger.event_enabled(info.level.severity(), info.target, Some(info.name))
            });
            site.set(enable::FALLBACK, wanted);
            enabled += usize::from(wanted);
        }
        enabled
    }

    pub(super) fn shutdown(&self) {
        let _lifecycle = lifecycle();
        let me = self as *const ProviderState as *mut ProviderState;
        if ACTIVE
            .compare_exchange(
                me,
                std::ptr::null_mut(),
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_err()
        {
            return; // already shut down
        }
        let registered =
            std::mem::take(&mut *self.registered.lock().unwrap_or_else(|e| e.into_inner()));
        forget(&registered);
        self.output.release();
        for site in callsite::all() {
            site.set(enable::FALLBACK | enable::UNAVAILABLE, false);
        }
    }
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

/// Registers the five levels of every keyword of the call sites and of
/// `extra_keywords` ([`keywords_to_register`]), then each call site's own
/// enable word with its tracepoint; returns the tracepoints and the call
/// sites that registered.
pub(super) fn register_all(
    options: &OutputOptions,
    name: otel_user_events_abi::name::ProviderName,
    extra_keywords: &[u64],
) -> (Tracepoints, Vec<&'static Callsite>) {
    let sites = callsite::all().map(|site| (site.info().level, site.info().keyword));
    let keywords = keywords_to_register(sites, extra_keywords);
    let mut tracepoints = options.register(name, &keywords);
    let mut registered = Vec::new();
    for site in callsite::all() {
        let info = site.info();
        if let Ok(index) =
            tracepoints.register_call_site(info.level, info.keyword, site.enable_word())
        {
            site.set_write_index(index);
            registered.push(site);
        }
    }
    (tracepoints, registered)
}

/// Makes `sites` forget their registration: no write index, no kernel bit.
/// The output's release unregisters their words.
pub(super) fn forget(sites: &[&'static Callsite]) {
    for site in sites {
        site.set_write_index(u32::MAX);
        site.set(enable::KERNEL, false);
    }
}

static ACTIVE: AtomicPtr<ProviderState> = AtomicPtr::new(std::ptr::null_mut());
static LIFECYCLE: Mutex<()> = Mutex::new(());

/// Held while a provider starts, refreshes or shuts down, so they never overlap.
pub(super) fn lifecycle() -> MutexGuard<'static, ()> {
    LIFECYCLE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Makes `state` the active provider, for good: writers on other threads may
/// still read a provider after its shutdown, so it is never freed (one small
/// block per init). Call with [`lifecycle`] held and no provider active.
pub(super) fn activate(state: ProviderState) -> &'static ProviderState {
    let state: &'static ProviderState = Box::leak(Box::new(state));
    ACTIVE.store(state as *const _ as *mut _, Ordering::Release);
    state
}

/// The active provider, if any.
pub(crate) fn active() -> Option<&'static ProviderState> {
    // SAFETY: states are leaked, never freed.
    unsafe { ACTIVE.load(Ordering::Acquire).as_ref() }
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
