//! The current OpenTelemetry span as an activity: while a span is current
//! (`Context::current` has a valid span context) and no `#[otel_event]`
//! activity is, events carry the span's [`ActivityId::from_span`] as their
//! activity id, so a live span's start, the events written inside it and its
//! end group together.

use crate::encode::header::ActivityIds;
use opentelemetry::trace::{SpanId, TraceId};

use super::id::ActivityId;
use crate::encode::common_schema::{self, TraceHex};
use crate::encode::header::{OPCODE_ACTIVITY_START, OPCODE_INFO};

/// The ids of an OpenTelemetry span: the current one, read once per event
/// (PartA's trace context and the activity id come from the same read), or
/// the one `tracing-opentelemetry` keeps for a `tracing` span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OtelSpan {
    trace_id: TraceId,
    span_id: SpanId,
}

impl OtelSpan {
    /// The span `trace_id`/`span_id`.
    #[cfg_attr(not(feature = "tracing-opentelemetry"), allow(dead_code))]
    pub(crate) fn new(trace_id: TraceId, span_id: SpanId) -> OtelSpan {
        OtelSpan { trace_id, span_id }
    }

    /// The current span, if `Context::current` has a valid one.
    #[inline]
    pub(crate) fn current() -> Option<OtelSpan> {
        common_schema::current_span_ids().map(|(trace_id, span_id)| OtelSpan { trace_id, span_id })
    }

    /// Its trace and span id as PartA writes them.
    pub(crate) fn trace_hex(&self) -> TraceHex {
        TraceHex::new(self.trace_id, self.span_id)
    }

    /// Its activity id.
    pub(crate) fn activity_id(&self) -> ActivityId {
        span_activity(self.trace_id, self.span_id)
    }
}

/// [`ActivityId::from_span`] of OpenTelemetry ids.
pub(crate) fn span_activity(trace_id: TraceId, span_id: SpanId) -> ActivityId {
    ActivityId::from_span(trace_id.to_bytes(), span_id.to_bytes())
}

/// The activity ids an event with EventHeader `opcode` and its own `ids`
/// carries inside the OpenTelemetry span whose activity is `span`: a plain
/// event outside any `#[otel_event]` activity gets the span's id; an
/// activity's start without a parent activity gets the span as its parent
/// (related id). Everything else keeps its ids.
#[inline]
pub(crate) fn within_span<'a>(
    ids: Option<ActivityIds<'a>>,
    opcode: u8,
    span: Option<&'a ActivityId>,
) -> Option<ActivityIds<'a>> {
    match (ids, span) {
        (None, Some(span)) if opcode == OPCODE_INFO => Some(ActivityIds::of(span.as_bytes())),
        (Some(ActivityIds { id, related: None }), Some(span))
            if opcode == OPCODE_ACTIVITY_START =>
        {
            Some(ActivityIds::start(id, Some(span.as_bytes())))
        }
        (ids, _) => ids,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_events_take_the_span_and_starts_take_it_as_parent() {
        let (own, parent) = ([1u8; 16], [2u8; 16]);
        let span = ActivityId::from_bytes([9; 16]);
        let s = Some(&span);
        assert_eq!(within_span(None, 0, s), Some(ActivityIds::of(&[9; 16])));
        assert_eq!(within_span(None, 0, None), None);
        // Inside an #[otel_event] activity: its id wins.
        assert_eq!(
            within_span(Some(ActivityIds::of(&own)), 0, s),
            Some(ActivityIds::of(&own))
        );
        // An activity's start: the span is its parent, unless it has one.
        assert_eq!(
            within_span(Some(ActivityIds::of(&own)), 1, s),
            Some(ActivityIds::start(&own, Some(&[9; 16])))
        );
        assert_eq!(
            within_span(Some(ActivityIds::start(&own, Some(&parent))), 1, s),
            Some(ActivityIds::start(&own, Some(&parent)))
        );
        // A stop keeps its own id only.
        assert_eq!(
            within_span(Some(ActivityIds::of(&own)), 2, s),
            Some(ActivityIds::of(&own))
        );
    }

    #[test]
    fn the_current_span_is_read_from_the_context() {
        use opentelemetry::trace::{SpanContext, TraceContextExt as _, TraceFlags, TraceState};
        assert!(OtelSpan::current().is_none());
        let sc = SpanContext::new(
            TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
            SpanId::from_hex("00f067aa0ba902b7").unwrap(),
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        );
        let _guard = opentelemetry::Context::current()
            .with_remote_span_context(sc)
            .attach();
        let span = OtelSpan::current().unwrap();
        assert_eq!(
            span.trace_hex().as_strs(),
            ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")
        );
        assert_eq!(
            span.activity_id().to_string(),
            "4bf92f35-77b3-4da6-00f0-67aa0ba902b7"
        );
    }
}
