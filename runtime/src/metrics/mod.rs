//! OpenTelemetry metrics: [`UserEventsMetricExporter`], an SDK
//! `PushMetricExporter` (use it with `PeriodicReader`) that writes metrics to
//! the user_events tracepoint `otlp_metrics`, as the
//! `opentelemetry-user-events-metrics` crate (0.14) does: each event an OTLP
//! `ExportMetricsServiceRequest` in protobuf. Optionally packed, several data
//! points an event.
//!
//! - `otlp_metrics`: the tracepoint, its field list and an event's parts;
//! - `points`: the SDK's data points (and a metric's other fields) straight to
//!   OTLP protobuf;
//! - `pack`: requests filled with data points up to a size, written one by one;
//! - `exporter`, `builder`: the exporter and its options.

mod builder;
mod exporter;
mod otlp_metrics;
mod pack;
mod points;

pub use builder::UserEventsMetricExporterBuilder;
pub use exporter::UserEventsMetricExporter;
pub use otlp_metrics::{OTLP_METRICS_FIELDS, OTLP_METRICS_TRACEPOINT};
