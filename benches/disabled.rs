//! The disabled path: an event nobody listens to (SPEC §9).
//!
//! - `ue_log!`: 4 fields, no listener.
//! - L0: one relaxed atomic load of a static and a branch (the floor).
//! - P2: `eventheader::write_event!` with the same fields, unregistered provider.
//! - P3: `tracing::info!` with no subscriber.
//! - P1: the seed path: `tracing::error!` -> `opentelemetry-appender-tracing` ->
//!   `opentelemetry_user_events_logs::Processor`, no listener.
//!
//! Targets: `ue_log!` within 1.2x of L0 and of P2, at least 5x faster than P1.

use std::hint::black_box;
use std::sync::atomic::{AtomicU32, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use otel_user_events::ue_log;
use tracing_subscriber::prelude::*;

static L0_WORD: AtomicU32 = AtomicU32::new(0);

eventheader::define_provider!(P2_PROVIDER, "BenchP2");

fn disabled(c: &mut Criterion) {
    let mut group = c.benchmark_group("disabled");
    let (order_id, customer, amount, express) = (42u64, "ada", 9.99f64, true);

    group.bench_function("ue_log", |b| {
        b.iter(|| {
            ue_log!(
                info,
                "OrderPlaced",
                order_id = black_box(order_id),
                customer = black_box(customer),
                amount = black_box(amount),
                express = black_box(express)
            )
        })
    });

    group.bench_function("L0_atomic_load", |b| {
        b.iter(|| {
            if L0_WORD.load(Ordering::Relaxed) != 0 {
                black_box((order_id, customer, amount, express));
            }
        })
    });

    group.bench_function("P2_eventheader_write_event", |b| {
        b.iter(|| {
            eventheader::write_event!(
                P2_PROVIDER,
                "OrderPlaced",
                level(Informational),
                u64("order_id", &black_box(order_id)),
                str8("customer", black_box(customer)),
                f64("amount", &black_box(amount)),
                bool8("express", &black_box(express)),
            )
        })
    });

    group.bench_function("P3_tracing_no_subscriber", |b| {
        b.iter(|| {
            tracing::info!(
                order_id = black_box(order_id),
                customer = black_box(customer),
                amount = black_box(amount),
                express = black_box(express),
                "OrderPlaced"
            )
        })
    });

    // P1 needs a subscriber on this thread only, so P3 above keeps having none.
    let processor = opentelemetry_user_events_logs::Processor::builder("BenchP1")
        .build()
        .expect("valid provider name");
    let provider = SdkLoggerProvider::builder()
        .with_log_processor(processor)
        .build();
    let subscriber =
        tracing_subscriber::registry().with(OpenTelemetryTracingBridge::new(&provider));
    tracing::subscriber::with_default(subscriber, || {
        group.bench_function("P1_seed_tracing_appender_processor", |b| {
            b.iter(|| {
                tracing::error!(
                    name: "OrderPlaced",
                    order_id = black_box(order_id),
                    customer = black_box(customer),
                    amount = black_box(amount),
                    express = black_box(express)
                )
            })
        });
    });
    group.finish();
    let _ = provider.shutdown();
}

criterion_group!(benches, disabled);
criterion_main!(benches);
