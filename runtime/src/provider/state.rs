//! The state of the active provider: registered call sites, the data file,
//! counters and the logger, reachable by every writer through one pointer.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};

use opentelemetry_sdk::logs::SdkLogger;
use otel_user_events_abi::DataFile;
use otel_user_events_abi::name::ProviderName;

use super::report::TracepointReport;
use crate::callsite::{self, Callsite};
use crate::counters::{self, CounterSnapshot, Counters};
use crate::enable;
use crate::encode::common_schema::CloudRole;
use crate::encode::profile::EncodingProfile;
use crate::level::Level;

/// The state of an initialised provider.
pub(crate) struct ProviderState {
    pub(crate) name: ProviderName,
    pub(crate) data_file: Option<DataFile>,
    pub(crate) counters: Counters,
    /// PartA's cloud role, from the builder's resource.
    pub(crate) cloud_role: CloudRole,
    /// How macro events are encoded for user_events.
    pub(crate) profile: EncodingProfile,
    /// Present exactly when OpenTelemetry output is active.
    pub(crate) logger: Option<SdkLogger>,
    pub(super) registered: Mutex<Registered>,
    /// [`counters::site_drops_unavailable`] when this provider started: the
    /// drops its call sites count themselves are the ones after it.
    pub(super) site_drops_unavailable_base: u64,
}

impl ProviderState {
    /// The counters now, with the events its call sites counted as dropped
    /// for want of an output (see [`counters::site_dropped_unavailable`]).
    pub(crate) fn counters_now(&self) -> CounterSnapshot {
        let mut snapshot = self.counters.snapshot();
        snapshot.dropped_unavailable +=
            counters::site_drops_unavailable().saturating_sub(self.site_drops_unavailable_base);
        snapshot
    }

    /// Sets each site's FALLBACK bit from the logger's `event_enabled` for the
    /// site's (severity, target, event name), so the enabled check stays one load
    /// (see [`crate::fallback`] for the rule). Returns how many sites are on.
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
        if let Some(file) = &self.data_file {
            release(file, registered);
        }
        for site in callsite::all() {
            site.set(enable::FALLBACK | enable::UNAVAILABLE, false);
        }
    }
}

/// What registered through the provider's data file, unregistered once at
/// shutdown (or right away when user_events is not used).
#[derive(Default)]
pub(super) struct Registered {
    /// The call sites whose tracepoint registered.
    pub(super) sites: Vec<&'static Callsite>,
    /// The enable words of the tracepoints registered without a call site (the
    /// other levels of a used keyword, and the builder's extra keywords), so
    /// a collector's fixed list of names always opens. Nothing writes to them.
    pub(super) standby: Vec<&'static AtomicU32>,
}

/// Unregisters everything in `registered` and closes `file`, which drops the
/// kernel's references so the tracepoint names can leave `user_events_status`.
pub(super) fn release(file: &DataFile, registered: Registered) {
    for site in registered.sites {
        let _ = file.unregister(site.enable_word());
        site.set_write_index(u32::MAX);
        site.set(enable::KERNEL, false);
    }
    for word in registered.standby {
        let _ = file.unregister(word);
    }
    file.close();
}

/// Every (level, keyword) the provider registers: all five levels of each
/// keyword that a call site in `sites` uses or that `extra_keywords` names,
/// ordered by keyword, then level.
pub(super) fn names_to_register(
    sites: impl IntoIterator<Item = (Level, u64)>,
    extra_keywords: &[u64],
) -> Vec<(Level, u64)> {
    let keywords: BTreeSet<u64> = sites
        .into_iter()
        .map(|(_, keyword)| keyword)
        .chain(extra_keywords.iter().copied())
        .collect();
    keywords
        .into_iter()
        .flat_map(|keyword| Level::ALL.map(|level| (level, keyword)))
        .collect()
}

/// Registers each call site, then a standby word for every other name of
/// [`names_to_register`]; groups the outcome by tracepoint name.
pub(super) fn register_all(
    file: &DataFile,
    name: &ProviderName,
    extra_keywords: &[u64],
) -> (Registered, Vec<TracepointReport>) {
    let mut registered = Registered::default();
    let mut by_name: BTreeMap<String, TracepointReport> = BTreeMap::new();
    for site in callsite::all() {
        let info = site.info();
        let tp_name = name.tracepoint_name(info.level, info.keyword);
        // SAFETY: call sites are statics, so their enable words never move.
        let result = unsafe { file.register(&tp_name, site.enable_word()) }.map(|index| {
            site.set_write_index(index);
            registered.sites.push(site);
        });
        let entry = by_name.entry(tp_name.clone()).or_insert(TracepointReport {
            name: tp_name,
            call_sites: 0,
            result: Ok(()),
        });
        entry.call_sites += 1;
        if entry.result.is_ok() {
            entry.result = result;
        }
    }
    let sites = callsite::all().map(|site| (site.info().level, site.info().keyword));
    let standby: Vec<String> = names_to_register(sites, extra_keywords)
        .into_iter()
        .map(|(level, keyword)| name.tracepoint_name(level, keyword))
        .filter(|tp_name| !by_name.contains_key(tp_name))
        .collect();
    // Leaked like the provider state (a few words per init): the kernel may
    // write to a word until it is unregistered, and a failed unregister must
    // not leave it pointing at freed memory.
    let words: &'static [AtomicU32] =
        Box::leak(standby.iter().map(|_| AtomicU32::new(0)).collect());
    for (tp_name, word) in standby.into_iter().zip(words) {
        // SAFETY: `word` is leaked, so it never moves and is never freed.
        let result = unsafe { file.register(&tp_name, word) }.map(|_| {
            registered.standby.push(word);
        });
        by_name.insert(
            tp_name.clone(),
            TracepointReport {
                name: tp_name,
                call_sites: 0,
                result,
            },
        );
    }
    (registered, by_name.into_values().collect())
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
    fn every_level_of_each_used_or_extra_keyword_is_registered() {
        let sites = [
            (Level::Info, 1),
            (Level::Warn, 0x10),
            (Level::Info, 1),
            (Level::Error, 1),
        ];
        let names = names_to_register(sites, &[0x20, 1]);
        let expected: Vec<(Level, u64)> = [1, 0x10, 0x20]
            .into_iter()
            .flat_map(|keyword| Level::ALL.map(|level| (level, keyword)))
            .collect();
        assert_eq!(names, expected);
        assert_eq!(names.len(), 15);
        assert_eq!(names_to_register([], &[]), Vec::new());
        assert_eq!(
            names_to_register([], &[7]),
            Level::ALL.map(|level| (level, 7)).to_vec()
        );
    }
}
