//! The OpenTelemetry `LogProcessor` ([`UserEventsProcessor`]): the processor
//! and its handle, its builder, event names, the record layout and its
//! tracepoints.

mod builder;
mod event_name;
mod log_processor;
mod record;
pub(crate) mod tracepoints;

pub use builder::{DEFAULT_SEVERITY, UserEventsProcessorBuilder};
pub use event_name::DEFAULT_EVENT_NAME;
pub use log_processor::{ProcessorHandle, UserEventsProcessor};
pub use tracepoints::{ProcessorReport, TracepointStatus};
#[cfg(feature = "tracing")]
pub(crate) use tracepoints::{Tracepoints, write_registration};
