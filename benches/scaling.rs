//! Multi-thread scaling (README's performance targets): 1, 2 and 4 threads each writing the 4-field
//! `OrderPlaced` event at once.
//!
//! - `scaling_disabled`: nobody listens (runs anywhere). `ue_log!` next to L0,
//!   a relaxed load of a shared static, the floor.
//! - `scaling_enabled`: ftrace listens (only inside the VM of
//!   `scripts/kernel-test.sh`). `ue_log!` next to L1, a raw `writev` of the same
//!   bytes, which shows what the kernel itself does with more writers.
//!
//! One iteration is one event from every thread, so the time per iteration
//! stays flat while the threads fit on the CPUs when throughput scales linearly
//! (`scripts/bench-report.py` prints throughput relative to one thread). Shared
//! state on our side (the provider's counters) would show up as `ue_log!`
//! falling behind L1.

use std::hint::black_box;

use std::sync::Barrier;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use otel_user_events::Provider;

use otel_user_events_test_support::{tracefs, vm};

mod peers;

const THREADS: [usize; 3] = [1, 2, 4];

static L0_WORD: AtomicU32 = AtomicU32::new(0);

/// Runs `event` `iters` times on each of `threads` threads started together;
/// returns the time from the common start until the last thread is done.
fn on_threads(threads: usize, iters: u64, event: &(impl Fn() + Sync)) -> Duration {
    let start = Barrier::new(threads + 1);
    let done = Barrier::new(threads + 1);
    thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                start.wait();
                for _ in 0..iters {
                    event();
                }
                done.wait();
            });
        }
        start.wait();
        let began = Instant::now();
        done.wait();
        began.elapsed()
    })
}

fn disabled(c: &mut Criterion) {
    // An opaque store, so the compiler cannot fold L0's load into a constant.
    L0_WORD.store(black_box(0), Ordering::Relaxed);
    let mut group = c.benchmark_group("scaling_disabled");
    for threads in THREADS {
        group.bench_function(BenchmarkId::new("ue_log", threads), |b| {
            b.iter_custom(|iters| on_threads(threads, iters, &peers::ue_log_event))
        });
        group.bench_function(BenchmarkId::new("L0_atomic_load", threads), |b| {
            b.iter_custom(|iters| {
                on_threads(threads, iters, &|| {
                    if L0_WORD.load(Ordering::Relaxed) != 0 {
                        black_box(peers::ORDER);
                    }
                })
            })
        });
    }
    group.finish();
}

fn enabled(c: &mut Criterion) {
    if !vm::in_kernel_vm() {
        eprintln!(
            "skipped: enabled scaling needs a kernel with user_events; run it in the VM (scripts/bench.sh)"
        );
        return;
    }
    let provider = Provider::builder("BenchSc").build().expect("provider");
    assert!(
        provider.report().active.user_events,
        "{}",
        provider.report()
    );
    let l1_name = "BenchScL1_L4K1";
    peers::register_l1(l1_name);
    let listened = ["BenchSc_L4K1", l1_name];
    listened.into_iter().for_each(peers::listen);
    // L1 writes the very bytes ue_log! writes.
    let payload = peers::ue_log_payload("BenchSc");

    let mut group = c.benchmark_group("scaling_enabled");
    for threads in THREADS {
        group.bench_function(BenchmarkId::new("ue_log", threads), |b| {
            b.iter_custom(|iters| on_threads(threads, iters, &peers::ue_log_event))
        });
        group.bench_function(BenchmarkId::new("L1_raw_writev", threads), |b| {
            b.iter_custom(|iters| on_threads(threads, iters, &|| peers::l1_write(&payload)))
        });
    }
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
    peers::L1_STATE.unregister();
    provider.shutdown();
}

criterion_group! {
    name = benches;
    // TCG makes every write slow: fewer, longer samples keep the run short.
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = disabled, enabled
}
criterion_main!(benches);
