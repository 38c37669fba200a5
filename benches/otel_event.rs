//! `#[otel_event]` (README's performance targets): what the attribute adds to a function with 4
//! arguments.
//!
//! - `otel_event_disabled` (runs everywhere): nobody listens.
//!   - `unannotated`: the function without the attribute (the floor);
//!   - `L0_load_then_unannotated`: one relaxed load of a static and a branch,
//!     then the unannotated function: what the disabled path may cost at most;
//!   - `otel_event`: `#[otel_event]` (one event on entry);
//!   - `otel_event_activity`: `#[otel_event(ret, duration)]` (start/stop);
//!   - `otel_event_async_activity` / `async_unannotated`: the same as an
//!     `async fn`, polled to completion once;
//!   - `P3_tracing_instrument_no_subscriber`, `..._async_no_subscriber`:
//!     `#[tracing::instrument]` on the same function (and `async fn`) with no
//!     subscriber.
//! - `otel_event_enabled` (only inside the user_events VM): ftrace listens, so
//!   the events are really written to the kernel:
//!
//! ```text
//! cargo bench --bench otel_event --no-run       # prints the bench executable
//! scripts/kernel-test.sh run -- target/release/deps/otel_event-<hash> --bench
//! ```
//!
//! Target: the disabled annotated function within 1.2x of L0.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use otel_user_events::{Provider, otel_event, provider::OutputMode};
use otel_user_events_test_support::{tracefs, vm};

static L0_WORD: AtomicU32 = AtomicU32::new(0);

const PROVIDER: &str = "BenchOtelEvent";

/// The work every variant does: a little arithmetic on the arguments.
#[inline(always)]
fn work(order_id: u64, customer: &str, amount: f64, express: bool) -> u64 {
    order_id
        .wrapping_mul(31)
        .wrapping_add(customer.len() as u64)
        .wrapping_add(amount as u64)
        .wrapping_add(express as u64)
}

#[inline(never)]
fn unannotated(order_id: u64, customer: &str, amount: f64, express: bool) -> u64 {
    work(order_id, customer, amount, express)
}

#[inline(never)]
fn l0_then_unannotated(order_id: u64, customer: &str, amount: f64, express: bool) -> u64 {
    if L0_WORD.load(Ordering::Relaxed) != 0 {
        black_box((order_id, customer, amount, express));
    }
    work(order_id, customer, amount, express)
}

#[otel_event(name = "OrderPlaced")]
#[inline(never)]
fn annotated(order_id: u64, customer: &str, amount: f64, express: bool) -> u64 {
    work(order_id, customer, amount, express)
}

#[otel_event(name = "Order", ret, duration)]
#[inline(never)]
fn annotated_activity(order_id: u64, customer: &str, amount: f64, express: bool) -> u64 {
    work(order_id, customer, amount, express)
}

#[tracing::instrument]
#[inline(never)]
fn instrumented(order_id: u64, customer: &str, amount: f64, express: bool) -> u64 {
    work(order_id, customer, amount, express)
}

#[inline(never)]
async fn async_unannotated(order_id: u64, customer: &str, amount: f64, express: bool) -> u64 {
    work(order_id, customer, amount, express)
}

#[otel_event(name = "AsyncOrder", ret, duration)]
#[inline(never)]
async fn async_annotated(order_id: u64, customer: &str, amount: f64, express: bool) -> u64 {
    work(order_id, customer, amount, express)
}

#[tracing::instrument]
#[inline(never)]
async fn async_instrumented(order_id: u64, customer: &str, amount: f64, express: bool) -> u64 {
    work(order_id, customer, amount, express)
}

/// Polls a future that completes without waiting. Out of line, as an
/// executor's poll is: otherwise the unannotated future, being tiny, is
/// inlined into the benchmark loop and the comparison measures inlining.
#[inline(never)]
fn run<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

macro_rules! call {
    ($f:expr) => {
        $f(
            black_box(42u64),
            black_box("ada"),
            black_box(9.99f64),
            black_box(true),
        )
    };
}

fn bench_calls(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    group.bench_function("unannotated", |b| b.iter(|| call!(unannotated)));
    group.bench_function("otel_event", |b| b.iter(|| call!(annotated)));
    group.bench_function("otel_event_activity", |b| {
        b.iter(|| call!(annotated_activity))
    });
    group.bench_function("async_unannotated", |b| {
        b.iter(|| run(call!(async_unannotated)))
    });
    group.bench_function("otel_event_async_activity", |b| {
        b.iter(|| run(call!(async_annotated)))
    });
}

fn disabled(c: &mut Criterion) {
    let mut group = c.benchmark_group("otel_event_disabled");
    group.bench_function("L0_load_then_unannotated", |b| {
        b.iter(|| call!(l0_then_unannotated))
    });
    bench_calls(&mut group);
    group.bench_function("P3_tracing_instrument_no_subscriber", |b| {
        b.iter(|| call!(instrumented))
    });
    group.bench_function("P3_tracing_instrument_async_no_subscriber", |b| {
        b.iter(|| run(call!(async_instrumented)))
    });
    group.finish();
}

fn enabled(c: &mut Criterion) {
    if !vm::in_kernel_vm() {
        eprintln!(
            "skipped: otel_event_enabled needs a kernel with user_events; run this bench \
             with scripts/kernel-test.sh run (see the top of benches/otel_event.rs)"
        );
        return;
    }
    let provider = match Provider::builder(PROVIDER)
        .with_output(OutputMode::UserEvents)
        .build()
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("skipped: otel_event_enabled: {e}");
            return;
        }
    };
    let tracepoint = format!("{PROVIDER}_L4K1");
    if let Err(e) = tracefs::wait_for_tracepoint(&tracepoint, Duration::from_secs(5))
        .and_then(|()| tracefs::enable(&tracepoint))
    {
        eprintln!("skipped: otel_event_enabled: cannot enable {tracepoint}: {e}");
        return;
    }
    let mut group = c.benchmark_group("otel_event_enabled");
    bench_calls(&mut group);
    group.finish();
    let _ = tracefs::disable(&tracepoint);
    let counters = provider.counters();
    assert!(counters.written > 0, "nothing was written: {counters:?}");
    provider.shutdown();
}

criterion_group!(benches, disabled, enabled);
criterion_main!(benches);
