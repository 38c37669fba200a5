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
//! every second for a minute (or as many rounds as its first argument says:
//! `cargo run --example tracing_bridge -- 1`), then the counters. Watch them
//! from another shell while it runs (events are written only while someone
//! listens):
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
//! report says why and the program still runs: the processor writes nothing,
//! and the final counters show the records as `dropped_unavailable` (four per
//! round: the SDK's own logs are filtered out, see [`appender_layer`]).

use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use otel_user_events::logs::UserEventsProcessor;
use tracing::Subscriber;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

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
        .with(appender_layer(&provider))
        .init();

    let rounds: u32 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(60);
    for round in 0..rounds {
        log_round(round);
        if round % 10 == 9 {
            eprintln!("counters: {:?}", handle.counters());
        }
        if round + 1 < rounds {
            std::thread::sleep(Duration::from_secs(1));
        }
    }

    provider.shutdown()?;
    eprintln!("final counters: {:?}", handle.counters());
    Ok(())
}

/// The `tracing` layer that hands events to the logger provider, without the
/// OpenTelemetry crates' own logs.
///
/// The SDK and the appender log about themselves through `tracing` (their
/// default `internal-logs` feature), under targets that start with
/// `opentelemetry` (`opentelemetry_sdk`, `opentelemetry-appender-tracing`, ..):
/// `SdkLoggerProvider::shutdown` logs `LoggerProvider.ShutdownInvokedByUser`,
/// for one. Through this layer each would become an event of our provider
/// (and a log emitted while a record is processed could feed itself), so they
/// are turned off here, as OpenTelemetry's own examples do with the directive
/// `opentelemetry=off`. `Targets` matches by prefix; everything else passes at
/// every level. To still see the SDK's logs, add a separate layer for them
/// (e.g. `tracing_subscriber::fmt` filtered to `opentelemetry=warn`).
pub fn appender_layer<S>(provider: &SdkLoggerProvider) -> impl Layer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let not_opentelemetry = Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_target("opentelemetry", LevelFilter::OFF);
    OpenTelemetryTracingBridge::new(provider).with_filter(not_opentelemetry)
}

/// One event per level, as an application would log them.
pub fn log_round(round: u32) {
    tracing::error!(name: "CheckoutFailed", event_id = 20, order = round, reason = "card declined", "checkout failed");
    tracing::warn!(name: "SlowRequest", elapsed_ms = 1_250, route = "/cart", "slow request");
    tracing::info!(name: "OrderPlaced", order = round, amount = 9.99, express = true, "order placed");
    tracing::debug!(name: "CacheMiss", key = "cart:42", "cache miss");
}
