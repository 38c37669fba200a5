//! The running provider, as its owner holds it.

use std::fmt;

use opentelemetry_sdk::logs::SdkLoggerProvider;

use super::report::{InitReport, LoggerSource};
use super::sites;
use super::state::{self, ProviderState};
use crate::events::callsite::Callsite;
use crate::output::CounterSnapshot;

/// The running provider. Dropping it (or calling [`Provider::shutdown`])
/// unregisters every tracepoint; call sites are then no-ops.
///
/// It is a guard: keep it in a variable for as long as events should be
/// written, e.g. for the whole of `main`. `let _provider = ..init()?;` keeps
/// it to the end of the scope; `let _ = ..init()?;` drops it at once (`_` binds
/// nothing), and every later event is silently gone.
///
/// ```
/// use otel_user_events_runtime::Provider;
///
/// let provider = Provider::builder("MyService").build().expect("valid name");
/// assert_eq!(provider.name(), "MyService");
/// print!("{}", provider.report()); // what registered, or why user_events is unavailable
/// // ... events are written while `provider` lives ...
/// let counters = provider.counters();
/// assert_eq!(counters.written, 0); // nothing written yet
/// provider.shutdown(); // or let it drop at the end of `main`
/// ```
#[must_use = "the provider shuts down when dropped: keep it in a variable (`let _provider = ..`, \
              not `let _ = ..`) for as long as events should be written"]
pub struct Provider {
    pub(super) state: &'static ProviderState,
    /// Its call sites ([`sites::own`]).
    pub(super) sites: Vec<&'static Callsite>,
    pub(super) logger_provider: Option<(SdkLoggerProvider, LoggerSource)>,
    pub(super) report: InitReport,
}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provider")
            .field("name", self.state.name())
            .field("active", &self.report.active)
            .finish_non_exhaustive()
    }
}

impl Provider {
    /// What initialisation did.
    pub fn report(&self) -> &InitReport {
        &self.report
    }

    /// The provider's name.
    pub fn name(&self) -> &str {
        self.state.name().as_str()
    }

    /// The counters now.
    pub fn counters(&self) -> CounterSnapshot {
        self.state.counters_now()
    }

    /// The logger provider events go to, when OpenTelemetry output is active:
    /// e.g. to send other logs (the `tracing` appender) to the same exporter.
    pub fn logger_provider(&self) -> Option<&SdkLoggerProvider> {
        self.logger_provider.as_ref().map(|(p, _)| p)
    }

    /// Asks the logger provider again which call sites it wants, and returns
    /// how many it does.
    ///
    /// The answer of `Logger::event_enabled` is cached per call site at
    /// [`init`](crate::provider::ProviderBuilder::build), so the enabled check stays one load.
    /// The SDK's answer depends only on its processors' configuration, which is
    /// usually fixed; call this after changing a processor whose
    /// `event_enabled` filter can change at run time. Returns 0 when
    /// OpenTelemetry output is not active.
    pub fn refresh_enabled(&self) -> usize {
        let _lifecycle = state::lifecycle();
        sites::refresh_fallback(self.state, &self.sites)
    }

    /// Unregisters every tracepoint exactly once and stops all output; then
    /// flushes the logger provider, and shuts it down if it was built here
    /// (`ProviderBuilder::with_stdout_logger_provider`).
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        sites::shutdown(self.state, &self.sites);
        match &self.logger_provider {
            Some((p, LoggerSource::Given)) => {
                let _ = p.force_flush();
            }
            Some((p, LoggerSource::Stdout)) => {
                let _ = p.shutdown();
            }
            None => {}
        }
    }
}

/// The counters of the application's provider, if one is active: for code
/// that does not hold the [`Provider`] (a metrics endpoint, a health check).
/// A library provider's are [`LibraryProvider::counters`](crate::provider::LibraryProvider::counters).
///
/// ```
/// use otel_user_events_runtime::{Provider, provider::counters};
///
/// assert_eq!(counters(), None);
/// let provider = Provider::builder("MyService").build().unwrap();
/// assert_eq!(counters(), Some(provider.counters()));
/// provider.shutdown();
/// assert_eq!(counters(), None);
/// ```
pub fn counters() -> Option<CounterSnapshot> {
    state::active(None).map(|s| s.counters_now())
}

impl super::LibraryProvider {
    /// Its counters, while it is started: for code that does not hold the
    /// [`Provider`] (the library itself, a health check).
    ///
    /// ```
    /// use otel_user_events_runtime::provider::LibraryProvider;
    ///
    /// # static DRIVER: LibraryProvider = LibraryProvider::__new("AcmeDriver", None, &[], module_path!());
    /// assert_eq!(DRIVER.counters(), None); // not started
    /// let driver = DRIVER.builder().build().unwrap();
    /// assert_eq!(DRIVER.counters(), Some(driver.counters()));
    /// driver.shutdown();
    /// assert_eq!(DRIVER.counters(), None);
    /// ```
    pub fn counters(&'static self) -> Option<CounterSnapshot> {
        state::active(Some(self)).map(|s| s.counters_now())
    }
}
