//! OpenTelemetry logs: [`UserEventsProcessor`], an SDK `LogProcessor` that
//! writes log records to user_events (a drop-in for
//! `opentelemetry-user-events-logs` 0.18), its builder, event names and the
//! record layout.

mod builder;
mod direct;
mod event_name;
mod log_processor;
mod record;

pub use builder::{DEFAULT_SEVERITY, UserEventsProcessorBuilder};
pub use event_name::DEFAULT_EVENT_NAME;
pub use log_processor::UserEventsProcessor;
