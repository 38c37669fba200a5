//! Keep logging with `tracing`; send the logs to user_events.
//!
//! `tracing` -> `opentelemetry-appender-tracing` -> OpenTelemetry SDK ->
//! [`UserEventsProcessor`] -> tracepoints `tracing_bridge_L<level>K1`.
//!
//! Run it (as root, or with write access to `user_events_data`):
//!
//! ```text
//! cargo run --example tracing_bridge
//! ```
//!
//! It prints which tracepoints it registered, then logs one event per level
//! every second for a minute (or as many seconds as its first argument says). Watch them from another shell while it runs
//! (events are written only while someone listens):
//!
//! ```text
//! # what the process registered
//! cat /sys/kernel/tracing/user_events_status
//! # record errors and warnings for 5 seconds, then decode them
//! # (perf-decode from Microsoft's LinuxTracepoints tools prints EventHeader as JSON)
//! perf record -e user_events:tracing_bridge_L2K1,user_events:tracing_bridge_L3K1 -- sleep 5
//! perf-decode perf.data
//! # or live, without decoding the EventHeader fields
//! perf trace -e 'user_events:tracing_bridge_*'
//! # or through ftrace
//! echo 1 > /sys/kernel/tracing/events/user_events/tracing_bridge_L2K1/enable
//! cat /sys/kernel/tracing/trace_pipe
//! ```
//!
//! Without user_events (no kernel support, no tracefs, no permission) the
//! report says why and the program still runs: the processor writes nothing.

use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use otel_user_events::UserEventsProcessor;
use tracing_subscriber::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let processor = UserEventsProcessor::builder("tracing_bridge")
        // Written at the start of every event's PartC.
        .with_resource_attributes(["deployment.environment"])
        // PartA ext_cloud_role comes from service.name, as in the seed crate.
        .build()?;
    eprint!("{}", processor.report());
    let handle = processor.handle();

    let provider = SdkLoggerProvider::builder()
        .with_resource(
            Resource::builder_empty()
                .with_service_name("tracing-bridge-example")
                .with_attribute(KeyValue::new("deployment.environment", "dev"))
                .build(),
        )
        .with_log_processor(processor)
        .build();
    tracing_subscriber::registry()
        .with(OpenTelemetryTracingBridge::new(&provider))
        .init();

    let rounds: u32 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(60);
    for round in 0..rounds {
        tracing::error!(name: "CheckoutFailed", event_id = 20, order = round, reason = "card declined", "checkout failed");
        tracing::warn!(name: "SlowRequest", elapsed_ms = 1_250, route = "/cart", "slow request");
        tracing::info!(name: "OrderPlaced", order = round, amount = 9.99, express = true, "order placed");
        tracing::debug!(name: "CacheMiss", key = "cart:42", "cache miss");
        std::thread::sleep(Duration::from_secs(1));
        if round % 10 == 9 {
            eprintln!("counters: {:?}", handle.counters());
        }
    }

    provider.shutdown()?;
    eprintln!("final counters: {:?}", handle.counters());
    Ok(())
}
