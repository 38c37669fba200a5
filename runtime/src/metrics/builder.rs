//! Configuring a [`UserEventsMetricExporter`].

use opentelemetry_sdk::metrics::Temporality;
use otel_user_events_abi::name::ProviderName;

use super::exporter::UserEventsMetricExporter;
use super::otlp_metrics::{OTLP_METRICS_FIELDS, OTLP_METRICS_TRACEPOINT};
use crate::output::{EventLimit, Output, OutputKind, OutputOptions, data_file_option};

impl UserEventsMetricExporter {
    /// Starts configuring a metric exporter. Its tracepoint is always
    /// `otlp_metrics`: one for the host, as every OpenTelemetry metrics
    /// writer to user_events has it.
    pub fn builder() -> UserEventsMetricExporterBuilder {
        let mut options = OutputOptions::new(OTLP_METRICS_TRACEPOINT);
        options.limit = Some(EventLimit::Perf);
        UserEventsMetricExporterBuilder {
            options,
            temporality: Temporality::Delta,
            packed: false,
        }
    }
}

/// Configures a [`UserEventsMetricExporter`]. Start with
/// [`UserEventsMetricExporter::builder`].
///
/// The defaults write what `opentelemetry_user_events_metrics::MetricsExporter`
/// (0.14) writes: delta temporality, one data point an event. Packing writes
/// fewer events, each a whole request.
///
/// ```
/// use opentelemetry_sdk::metrics::Temporality;
/// use otel_user_events_runtime::metrics::UserEventsMetricExporter;
/// use otel_user_events_runtime::output::EventLimit;
///
/// let exporter = UserEventsMetricExporter::builder()
///     .with_packing(true) // as many data points an event as fit
///     .with_event_limit(EventLimit::Kernel) // up to 64 KB an event, unseen by perf
///     .with_temporality(Temporality::Cumulative)
///     .build();
/// assert_eq!(exporter.report().tracepoints[0].name, "otlp_metrics");
/// ```
#[derive(Debug)]
#[must_use = "call .build() to create the exporter"]
pub struct UserEventsMetricExporterBuilder {
    options: OutputOptions,
    temporality: Temporality,
    packed: bool,
}

impl UserEventsMetricExporterBuilder {
    /// Packs data points (default off): each event holds as many data points
    /// as fit in the event limit, as one `ExportMetricsServiceRequest` (its
    /// resource, then each scope and metric once, with their points), which
    /// every reader of single-point events reads too. Off, each event holds
    /// one data point with its resource, scope and metric, as the
    /// `opentelemetry-user-events-metrics` crate writes it.
    pub fn with_packing(mut self, packed: bool) -> Self {
        self.packed = packed;
        self
    }

    /// The largest event the exporter writes (default
    /// [`EventLimit::Perf`]: a buffer of up to 8,168 bytes, what every
    /// perf-based reader sees; [`EventLimit::Kernel`]: up to 65,519, what the
    /// kernel accepts). A data point whose request alone is larger is not
    /// written, and counted in `dropped_too_large`; the others are written.
    pub fn with_event_limit(mut self, limit: EventLimit) -> Self {
        self.options.limit = Some(limit);
        self
    }

    /// The temporality the exporter asks the SDK for (default delta, as the
    /// `opentelemetry-user-events-metrics` crate). Written as OTLP numbers it:
    /// delta 1, cumulative 2.
    pub fn with_temporality(mut self, temporality: Temporality) -> Self {
        self.temporality = temporality;
        self
    }

    data_file_option!("exporter");

    /// Opens `user_events_data` and registers `otlp_metrics`. Never fails:
    /// [`report`](UserEventsMetricExporter::report) says what registration
    /// did, and what cannot be written is counted.
    pub fn build(self) -> UserEventsMetricExporter {
        // The name is a constant that keeps the provider-name rule.
        let name = ProviderName::new(OTLP_METRICS_TRACEPOINT)
            .unwrap_or_else(|_| unreachable!("`otlp_metrics` is a valid name"));
        let tracepoints = self.options.register_plain(name, OTLP_METRICS_FIELDS);
        let output = Output::new(tracepoints, OutputKind::Metrics, self.options.limit());
        UserEventsMetricExporter::new(output, self.temporality, self.packed)
    }
}
