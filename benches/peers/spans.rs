//! The span of the span-processor benchmarks (`benches/spans.rs`, and the
//! `span_on_end/*` peers of `benches/instructions.rs`): the
//! `opentelemetry-user-events-trace` crate's own benchmark span, `my-span-name`
//! with six string attributes, ended through each processor.

use std::borrow::Cow;
use std::time::SystemTime;

use opentelemetry::trace::{
    SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry::{InstrumentationScope, KeyValue};
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanProcessor};
use otel_user_events::trace::UserEventsSpanProcessor;

/// The span's attributes.
pub fn attributes() -> [KeyValue; 6] {
    [
        KeyValue::new("key1", "value1"),
        KeyValue::new("key2", "value2"),
        KeyValue::new("key3", "value3"),
        KeyValue::new("key4", "value4"),
        KeyValue::new("key5", "value5"),
        KeyValue::new("key6", "value6"),
    ]
}

/// The peer's span processor for provider `name`.
pub fn peer(name: &str) -> opentelemetry_user_events_trace::Processor {
    opentelemetry_user_events_trace::Processor::builder(name)
        .build()
        .expect("valid provider name")
}

/// Our span processor for provider `name`, with the defaults.
pub fn ours(name: &str) -> UserEventsSpanProcessor {
    UserEventsSpanProcessor::builder(name)
        .build()
        .expect("valid provider name")
}

/// A tracer provider with `processor` and the benchmarks' resource.
pub fn provider(processor: impl SpanProcessor + 'static) -> SdkTracerProvider {
    SdkTracerProvider::builder()
        .with_resource(super::resource())
        .with_span_processor(processor)
        .build()
}

/// The benchmark span as the SDK hands it to `on_end`.
pub fn span_data() -> SpanData {
    let now = SystemTime::now();
    SpanData {
        span_context: SpanContext::new(
            TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").expect("hex"),
            SpanId::from_hex("00f067aa0ba902b7").expect("hex"),
            TraceFlags::SAMPLED,
            false,
            TraceState::default(),
        ),
        parent_span_id: SpanId::INVALID,
        parent_span_is_remote: false,
        span_kind: SpanKind::Internal,
        name: Cow::Borrowed("my-span-name"),
        start_time: now,
        end_time: now,
        attributes: attributes().into(),
        dropped_attributes_count: 0,
        events: Default::default(),
        links: Default::default(),
        status: Status::Unset,
        instrumentation_scope: InstrumentationScope::builder("bench").build(),
    }
}
