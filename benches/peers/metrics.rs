//! The metric exporters' peers (README's metrics targets): one export of a
//! 100-point collection through ours, ours packed, and
//! `opentelemetry-user-events-metrics` 0.14's `MetricsExporter`; and, with
//! nobody listening, ours against an exporter that returns at once.

use opentelemetry::KeyValue;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::Temporality;
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use otel_user_events::metrics::UserEventsMetricExporter;

#[path = "../../tests/otlp/mod.rs"]
#[allow(dead_code)] // `fields`: the tests'
mod otlp;
pub use otlp::ready;

/// Data points an export holds.
pub const POINTS: u64 = 100;

/// 100 data points, as the SDK hands them to an exporter: 40 counter points,
/// 40 up-down counter points and 20 histogram points, each with two
/// attributes.
pub fn collection() -> ResourceMetrics {
    otlp::collect(Temporality::Delta, |meter| {
        let orders = meter.u64_counter("orders").build();
        let stock = meter.i64_up_down_counter("stock").build();
        let latency = meter.f64_histogram("latency").build();
        for i in 0..40 {
            let attributes = [KeyValue::new("shop", i), KeyValue::new("region", "eu")];
            orders.add(i as u64 + 1, &attributes);
            stock.add(-i, &attributes);
        }
        for i in 0..20i32 {
            let attributes = [
                KeyValue::new("route", i64::from(i)),
                KeyValue::new("method", "GET"),
            ];
            latency.record(f64::from(i) * 0.01, &attributes);
        }
    })
}

/// An exporter, by peer name: `ours`, `ours_packed`, `peer`, `noop`.
pub fn exporter(peer: &str) -> Box<dyn Export> {
    match peer {
        "ours" => Box::new(UserEventsMetricExporter::builder().build()),
        "ours_packed" => Box::new(
            UserEventsMetricExporter::builder()
                .with_packing(true)
                .build(),
        ),
        "peer" => Box::new(opentelemetry_user_events_metrics::MetricsExporter::new()),
        _ => Box::new(Noop),
    }
}

/// Turns ftrace off for `otlp_metrics` (an earlier run in the same boot may
/// have left it on), so that nobody listens.
pub fn nobody_listens() {
    use otel_user_events_test_support::tracefs;
    if tracefs::is_registered("otlp_metrics").unwrap_or(false) {
        tracefs::disable("otlp_metrics").expect("ftrace off for otlp_metrics");
    }
}

/// One export, whatever the exporter (`PushMetricExporter` is not object safe).
pub trait Export {
    fn export_now(&self, metrics: &ResourceMetrics) -> OTelSdkResult;
}

impl<E: PushMetricExporter> Export for E {
    fn export_now(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        ready(self.export(metrics))
    }
}

/// Returns at once: the floor of an export while nobody listens.
struct Noop;

impl PushMetricExporter for Noop {
    async fn export(&self, _metrics: &ResourceMetrics) -> OTelSdkResult {
        Ok(())
    }
    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }
    fn shutdown_with_timeout(&self, _timeout: std::time::Duration) -> OTelSdkResult {
        Ok(())
    }
    fn temporality(&self) -> Temporality {
        Temporality::Delta
    }
}
