//! The metric exporter a `PeriodicReader` owns.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::metrics::Temporality;
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;

use super::otlp_metrics::{PREFIX_LEN, Prefix};
use super::pack::Packer;
use super::points::point_count;
use crate::output::{Output, output_accessors};

/// An OpenTelemetry `PushMetricExporter` that writes metrics to the
/// user_events tracepoint `otlp_metrics`, a drop-in for
/// `opentelemetry_user_events_metrics::MetricsExporter` (0.14).
///
/// Give it to a `PeriodicReader`: at each collection, every data point is
/// written as an OTLP `ExportMetricsServiceRequest` in protobuf (its
/// resource, scope and metric with it), one data point an event, or as many
/// as fit with [`with_packing`](super::UserEventsMetricExporterBuilder::with_packing).
/// While nobody listens, an export returns at once, encoding nothing.
///
/// ```
/// use opentelemetry::metrics::MeterProvider as _;
/// use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
/// use otel_user_events_runtime::metrics::UserEventsMetricExporter;
///
/// let exporter = UserEventsMetricExporter::builder().build();
/// eprint!("{}", exporter.report()); // otlp_metrics registered, or why not
/// let handle = exporter.handle(); // counters stay readable after the move below
/// let provider = SdkMeterProvider::builder()
///     .with_reader(PeriodicReader::builder(exporter).build())
///     .build();
/// let orders = provider.meter("checkout").u64_counter("orders").build();
/// orders.add(1, &[]);
/// provider.shutdown()?; // a last export, then otlp_metrics is unregistered
/// assert!(handle.is_shut_down());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Where it differs from `opentelemetry-user-events-metrics`
///
/// On the same data points it writes the same bytes, but for:
/// - temporality, written as OTLP numbers it (delta 1, cumulative 2): that
///   crate writes the SDK's own enum value, 0 (unspecified) for cumulative;
/// - exemplars, written with their trace and span ids (that crate leaves
///   them out; the SDK 0.33 records none yet);
/// - the event limit: by default a request's buffer is at most 8,168 bytes,
///   what perf-based readers (`perf`, `ue-tail`, fleet collectors) see; that
///   crate writes up to 65,360 bytes, of which perf sees nothing above 8,168.
///   A data point too large is counted (`dropped_too_large`) and the others
///   are written; that crate fails the rest of the export.
///
/// # Counters
///
/// `written` counts events (one data point each, or several packed);
/// `dropped_too_large` counts events not written because even one data
/// point was too large; `dropped_unavailable` counts data points while
/// `otlp_metrics` could not be registered (no user_events, no access).
pub struct UserEventsMetricExporter {
    pub(super) output: Arc<Output>,
    temporality: Temporality,
    /// Data points an event: 1, or as many as fit.
    max_points: usize,
}

impl UserEventsMetricExporter {
    pub(super) fn new(
        output: Arc<Output>,
        temporality: Temporality,
        packed: bool,
    ) -> UserEventsMetricExporter {
        UserEventsMetricExporter {
            output,
            temporality,
            max_points: if packed { usize::MAX } else { 1 },
        }
    }

    output_accessors!("exporter", output);

    /// Writes every data point of `metrics`, and says whether every event was
    /// written. Out of line: `export`'s quiet path stays a few instructions.
    #[inline(never)]
    fn export_now(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        if self.output.is_released() {
            return Err(OTelSdkError::AlreadyShutdown);
        }
        let Some(tracepoint) = self.output.tracepoints().plain() else {
            return Ok(());
        };
        let bits = tracepoint.word().load(Ordering::Relaxed);
        if bits == 0 {
            return Ok(());
        }
        // Without user_events (or access to it) every data point is lost,
        // and counted.
        let points = || {
            metrics
                .scope_metrics()
                .flat_map(|scope| scope.metrics())
                .map(point_count)
                .sum::<usize>() as u64
        };
        let Some(sink) = self.output.sink_or_count(tracepoint.at(), bits, points) else {
            return Ok(());
        };
        let budget = self.output.limit().saturating_sub(PREFIX_LEN);
        let mut packer = Packer::new(metrics.resource(), budget, self.max_points, |buffer| {
            let prefix = Prefix::new(buffer.len());
            sink.write_parts(&prefix.parts(buffer))
        });
        for scope in metrics.scope_metrics() {
            packer.start_scope(scope.scope());
            for metric in scope.metrics() {
                packer.add_metric(metric);
            }
        }
        let outcome = packer.finish();
        if outcome.failed == 0 {
            Ok(())
        } else {
            Err(OTelSdkError::InternalFailure(format!(
                "otlp_metrics: {} of {} events not written (too large for the event limit, the \
                 listener gone, or refused by the kernel; the exporter's counters say which); \
                 the others were written",
                outcome.failed, outcome.events
            )))
        }
    }
}

impl PushMetricExporter for UserEventsMetricExporter {
    /// Writes at once: the future is ready when returned.
    #[inline]
    fn export(
        &self,
        metrics: &ResourceMetrics,
    ) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        // Nobody listens (the common case between collections): one load and
        // nothing encoded. A released exporter's word is not 0 (see
        // `Tracepoints::release`): the slow path says it is shut down.
        let quiet = self
            .output
            .tracepoints()
            .plain()
            .is_some_and(|t| t.word().load(Ordering::Relaxed) == 0);
        std::future::ready(if quiet {
            Ok(())
        } else {
            self.export_now(metrics)
        })
    }

    /// Nothing is held: every export writes at once.
    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    /// Unregisters `otlp_metrics` (once) and closes the data file; later
    /// exports fail with `AlreadyShutdown`.
    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        self.output.release();
        Ok(())
    }

    fn temporality(&self) -> Temporality {
        self.temporality
    }
}

impl Drop for UserEventsMetricExporter {
    fn drop(&mut self) {
        self.output.release();
    }
}

impl fmt::Debug for UserEventsMetricExporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserEventsMetricExporter")
            .field("temporality", &self.temporality)
            .field("packed", &(self.max_points > 1))
            .field("shut_down", &self.output.is_released())
            .finish()
    }
}
