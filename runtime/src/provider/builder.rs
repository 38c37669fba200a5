//! Configuring and starting a provider: the application's, or a library's.

use opentelemetry::InstrumentationScope;
use opentelemetry::logs::LoggerProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::SdkLoggerProvider;

use super::decision::{Decision, KernelStatus, decide};
use super::handle::Provider;
use super::library::LibraryProvider;
use super::mode::OutputMode;
use super::report::{ActiveOutputs, InitError, InitReport, LoggerSource, OpenTelemetryReport};
use super::sites;
use super::state::{self, ProviderState};
use crate::encode::common_schema::CloudRole;
use crate::output::{Output, OutputKind, OutputOptions, Tracepoints, output_options};

impl Provider {
    /// Starts configuring the application's provider called `name` (ASCII
    /// letters, digits, `_`): the one of every call site that names no
    /// library provider (and whose module has no default one).
    pub fn builder(name: impl Into<String>) -> ProviderBuilder {
        ProviderBuilder {
            options: OutputOptions::new(name),
            library: None,
            mode: OutputMode::Auto,
            logger: LoggerConfig::None,
            resource: None,
            extra_keywords: Vec::new(),
        }
    }
}

impl LibraryProvider {
    /// Starts configuring this library provider, with its name, group and
    /// keywords; the rest (output mode, logger provider, resource, limits) is
    /// the application's choice, as for [`Provider::builder`]. Each library
    /// provider runs once at a time, independently of the others and of the
    /// application's provider.
    ///
    /// ```
    /// use otel_user_events_runtime::provider::LibraryProvider;
    ///
    /// # static DRIVER: LibraryProvider = LibraryProvider::__new("AcmeDriver", None, &[], module_path!());
    /// // In the application, one line per library (`acme_driver::DRIVER`):
    /// let driver = DRIVER.builder().build()?;
    /// assert_eq!(driver.name(), "AcmeDriver");
    /// print!("{}", driver.report());
    /// driver.shutdown();
    /// # Ok::<(), otel_user_events_runtime::provider::InitError>(())
    /// ```
    pub fn builder(&'static self) -> ProviderBuilder {
        let mut builder = Provider::builder(self.name());
        if let Some(group) = self.group() {
            builder = builder.with_provider_group(group);
        }
        builder.library = Some(self);
        // `with_provider_group` on this builder replaces the definition's
        // group: the running provider's name is what test captures use too.
        builder.with_keywords(self.keywords().iter().copied())
    }
}

impl Provider {
    /// Starts every library provider linked into this program
    /// ([`LibraryProvider::linked`]), in the order of their names, each with
    /// the builder `configure` returns for it: one call for all libraries
    /// instead of one line each. On an error, those started already are shut
    /// down again and the error is returned.
    ///
    /// ```
    /// use otel_user_events_runtime::Provider;
    /// use otel_user_events_runtime::provider::OutputMode;
    ///
    /// let libraries = Provider::build_libraries(|builder| builder.with_output(OutputMode::Auto))?;
    /// for library in &libraries {
    ///     print!("{}", library.report());
    /// }
    /// # Ok::<(), otel_user_events_runtime::provider::InitError>(())
    /// ```
    pub fn build_libraries(
        configure: impl Fn(ProviderBuilder) -> ProviderBuilder,
    ) -> Result<Vec<Provider>, InitError> {
        let mut libraries: Vec<&'static LibraryProvider> = LibraryProvider::linked().collect();
        libraries.sort_by_key(|library| (library.name(), library.module()));
        libraries
            .into_iter()
            .map(|library| configure(library.builder()).build())
            .collect()
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

/// Configures and starts a provider: the application's ([`Provider::builder`])
/// or a library's ([`LibraryProvider::builder`]).
///
/// ```
/// use opentelemetry_sdk::logs::SdkLoggerProvider;
/// use otel_user_events_runtime::{provider::OutputMode, Provider};
///
/// // Your logger provider, with its exporter (OTLP, stdout, ...): where events
/// // go when the kernel has no user_events.
/// let logger_provider = SdkLoggerProvider::builder().build();
/// let provider = Provider::builder("MyService")
///     .with_output(OutputMode::Auto) // the default
///     .with_logger_provider(logger_provider.clone())
///     .build()?;
/// let report = provider.report();
/// assert_eq!(report.provider, "MyService");
/// // Auto: user_events where it works, else the logger provider; never both.
/// assert_ne!(report.active.user_events, report.active.opentelemetry);
/// print!("{report}");
///
/// provider.shutdown(); // flushes the logger provider, which stays yours:
/// logger_provider.shutdown()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[must_use = "call .build() to start the provider"]
pub struct ProviderBuilder {
    options: OutputOptions,
    /// The library provider it starts; `None`: the application's.
    library: Option<&'static LibraryProvider>,
    mode: OutputMode,
    logger: LoggerConfig,
    resource: Option<Resource>,
    extra_keywords: Vec<u64>,
}

impl ProviderBuilder {
    output_options!("provider");

    /// Chooses where events go (default [`OutputMode::Auto`]).
    pub fn with_output(mut self, mode: OutputMode) -> Self {
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
    ///
    /// ```
    /// use opentelemetry_sdk::logs::SdkLoggerProvider;
    /// use otel_user_events_runtime::{provider::LoggerSource, provider::OutputMode, Provider};
    ///
    /// // e.g. with `.with_batch_exporter(opentelemetry_otlp::LogExporter::builder()..)`
    /// let logger_provider = SdkLoggerProvider::builder().build();
    /// let provider = Provider::builder("MyService")
    ///     .with_output(OutputMode::OpenTelemetry)
    ///     .with_logger_provider(logger_provider.clone())
    ///     .build()
    ///     .unwrap();
    /// let otel = provider.report().opentelemetry.as_ref().unwrap();
    /// assert_eq!(otel.source, LoggerSource::Given);
    /// // The same logger provider, e.g. for the `tracing` appender:
    /// assert!(provider.logger_provider().is_some());
    /// provider.shutdown();
    /// logger_provider.shutdown().unwrap();
    /// ```
    pub fn with_logger_provider(mut self, provider: SdkLoggerProvider) -> Self {
        self.logger = LoggerConfig::Given(provider);
        self
    }

    /// Falls back to (or also writes to) a logger provider built here that prints
    /// each record to stdout as it is emitted: `opentelemetry-stdout`'s exporter
    /// behind a simple processor, with the [`with_resource`](Self::with_resource) if one
    /// is given. Meant for development and examples.
    ///
    /// It is built only when OpenTelemetry output is used, and shut down by
    /// [`Provider::shutdown`]. Note that the exporter uses `println!`, which
    /// panics if stdout is closed (e.g. piped into `head`).
    ///
    /// Replaces an earlier [`with_logger_provider`](Self::with_logger_provider). Needs the
    /// `stdout` feature (on by default in the `otel-user-events` crate).
    ///
    /// ```
    /// use otel_user_events_runtime::{provider::LoggerSource, Provider};
    ///
    /// let provider = Provider::builder("MyService").with_stdout_logger_provider().build().unwrap();
    /// let report = provider.report();
    /// if report.active.opentelemetry {
    ///     // No user_events here: events are printed on stdout.
    ///     assert_eq!(report.opentelemetry.as_ref().unwrap().source, LoggerSource::Stdout);
    /// }
    /// provider.shutdown(); // shuts the stdout logger provider down too
    /// ```
    #[cfg(feature = "stdout")]
    pub fn with_stdout_logger_provider(mut self) -> Self {
        self.logger = LoggerConfig::Stdout;
        self
    }

    /// The resource whose `service.name` and `service.instance.id` fill PartA's
    /// `ext_cloud_role` and `ext_cloud_roleInstance` (user_events output). A
    /// logger provider given with [`with_logger_provider`](Self::with_logger_provider)
    /// keeps its own resource.
    ///
    /// ```
    /// use opentelemetry_sdk::Resource;
    /// use otel_user_events_runtime::Provider;
    ///
    /// let provider = Provider::builder("MyService")
    ///     .with_resource(
    ///         Resource::builder_empty()
    ///             .with_service_name("checkout")
    ///             .with_attribute(opentelemetry::KeyValue::new("service.instance.id", "pod-7"))
    ///             .build(),
    ///     )
    ///     .build()
    ///     .unwrap();
    /// // Events written to user_events carry PartA
    /// // "ext_cloud_role":"checkout","ext_cloud_roleInstance":"pod-7".
    /// provider.shutdown();
    /// ```
    pub fn with_resource(mut self, resource: Resource) -> Self {
        self.resource = Some(resource);
        self
    }

    /// Also registers all five levels of each of `keywords`
    /// (`<Provider>_L1K<k>`..`<Provider>_L5K<k>`) at [`build`](Self::build),
    /// even when no call site linked into this program uses them yet, so an
    /// operator can write one subscription list for every version of the
    /// program. The keywords that call sites use get their five levels
    /// without this. Adds to the keywords of earlier calls.
    ///
    /// ```
    /// use otel_user_events_runtime::Provider;
    ///
    /// let provider = Provider::builder("MyService").with_keywords([0x10, 0x20]).build().unwrap();
    /// let report = provider.report();
    /// if matches!(report.data_file, Some(Ok(_))) {
    ///     // With user_events: `MyService_L1K10`..`MyService_L5K10` and
    ///     // `MyService_L1K20`..`MyService_L5K20`, no call site behind them.
    ///     let standby = report.tracepoints.iter().filter(|t| t.call_sites == 0);
    ///     assert!(standby.clone().any(|t| t.name == "MyService_L3K20"));
    ///     assert!(standby.clone().any(|t| t.name == "MyService_L1K10"));
    /// }
    /// provider.shutdown();
    /// ```
    pub fn with_keywords(mut self, keywords: impl IntoIterator<Item = u64>) -> Self {
        self.extra_keywords.extend(keywords);
        self
    }

    /// Registers the tracepoints of the provider's own call sites and activates
    /// it: the application's provider takes every call site that no library
    /// provider takes (see [`LibraryProvider`]).
    ///
    /// Missing kernel support is not an error: the [`InitReport`] says what
    /// happened. Errors are a bad name or [group](Self::with_provider_group), another active
    /// application provider (or this library provider already started), or an
    /// output mode that needs a logger provider without one.
    ///
    /// Keep the [`Provider`] it returns for as long as events should be
    /// written: dropping it shuts it down.
    ///
    /// ```
    /// use otel_user_events_runtime::{provider::InitError, provider::OutputMode, Provider, provider::ProviderNameError};
    ///
    /// let provider = Provider::builder("MyService").build()?;
    /// // One application provider at a time (library providers run beside it).
    /// let err = Provider::builder("Other").build().unwrap_err();
    /// assert_eq!(err, InitError::AlreadyActive { active: "MyService".to_owned() });
    /// provider.shutdown();
    ///
    /// // The name is checked first.
    /// let err = Provider::builder("my-service").build().unwrap_err();
    /// assert!(matches!(err, InitError::InvalidName(ProviderNameError::InvalidChar { .. })));
    /// // OpenTelemetry and Both need a logger provider.
    /// let err = Provider::builder("MyService").with_output(OutputMode::Both).build().unwrap_err();
    /// assert_eq!(err, InitError::NoLoggerProvider(OutputMode::Both));
    /// # Ok::<(), InitError>(())
    /// ```
    #[must_use = "the provider shuts down when dropped: keep it in a variable (`let _provider = ..`, \
                  not `let _ = ..`) for as long as events should be written"]
    pub fn build(self) -> Result<Provider, InitError> {
        let name = self.options.provider_name()?;
        let has_logger = !matches!(self.logger, LoggerConfig::None);
        if matches!(self.mode, OutputMode::OpenTelemetry | OutputMode::Both) && !has_logger {
            return Err(InitError::NoLoggerProvider(self.mode));
        }
        let _lifecycle = state::lifecycle();
        if let Some(active) = state::active(self.library) {
            return Err(match self.library {
                Some(library) => InitError::LibraryAlreadyActive {
                    provider: library.name().to_owned(),
                    module: library.module(),
                },
                None => InitError::AlreadyActive {
                    active: active.name().to_string(),
                },
            });
        }

        let sites = sites::own(self.library);
        let tried = self.mode != OutputMode::OpenTelemetry;
        let (tracepoints, mut registered) = if tried {
            sites::register_all(&self.options, name.clone(), &self.extra_keywords, &sites)
        } else {
            (Tracepoints::none(name.clone()), Vec::new())
        };
        let data_file = tried.then(|| tracepoints.file().opened().clone());
        // Without a data file, its error says it all.
        let statuses = match &data_file {
            Some(Ok(_)) => tracepoints.statuses().to_vec(),
            _ => Vec::new(),
        };
        let status = KernelStatus::new(&data_file, &statuses, !registered.is_empty());
        let Decision {
            user_events,
            opentelemetry,
            reason,
        } = decide(self.mode, &status, has_logger);

        let logger_provider = if opentelemetry {
            self.logger.build(self.resource.clone())
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
        let output = Output::new(tracepoints, OutputKind::Provider, self.options.limit());
        if !user_events {
            // Registered, but not written to: let go of it now.
            sites::forget(&registered);
            registered.clear();
            output.release();
        }
        let state = state::activate(ProviderState {
            output,
            cloud_role: CloudRole::from_resource(self.resource.as_ref()),
            profile: self.options.profile,
            logger,
            library: self.library,
        });
        sites::claim(state, &sites, user_events, opentelemetry);
        let enabled_call_sites = sites::refresh_fallback(state, &sites);
        let opentelemetry_report =
            logger_provider
                .as_ref()
                .map(|(_, source)| OpenTelemetryReport {
                    source: *source,
                    call_sites: sites.len(),
                    enabled_call_sites,
                });
        Ok(Provider {
            state,
            sites,
            logger_provider,
            report: InitReport {
                provider: name.to_string(),
                requested: self.mode,
                active: ActiveOutputs {
                    user_events,
                    opentelemetry,
                },
                reason,
                data_file,
                tracepoints: statuses,
                opentelemetry: opentelemetry_report,
            },
        })
    }
}

impl LoggerConfig {
    /// The logger provider events go to, built here for `Stdout`.
    #[cfg_attr(not(feature = "stdout"), allow(unused_variables))]
    fn build(self, resource: Option<Resource>) -> Option<(SdkLoggerProvider, LoggerSource)> {
        match self {
            LoggerConfig::None => None,
            LoggerConfig::Given(p) => Some((p, LoggerSource::Given)),
            #[cfg(feature = "stdout")]
            LoggerConfig::Stdout => Some((stdout_provider(resource), LoggerSource::Stdout)),
        }
    }
}

/// The default logger provider of `ProviderBuilder::with_stdout_logger_provider`.
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

#[cfg(test)]
mod tests {
    use otel_user_events_abi::name::{ProviderGroupError, ProviderNameError};

    use super::*;

    #[test]
    fn a_group_ends_every_tracepoint_name() {
        let name = Provider::builder("TestGroup")
            .with_provider_group("team7")
            .options
            .provider_name()
            .unwrap();
        // `sites::register_all` registers each call site under this name.
        assert_eq!(name.tracepoint_name(4, 1), "TestGroup_L4K1Gteam7");
        assert_eq!(name.to_string(), "TestGroup");
        let plain = Provider::builder("TestGroup")
            .options
            .provider_name()
            .unwrap();
        assert_eq!(plain.tracepoint_name(4, 1), "TestGroup_L4K1");
    }

    #[test]
    fn a_bad_group_is_an_init_error_with_the_rule() {
        // Fails before any provider starts, so it races with nothing.
        let err = Provider::builder("TestGroup")
            .with_provider_group("team-7")
            .build()
            .unwrap_err();
        assert_eq!(
            err,
            InitError::InvalidName(ProviderNameError::InvalidGroup(
                ProviderGroupError::InvalidChar { ch: '-', index: 4 }
            ))
        );
        assert_eq!(
            err.to_string(),
            "provider group has '-' at byte 4; only lowercase ASCII letters and digits are allowed"
        );
        let err = Provider::builder("P".repeat(230))
            .with_provider_group("team")
            .build()
            .unwrap_err();
        assert_eq!(
            err,
            InitError::InvalidName(ProviderNameError::InvalidGroup(
                ProviderGroupError::TooLong { len: 4, max: 3 }
            ))
        );
    }
}
