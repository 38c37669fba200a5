//! OpenTelemetry metrics to user_events: the Metrics API -> `SdkMeterProvider`
//! -> `PeriodicReader` -> [`UserEventsMetricExporter`] -> the tracepoint
//! `otlp_metrics`, each event an OTLP `ExportMetricsServiceRequest` in
//! protobuf, as `opentelemetry-user-events-metrics` writes it (here packed:
//! as many data points an event as a perf reader sees whole).
//!
//! Record the events in another terminal, then run this:
//!
//! ```text
//! sudo perf record -e user_events:otlp_metrics
//! cargo run --example metrics
//! ```
//!
//! It prints the exporter's report, counts orders and records checkout
//! durations, shuts the meter provider down (a last export), and prints the
//! counters and what became of the data points. Without user_events the
//! report says why and the data points are counted as `dropped_unavailable`;
//! with user_events but nobody listening, nothing is encoded or written.

use opentelemetry::KeyValue;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use otel_user_events::metrics::UserEventsMetricExporter;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let exporter = UserEventsMetricExporter::builder()
        .with_packing(true)
        .build();
    print!("{}", exporter.report());
    let registered = exporter.report().all_registered();
    // The reader takes the exporter; the handle still reads its counters.
    let handle = exporter.handle();
    let provider = SdkMeterProvider::builder()
        .with_resource(Resource::builder().with_service_name("shop").build())
        .with_reader(PeriodicReader::builder(exporter).build())
        .build();

    let meter = provider.meter("checkout");
    let orders = meter.u64_counter("orders").with_unit("{order}").build();
    let duration = meter
        .f64_histogram("checkout.duration")
        .with_unit("s")
        .build();
    for i in 0..10 {
        let shop = if i % 2 == 0 { "north" } else { "south" };
        orders.add(1, &[KeyValue::new("shop", shop)]);
        duration.record(0.05 * f64::from(i), &[]);
    }

    // Exports what was recorded (two order counts, one histogram), then
    // unregisters the tracepoint.
    provider.shutdown()?;
    let counters = handle.counters();
    println!("metric exporter counters: {counters:?}");
    if !registered {
        println!(
            "nothing was written: user_events is unavailable here (see the report above); \
             the {} data points were dropped and counted as dropped_unavailable",
            counters.dropped_unavailable
        );
    } else if counters.written == 0 {
        println!("nothing was written: nobody listened to otlp_metrics");
    } else {
        println!("written: {} events", counters.written);
    }
    Ok(())
}
