//! The OpenTelemetry fallback path (README's performance targets): an event with 4 fields becomes an
//! SDK `LogRecord` and reaches the same in-memory exporter through a simple
//! processor.
//!
//! - `ue_log`: `ue_log!` -> our fallback -> `SdkLogger` -> exporter.
//! - `tracing_appender`: `tracing::info!` -> `opentelemetry-appender-tracing` ->
//!   `SdkLogger` -> exporter (the usual way to get OpenTelemetry logs in Rust).
//!
//! Target: `ue_log` no slower than `tracing_appender`. Each measured batch is
//! followed by an untimed `reset` of the exporter, so memory stays flat.
//!
//! Group `fallback_record` repeats both with a processor that drops every record,
//! to show the cost of building the record alone (the exporter's mutex, clone
//! and vector push dominate the first group).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use opentelemetry::InstrumentationScope;
use opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::{InMemoryLogExporter, LogProcessor, SdkLogRecord, SdkLoggerProvider};
use otel_user_events::{Provider, provider::OutputMode};
use tracing_subscriber::prelude::*;

mod peers;

/// Events per timed batch before the exporter is emptied.
const BATCH: u64 = 2_000;

/// Runs `iters` events in batches, emptying the exporter between batches
/// outside the timed part.
fn timed(exporter: &InMemoryLogExporter, iters: u64, mut event: impl FnMut()) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let n = left.min(BATCH);
        let start = Instant::now();
        for _ in 0..n {
            event();
        }
        total += start.elapsed();
        exporter.reset();
        left -= n;
    }
    total
}

fn in_memory() -> (SdkLoggerProvider, InMemoryLogExporter) {
    let exporter = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    (provider, exporter)
}

/// Drops every record (the same for both paths).
#[derive(Debug)]
struct DropProcessor;

impl LogProcessor for DropProcessor {
    fn emit(&self, record: &mut SdkLogRecord, _: &InstrumentationScope) {
        black_box(record);
    }
    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }
    fn shutdown_with_timeout(&self, _: Duration) -> OTelSdkResult {
        Ok(())
    }
}

fn record_only(c: &mut Criterion) {
    let mut group = c.benchmark_group("fallback_record");
    let dropping = || {
        SdkLoggerProvider::builder()
            .with_log_processor(DropProcessor)
            .build()
    };

    let logger_provider = dropping();
    let provider = Provider::builder("BenchFallbackRecord")
        .with_output(OutputMode::OpenTelemetry)
        .with_logger_provider(logger_provider.clone())
        .build()
        .expect("provider starts");
    group.bench_function("ue_log", |b| b.iter(peers::ue_log_event));
    provider.shutdown();
    let _ = logger_provider.shutdown();

    let logger_provider = dropping();
    let subscriber =
        tracing_subscriber::registry().with(OpenTelemetryTracingBridge::new(&logger_provider));
    tracing::subscriber::with_default(subscriber, || {
        group.bench_function("tracing_appender", |b| b.iter(peers::tracing_info_event));
    });
    let _ = logger_provider.shutdown();
    group.finish();
}

fn fallback(c: &mut Criterion) {
    let mut group = c.benchmark_group("fallback");

    let (logger_provider, exporter) = in_memory();
    let provider = Provider::builder("BenchFallback")
        .with_output(OutputMode::OpenTelemetry)
        .with_logger_provider(logger_provider.clone())
        .build()
        .expect("provider starts");
    group.bench_function("ue_log", |b| {
        b.iter_custom(|iters| timed(&exporter, iters, peers::ue_log_event))
    });
    assert_eq!(provider.counters().dropped(), 0);
    provider.shutdown();
    let _ = logger_provider.shutdown();

    let (logger_provider, exporter) = in_memory();
    let subscriber =
        tracing_subscriber::registry().with(OpenTelemetryTracingBridge::new(&logger_provider));
    tracing::subscriber::with_default(subscriber, || {
        group.bench_function("tracing_appender", |b| {
            b.iter_custom(|iters| timed(&exporter, iters, peers::tracing_info_event))
        });
    });
    let _ = logger_provider.shutdown();
    group.finish();
}

criterion_group!(benches, fallback, record_only);
criterion_main!(benches);
