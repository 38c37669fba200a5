//! The span processors (README's performance targets): the same span, the
//! `opentelemetry-user-events-trace` crate's benchmark span (`my-span-name`, six
//! string attributes), ended through (a) its `Processor` (rows `peer`) or
//! (b) our `UserEventsSpanProcessor` with its defaults (rows `ours`).
//!
//! - `spans_disabled`: nobody listens: the SDK's span start and end, and each
//!   processor's check. Runs everywhere.
//! - `spans_enabled`: ftrace listens to the tracepoints (spans are really
//!   written), with the floor of the SDK alone (a processor that drops every
//!   span) and L1 in the same run: a raw `writev` of the bytes our processor
//!   writes for the span, to a tracepoint registered with the reference
//!   `tracepoint` crate. Runs only inside the user_events VM.
//! - `spans_on_end_enabled`: the processors' `on_end` alone on the span's
//!   `SpanData` (each iteration gets a fresh copy, made outside the timing),
//!   same listener: their own user-space cost (minus L1).
//!
//! In the VM:
//!
//! ```text
//! cargo bench --bench spans --no-run        # prints the bench executable
//! scripts/kernel-test.sh run -- target/release/deps/spans-<hash> --bench
//! ```
//!
//! Target: user-space overhead (enabled cost minus L1) at least 2x smaller
//! for ours than for the peer's.

use criterion::{
    BatchSize, BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use opentelemetry::Context;
use opentelemetry::trace::{Span as _, Tracer as _, TracerProvider as _};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracerProvider, Span, SpanData, SpanProcessor};
use otel_user_events::testing::Capture;
use otel_user_events_test_support::{tracefs, vm};

mod peers;

use peers::spans;

/// Benchmarks the span through `provider` as `<label>/simple_span`.
fn bench_span(group: &mut BenchmarkGroup<'_, WallTime>, label: &str, provider: &SdkTracerProvider) {
    let tracer = provider.tracer("bench");
    group.bench_function(format!("{label}/simple_span"), |b| {
        b.iter(|| {
            let mut span = tracer
                .span_builder("my-span-name")
                .with_attributes(spans::attributes())
                .start(&tracer);
            span.end();
        })
    });
}

fn spans_disabled(c: &mut Criterion) {
    let peer = spans::provider(spans::peer("BenchSpanPeerOff"));
    let ours = spans::provider(spans::ours("BenchSpanOursOff"));
    let mut group = c.benchmark_group("spans_disabled");
    bench_span(&mut group, "peer", &peer);
    bench_span(&mut group, "ours", &ours);
    group.finish();
    let _ = peer.shutdown();
    let _ = ours.shutdown();
}

/// A processor that takes every span and does nothing with it: what the SDK
/// costs on its own, below any processor's work.
#[derive(Debug)]
struct NoopProcessor;

impl SpanProcessor for NoopProcessor {
    fn on_start(&self, _span: &mut Span, _cx: &Context) {}
    fn on_end(&self, span: SpanData) {
        std::hint::black_box(span);
    }
    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }
    fn shutdown_with_timeout(&self, _timeout: std::time::Duration) -> OTelSdkResult {
        Ok(())
    }
}

fn spans_enabled(c: &mut Criterion) {
    if !vm::in_kernel_vm() {
        eprintln!(
            "skipped: spans_enabled needs a kernel with user_events; run this bench \
             in the VM (see the top of benches/spans.rs)"
        );
        return;
    }
    let peer = spans::provider(spans::peer("BenchSpanPeer"));
    let ours = spans::provider(spans::ours("BenchSpanOurs"));
    let l1_name = "BenchSpanL1_L4K1";
    peers::register_l1(l1_name);
    let listened = ["BenchSpanPeer_L4K1", "BenchSpanOurs_L4K1", l1_name];
    listened.into_iter().for_each(peers::listen);

    let noop = spans::provider(NoopProcessor);
    let mut group = c.benchmark_group("spans_enabled");
    bench_span(&mut group, "sdk_floor", &noop);
    bench_span(&mut group, "peer", &peer);
    bench_span(&mut group, "ours", &ours);
    // The bytes our processor writes for the span (after the write index).
    let mut capture_processor = spans::ours("BenchSpanOursCapture");
    capture_processor.set_resource(&peers::resource());
    let (_, events) = Capture::new("Unused")
        .expect("valid name")
        .run(|| capture_processor.on_end(spans::span_data()));
    let payload = events.into_iter().next().expect("one event").payload;
    group.bench_function("L1_raw_writev/simple_span", |b| {
        b.iter(|| peers::l1_write(&payload))
    });
    group.finish();
    let _ = capture_processor.shutdown();
    spans_on_end(c);

    for name in listened {
        let _ = tracefs::disable(name);
    }
    let _ = peers::L1_STATE.unregister();
    let _ = peer.shutdown();
    let _ = ours.shutdown();
}

/// The processors alone, without the SDK in front: `on_end` of the same span,
/// written to a tracepoint ftrace listens to (registered by the providers of
/// [`spans_enabled`]). Minus L1, this is each processor's own user-space cost.
fn spans_on_end(c: &mut Criterion) {
    let mut peer = spans::peer("BenchSpanPeer");
    let mut ours = spans::ours("BenchSpanOurs");
    peer.set_resource(&peers::resource());
    ours.set_resource(&peers::resource());
    let data = spans::span_data();
    let mut group = c.benchmark_group("spans_on_end_enabled");
    group.bench_function("peer/simple_span", |b| {
        b.iter_batched(
            || data.clone(),
            |span| peer.on_end(span),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("ours/simple_span", |b| {
        b.iter_batched(
            || data.clone(),
            |span| ours.on_end(span),
            BatchSize::SmallInput,
        )
    });
    group.finish();
    let _ = peer.shutdown();
    let _ = ours.shutdown();
}

criterion_group!(benches, spans_disabled, spans_enabled);
criterion_main!(benches);
