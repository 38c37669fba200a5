//! One trace, one set of ids, on a real kernel: the request of
//! `examples/correlation.rs` (a `tracing` span through `tracing-opentelemetry`
//! and the `UserEventsLayer`, a `tracing` event, a `ue_log!`, an
//! OpenTelemetry log record, an OpenTelemetry child span with a `ue_log!`
//! inside) written to user_events by four outputs, captured with perf,
//! decoded, and every id checked: the trace in every PartA, each event's
//! activity its span's `ActivityId::from_span`, the child's start with its
//! parent's as related id. (`tests/correlation.rs` checks the same without a
//! kernel.)
//!
//! Runs only inside the user_events VM: `scripts/kernel-test.sh cargo-test
//! --test kernel_correlation`. Elsewhere it prints a `skipped:` line.

mod request;

use otel_user_events::Provider;
use otel_user_events_test_support::perf::Listener;
use otel_user_events_test_support::require_kernel;

#[test]
fn a_request_through_every_front_end_has_one_trace_and_the_span_tree() {
    require_kernel!();
    let provider = Provider::builder("Shop").build().unwrap();
    assert!(
        provider.report().active.user_events,
        "{}",
        provider.report()
    );
    let pipeline = request::pipeline();
    for handle in &pipeline.handles {
        assert!(handle.report().all_registered(), "{}", handle.report());
    }
    let names: Vec<String> = ["Shop", request::SPANS, request::LOGS, request::LAYER]
        .iter()
        .map(|provider| format!("{provider}_L4K1"))
        .collect();
    let mut capture = Listener::start(&names).unwrap();
    request::request(&pipeline);
    let events: Vec<serde_json::Value> = capture
        .drain()
        .iter()
        .map(|s| serde_json::from_str(&s.json().unwrap()).unwrap())
        .collect();
    assert_eq!(capture.lost(), 0);
    assert_eq!(request::check(&events), request::expected("Shop"));
    drop(capture);
    for handle in &pipeline.handles {
        let counters = handle.counters();
        assert_eq!(counters.dropped(), 0, "{counters:?}");
        assert!(counters.written > 0, "{counters:?}");
    }
    assert_eq!(provider.counters().written, 2);
    pipeline.tracer_provider.shutdown().unwrap();
    pipeline.logger_provider.shutdown().unwrap();
    provider.shutdown();
}
