//! The `tracing` layer (README's performance targets): the same 4-field `tracing::info!`
//! through our `UserEventsLayer`, `tracing-etw` 0.3's layer and P1 (the seed
//! path: `tracing::error!` -> `opentelemetry-appender-tracing` ->
//! `opentelemetry_user_events_logs::Processor`), beside `ue_log!`.
//!
//! - `tracing_layer_disabled`: nobody listens. Baseline: `tracing` with a
//!   layer whose per-layer filter says no at each event. Target: our layer
//!   within 1.2x of it. Runs everywhere; on a host without user_events our
//!   layer is shut down first (its enable words are then 0, the path nobody
//!   listening takes).
//! - `tracing_layer_enabled` (VM only): ftrace listens to every tracepoint
//!   written. Target: our user-space overhead (cost minus L1, see
//!   `benches/enabled.rs`) at least 5x smaller than tracing-etw's and P1's.
//!
//! ```text
//! cargo bench --bench tracing_layer --no-run
//! scripts/kernel-test.sh run -- target/release/deps/tracing_layer-<hash> --bench
//! ```

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

use otel_user_events::Provider;
use otel_user_events_test_support::{tracefs, vm};

mod peers;

fn disabled(c: &mut Criterion) {
    let mut group = c.benchmark_group("tracing_layer_disabled");
    peers::with_filter_says_no(|| {
        group.bench_function("tracing_filter_says_no", |b| {
            b.iter(peers::tracing_info_event)
        })
    });
    peers::with_disabled_layer_subscriber("BenchTlOff", || {
        group.bench_function("layer", |b| b.iter(peers::tracing_info_event))
    });
    peers::with_etw_subscriber("BenchTlEtwOff", || {
        group.bench_function("tracing_etw", |b| b.iter(peers::tracing_info_event))
    });
    let seed = peers::seed_provider("BenchTlP1Off");
    peers::bench_p1(&mut group, &seed);
    group.bench_function("ue_log", |b| b.iter(peers::ue_log_event));
    group.finish();
    let _ = seed.shutdown();
}

fn enabled(c: &mut Criterion) {
    if !vm::in_kernel_vm() {
        eprintln!(
            "skipped: tracing_layer_enabled needs a kernel with user_events; run it in the VM (see benches/tracing_layer.rs)"
        );
        return;
    }
    let provider = Provider::builder("BenchTl").build().expect("provider");
    let seed = peers::seed_provider("BenchTlP1");
    let mut group = c.benchmark_group("tracing_layer_enabled");
    let listened = ["BenchTl_L4K1", "BenchTlP1_L2K1"];
    listened.into_iter().for_each(peers::listen);
    // Each layer lives (and its tracepoint is listened to) inside its closure.
    peers::with_layer_subscriber("BenchTlLayer", || {
        peers::listen("BenchTlLayer_L4K1");
        group.bench_function("layer", |b| b.iter(peers::tracing_info_event));
        let _ = tracefs::disable("BenchTlLayer_L4K1");
    });
    peers::with_etw_subscriber("BenchTlEtw", || {
        peers::listen("BenchTlEtw_L4K1");
        group.bench_function("tracing_etw", |b| b.iter(peers::tracing_info_event));
        let _ = tracefs::disable("BenchTlEtw_L4K1");
    });
    peers::bench_p1(&mut group, &seed);
    group.bench_function("ue_log", |b| b.iter(peers::ue_log_event));
    group.finish();
    for name in listened {
        let _ = tracefs::disable(name);
    }
    let _ = seed.shutdown();
    provider.shutdown();
}

criterion_group! {
    name = benches;
    // TCG makes every write slow: fewer, longer samples keep the run short.
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    targets = disabled, enabled
}
criterion_main!(benches);
