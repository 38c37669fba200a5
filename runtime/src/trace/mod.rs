//! OpenTelemetry traces: [`UserEventsSpanProcessor`], an SDK
//! `SpanProcessor` that writes spans to user_events (a drop-in for
//! `opentelemetry-user-events-trace` 0.6), optionally as live activities; its
//! builder, the span layout, span events, and the semantic-convention
//! mapping.

mod builder;
mod record;
mod span_event;
mod span_processor;
mod well_known;

pub use builder::{DEFAULT_SPAN_EVENTHEADER_NAME, UserEventsSpanProcessorBuilder};
pub use span_event::SPAN_EVENT_NAME;
pub use span_processor::UserEventsSpanProcessor;
