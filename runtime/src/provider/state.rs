//! The state of a started provider (the application's or a library's): its
//! output (tracepoints, data file, counters), PartA's cloud role, the encoding
//! profile and the logger. Each call site points at the state of the provider
//! it writes to (see `sites`), so a writer reaches it in one load; states are
//! never freed, so a writer racing with shutdown still reads a valid one.

use std::sync::{Arc, Mutex, MutexGuard};

use opentelemetry_sdk::logs::SdkLogger;

use super::library::{self, LibraryProvider};
use crate::encode::common_schema::CloudRole;
use crate::encode::profile::EncodingProfile;
use crate::output::{CounterSnapshot, Output};

/// The state of a started provider.
pub(crate) struct ProviderState {
    /// Its tracepoints (none when user_events is not used), counters, limit.
    pub(crate) output: Arc<Output>,
    /// PartA's cloud role, from the builder's resource.
    pub(crate) cloud_role: CloudRole,
    /// How macro events are encoded for user_events.
    pub(crate) profile: EncodingProfile,
    /// Present exactly when OpenTelemetry output is active.
    pub(crate) logger: Option<SdkLogger>,
    /// The library provider it runs, or `None` for the application's.
    pub(crate) library: Option<&'static LibraryProvider>,
}

impl ProviderState {
    /// The provider name (and group).
    pub(crate) fn name(&self) -> &otel_user_events_abi::name::ProviderName {
        self.output.tracepoints().name()
    }

    /// The counters now.
    pub(crate) fn counters_now(&self) -> CounterSnapshot {
        self.output.counters().snapshot()
    }

    /// Whether it runs `library` (`None`: the application's provider).
    fn runs(&self, library: Option<&LibraryProvider>) -> bool {
        library::same(self.library, library)
    }
}

/// The providers started and not shut down: at most one application provider
/// and one of each library provider.
static ACTIVE: Mutex<Vec<&'static ProviderState>> = Mutex::new(Vec::new());
static LIFECYCLE: Mutex<()> = Mutex::new(());

/// Held while a provider starts, refreshes or shuts down, so they never overlap.
pub(super) fn lifecycle() -> MutexGuard<'static, ()> {
    LIFECYCLE.lock().unwrap_or_else(|e| e.into_inner())
}

fn active_list() -> MutexGuard<'static, Vec<&'static ProviderState>> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Makes `state` active, for good: writers on other threads may still read a
/// provider after its shutdown, so it is never freed (one small block per
/// start). Call with [`lifecycle`] held and [`active`] of its library `None`.
pub(super) fn activate(state: ProviderState) -> &'static ProviderState {
    let state: &'static ProviderState = Box::leak(Box::new(state));
    active_list().push(state);
    state
}

/// Takes `state` off the active list; false if it was not on it (already shut down).
pub(super) fn deactivate(state: &ProviderState) -> bool {
    let mut active = active_list();
    let before = active.len();
    active.retain(|s| !std::ptr::eq(*s, state));
    active.len() != before
}

/// The active provider running `library` (`None`: the application's), if any.
pub(crate) fn active(library: Option<&LibraryProvider>) -> Option<&'static ProviderState> {
    active_list().iter().copied().find(|s| s.runs(library))
}
