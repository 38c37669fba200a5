//! The enabled path on a real kernel (README's performance targets): a listener (ftrace) is attached
//! to every tracepoint written here. Runs only inside the VM of
//! `scripts/kernel-test.sh` (elsewhere it prints that it was skipped):
//!
//! ```text
//! cargo bench --bench enabled --no-run
//! scripts/kernel-test.sh run -- target/release/deps/enabled-<hash> --bench
//! ```
//!
//! - `ue_log!`: 4 fields.
//! - L1: a raw `writev` of the same event bytes to `user_events_data`.
//! - P2: `eventheader::write_event!` with the same fields (see `peers`).
//! - P1: the seed path: `tracing::error!` -> `opentelemetry-appender-tracing` ->
//!   `opentelemetry_user_events_logs::Processor`, 4 attributes.
//!
//! The VM runs under TCG, so only ratios measured in the same run mean anything.
//! Targets: `ue_log!` within 1.15x of L1; its user-space overhead (cost - L1) at
//! least 5x smaller than P1's.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

use otel_user_events::Provider;
use otel_user_events_test_support::{tracefs, vm};

mod peers;

fn enabled(c: &mut Criterion) {
    if !vm::in_kernel_vm() {
        eprintln!(
            "skipped: the enabled benchmark needs a kernel with user_events; run it in the VM (see benches/enabled.rs)"
        );
        return;
    }
    let provider = Provider::builder("BenchEn").build().expect("provider");
    assert!(
        provider.report().active.user_events,
        "{}",
        provider.report()
    );
    peers::register_p2();
    let l1_name = "BenchEnL1_L4K1";
    peers::register_l1(l1_name);
    let seed = peers::seed_provider("BenchEnP1");

    let listened = ["BenchEn_L4K1", "BenchP2_L4K1", l1_name, "BenchEnP1_L2K1"];
    listened.into_iter().for_each(peers::listen);
    // L1 writes the very bytes ue_log! writes (same time digits length, same fields).
    let payload = peers::ue_log_payload("BenchEn");

    let mut group = c.benchmark_group("enabled");
    group.bench_function("ue_log", |b| b.iter(peers::ue_log_event));
    group.bench_function("L1_raw_writev", |b| b.iter(|| peers::l1_write(&payload)));
    peers::bench_p2(&mut group);
    peers::bench_p1(&mut group, &seed);
    group.finish();

    assert_eq!(
        provider.counters().dropped(),
        0,
        "{:?}",
        provider.counters()
    );
    for name in listened {
        let _ = tracefs::disable(name);
    }
    let _ = seed.shutdown();
    peers::L1_STATE.unregister();
    peers::unregister_p2();
    provider.shutdown();
}

criterion_group! {
    name = benches;
    // TCG makes every write slow: fewer, longer samples keep the run short.
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    targets = enabled
}
criterion_main!(benches);
