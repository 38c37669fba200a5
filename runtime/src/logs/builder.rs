//! Configuring a [`UserEventsProcessor`].

use std::borrow::Cow;

use opentelemetry::logs::Severity;
use opentelemetry_sdk::logs::SdkLogRecord;
use otel_user_events_abi::DEFAULT_KEYWORD;

use super::event_name::{DEFAULT_EVENT_NAME, EventNamePolicy};
use super::log_processor::UserEventsProcessor;
use super::record::RecordSettings;
use crate::output::{BuildError, Output, OutputKind, OutputOptions, output_options};

impl UserEventsProcessor {
    /// Starts configuring a processor for provider `provider_name`: non-empty,
    /// at most 233 bytes, only ASCII letters, digits and `_`.
    pub fn builder(provider_name: &str) -> UserEventsProcessorBuilder {
        UserEventsProcessorBuilder::new(provider_name)
    }
}

/// The severity a record without one is written with, unless
/// [`UserEventsProcessorBuilder::with_default_severity`] says otherwise.
pub const DEFAULT_SEVERITY: Severity = Severity::Info;

/// Configures a [`UserEventsProcessor`]. Start with [`UserEventsProcessor::builder`].
///
/// The shape follows `opentelemetry_user_events_logs::ProcessorBuilder` (0.18):
/// `builder(name)`, `with_resource_attributes(..)`, `build()`; the other
/// settings are additions.
///
/// ```
/// use opentelemetry::logs::Severity;
/// use otel_user_events_runtime::logs::UserEventsProcessor;
///
/// let processor = UserEventsProcessor::builder("MyService")
///     .with_resource_attributes(["deployment.environment"]) // in PartC of every event
///     .with_keyword(0x10) // tracepoints MyService_L<level>K10
///     .with_record_event_name() // events named as their records, else "Log"
///     .with_default_severity(Severity::Warn) // for records without a severity
///     .build()?;
/// let report = processor.report();
/// assert_eq!(report.provider, "MyService");
/// assert_eq!(report.tracepoints[3].name, "MyService_L4K10"); // info
/// # Ok::<(), otel_user_events_runtime::output::BuildError>(())
/// ```
#[derive(Debug)]
#[must_use = "call .build() to create the processor"]
pub struct UserEventsProcessorBuilder {
    options: OutputOptions,
    keyword: u64,
    resource_attributes: Vec<Cow<'static, str>>,
    event_name: EventNamePolicy,
    default_severity: Severity,
}

impl UserEventsProcessorBuilder {
    pub(super) fn new(provider_name: &str) -> Self {
        UserEventsProcessorBuilder {
            options: OutputOptions::new(provider_name),
            keyword: DEFAULT_KEYWORD,
            resource_attributes: Vec::new(),
            event_name: EventNamePolicy::default(),
            default_severity: DEFAULT_SEVERITY,
        }
    }

    output_options!("processor");

    /// Resource attributes (besides `service.name` and `service.instance.id`,
    /// which always go to PartA's `ext_cloud_role` and `ext_cloud_roleInstance`)
    /// to write at the start of every event's PartC, in this order.
    ///
    /// Each one is written with every record, so keep the list short: a local
    /// agent usually knows host and deployment facts without them.
    ///
    /// Names missing from the resource are left out; a name given twice counts
    /// once. The values come from the logger provider's resource when it is
    /// built:
    ///
    /// ```
    /// use opentelemetry::KeyValue;
    /// use opentelemetry_sdk::Resource;
    /// use opentelemetry_sdk::logs::SdkLoggerProvider;
    /// use otel_user_events_runtime::logs::UserEventsProcessor;
    ///
    /// let processor = UserEventsProcessor::builder("MyService")
    ///     .with_resource_attributes(["deployment.environment", "k8s.pod.name"])
    ///     .build()
    ///     .unwrap();
    /// let provider = SdkLoggerProvider::builder()
    ///     .with_resource(
    ///         Resource::builder()
    ///             .with_service_name("checkout")
    ///             .with_attribute(KeyValue::new("deployment.environment", "prod"))
    ///             .build(),
    ///     )
    ///     .with_log_processor(processor)
    ///     .build();
    /// // Every event now has PartA "ext_cloud_role":"checkout" and PartC starting
    /// // with "deployment.environment":"prod" (no "k8s.pod.name": not in the resource).
    /// # provider.shutdown().unwrap();
    /// ```
    pub fn with_resource_attributes<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'static, str>>,
    {
        self.resource_attributes.clear();
        for key in keys {
            let key = key.into();
            if !self.resource_attributes.contains(&key) {
                self.resource_attributes.push(key);
            }
        }
        self
    }

    /// The keyword of the five tracepoints (`<Provider>_L<level>K<keyword hex>`);
    /// default 1, as the `opentelemetry-user-events-logs` crate uses.
    ///
    /// ```
    /// use otel_user_events_runtime::logs::UserEventsProcessor;
    ///
    /// let processor = UserEventsProcessor::builder("MyService").with_keyword(0x2a).build().unwrap();
    /// let names: Vec<&str> = processor.report().tracepoints.iter().map(|t| t.name.as_str()).collect();
    /// assert_eq!(
    ///     names,
    ///     ["MyService_L1K2a", "MyService_L2K2a", "MyService_L3K2a", "MyService_L4K2a", "MyService_L5K2a"]
    /// );
    /// ```
    pub fn with_keyword(mut self, keyword: u64) -> Self {
        self.keyword = keyword;
        self
    }

    /// Writes every event with this EventHeader event name (default `"Log"`,
    /// [`DEFAULT_EVENT_NAME`]). The record's own event name is still written as
    /// PartB's `name`.
    ///
    /// ```
    /// use otel_user_events_runtime::logs::UserEventsProcessor;
    ///
    /// // Decoders show its events as `MyService:AppLog`.
    /// let processor = UserEventsProcessor::builder("MyService").with_event_name("AppLog").build();
    /// assert!(processor.is_ok());
    /// ```
    pub fn with_event_name(mut self, name: &'static str) -> Self {
        self.event_name = EventNamePolicy::Fixed(name);
        self
    }

    /// Writes each event with its record's event name (as the `tracing`
    /// appender sets from `name:`), or `"Log"` when the record has none (or a
    /// blank one).
    ///
    /// ```
    /// use otel_user_events_runtime::logs::UserEventsProcessor;
    ///
    /// // `tracing::error!(name: "CheckoutFailed", ..)` is then the event
    /// // `MyService:CheckoutFailed`, as `ue_log!(error, "CheckoutFailed", ..)` would be.
    /// let processor = UserEventsProcessor::builder("MyService").with_record_event_name().build();
    /// assert!(processor.is_ok());
    /// ```
    pub fn with_record_event_name(mut self) -> Self {
        self.event_name = EventNamePolicy::FromRecord {
            fallback: DEFAULT_EVENT_NAME,
        };
        self
    }

    /// Chooses each event's name with `callback`. It returns a `&'static str`,
    /// so nothing is allocated per event; it runs only for records that are
    /// written (a listener is attached).
    ///
    /// ```
    /// use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _, Severity};
    /// use opentelemetry_sdk::logs::SdkLoggerProvider;
    /// use otel_user_events_runtime::logs::UserEventsProcessor;
    /// use otel_user_events_runtime::testing::Capture; // feature `testing`
    ///
    /// let processor = UserEventsProcessor::builder("MyService")
    ///     .with_event_name_callback(|record| match record.severity_number() {
    ///         Some(severity) if severity >= Severity::Error => "Failure",
    ///         _ => "Log",
    ///     })
    ///     .build()
    ///     .unwrap();
    /// let logger = SdkLoggerProvider::builder()
    ///     .with_log_processor(processor)
    ///     .build()
    ///     .logger("app");
    /// // The bytes the processor would write, as if someone listened.
    /// let (_, events) = Capture::new("MyService").unwrap().run(|| {
    ///     let mut record = logger.create_log_record();
    ///     record.set_severity_number(Severity::Error);
    ///     logger.emit(record);
    /// });
    /// assert_eq!(events[0].tracepoint, "MyService_L2K1");
    /// // The event's metadata holds its name, NUL-terminated.
    /// assert!(events[0].payload.windows(8).any(|bytes| bytes == b"Failure\0"));
    /// ```
    pub fn with_event_name_callback<F>(mut self, callback: F) -> Self
    where
        F: Fn(&SdkLogRecord) -> &'static str + Send + Sync + 'static,
    {
        self.event_name = EventNamePolicy::Callback(Box::new(callback));
        self
    }

    /// The severity of records that have none (default [`DEFAULT_SEVERITY`],
    /// `Info`): it picks the tracepoint and PartB's `severityNumber`. (The
    /// `opentelemetry-user-events-logs` crate drops such records.)
    ///
    /// ```
    /// use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _, Severity};
    /// use opentelemetry_sdk::logs::SdkLoggerProvider;
    /// use otel_user_events_runtime::logs::UserEventsProcessor;
    /// use otel_user_events_runtime::testing::Capture; // feature `testing`
    ///
    /// let processor = UserEventsProcessor::builder("MyService")
    ///     .with_default_severity(Severity::Warn)
    ///     .build()
    ///     .unwrap();
    /// let logger = SdkLoggerProvider::builder()
    ///     .with_log_processor(processor)
    ///     .build()
    ///     .logger("app");
    /// let (_, events) = Capture::new("MyService").unwrap().run(|| {
    ///     let mut record = logger.create_log_record();
    ///     record.set_body("no severity set".into());
    ///     logger.emit(record);
    /// });
    /// assert_eq!(events[0].tracepoint, "MyService_L3K1"); // warn
    /// ```
    pub fn with_default_severity(mut self, severity: Severity) -> Self {
        self.default_severity = severity;
        self
    }

    /// Checks the provider name (and group), opens `user_events_data` and
    /// registers the five tracepoints `<Provider>_L1K<keyword>` to
    /// `<Provider>_L5K<keyword>` (each followed by `G<group>` with a group).
    ///
    /// Only a bad provider name or group is an error. A kernel without user_events (or
    /// without write access to it) still gives a processor, which writes
    /// nothing: [`UserEventsProcessor::report`] says why.
    ///
    /// ```
    /// use otel_user_events_runtime::logs::UserEventsProcessor;
    /// use otel_user_events_runtime::output::BuildError;
    /// use otel_user_events_runtime::provider::ProviderNameError;
    ///
    /// let err = UserEventsProcessor::builder("my-service").build().unwrap_err();
    /// assert_eq!(
    ///     err,
    ///     BuildError::InvalidName(ProviderNameError::InvalidChar { ch: '-', index: 2 })
    /// );
    ///
    /// let processor = UserEventsProcessor::builder("MyService").build().unwrap();
    /// if !processor.report().all_registered() {
    ///     eprint!("{}", processor.report()); // why nothing will be written
    /// }
    /// ```
    pub fn build(self) -> Result<UserEventsProcessor, BuildError> {
        let name = self.options.provider_name()?;
        self.event_name.check()?;
        let tracepoints = self.options.register(name, &[self.keyword]);
        Ok(UserEventsProcessor {
            output: Output::new(tracepoints, OutputKind::Logs, self.options.limit()),
            settings: RecordSettings::new(
                self.event_name,
                self.default_severity,
                self.resource_attributes,
                self.options.profile,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _};
    use opentelemetry_sdk::logs::SdkLoggerProvider;
    use otel_user_events_abi::name::{ProviderGroupError, ProviderNameError};

    use super::*;
    use crate::testing::Capture;

    #[test]
    fn a_group_ends_every_tracepoint_name_and_captured_event() {
        let processor = UserEventsProcessor::builder("TestProcGroup")
            .with_provider_group("team7")
            .build()
            .unwrap();
        let names: Vec<&str> = processor
            .report()
            .tracepoints
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "TestProcGroup_L1K1Gteam7",
                "TestProcGroup_L2K1Gteam7",
                "TestProcGroup_L3K1Gteam7",
                "TestProcGroup_L4K1Gteam7",
                "TestProcGroup_L5K1Gteam7"
            ]
        );
        let logger = SdkLoggerProvider::builder()
            .with_log_processor(processor)
            .build()
            .logger("test");
        let (_, events) = Capture::new("Unused").unwrap().run(|| {
            let mut record = logger.create_log_record();
            record.set_severity_number(Severity::Info);
            record.set_body("grouped".into());
            logger.emit(record);
        });
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].tracepoint, "TestProcGroup_L4K1Gteam7");
    }

    #[test]
    fn a_bad_group_is_a_build_error_with_the_rule() {
        let err = |group: &str| {
            UserEventsProcessor::builder("P")
                .with_provider_group(group)
                .build()
                .unwrap_err()
        };
        assert_eq!(
            err("Team"),
            BuildError::InvalidName(ProviderNameError::InvalidGroup(
                ProviderGroupError::InvalidChar { ch: 'T', index: 0 }
            ))
        );
        assert_eq!(
            err("team_7"),
            BuildError::InvalidName(ProviderNameError::InvalidGroup(
                ProviderGroupError::InvalidChar { ch: '_', index: 4 }
            ))
        );
        assert_eq!(
            err(""),
            BuildError::InvalidName(ProviderNameError::InvalidGroup(ProviderGroupError::Empty))
        );
        assert_eq!(
            err(&"g".repeat(233)),
            BuildError::InvalidName(ProviderNameError::InvalidGroup(
                ProviderGroupError::TooLong { len: 233, max: 232 }
            ))
        );
        assert!(
            err("Team")
                .to_string()
                .contains("only lowercase ASCII letters and digits")
        );
    }
}
