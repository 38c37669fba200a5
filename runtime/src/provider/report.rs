//! What initialisation says: the report people read at startup, and the errors.

use std::fmt;
use std::path::PathBuf;

use otel_user_events_abi::DataFileError;
use otel_user_events_abi::name::ProviderNameError;

use super::mode::OutputMode;
use crate::output::TracepointStatus;

/// The outputs that are live after initialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActiveOutputs {
    /// Events go to user_events tracepoints (when a listener is attached).
    pub user_events: bool,
    /// Events go to the OpenTelemetry logger provider.
    pub opentelemetry: bool,
}

/// Which OpenTelemetry logger provider events go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoggerSource {
    /// The one given to [`ProviderBuilder::with_logger_provider`](crate::provider::ProviderBuilder::with_logger_provider).
    Given,
    /// One built by `ProviderBuilder::with_stdout_logger_provider`: the
    /// `opentelemetry-stdout` exporter behind a simple (synchronous) processor.
    Stdout,
}

/// The OpenTelemetry output, when it is active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTelemetryReport {
    /// Where the logger provider came from.
    pub source: LoggerSource,
    /// Call sites in the program.
    pub call_sites: usize,
    /// Call sites the logger provider wants (`Logger::event_enabled` said yes).
    pub enabled_call_sites: usize,
}

/// What initialisation did, for people: print it at startup.
///
/// ```
/// use otel_user_events_runtime::Provider;
///
/// let provider = Provider::builder("MyService").build().unwrap();
/// let report = provider.report();
/// assert_eq!(report.provider, "MyService");
/// if report.active.user_events {
///     // The data file opened; one line per tracepoint name of the program.
///     assert!(matches!(report.data_file, Some(Ok(_))));
/// } else {
///     // Why not, e.g. "user_events is unavailable (ENOTSUP: this kernel has no
///     // user_events ...)"; `data_file` has the errno when the file did not open.
///     eprintln!("{}", report.reason);
/// }
/// // The first of its lines:
/// let text = report.to_string();
/// assert!(text.starts_with("otel-user-events provider \"MyService\": output "));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitReport {
    /// The provider name.
    pub provider: String,
    /// The mode asked for.
    pub requested: OutputMode,
    /// The outputs in use.
    pub active: ActiveOutputs,
    /// Why these outputs (one sentence).
    pub reason: String,
    /// The `user_events_data` file, or why it could not be opened (`None` when
    /// user_events was not tried).
    pub data_file: Option<Result<PathBuf, DataFileError>>,
    /// One line per tracepoint name (empty when user_events was not tried):
    /// all five levels of every keyword of a call site or of
    /// [`keywords`](crate::provider::ProviderBuilder::with_keywords).
    pub tracepoints: Vec<TracepointStatus>,
    /// The OpenTelemetry output, when active.
    pub opentelemetry: Option<OpenTelemetryReport>,
}

impl fmt::Display for InitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let output = match (self.active.user_events, self.active.opentelemetry) {
            (true, true) => "user_events + OpenTelemetry",
            (true, false) => "user_events",
            (false, true) => "OpenTelemetry",
            (false, false) => "none",
        };
        writeln!(
            f,
            "otel-user-events provider {:?}: output {output} (requested {:?})",
            self.provider, self.requested
        )?;
        writeln!(f, "  why: {}", self.reason)?;
        match &self.data_file {
            Some(Ok(path)) => writeln!(f, "  user_events_data: {}", path.display())?,
            Some(Err(e)) => writeln!(
                f,
                "  user_events_data: {}: {} ({})",
                e.path.display(),
                e.errno.name(),
                e.errno.0
            )?,
            None => {}
        }
        for tp in &self.tracepoints {
            match &tp.result {
                Ok(()) if tp.call_sites == 0 => writeln!(
                    f,
                    "  {}: registered (no call site: registered so collectors find it)",
                    tp.name
                )?,
                Ok(()) => writeln!(
                    f,
                    "  {}: registered ({} call sites)",
                    tp.name, tp.call_sites
                )?,
                Err(e) => writeln!(f, "  {}: not registered: {e}", tp.name)?,
            }
        }
        if let Some(otel) = &self.opentelemetry {
            let source = match otel.source {
                LoggerSource::Given => "the given logger provider",
                LoggerSource::Stdout => "stdout (opentelemetry-stdout)",
            };
            write!(
                f,
                "  OpenTelemetry: {source}, {} of {} call sites enabled",
                otel.enabled_call_sites, otel.call_sites
            )?;
            if otel.enabled_call_sites == 0 && otel.call_sites > 0 {
                write!(
                    f,
                    " (the logger provider wants none of them: does it have a log processor?)"
                )?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// Why initialisation failed. Missing kernel support is not an error (see the report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitError {
    /// The provider name breaks a rule.
    InvalidName(ProviderNameError),
    /// Another application provider is active in this process; shut it down first.
    AlreadyActive {
        /// The active provider's name.
        active: String,
    },
    /// `OpenTelemetry` or `Both` was asked for without a logger provider.
    NoLoggerProvider(OutputMode),
    /// This library provider is started already; it runs once at a time.
    LibraryAlreadyActive {
        /// Its name.
        provider: String,
        /// The module that defines it.
        module: &'static str,
    },
}

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InitError::InvalidName(e) => e.fmt(f),
            InitError::AlreadyActive { active } => write!(
                f,
                "provider {active:?} is already active in this process; shut it down before starting another"
            ),
            InitError::NoLoggerProvider(mode) => write!(
                f,
                "output mode {mode:?} needs an OpenTelemetry logger provider: call \
                 .logger_provider(..) or .stdout_logger_provider()"
            ),
            InitError::LibraryAlreadyActive { provider, module } => write!(
                f,
                "library provider {provider:?} (defined in {module}) is already started in this \
                 process; shut it down before starting it again"
            ),
        }
    }
}

impl std::error::Error for InitError {}

impl From<ProviderNameError> for InitError {
    fn from(e: ProviderNameError) -> Self {
        InitError::InvalidName(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use otel_user_events_abi::Errno;

    #[test]
    fn a_tracepoint_without_call_sites_says_why_it_is_registered() {
        let tp = TracepointStatus::of;
        let report = InitReport {
            provider: "P".to_owned(),
            requested: OutputMode::UserEvents,
            active: ActiveOutputs {
                user_events: true,
                opentelemetry: false,
            },
            reason: "because".to_owned(),
            data_file: Some(Ok(PathBuf::from("/sys/kernel/tracing/user_events_data"))),
            tracepoints: vec![
                tp("P_L1K1", 0, Ok(())),
                tp("P_L4K1", 2, Ok(())),
                tp("P_L5K1", 0, Err(Errno(libc::EINVAL))),
            ],
            opentelemetry: None,
        };
        assert_eq!(
            report.to_string(),
            "otel-user-events provider \"P\": output user_events (requested UserEvents)\n  \
             why: because\n  user_events_data: /sys/kernel/tracing/user_events_data\n  \
             P_L1K1: registered (no call site: registered so collectors find it)\n  \
             P_L4K1: registered (2 call sites)\n  \
             P_L5K1: not registered: EINVAL (22): the kernel rejected the tracepoint definition\n"
        );
    }
}
