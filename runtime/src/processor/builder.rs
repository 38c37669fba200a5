//! Configuring a [`UserEventsProcessor`].

use std::borrow::Cow;

use opentelemetry::logs::Severity;
use opentelemetry_sdk::logs::SdkLogRecord;
use otel_user_events_abi::name::{ProviderName, ProviderNameError};

use super::event_name::{DEFAULT_EVENT_NAME, EventNamePolicy};
use super::log_processor::UserEventsProcessor;
use super::record::RecordLayout;
use super::tracepoints::Tracepoints;

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
#[derive(Debug)]
#[must_use = "call .build() to create the processor"]
pub struct UserEventsProcessorBuilder {
    name: String,
    keyword: u64,
    resource_attributes: Vec<Cow<'static, str>>,
    event_name: EventNamePolicy,
    default_severity: Severity,
}

impl UserEventsProcessorBuilder {
    pub(super) fn new(provider_name: &str) -> Self {
        UserEventsProcessorBuilder {
            name: provider_name.to_owned(),
            keyword: 1,
            resource_attributes: Vec::new(),
            event_name: EventNamePolicy::default(),
            default_severity: DEFAULT_SEVERITY,
        }
    }

    /// Resource attributes (besides `service.name` and `service.instance.id`,
    /// which always go to PartA's `ext_cloud_role` and `ext_cloud_roleInstance`)
    /// to write at the start of every event's PartC, in this order.
    ///
    /// Each one is written with every record, so keep the list short: a local
    /// agent usually knows host and deployment facts without them.
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
    pub fn with_keyword(mut self, keyword: u64) -> Self {
        self.keyword = keyword;
        self
    }

    /// Writes every event with this EventHeader event name (default `"Log"`).
    pub fn with_event_name(mut self, name: &'static str) -> Self {
        self.event_name = EventNamePolicy::Fixed(name);
        self
    }

    /// Writes each event with its record's event name (as the `tracing`
    /// appender sets from `name:`), or `"Log"` when the record has none.
    pub fn with_record_event_name(mut self) -> Self {
        self.event_name = EventNamePolicy::FromRecord {
            fallback: DEFAULT_EVENT_NAME,
        };
        self
    }

    /// Chooses each event's name with `callback`. It returns a `&'static str`,
    /// so nothing is allocated per event; it runs only for records that are
    /// written (a listener is attached).
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
    pub fn with_default_severity(mut self, severity: Severity) -> Self {
        self.default_severity = severity;
        self
    }

    /// Checks the provider name, opens `user_events_data` and registers the
    /// five tracepoints `<Provider>_L1K<keyword>` to `<Provider>_L5K<keyword>`.
    ///
    /// Only a bad provider name is an error. A kernel without user_events (or
    /// without write access to it) still gives a processor, which writes
    /// nothing: [`UserEventsProcessor::report`] says why.
    pub fn build(self) -> Result<UserEventsProcessor, ProviderNameError> {
        let name = ProviderName::new(&self.name)?;
        let shared = Tracepoints::register(name, self.keyword);
        Ok(UserEventsProcessor {
            shared,
            config: RecordLayout::new(
                self.event_name,
                self.default_severity,
                self.resource_attributes,
            ),
        })
    }
}
