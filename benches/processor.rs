//! The `LogProcessor` path (README's performance targets): `tracing::error!` with 4 and 6 attributes
//! -> `opentelemetry-appender-tracing` -> (a) the seed crate's
//! `opentelemetry_user_events_logs::Processor` (rows `P1_seed`, README's peer P1) or
//! (b) our `UserEventsProcessor` (rows `ours`).
//! The records are the seed crate's own benchmark records.
//!
//! - `processor_disabled`: nobody listens (the appender asks `event_enabled`
//!   first, so this is the cost of a check). Runs everywhere.
//! - `processor_enabled`: ftrace listens to the tracepoints (events are really
//!   written), with L1 in the same run: a raw `writev` of the bytes our
//!   processor writes for the same record, to a tracepoint registered with the
//!   reference `tracepoint` crate, and the floor of the appender and SDK alone
//!   (a processor that drops every record). Runs only inside the user_events VM.
//! - `processor_emit_enabled`: the processors' `emit` alone on the record the
//!   appender builds, same listener: their own user-space cost (minus L1).
//!
//! In the VM:
//!
//! ```text
//! cargo bench --bench processor --no-run        # prints the bench executable
//! scripts/kernel-test.sh run -- target/release/deps/processor-<hash> --bench
//! ```
//!
//! Target: user-space overhead (enabled cost minus L1) at least 2x smaller
//! for ours than for the seed's.

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use opentelemetry::InstrumentationScope;
use opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::{LogProcessor, SdkLogRecord, SdkLoggerProvider};
use otel_user_events::logs::UserEventsProcessor;
use otel_user_events::testing::Capture;
use otel_user_events_test_support::{tracefs, vm};
use tracing_subscriber::prelude::*;

mod peers;

fn error_4_attributes() {
    tracing::error!(
        name: "CheckoutFailed",
        field1 = "field1",
        field2 = "field2",
        field3 = "field3",
        field4 = "field4",
        message = "Unable to process checkout."
    );
}

fn error_6_attributes() {
    tracing::error!(
        name: "CheckoutFailed",
        field1 = "field1",
        field2 = "field2",
        field3 = "field3",
        field4 = "field4",
        field5 = "field5",
        field6 = "field6",
        message = "Unable to process checkout."
    );
}

const RECORDS: [(&str, fn()); 2] = [
    ("4_attributes", error_4_attributes),
    ("6_attributes", error_6_attributes),
];

fn seed_provider(name: &str) -> SdkLoggerProvider {
    let processor = opentelemetry_user_events_logs::Processor::builder(name)
        .build()
        .expect("valid provider name");
    SdkLoggerProvider::builder()
        .with_resource(peers::resource())
        .with_log_processor(processor)
        .build()
}

fn our_provider(name: &str) -> SdkLoggerProvider {
    let processor = UserEventsProcessor::builder(name)
        .build()
        .expect("valid provider name");
    SdkLoggerProvider::builder()
        .with_resource(peers::resource())
        .with_log_processor(processor)
        .build()
}

/// Benchmarks each record through `provider`'s appender as `<label>/<record>`.
fn bench_records(
    group: &mut BenchmarkGroup<'_, WallTime>,
    label: &str,
    provider: &SdkLoggerProvider,
) {
    let subscriber = tracing_subscriber::registry().with(OpenTelemetryTracingBridge::new(provider));
    tracing::subscriber::with_default(subscriber, || {
        for (record, log) in RECORDS {
            group.bench_function(format!("{label}/{record}"), |b| b.iter(log));
        }
    });
}

fn processor_disabled(c: &mut Criterion) {
    let seed = seed_provider("BenchSeedOff");
    let ours = our_provider("BenchOursOff");
    let mut group = c.benchmark_group("processor_disabled");
    bench_records(&mut group, "P1_seed", &seed);
    bench_records(&mut group, "ours", &ours);
    group.finish();
    let _ = seed.shutdown();
    let _ = ours.shutdown();
}

/// A processor that takes every record and does nothing with it: what the
/// appender and the SDK cost on their own, below any processor's work.
#[derive(Debug)]
struct NoopProcessor;

impl LogProcessor for NoopProcessor {
    fn emit(&self, record: &mut SdkLogRecord, _scope: &InstrumentationScope) {
        std::hint::black_box(record);
    }
    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }
    fn shutdown_with_timeout(&self, _timeout: std::time::Duration) -> OTelSdkResult {
        Ok(())
    }
}

fn processor_enabled(c: &mut Criterion) {
    if !vm::in_kernel_vm() {
        eprintln!(
            "skipped: processor_enabled needs a kernel with user_events; run this bench \
             in the VM (see the top of benches/processor.rs)"
        );
        return;
    }
    let seed = seed_provider("BenchSeed");
    let ours = our_provider("BenchOurs");
    let l1_name = "BenchL1_L2K1";
    peers::register_l1(l1_name);

    // ftrace listens to every tracepoint written here (error level: `L2`).
    let listened = ["BenchSeed_L2K1", "BenchOurs_L2K1", l1_name];
    listened.into_iter().for_each(peers::listen);

    let noop = SdkLoggerProvider::builder()
        .with_resource(peers::resource())
        .with_log_processor(NoopProcessor)
        .build();
    let mut group = c.benchmark_group("processor_enabled");
    bench_records(&mut group, "appender_sdk_floor", &noop);
    bench_records(&mut group, "P1_seed", &seed);
    bench_records(&mut group, "ours", &ours);
    for (record, log) in RECORDS {
        // The bytes our processor writes for this record (after the write index).
        let capture_provider = our_provider("BenchOursCapture");
        let subscriber =
            tracing_subscriber::registry().with(OpenTelemetryTracingBridge::new(&capture_provider));
        let (_, events) = Capture::new("Unused")
            .expect("valid name")
            .run(|| tracing::subscriber::with_default(subscriber, log));
        let payload = events.into_iter().next().expect("one event").payload;
        group.bench_function(format!("L1_raw_writev/{record}"), |b| {
            b.iter(|| peers::l1_write(&payload))
        });
        let _ = capture_provider.shutdown();
    }
    group.finish();
    processor_emit(c);

    for name in listened {
        let _ = tracefs::disable(name);
    }
    let _ = peers::L1_STATE.unregister();
    let _ = seed.shutdown();
    let _ = ours.shutdown();
}

/// The processors alone, without the appender and SDK in front: `emit` of the
/// same record, written to a tracepoint ftrace listens to. Minus L1, this is
/// each processor's own user-space cost.
fn processor_emit(c: &mut Criterion) {
    let mut seed = opentelemetry_user_events_logs::Processor::builder("BenchSeed")
        .build()
        .expect("valid provider name");
    let mut ours = UserEventsProcessor::builder("BenchOurs")
        .build()
        .expect("valid provider name");
    seed.set_resource(&peers::resource());
    ours.set_resource(&peers::resource());
    let scope = InstrumentationScope::builder("bench").build();
    let mut group = c.benchmark_group("processor_emit_enabled");
    for (n, label) in [(4, "4_attributes"), (6, "6_attributes")] {
        let mut record = peers::appender_like_record(n);
        group.bench_function(format!("P1_seed/{label}"), |b| {
            b.iter(|| seed.emit(&mut record, &scope))
        });
        group.bench_function(format!("ours/{label}"), |b| {
            b.iter(|| ours.emit(&mut record, &scope))
        });
    }
    group.finish();
    let _ = seed.shutdown();
    let _ = ours.shutdown();
}

criterion_group!(benches, processor_disabled, processor_enabled);
criterion_main!(benches);
