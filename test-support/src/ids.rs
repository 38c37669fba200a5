//! Span ids a test can write down: an OpenTelemetry `IdGenerator` that gives
//! every trace the id [`TRACE`] and spans the ids 1, 2, 3, ... in the order
//! they are made, so two tracer providers that make the same spans in the
//! same order give them the same ids, and expected JSON can spell them.

use std::sync::atomic::{AtomicU64, Ordering};

use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry_sdk::trace::IdGenerator;

/// The trace id of every trace.
pub const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// Trace id [`TRACE`], span ids 1, 2, 3, ...
#[derive(Debug, Default)]
pub struct SequentialIds(AtomicU64);

impl IdGenerator for SequentialIds {
    fn new_trace_id(&self) -> TraceId {
        TraceId::from_hex(TRACE).unwrap()
    }
    fn new_span_id(&self) -> SpanId {
        SpanId::from(self.0.fetch_add(1, Ordering::Relaxed) + 1)
    }
}
