//! The process's provider: registers every call site's tracepoint, chooses the
//! output, and unregisters everything at shutdown.

use std::collections::BTreeMap;
use std::ffi::CString;
use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicPtr, Ordering};

use opentelemetry::logs::LoggerProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::{SdkLogger, SdkLoggerProvider};

use crate::callsite::{self, Callsite, bits};
use crate::counters::{CounterSnapshot, Counters};
use crate::encode::common_schema::{PartA, TraceHex};
use crate::kernel::{self, DataFile, Errno};
use crate::provider_name::{ProviderName, ProviderNameError};

/// Where macro events go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputMode {
    /// user_events when every tracepoint registered, else OpenTelemetry (when a
    /// logger provider was given).
    #[default]
    Auto,
    /// user_events only; without kernel support events are dropped and counted.
    UserEvents,
    /// OpenTelemetry only.
    OpenTelemetry,
    /// Both user_events and OpenTelemetry.
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
    pub data_file: Option<Result<PathBuf, (Errno, PathBuf)>>,
    /// One line per tracepoint name.
    pub tracepoints: Vec<TracepointReport>,
}

impl fmt::Display for InitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let output = match (self.active.user_events, self.active.opentelemetry) {
            (true, true) => "user_events + OpenTelemetry",
            (true, false) => "user_events",
            (false, true) => "OpenTelemetry",
            (false, false) => "none (events are dropped and counted)",
        };
        writeln!(
            f,
            "otel-user-events provider {:?}: output {output} (requested {:?}): {}",
            self.provider, self.requested, self.reason
        )?;
        match &self.data_file {
            Some(Ok(path)) => writeln!(f, "  user_events_data: {}", path.display())?,
            Some(Err((errno, path))) => {
                writeln!(f, "  user_events_data: {}: {errno}", path.display())?
            }
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
                "output mode {mode:?} needs an OpenTelemetry logger provider: call .logger_provider(..)"
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

/// Configures and starts the process's provider.
#[derive(Debug)]
#[must_use = "call .init() to start the provider"]
pub struct ProviderBuilder {
    name: String,
    mode: OutputMode,
    logger_provider: Option<SdkLoggerProvider>,
    resource: Option<Resource>,
}

impl ProviderBuilder {
    /// Chooses where events go (default [`OutputMode::Auto`]).
    pub fn output(mut self, mode: OutputMode) -> Self {
        self.mode = mode;
        self
    }

    /// The OpenTelemetry logger provider events fall back to (or also go to).
    pub fn logger_provider(mut self, provider: SdkLoggerProvider) -> Self {
        self.logger_provider = Some(provider);
        self
    }

    /// The resource whose `service.name` and `service.instance.id` fill PartA's
    /// `ext_cloud_role` and `ext_cloud_roleInstance`.
    pub fn resource(mut self, resource: Resource) -> Self {
        self.resource = Some(resource);
        self
    }

    /// Registers every call site's tracepoint and activates the provider.
    pub fn init(self) -> Result<Provider, InitError> {
        let name = ProviderName::new(&self.name)?;
        if matches!(self.mode, OutputMode::OpenTelemetry | OutputMode::Both)
            && self.logger_provider.is_none()
        {
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
        let kernel_ok = data_file.is_some() && tracepoints.iter().all(|t| t.result.is_ok());

        let (user_events, opentelemetry, reason) = choose(
            self.mode,
            kernel_ok,
            &data_file_report,
            &tracepoints,
            self.logger_provider.is_some(),
        );
        let logger = self
            .logger_provider
            .as_ref()
            .filter(|_| opentelemetry)
            .map(|p| p.logger("otel-user-events"));
        let (cloud_role, cloud_role_instance) = cloud_role(self.resource.as_ref());

        // A kernel output that is not used gives back what it registered.
        let (data_file, registered) = if user_events {
            (data_file, registered)
        } else {
            if let Some(file) = &data_file {
                release(file, registered);
            }
            (None, Vec::new())
        };
        // Leaked on purpose: writers on other threads may still read a provider
        // after its shutdown, so it is never freed (one small block per init).
        let state: &'static ProviderState = Box::leak(Box::new(ProviderState {
            name: name.clone(),
            data_file,
            counters: Counters::default(),
            cloud_role,
            cloud_role_instance,
            logger,
            registered: Mutex::new(registered),
        }));
        ACTIVE.store(state as *const _ as *mut _, Ordering::Release);
        state.refresh_fallback(opentelemetry);
        let unavailable = !user_events && !opentelemetry;
        for site in callsite::all() {
            site.set(bits::UNAVAILABLE, unavailable);
        }

        Ok(Provider {
            state,
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
            },
        })
    }
}

fn choose(
    mode: OutputMode,
    kernel_ok: bool,
    data_file: &Option<Result<PathBuf, (Errno, PathBuf)>>,
    tracepoints: &[TracepointReport],
    has_logger: bool,
) -> (bool, bool, String) {
    let kernel_problem = || match data_file {
        Some(Err((errno, _))) => format!("user_events unavailable: {errno}"),
        _ => match tracepoints
            .iter()
            .find_map(|t| t.result.as_ref().err().map(|e| (&t.name, e)))
        {
            Some((name, e)) => format!("registering {name} failed: {e}"),
            None => "user_events not tried".to_owned(),
        },
    };
    match mode {
        OutputMode::OpenTelemetry => (false, true, "OpenTelemetry requested".to_owned()),
        OutputMode::Both if kernel_ok => (true, true, "both outputs requested".to_owned()),
        OutputMode::Both => (
            false,
            true,
            format!("{}; OpenTelemetry only", kernel_problem()),
        ),
        OutputMode::UserEvents if kernel_ok => {
            (true, false, "every tracepoint registered".to_owned())
        }
        OutputMode::UserEvents => (false, false, kernel_problem()),
        OutputMode::Auto if kernel_ok => (true, false, "every tracepoint registered".to_owned()),
        OutputMode::Auto if has_logger => (
            false,
            true,
            format!("{}; falling back to OpenTelemetry", kernel_problem()),
        ),
        OutputMode::Auto => (
            false,
            false,
            format!(
                "{}; no OpenTelemetry logger provider to fall back to",
                kernel_problem()
            ),
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
        let command = CString::new(format!("{tp_name} {}", kernel::EVENTHEADER_FIELDS))
            .expect("tracepoint names have no NUL");
        let result = kernel::register(file.fd(), site.enable_word(), &command).map(|index| {
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

fn cloud_role(resource: Option<&Resource>) -> (Option<String>, Option<String>) {
    let get = |key: &'static str| {
        resource
            .and_then(|r| r.get(&opentelemetry::Key::from_static_str(key)))
            .map(|v| v.to_string())
    };
    (get("service.name"), get("service.instance.id"))
}

/// The state of an initialised provider.
pub(crate) struct ProviderState {
    pub(crate) name: ProviderName,
    pub(crate) data_file: Option<DataFile>,
    pub(crate) counters: Counters,
    cloud_role: Option<String>,
    cloud_role_instance: Option<String>,
    pub(crate) logger: Option<SdkLogger>,
    registered: Mutex<Vec<&'static Callsite>>,
}

impl ProviderState {
    /// PartA for an event written now.
    pub(crate) fn part_a<'a>(&'a self, time: &'a str, trace: Option<&'a TraceHex>) -> PartA<'a> {
        PartA {
            time,
            trace: trace.map(TraceHex::as_strs),
            cloud_role: self.cloud_role.as_deref(),
            cloud_role_instance: self.cloud_role_instance.as_deref(),
        }
    }

    /// Sets each site's fallback bit from the logger's `event_enabled`, which the
    /// SDK answers from static configuration, so it is asked once per site here
    /// instead of on every event.
    fn refresh_fallback(&self, on: bool) {
        use opentelemetry::logs::Logger as _;
        for site in callsite::all() {
            let info = site.info();
            let wanted = on
                && self.logger.as_ref().is_some_and(|logger| {
                    logger.event_enabled(info.level.severity(), info.target, Some(info.name))
                });
            site.set(bits::FALLBACK, wanted);
        }
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
            site.set(bits::FALLBACK | bits::UNAVAILABLE, false);
        }
    }
}

/// Unregisters `sites` and closes `file`, which drops the kernel's references so
/// the tracepoint names can leave `user_events_status`.
fn release(file: &DataFile, sites: Vec<&'static Callsite>) {
    for site in sites {
        let _ = kernel::unregister(file.fd(), site.enable_word());
        site.set_write_index(u32::MAX);
        site.set(bits::KERNEL, false);
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
    report: InitReport,
}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provider")
            .field("name", &self.state.name)
            .finish_non_exhaustive()
    }
}

impl Provider {
    /// Starts configuring the provider called `name` (ASCII letters, digits, `_`).
    pub fn builder(name: impl Into<String>) -> ProviderBuilder {
        ProviderBuilder {
            name: name.into(),
            mode: OutputMode::Auto,
            logger_provider: None,
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

    /// Unregisters every tracepoint exactly once and stops all output.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.state.shutdown();
    }
}

/// The counters of the active provider, if one is active.
pub fn counters() -> Option<CounterSnapshot> {
    active().map(|s| s.counters.snapshot())
}
