//! Sending macro events to an OpenTelemetry Collector over OTLP (HTTP/protobuf).
//!
//! With [`OutputMode::Both`] every event goes to the collector, and also to
//! user_events when the kernel has it (use `OutputMode::Auto` to send to the
//! collector only where user_events is unavailable).
//!
//! Start a collector with an OTLP HTTP receiver (port 4318), e.g. with this
//! `collector.yaml`:
//!
//! ```yaml
//! receivers:
//!   otlp:
//!     protocols:
//!       http:
//!         endpoint: 127.0.0.1:4318
//! exporters:
//!   debug:
//!     verbosity: detailed
//! service:
//!   pipelines:
//!     logs:
//!       receivers: [otlp]
//!       exporters: [debug]
//! ```
//!
//! ```text
//! otelcol --config collector.yaml
//! cargo run --example otlp
//! ```
//!
//! The endpoint is `http://localhost:4318/v1/logs` unless the standard variables
//! say otherwise: `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT` (the full URL) or
//! `OTEL_EXPORTER_OTLP_ENDPOINT` (the base, `/v1/logs` is appended); headers from
//! `OTEL_EXPORTER_OTLP_HEADERS`. Without a collector the export fails quietly:
//! the SDK reports it through its internal logs (the `tracing` crate). Dependencies:
//!
//! ```toml
//! opentelemetry_sdk = "0.33"
//! opentelemetry-otlp = { version = "0.33", default-features = false, features = ["http-proto", "reqwest-blocking-client", "logs"] }
//! ```

use opentelemetry_otlp::{LogExporter, Protocol, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use otel_user_events::{Provider, provider::OutputMode, ue_log};

fn main() {
    if let Err(e) = run(None) {
        eprintln!("otlp example: {e}");
        std::process::exit(1);
    }
}

/// Sends two events to the collector at `endpoint` (the full `/v1/logs` URL), or
/// at the endpoint the environment names when `None`.
pub fn run(endpoint: Option<&str>) -> Result<(), Box<dyn std::error::Error>> {
    let mut exporter = LogExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary);
    if let Some(endpoint) = endpoint {
        exporter = exporter.with_endpoint(endpoint);
    }
    // The batch processor exports from its own thread, off the event's path.
    let logger_provider = SdkLoggerProvider::builder()
        .with_batch_exporter(exporter.build()?)
        .with_resource(Resource::builder().with_service_name("checkout").build())
        .build();

    let provider = Provider::builder("Checkout")
        .with_output(OutputMode::Both)
        .with_logger_provider(logger_provider.clone())
        .build()?;
    print!("{}", provider.report());

    let (order_id, customer) = (42u64, "ada");
    ue_log!(
        info,
        "OrderPlaced",
        order_id,
        customer,
        amount = 9.99,
        express = true
    );
    ue_log!(
        warn,
        "PaymentSlow",
        body = "payment took long",
        took_ms = 1250u32
    );

    println!("counters: {:?}", provider.counters());
    provider.shutdown();
    // Exports what is still batched and stops the exporter's thread.
    logger_provider.shutdown()?;
    Ok(())
}
