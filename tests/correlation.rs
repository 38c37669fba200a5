//! One trace, one set of ids, without a kernel: a request through every
//! front end (`tests/request`), its events captured as the exact bytes each
//! output would write, decoded, and checked: every event carries the trace
//! in PartA and its own span's ids, and the activity ids form the span tree,
//! whether the span is a `tracing` span (through `tracing-opentelemetry`) or
//! an OpenTelemetry one. `tests/kernel_correlation.rs` does the same on a
//! real kernel, through perf.

mod request;

use opentelemetry::trace::TracerProvider as _;
use otel_user_events::testing::Capture;
use otel_user_events_test_support::decode::decode_json;

#[test]
fn a_request_through_every_front_end_has_one_trace_and_one_activity_per_span() {
    let pipeline = request::pipeline();
    let (_, events) = Capture::new("Shop")
        .unwrap()
        .run(|| request::request(&pipeline));
    let decoded: Vec<serde_json::Value> = events
        .iter()
        .map(|e| serde_json::from_str(&decode_json(&e.tracepoint, &e.payload).unwrap()).unwrap())
        .collect();
    assert_eq!(request::check(&decoded), request::expected("Shop"));
    for handle in &pipeline.handles {
        assert_eq!(handle.counters().dropped(), 0, "{handle:?}");
    }
    let _ = pipeline.tracer_provider.tracer("unused");
}

#[test]
fn without_tracing_opentelemetry_a_tracing_span_inside_an_opentelemetry_span_is_its_child() {
    use opentelemetry::trace::Tracer as _;
    use otel_user_events::tracing::UserEventsLayer;
    use tracing_subscriber::layer::SubscriberExt as _;
    // No tracing-opentelemetry: the tracing span has its own activity id,
    // and the OpenTelemetry span around it (the span processor's) is its
    // parent, as the layer's events inside it say.
    let pipeline = request::pipeline();
    let layer = UserEventsLayer::builder("ShopPlain").build().unwrap();
    let subscriber = tracing_subscriber::registry().with(layer.filtered());
    let (_, events) = Capture::new("Shop").unwrap().run(|| {
        tracing::subscriber::with_default(subscriber, || {
            pipeline
                .tracer_provider
                .tracer("outer")
                .in_span("outer", |_| {
                    let inner = tracing::info_span!("inner");
                    let _entered = inner.enter();
                    tracing::info!(name: "InInner", "in inner");
                });
        })
    });
    let decoded: Vec<serde_json::Value> = events
        .iter()
        .map(|e| serde_json::from_str(&decode_json(&e.tracepoint, &e.payload).unwrap()).unwrap())
        .collect();
    let outer = request::activity(1);
    let start = decoded
        .iter()
        .find(|e| e["n"] == "ShopPlain:inner" && e["meta"]["opcode"] == 1)
        .unwrap();
    assert_eq!(start["meta"]["relatedActivity"], outer.as_str(), "{start}");
    let inner = start["meta"]["activity"].as_str().unwrap();
    assert_ne!(inner, outer);
    let event = decoded
        .iter()
        .find(|e| e["n"] == "ShopPlain:InInner")
        .unwrap();
    assert_eq!(event["meta"]["activity"], inner, "{event}");
}
