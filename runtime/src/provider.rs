//! The process's provider: registers every call site's tracepoint, chooses the
//! output, and unregisters everything at shutdown.
//!
//! See [`OutputMode`] for how the output is chosen.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicPtr, Ordering};

use opentelemetry::InstrumentationScope;
use opentelemetry::logs::LoggerProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::{SdkLogger, SdkLoggerProvider};
use otel_user_events_abi::name::{ProviderName, ProviderNameError};
use otel_user_events_abi::{DataFile, DataFileError, Errno};

use crate::callsite::{self, Callsite};
use crate::counters::{CounterSnapshot, Counters};
use crate::enable;
use crate::encode::common_schema::CloudRole;

/// Where macro events go, chosen at [`init`](ProviderBuilder::init):
///
/// | [`OutputMode`]  | every tracepoint registered | some did       | user_events unavailable |
/// |-----------------|-----------------------------|----------------|-------------------------|
/// | `Auto`          | user_events                 | OpenTelemetry¹ | OpenTelemetry¹          |
/// | `UserEvents`    | user_events                 | user_events²   | none²                   |
/// | `OpenTelemetry` | OpenTelemetry (not tried)   |                |                         |
/// | `Both`          | both                        | both³          | OpenTelemetry           |
///
/// ¹ when a logger provider was given ([`ProviderBuilder::logger_provider`], or
/// `ProviderBuilder::stdout_logger_provider` with the `stdout` feature); without
/// one, events are dropped and counted as `dropped_unavailable` (or, when some
/// tracepoints registered, user_events as in ²).
/// ² events of call sites whose tracepoint did not register are dropped and counted.
/// ³ call sites whose tracepoint did not register write to OpenTelemetry only.
///
/// The [`InitReport`] says which outputs are active and why, in one sentence.
///
/// # The OpenTelemetry output
///
/// Each event becomes an SDK `LogRecord` emitted through the logger provider (so
/// any `LogExporter` works): event name, target (module path), severity number
/// and text from the level (critical 21 `FATAL`, error 17 `ERROR`, warn 13 `WARN`,
/// info 9 `INFO`, verbose 5 `DEBUG`), timestamp and observed timestamp (the time
/// of the call), the body, the fields as attributes, and the current span's
/// trace context. Fields keep their natural types (see [`Field::to_any_value`](crate::Field::to_any_value)):
/// integers `Int` (beyond `i64` a decimal `String`), floats `Double`, `bool`,
/// strings and `char` `String`, bytes `Bytes`, other arrays `ListAny`, `Duration`
/// `Int` nanoseconds, `SystemTime` RFC 3339, addresses, `%x` and `?x` `String`.
///
/// The enabled check stays one load: whether the logger provider wants a call
/// site (`Logger::event_enabled` for its severity, target and name) is asked
/// once at `init` and cached in the site's enable word; call
/// [`Provider::refresh_enabled`] after changing a processor's filter at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputMode {
    /// user_events when every tracepoint registered, else OpenTelemetry (when a
    /// logger provider was given; otherwise events are dropped and counted).
    #[default]
    Auto,
    /// user_events only; events that cannot reach it (no kernel support, or
    /// their tracepoint did not register) are dropped and counted as
    /// `dropped_unavailable`.
    UserEvents,
    /// OpenTelemetry only; user_events is not tried.
    OpenTelemetry,
    /// Both user_events and OpenTelemetry; OpenTelemetry alone when user_events
    /// is unavailable.
    Both,
}

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
    /// The one given to [`ProviderBuilder::logger_provider`].
    Given,
    /// One built by `ProviderBuilder::stdout_logger_provider`: the
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

/// The outcome of registering one tracepoint name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TracepointReport {
    /// `<Provider>_L<level>K<keyword>`.
    pub name: String,
    /// How many call sites use it.
    pub call_sites: usize,
    /// `Ok` when every call site registered, else the first error.
    pub result: Result<(), Errno>,
}

/// What initialisation did, for people: print it at startup.
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
    /// One line per tracepoint name (empty when user_events was not tried).
    pub tracepoints: Vec<TracepointReport>,
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
    /// Another provider is active in this process; shut it down first.
    AlreadyActive {
        /// The active provider's name.
        active: String,
    },
    /// `OpenTelemetry` or `Both` was asked for without a logger provider.
    NoLoggerProvider(OutputMode),
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
        }
    }
}

impl std::error::Error for InitError {}

impl From<ProviderNameError> for InitError {
    fn from(e: ProviderNameError) -> Self {
        InitError::InvalidName(e)
    }
}

/// Where the logger provider comes from, as configured.
#[derive(Debug)]
enum LoggerConfig {
    None,
    Given(SdkLoggerProvider),
    #[cfg(feature = "stdout")]
    Stdout,
}

/// Configures and starts the process's provider.
#[derive(Debug)]
#[must_use = "call .init() to start the provider"]
pub struct ProviderBuilder {
    name: String,
    mode: OutputMode,
    logger: LoggerConfig,
    resource: Option<Resource>,
}

impl ProviderBuilder {
    /// Chooses where events go (default [`OutputMode::Auto`]).
    pub fn output(mut self, mode: OutputMode) -> Self {
        self.mode = mode;
        self
    }

    /// The OpenTelemetry logger provider events fall back to (or also go to), with
    /// whatever processors and exporters it has (OTLP, stdout, in-memory, ...).
    ///
    /// It stays yours: [`Provider::shutdown`] only flushes it. Call its own
    /// `shutdown()` when the program ends, as OpenTelemetry asks; dropping your
    /// handles is not enough, since the provider keeps a logger of it for the
    /// life of the process (writers racing with shutdown may still reach it).
    ///
    /// Replaces an earlier `stdout_logger_provider` (feature `stdout`).
    pub fn logger_provider(mut self, provider: SdkLoggerProvider) -> Self {
        self.logger = LoggerConfig::Given(provider);
        self
    }

    /// Falls back to (or also writes to) a logger provider built here that prints
    /// each record to stdout as it is emitted: `opentelemetry-stdout`'s exporter
    /// behind a simple processor, with the [`resource`](Self::resource) if one
    /// is given. Meant for development and examples.
    ///
    /// It is built only when OpenTelemetry output is used, and shut down by
    /// [`Provider::shutdown`]. Note that the exporter uses `println!`, which
    /// panics if stdout is closed (e.g. piped into `head`).
    ///
    /// Replaces an earlier [`logger_provider`](Self::logger_provider). Needs the
    /// `stdout` feature (on by default in the `otel-user-events` crate).
    #[cfg(feature = "stdout")]
    pub fn stdout_logger_provider(mut self) -> Self {
        self.logger = LoggerConfig::Stdout;
        self
    }

    /// The resource whose `service.name` and `service.instance.id` fill PartA's
    /// `ext_cloud_role` and `ext_cloud_roleInstance` (user_events output). A
    /// logger provider given with [`logger_provider`](Self::logger_provider)
    /// keeps its own resource.
    pub fn resource(mut self, resource: Resource) -> Self {
        self.resource = Some(resource);
        self
    }

    /// Registers every call site's tracepoint and activates the provider.
    ///
    /// Missing kernel support is not an error: the [`InitReport`] says what
    /// happened. Errors are a bad name, another active provider, or an output
    /// mode that needs a logger provider without one.
    pub fn init(self) -> Result<Provider, InitError> {
        let name = ProviderName::new(&self.name)?;
        let has_logger = !matches!(self.logger, LoggerConfig::None);
        if matches!(self.mode, OutputMode::OpenTelemetry | OutputMode::Both) && !has_logger {
            return Err(InitError::NoLoggerProvider(self.mode));
        }
        let _lifecycle = LIFECYCLE.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(active) = active() {
            return Err(InitError::AlreadyActive {
                active: active.name.to_string(),
            });
        }

        let try_kernel = self.mode != OutputMode::OpenTelemetry;
        let (data_file, data_file_report) = if try_kernel {
            match DataFile::open() {
                Ok(file) => {
                    let path = file.path().to_owned();
                    (Some(file), Some(Ok(path)))
                }
                Err(e) => (None, Some(Err(e))),
            }
        } else {
            (None, None)
        };
        let (registered, tracepoints) = match &data_file {
            Some(file) => register_all(file, &name),
            None => (Vec::new(), Vec::new()),
        };
        let kernel = KernelOutcome::new(&data_file_report, &tracepoints, !registered.is_empty());
        let Decision {
            user_events,
            opentelemetry,
            reason,
        } = decide(self.mode, &kernel, has_logger);

        let logger_provider = if opentelemetry {
            match self.logger {
                LoggerConfig::None => None,
                LoggerConfig::Given(p) => Some((p, LoggerSource::Given)),
                #[cfg(feature = "stdout")]
                LoggerConfig::Stdout => {
                    Some((stdout_provider(self.resource.clone()), LoggerSource::Stdout))
                }
            }
        } else {
            None
        };
        let logger = logger_provider.as_ref().map(|(p, _)| {
            p.logger_with_scope(
                InstrumentationScope::builder("otel-user-events")
                    .with_version(env!("CARGO_PKG_VERSION"))
                    .build(),
            )
        });
        let cloud_role = CloudRole::from_resource(self.resource.as_ref());

        // A kernel output that is not used gives back what it registered.
        let (data_file, registered) = if user_events {
            (data_file, registered)
        } else {
            if let Some(file) = &data_file {
                release(file, registered);
            }
            (None, Vec::new())
        };
        // Sites with no output at all count their events as dropped: every site
        // when nothing is active, the sites that did not register in `UserEvents`.
        let registered_set: HashSet<*const Callsite> =
            registered.iter().map(|s| *s as *const Callsite).collect();
        for site in callsite::all() {
            let unavailable = match (user_events, opentelemetry) {
                (false, false) => true,
                (true, false) => !registered_set.contains(&(site as *const Callsite)),
                _ => false,
            };
            site.set(enable::UNAVAILABLE, unavailable);
        }

        // Leaked on purpose: writers on other threads may still read a provider
        // after its shutdown, so it is never freed (one small block per init).
        let state: &'static ProviderState = Box::leak(Box::new(ProviderState {
            name: name.clone(),
            data_file,
            counters: Counters::default(),
            cloud_role,
            logger,
            registered: Mutex::new(registered),
        }));
        ACTIVE.store(state as *const _ as *mut _, Ordering::Release);
        let enabled_call_sites = state.refresh_fallback();
        let opentelemetry_report =
            logger_provider
                .as_ref()
                .map(|(_, source)| OpenTelemetryReport {
                    source: *source,
                    call_sites: callsite::all().count(),
                    enabled_call_sites,
                });

        Ok(Provider {
            state,
            logger_provider,
            report: InitReport {
                provider: name.to_string(),
                requested: self.mode,
                active: ActiveOutputs {
                    user_events,
                    opentelemetry,
                },
                reason,
                data_file: data_file_report,
                tracepoints,
                opentelemetry: opentelemetry_report,
            },
        })
    }
}

/// The default logger provider of `ProviderBuilder::stdout_logger_provider`.
#[cfg(feature = "stdout")]
fn stdout_provider(resource: Option<Resource>) -> SdkLoggerProvider {
    let builder = SdkLoggerProvider::builder()
        .with_simple_exporter(opentelemetry_stdout::LogExporter::default());
    match resource {
        Some(resource) => builder.with_resource(resource),
        None => builder,
    }
    .build()
}

/// What happened with user_events, for the decision and its sentence.
enum KernelOutcome {
    NotTried,
    /// Every tracepoint registered (`tracepoints` of them).
    Ready {
        tracepoints: usize,
    },
    /// Some tracepoints registered, some did not.
    Partial(String),
    /// No tracepoint can be written.
    Unavailable(String),
}

impl KernelOutcome {
    fn new(
        data_file: &Option<Result<PathBuf, DataFileError>>,
        tracepoints: &[TracepointReport],
        any_registered: bool,
    ) -> KernelOutcome {
        match data_file {
            None => KernelOutcome::NotTried,
            Some(Err(DataFileError { errno, .. })) => KernelOutcome::Unavailable(format!(
                "user_events is unavailable ({}: {})",
                errno.name(),
                errno.explain()
            )),
            Some(Ok(_)) => {
                let failed: Vec<&TracepointReport> =
                    tracepoints.iter().filter(|t| t.result.is_err()).collect();
                match failed.first() {
                    None => KernelOutcome::Ready {
                        tracepoints: tracepoints.len(),
                    },
                    Some(first) => {
                        let problem = format!(
                            "{} of {} tracepoints did not register (first: {}: {})",
                            failed.len(),
                            tracepoints.len(),
                            first.name,
                            first
                                .result
                                .as_ref()
                                .err()
                                .map_or(String::new(), |e| e.to_string())
                        );
                        if any_registered {
                            KernelOutcome::Partial(problem)
                        } else {
                            KernelOutcome::Unavailable(problem)
                        }
                    }
                }
            }
        }
    }
}

struct Decision {
    user_events: bool,
    opentelemetry: bool,
    reason: String,
}

const DROPPED: &str = "are dropped and counted (dropped_unavailable)";
const NO_LOGGER: &str = "no OpenTelemetry logger provider was given to fall back to \
     (.logger_provider(..) or .stdout_logger_provider())";

fn decide(mode: OutputMode, kernel: &KernelOutcome, has_logger: bool) -> Decision {
    let decision = |user_events, opentelemetry, reason: String| Decision {
        user_events,
        opentelemetry,
        reason,
    };
    let ready = |tracepoints: usize| {
        if tracepoints == 0 {
            "user_events is available (this program has no call sites to register)".to_owned()
        } else {
            format!("every tracepoint registered with user_events ({tracepoints})")
        }
    };
    match (mode, kernel) {
        (OutputMode::OpenTelemetry, _) | (_, KernelOutcome::NotTried) => decision(
            false,
            true,
            "OpenTelemetry was requested, so user_events was not tried".to_owned(),
        ),
        (OutputMode::Both, KernelOutcome::Ready { tracepoints }) => decision(
            true,
            true,
            format!("both outputs were requested and {}", ready(*tracepoints)),
        ),
        (OutputMode::Both, KernelOutcome::Partial(problem)) => decision(
            true,
            true,
            format!(
                "both outputs were requested but {problem}: call sites of the tracepoints that \
                 did not register write to OpenTelemetry only"
            ),
        ),
        (OutputMode::Both, KernelOutcome::Unavailable(problem)) => decision(
            false,
            true,
            format!("both outputs were requested but {problem}: OpenTelemetry only"),
        ),
        (OutputMode::UserEvents, KernelOutcome::Ready { tracepoints }) => decision(
            true,
            false,
            format!("user_events was requested and {}", ready(*tracepoints)),
        ),
        (OutputMode::UserEvents, KernelOutcome::Partial(problem)) => decision(
            true,
            false,
            format!(
                "user_events was requested but {problem}: events of their call sites {DROPPED}"
            ),
        ),
        (OutputMode::UserEvents, KernelOutcome::Unavailable(problem)) => decision(
            false,
            false,
            format!("user_events was requested but {problem}: events {DROPPED}"),
        ),
        (OutputMode::Auto, KernelOutcome::Ready { tracepoints }) => {
            let mut reason = ready(*tracepoints);
            if has_logger {
                reason.push_str("; the OpenTelemetry logger provider is not used");
            }
            decision(true, false, reason)
        }
        (
            OutputMode::Auto,
            KernelOutcome::Partial(problem) | KernelOutcome::Unavailable(problem),
        ) if has_logger => decision(
            false,
            true,
            format!("{problem}: falling back to OpenTelemetry"),
        ),
        // Nothing to fall back to: keep what registered rather than nothing.
        (OutputMode::Auto, KernelOutcome::Partial(problem)) => decision(
            true,
            false,
            format!(
                "{problem}, and {NO_LOGGER}: events of the call sites of the tracepoints that \
                 did not register {DROPPED}"
            ),
        ),
        (OutputMode::Auto, KernelOutcome::Unavailable(problem)) => decision(
            false,
            false,
            format!("{problem}, and {NO_LOGGER}: events {DROPPED}"),
        ),
    }
}

/// Registers each call site; groups the outcome by tracepoint name.
fn register_all(
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

/// The state of an initialised provider.
pub(crate) struct ProviderState {
    pub(crate) name: ProviderName,
    pub(crate) data_file: Option<DataFile>,
    pub(crate) counters: Counters,
    /// PartA's cloud role, from the builder's resource.
    pub(crate) cloud_role: CloudRole,
    /// Present exactly when OpenTelemetry output is active.
    pub(crate) logger: Option<SdkLogger>,
    registered: Mutex<Vec<&'static Callsite>>,
}

impl ProviderState {
    /// Sets each site's FALLBACK bit from the logger's `event_enabled` for the
    /// site's (severity, target, event name), so the enabled check stays one load
    /// (see [`crate::fallback`] for the rule). Returns how many sites are on.
    fn refresh_fallback(&self) -> usize {
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

    fn shutdown(&self) {
        let _lifecycle = LIFECYCLE.lock().unwrap_or_else(|e| e.into_inner());
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
fn release(file: &DataFile, sites: Vec<&'static Callsite>) {
    for site in sites {
        let _ = file.unregister(site.enable_word());
        site.set_write_index(u32::MAX);
        site.set(enable::KERNEL, false);
    }
    file.close();
}

static ACTIVE: AtomicPtr<ProviderState> = AtomicPtr::new(std::ptr::null_mut());
static LIFECYCLE: Mutex<()> = Mutex::new(());

/// The active provider, if any.
pub(crate) fn active() -> Option<&'static ProviderState> {
    // SAFETY: states are leaked, never freed.
    unsafe { ACTIVE.load(Ordering::Acquire).as_ref() }
}

/// The running provider. Dropping it (or calling [`Provider::shutdown`])
/// unregisters every tracepoint; call sites are then no-ops.
#[must_use = "dropping the provider shuts it down at once"]
pub struct Provider {
    state: &'static ProviderState,
    logger_provider: Option<(SdkLoggerProvider, LoggerSource)>,
    report: InitReport,
}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provider")
            .field("name", &self.state.name)
            .field("active", &self.report.active)
            .finish_non_exhaustive()
    }
}

impl Provider {
    /// Starts configuring the provider called `name` (ASCII letters, digits, `_`).
    pub fn builder(name: impl Into<String>) -> ProviderBuilder {
        ProviderBuilder {
            name: name.into(),
            mode: OutputMode::Auto,
            logger: LoggerConfig::None,
            resource: None,
        }
    }

    /// What initialisation did.
    pub fn report(&self) -> &InitReport {
        &self.report
    }

    /// The provider's name.
    pub fn name(&self) -> &str {
        self.state.name.as_str()
    }

    /// The counters now.
    pub fn counters(&self) -> CounterSnapshot {
        self.state.counters.snapshot()
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
    /// [`init`](ProviderBuilder::init), so the enabled check stays one load.
    /// The SDK's answer depends only on its processors' configuration, which is
    /// usually fixed; call this after changing a processor whose
    /// `event_enabled` filter can change at run time. Returns 0 when
    /// OpenTelemetry output is not active.
    pub fn refresh_enabled(&self) -> usize {
        let _lifecycle = LIFECYCLE.lock().unwrap_or_else(|e| e.into_inner());
        self.state.refresh_fallback()
    }

    /// Unregisters every tracepoint exactly once and stops all output; then
    /// flushes the logger provider, and shuts it down if it was built here
    /// (`ProviderBuilder::stdout_logger_provider`).
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.state.shutdown();
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

/// The counters of the active provider, if one is active.
pub fn counters() -> Option<CounterSnapshot> {
    active().map(|s| s.counters.snapshot())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(kernel: KernelOutcome, mode: OutputMode, has_logger: bool) -> (bool, bool) {
        let d = decide(mode, &kernel, has_logger);
        (d.user_events, d.opentelemetry)
    }

    /// Every cell of the table in `OutputMode`'s docs, with and without a logger.
    #[test]
    fn each_mode_and_kernel_outcome_picks_the_documented_outputs() {
        use KernelOutcome::{Partial, Ready, Unavailable};
        use OutputMode::{Auto, Both, UserEvents};
        let p = || Partial("1 of 2 tracepoints did not register".to_owned());
        let u = || Unavailable("user_events is unavailable".to_owned());
        let r = || Ready { tracepoints: 2 };
        let cases = [
            (Auto, r(), true, (true, false)),
            (Auto, r(), false, (true, false)),
            (Auto, p(), true, (false, true)),
            (Auto, p(), false, (true, false)),
            (Auto, u(), true, (false, true)),
            (Auto, u(), false, (false, false)),
            (UserEvents, r(), true, (true, false)),
            (UserEvents, p(), true, (true, false)),
            (UserEvents, u(), true, (false, false)),
            (Both, r(), true, (true, true)),
            (Both, p(), true, (true, true)),
            (Both, u(), true, (false, true)),
            (
                OutputMode::OpenTelemetry,
                KernelOutcome::NotTried,
                true,
                (false, true),
            ),
        ];
        for (mode, kernel, has_logger, expected) in cases {
            let label = format!(
                "{mode:?} {} logger",
                if has_logger { "with" } else { "without" }
            );
            assert_eq!(outcome(kernel, mode, has_logger), expected, "{label}");
        }
    }

    #[test]
    fn partial_registration_reasons_say_what_happens_to_the_rest() {
        let p = || {
            KernelOutcome::Partial(
                "1 of 2 tracepoints did not register (first: P_L4K1: EINVAL)".to_owned(),
            )
        };
        assert_eq!(
            decide(OutputMode::Both, &p(), true).reason,
            "both outputs were requested but 1 of 2 tracepoints did not register (first: \
             P_L4K1: EINVAL): call sites of the tracepoints that did not register write to \
             OpenTelemetry only"
        );
        assert_eq!(
            decide(OutputMode::UserEvents, &p(), false).reason,
            "user_events was requested but 1 of 2 tracepoints did not register (first: \
             P_L4K1: EINVAL): events of their call sites are dropped and counted \
             (dropped_unavailable)"
        );
        assert_eq!(
            decide(OutputMode::Auto, &p(), true).reason,
            "1 of 2 tracepoints did not register (first: P_L4K1: EINVAL): falling back to \
             OpenTelemetry"
        );
        assert_eq!(
            decide(OutputMode::Auto, &p(), false).reason,
            "1 of 2 tracepoints did not register (first: P_L4K1: EINVAL), and no OpenTelemetry \
             logger provider was given to fall back to (.logger_provider(..) or \
             .stdout_logger_provider()): events of the call sites of the tracepoints that did \
             not register are dropped and counted (dropped_unavailable)"
        );
        let ready = KernelOutcome::Ready { tracepoints: 0 };
        assert_eq!(
            decide(OutputMode::Auto, &ready, false).reason,
            "user_events is available (this program has no call sites to register)"
        );
    }

    #[test]
    fn kernel_outcome_names_the_first_failed_tracepoint() {
        let ok = |name: &str| TracepointReport {
            name: name.to_owned(),
            call_sites: 1,
            result: Ok(()),
        };
        let failed = |name: &str| TracepointReport {
            name: name.to_owned(),
            call_sites: 2,
            result: Err(Errno(libc::EINVAL)),
        };
        let file = Some(Ok(PathBuf::from("/sys/kernel/tracing/user_events_data")));
        let tracepoints = [ok("P_L2K1"), failed("P_L4K1"), failed("P_L5K1")];
        let KernelOutcome::Partial(problem) = KernelOutcome::new(&file, &tracepoints, true) else {
            panic!("some registered: partial");
        };
        assert_eq!(
            problem,
            "2 of 3 tracepoints did not register (first: P_L4K1: EINVAL (22): the kernel \
             rejected the tracepoint definition)"
        );
        assert!(matches!(
            KernelOutcome::new(&file, &tracepoints[1..], false),
            KernelOutcome::Unavailable(_)
        ));
        assert!(matches!(
            KernelOutcome::new(&file, &tracepoints[..1], true),
            KernelOutcome::Ready { tracepoints: 1 }
        ));
        let missing = Some(Err(DataFileError {
            errno: Errno(libc::ENOENT),
            path: PathBuf::from("/x/user_events_data"),
        }));
        let KernelOutcome::Unavailable(problem) = KernelOutcome::new(&missing, &[], false) else {
            panic!("no data file: unavailable");
        };
        assert_eq!(
            problem,
            "user_events is unavailable (ENOENT: this kernel has no user_events \
             (CONFIG_USER_EVENTS, Linux 6.4+))"
        );
        assert!(matches!(
            KernelOutcome::new(&None, &[], false),
            KernelOutcome::NotTried
        ));
    }
}
