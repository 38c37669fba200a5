//! One request through every front end, for the correlation tests
//! (`tests/correlation.rs` without a kernel, `tests/kernel_correlation.rs`
//! on one): a `tracing` span (through `tracing-opentelemetry` and the
//! `UserEventsLayer`), a `tracing` event, a `ue_log!`, an OpenTelemetry log
//! record (`UserEventsProcessor`), and an OpenTelemetry child span
//! (`UserEventsSpanProcessor` with live spans) with a `ue_log!` inside; and
//! what every event of it must carry.

#![allow(dead_code)] // each test uses part of it

use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry_sdk::trace::SdkTracerProvider;
use otel_user_events::activity::ActivityId;

#[path = "../../examples/correlation.rs"]
mod example;

pub use example::{LAYER, LOGS, Pipeline, SPANS};

use otel_user_events_test_support::ids::SequentialIds;
/// The request's trace id (every trace's, see [`SequentialIds`]).
pub use otel_user_events_test_support::ids::TRACE;
/// The `tracing` span's OpenTelemetry span id (the first one made).
pub const CHECKOUT: u64 = 1;
/// The OpenTelemetry child span's id.
pub const CHARGE: u64 = 2;

/// The example's outputs, with span ids 1, 2, ... of trace [`TRACE`].
pub fn pipeline() -> Pipeline {
    example::pipeline(SdkTracerProvider::builder().with_id_generator(SequentialIds::default()))
}

/// The example's request; its trace id is [`TRACE`].
pub fn request(p: &Pipeline) {
    assert_eq!(example::request(p), TraceId::from_hex(TRACE).unwrap());
}

/// `ActivityId::from_span` of span `span` of the request's trace, as decoders
/// print it.
pub fn activity(span: u64) -> String {
    let trace = TraceId::from_hex(TRACE).unwrap().to_bytes();
    ActivityId::from_span(trace, SpanId::from(span).to_bytes()).to_string()
}

/// Checks the request's events (decoded JSON, in the order written): every
/// one carries the trace in PartA, each its span's ids, and the activity ids
/// form the span tree. Returns a line per event: `name activity related`.
pub fn check(events: &[serde_json::Value]) -> Vec<String> {
    let span_hex = |id: u64| format!("{id:016x}");
    let mut lines = Vec::new();
    for event in events {
        let name = event["n"].as_str().unwrap();
        let part_a = &event["PartA"];
        assert_eq!(part_a["ext_dt_traceId"], TRACE, "{event}");
        let meta = &event["meta"];
        let activity = meta["activity"].as_str().unwrap_or("-");
        let related = meta["relatedActivity"].as_str().unwrap_or("-");
        // The span whose ids PartA carries must be the event's activity.
        let span = part_a["ext_dt_spanId"].as_str().unwrap();
        let owner = [CHECKOUT, CHARGE]
            .into_iter()
            .find(|&s| span_hex(s) == span)
            .unwrap_or_else(|| panic!("PartA of another span: {event}"));
        assert_eq!(activity, activity_of(owner), "{event}");
        lines.push(format!("{name} {} {}", short(activity), short(related)));
    }
    lines
}

fn activity_of(span: u64) -> &'static str {
    Box::leak(activity(span).into_boxed_str())
}

/// `checkout` or `charge` for an activity id of the request, `-` for none.
fn short(id: &str) -> &'static str {
    if id == activity(CHECKOUT) {
        "checkout"
    } else if id == activity(CHARGE) {
        "charge"
    } else if id == "-" {
        "-"
    } else {
        "other"
    }
}

/// What the request writes, as `name activity related` (see [`check`]): the
/// `tracing` span's start through both the span processor and the layer, the
/// events inside it, the child span (its parent as related id) with its
/// `ue_log!`; then the `tracing` span's end: its span event (the `tracing`
/// event, which `tracing-opentelemetry` records on the span) and its stop
/// through both.
pub fn expected(macro_provider: &str) -> Vec<String> {
    [
        format!("{SPANS}:Span checkout -"),
        format!("{LAYER}:checkout checkout -"),
        format!("{LAYER}:Inside checkout -"),
        format!("{macro_provider}:Charged checkout -"),
        format!("{LOGS}:Log checkout -"),
        format!("{SPANS}:Span charge checkout"),
        format!("{macro_provider}:InCharge charge -"),
        format!("{SPANS}:Span charge -"),
        format!("{SPANS}:SpanEvent checkout -"),
        format!("{SPANS}:Span checkout -"),
        format!("{LAYER}:checkout checkout -"),
    ]
    .to_vec()
}
