//! The state of the active provider: registered call sites, the data file,
//! counters and the logger, reachable by every writer through one pointer.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Mutex, MutexGuard};

use opentelemetry_sdk::logs::SdkLogger;
use otel_user_events_abi::DataFile;
use otel_user_events_abi::name::ProviderName;

use super::report::TracepointReport;
use crate::callsite::{self, Callsite};
use crate::counters::{self, CounterSnapshot, Counters};
use crate::enable;
use crate::encode::common_schema::CloudRole;

/// The state of an initialised provider.
pub(crate) struct ProviderState {
    pub(crate) name: ProviderName,
    pub(crate) data_file: Option<DataFile>,
    pub(crate) counters: Counters,
    /// PartA's cloud role, from the builder's resource.
    pub(crate) cloud_role: CloudRole,
    /// Present exactly when OpenTelemetry output is active.
    pub(crate) logger: Option<SdkLogger>,
    pub(super) registered: Mutex<Vec<&'static Callsite>>,
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
        let sites = std::mem::take(&mut *self.registered.lock().unwrap_or_else(|e| e.into_inner()));
        if let Some(file) = &self.data_file {
            release(file, sites);
        }
        for site in callsite::all() {
            site.set(enable::FALLBACK | enable::UNAVAILABLE, false);
        }
    }
}

/// Unregisters `sites` and closes `file`, which drops the kernel's references so
/// the tracepoint names can leave `user_events_status`.
pub(super) fn release(file: &DataFile, sites: Vec<&'static Callsite>) {
    for site in sites {
        let _ = file.unregister(site.enable_word());
        site.set_write_index(u32::MAX);
        site.set(enable::KERNEL, false);
    }
    file.close();
}

/// Registers each call site; groups the outcome by tracepoint name.
pub(super) fn register_all(
    file: &DataFile,
    name: &ProviderName,
) -> (Vec<&'static Callsite>, Vec<TracepointReport>) {
    let mut registered = Vec::new();
    let mut by_name: BTreeMap<String, TracepointReport> = BTreeMap::new();
    for site in callsite::all() {
        let info = site.info();
        let tp_name = name.tracepoint_name(info.level, info.keyword);
        // SAFETY: call sites are statics, so their enable words never move.
        let result = unsafe { file.register(&tp_name, site.enable_word()) }.map(|index| {
            site.set_write_index(index);
            registered.push(site);
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
