//! The OpenTelemetry `SpanProcessor` ([`UserEventsSpanProcessor`]): the
//! processor, its builder, the span layout (a drop-in for
//! `opentelemetry-user-events-trace` 0.6), span events, and the
//! semantic-convention mapping. Its tracepoint is registered as the
//! `LogProcessor`'s are (`processor::tracepoints`).

mod builder;
mod record;
mod span_event;
mod span_processor;
mod well_known;

pub use builder::{DEFAULT_SPAN_EVENTHEADER_NAME, UserEventsSpanProcessorBuilder};
pub use span_event::SPAN_EVENT_NAME;
pub use span_processor::UserEventsSpanProcessor;
