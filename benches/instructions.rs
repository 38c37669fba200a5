//! User-space instructions per enabled event, counted by callgrind inside the
//! VM: the exact companion of the TCG timings, which are noisy. Callgrind counts
//! only user-space instructions, so the syscall itself is not in the numbers:
//! what is left is each path's user-space overhead (README's performance targets: cost minus L1).
//!
//! `scripts/bench.sh` runs, in the VM, for each PEER:
//!
//! ```text
//! valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured*' \
//!     target/release/deps/instructions-<hash> PEER ITERATIONS
//! ```
//!
//! and divides the instructions collected by ITERATIONS. Peers: `ue_log`,
//! `otel_event` (one event) and `otel_event_activity` (its start and stop),
//! `L1_raw_writev`, `P2_eventheader_write_event`, `P1_seed_tracing_appender_processor`
//! (all the 4-field `OrderPlaced`), and the processors' `emit` alone
//! (`processor_emit/ours`, `processor_emit/P1_seed`, 4 attributes; `processor_emit6/..`,
//! 6 attributes), and the span
//! processors' `on_end` alone on the `opentelemetry-user-events-trace` crate's
//! benchmark span (`span_on_end/ours`, `span_on_end/peer`; each call takes a
//! copy of the span made before counting, and drops it: the same cost for both). ftrace
//! listens to every tracepoint, so every path really writes. And the fallback
//! (`fallback/ue_log`, `fallback/tracing_appender`: the 4-field event to the
//! OpenTelemetry SDK and an in-memory exporter) and the disabled paths
//! (`disabled/ue_log`, `disabled/ue_log_library`: a library provider's call site, the
//! provider started, `disabled/L0_atomic_load`, `disabled/P1_seed...`,
//! `disabled/P2...`, `disabled/P3_tracing_no_subscriber`: nobody listens), which
//! need no kernel; and `context/map_current_none`, `context/map_current_span`:
//! what reading the current OpenTelemetry span costs (PartA's trace ids), with
//! no context attached and inside a span. The `tracing` layer's peers (the 4-field
//! `tracing::info!`): `tracing_layer` (ours), `tracing_layer_span` (a span with one
//! field, entered and closed: its start and stop), `tracing_etw` (`tracing-etw` 0.3's
//! layer), enabled in the VM; disabled: `disabled/tracing_layer` (on a host
//! without user_events: a shut-down layer, whose words are 0), `disabled/tracing_etw` and
//! `disabled/tracing_filter_says_no` (a layer whose per-layer filter says no,
//! the baseline); the metric exporters' (one export of a 100-point
//! collection, with a listener: `metrics_export/ours`, `metrics_export/ours_packed`,
//! `metrics_export/peer` (`opentelemetry-user-events-metrics` 0.14); nobody
//! listening: `metrics_idle/ours` against `metrics_idle/noop`, an exporter
//! that returns at once); and `floor/tracing_visit` (no kernel needed): `tracing` with a
//! layer that sees the event and visits its 4 values, writing nothing, the floor
//! under every layer's enabled path, counted in the VM beside the layers (the
//! C library's string routines, chosen by CPU, differ between the host and
//! the guest). Every count includes the loop's indirect
//! call of the event.

use std::hint::black_box;

use std::process::ExitCode;
use std::sync::atomic::{AtomicU32, Ordering};

use opentelemetry::InstrumentationScope;
use opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge;
use opentelemetry_sdk::logs::LogProcessor;
use opentelemetry_sdk::logs::{InMemoryLogExporter, SdkLoggerProvider};
use opentelemetry_sdk::trace::{SpanData, SpanProcessor};

use otel_user_events::{Provider, logs::UserEventsProcessor, provider::OutputMode};
use otel_user_events_test_support::vm;
use tracing_subscriber::prelude::*;

mod peers;

static L0_WORD: AtomicU32 = AtomicU32::new(0);

/// Events before counting starts: first-use costs (thread-locals, lazy statics)
/// are not per-event costs.
const WARM_UP: u64 = 100;

/// Calls `event` `iterations` times; the only function callgrind counts.
#[inline(never)]
fn measured(iterations: u64, event: &mut dyn FnMut()) {
    for _ in 0..iterations {
        event();
    }
}

fn run(event: &mut dyn FnMut(), iterations: u64) {
    for _ in 0..WARM_UP {
        event();
    }
    measured(iterations, event);
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (peer, iterations) = match args.as_slice() {
        [peer, n] if !peer.starts_with('-') => (peer.as_str(), n.parse::<u64>().unwrap_or(0)),
        _ => {
            eprintln!(
                "skipped: scripts/bench.sh runs this under callgrind in the VM (PEER ITERATIONS)"
            );
            return ExitCode::SUCCESS;
        }
    };
    if let Some(path) = peer.strip_prefix("fallback/") {
        return fallback(path, iterations);
    }
    if let Some(path) = peer.strip_prefix("disabled/") {
        return disabled(path, iterations);
    }
    if let Some(path) = peer.strip_prefix("context/") {
        return context(path, iterations);
    }
    if peer == "floor/tracing_visit" {
        // What every `tracing` layer pays to see an event's values: the
        // dispatch, the per-layer filter saying yes, and a visit of the 4 values.
        peers::with_visit_floor(|| run(&mut peers::tracing_info_event, iterations));
        return ExitCode::SUCCESS;
    }
    if !vm::in_kernel_vm() {
        eprintln!("instructions: {peer} needs a kernel with user_events (run it in the VM)");
        return ExitCode::FAILURE;
    }
    let provider = Provider::builder("BenchIn").build().expect("provider");
    assert!(
        provider.report().active.user_events,
        "{}",
        provider.report()
    );
    match peer {
        "ue_log" => {
            peers::listen("BenchIn_L4K1");
            run(&mut peers::ue_log_event, iterations);
        }
        "otel_event" | "otel_event_activity" => {
            peers::listen("BenchIn_L4K1");
            let f = if peer == "otel_event" {
                peers::otel_event_plain
            } else {
                peers::otel_event_activity
            };
            run(&mut || peers::call_with_order(f), iterations);
        }
        "L1_raw_writev" => {
            let l1_name = "BenchInL1_L4K1";
            peers::register_l1(l1_name);
            peers::listen(l1_name);
            let payload = peers::ue_log_payload("BenchIn");
            run(&mut || peers::l1_write(&payload), iterations);
        }
        "P2_eventheader_write_event" => {
            peers::register_p2();
            peers::listen("BenchP2_L4K1");
            run(&mut peers::p2_event, iterations);
        }
        "P1_seed_tracing_appender_processor" => {
            let seed = peers::seed_provider("BenchInP1");
            peers::listen("BenchInP1_L2K1");
            peers::with_p1_subscriber(&seed, || run(&mut peers::p1_event, iterations));
        }
        "tracing_layer" => peers::with_layer_subscriber("BenchInLayer", || {
            peers::listen("BenchInLayer_L4K1");
            run(&mut peers::tracing_info_event, iterations);
        }),
        "tracing_layer_span" => peers::with_layer_subscriber("BenchInLayerSpan", || {
            peers::listen("BenchInLayerSpan_L4K1");
            run(&mut peers::tracing_span, iterations);
        }),
        "tracing_etw" => peers::with_etw_subscriber("BenchInEtw", || {
            peers::listen("BenchInEtw_L4K1");
            run(&mut peers::tracing_info_event, iterations);
        }),
        "processor_emit/ours"
        | "processor_emit/P1_seed"
        | "processor_emit6/ours"
        | "processor_emit6/P1_seed" => {
            let scope = InstrumentationScope::builder("bench").build();
            let attributes = if peer.starts_with("processor_emit6/") {
                6
            } else {
                4
            };
            let mut record = peers::appender_like_record(attributes);
            let mut processor: Box<dyn LogProcessor> = if peer.ends_with("ours") {
                Box::new(UserEventsProcessor::builder("BenchInOurs").build().unwrap())
            } else {
                Box::new(
                    opentelemetry_user_events_logs::Processor::builder("BenchInSeed")
                        .build()
                        .unwrap(),
                )
            };
            processor.set_resource(&peers::resource());
            peers::listen(if peer.ends_with("ours") {
                "BenchInOurs_L2K1"
            } else {
                "BenchInSeed_L2K1"
            });
            run(&mut || processor.emit(&mut record, &scope), iterations);
        }
        "span_on_end/ours" | "span_on_end/peer" => {
            let (mut processor, name): (Box<dyn SpanProcessor>, _) = if peer.ends_with("ours") {
                (
                    Box::new(peers::spans::ours("BenchInSpanOurs")),
                    "BenchInSpanOurs_L4K1",
                )
            } else {
                (
                    Box::new(peers::spans::peer("BenchInSpanPeer")),
                    "BenchInSpanPeer_L4K1",
                )
            };
            processor.set_resource(&peers::resource());
            peers::listen(name);
            // `on_end` takes each span by value: one copy per call, made now.
            let data = peers::spans::span_data();
            let mut spans: Vec<SpanData> =
                (0..WARM_UP + iterations).map(|_| data.clone()).collect();
            run(
                &mut || {
                    if let Some(span) = spans.pop() {
                        processor.on_end(span);
                    }
                },
                iterations,
            );
        }
        "metrics_export/ours" | "metrics_export/ours_packed" | "metrics_export/peer" => {
            // A listener on the one tracepoint: every export writes.
            let exporter = peers::metrics::exporter(&peer["metrics_export/".len()..]);
            peers::listen("otlp_metrics");
            let metrics = peers::metrics::collection();
            run(
                &mut || {
                    black_box(exporter.export_now(&metrics)).expect("export");
                },
                iterations,
            );
        }
        "metrics_idle/ours" | "metrics_idle/peer" | "metrics_idle/noop" => {
            // Nobody listens to `otlp_metrics`.
            let exporter = peers::metrics::exporter(&peer["metrics_idle/".len()..]);
            peers::metrics::nobody_listens();
            let metrics = peers::metrics::collection();
            run(
                &mut || {
                    black_box(exporter.export_now(&metrics)).expect("export");
                },
                iterations,
            );
        }
        other => {
            eprintln!("instructions: unknown peer {other:?}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// The fallback peers: `ue_log!` or `tracing::info!` -> SDK -> in-memory exporter.
fn fallback(path: &str, iterations: u64) -> ExitCode {
    let exporter = InMemoryLogExporter::default();
    let logger_provider = SdkLoggerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    match path {
        "ue_log" => {
            let provider = Provider::builder("BenchInFallback")
                .with_output(OutputMode::OpenTelemetry)
                .with_logger_provider(logger_provider.clone())
                .build()
                .expect("provider starts");
            run(&mut peers::ue_log_event, iterations);
            provider.shutdown();
        }
        "tracing_appender" => {
            let subscriber = tracing_subscriber::registry()
                .with(OpenTelemetryTracingBridge::new(&logger_provider));
            tracing::subscriber::with_default(subscriber, || {
                run(&mut peers::tracing_info_event, iterations)
            });
        }
        other => {
            eprintln!("instructions: unknown fallback peer {other:?}");
            return ExitCode::FAILURE;
        }
    }
    let exported = exporter
        .get_emitted_logs()
        .map_or(0, |logs| logs.len() as u64);
    assert_eq!(
        exported,
        WARM_UP + iterations,
        "every event reaches the exporter"
    );
    let _ = logger_provider.shutdown();
    ExitCode::SUCCESS
}

/// What reading the current OpenTelemetry span costs an enabled event (PartA's
/// trace ids): `context/map_current_none` with no context attached (the
/// common case of a service without OpenTelemetry tracing),
/// `context/map_current_span` inside an attached span context.
fn context(path: &str, iterations: u64) -> ExitCode {
    use opentelemetry::trace::{SpanContext, TraceContextExt as _, TraceFlags, TraceState};
    use opentelemetry::trace::{SpanId, TraceId};
    let read = || {
        black_box(opentelemetry::Context::map_current(|cx| {
            cx.span().span_context().is_valid()
        }));
    };
    match path {
        "map_current_none" => run(&mut || read(), iterations),
        "map_current_span" => {
            let span = SpanContext::new(
                TraceId::from_bytes([1; 16]),
                SpanId::from_bytes([2; 8]),
                TraceFlags::SAMPLED,
                false,
                TraceState::default(),
            );
            let _attached = opentelemetry::Context::current()
                .with_remote_span_context(span)
                .attach();
            run(&mut || read(), iterations);
        }
        other => {
            eprintln!("instructions: unknown context peer {other:?}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// The disabled peers: nobody listens (no provider is even registered for
/// `ue_log!` and P2).
fn disabled(path: &str, iterations: u64) -> ExitCode {
    // An opaque store, so the compiler cannot fold L0's load into a constant.
    L0_WORD.store(black_box(0), Ordering::Relaxed);
    match path {
        "ue_log" => run(&mut peers::ue_log_event, iterations),
        // Started, nobody listening (in the VM: registered, its word 0).
        "ue_log_library" => {
            let library = peers::BENCH_LIBRARY
                .builder()
                .build()
                .expect("BenchLibrary starts");
            run(&mut peers::ue_log_library_event, iterations);
            drop(library);
        }
        "L0_atomic_load" => run(
            &mut || {
                if L0_WORD.load(Ordering::Relaxed) != 0 {
                    black_box(peers::ORDER);
                }
            },
            iterations,
        ),
        "P2_eventheader_write_event" => run(&mut peers::p2_event, iterations),
        "P3_tracing_no_subscriber" => run(&mut peers::tracing_info_event, iterations),
        "tracing_filter_says_no" => {
            peers::with_filter_says_no(|| run(&mut peers::tracing_info_event, iterations))
        }
        "tracing_layer" => peers::with_disabled_layer_subscriber("BenchInLayerOff", || {
            run(&mut peers::tracing_info_event, iterations)
        }),
        "tracing_etw" => peers::with_etw_subscriber("BenchInEtwOff", || {
            run(&mut peers::tracing_info_event, iterations)
        }),
        "P1_seed_tracing_appender_processor" => {
            let seed = peers::seed_provider("BenchInP1Off");
            peers::with_p1_subscriber(&seed, || run(&mut peers::p1_event, iterations));
            let _ = seed.shutdown();
        }
        other => {
            eprintln!("instructions: unknown disabled peer {other:?}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
