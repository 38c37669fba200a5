//! The disabled path: an event nobody listens to (README's performance targets).
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

mod peers;

static L0_WORD: AtomicU32 = AtomicU32::new(0);

fn disabled(c: &mut Criterion) {
    // An opaque store, so the compiler cannot fold L0's load into a constant.
    L0_WORD.store(black_box(0), Ordering::Relaxed);
    let mut group = c.benchmark_group("disabled");
    let (order_id, customer, amount, express) = peers::ORDER;

    group.bench_function("ue_log", |b| b.iter(peers::ue_log_event));

    group.bench_function("L0_atomic_load", |b| {
        b.iter(|| {
            if L0_WORD.load(Ordering::Relaxed) != 0 {
                black_box((order_id, customer, amount, express));
            }
        })
    });

    peers::bench_p2(&mut group);

    group.bench_function("P3_tracing_no_subscriber", |b| {
        b.iter(peers::tracing_info_event)
    });

    let seed = peers::seed_provider("BenchP1");
    peers::bench_p1(&mut group, &seed);
    group.finish();
    let _ = seed.shutdown();
}

criterion_group!(benches, disabled);
criterion_main!(benches);
