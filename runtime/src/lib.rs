//! Runtime of `otel-user-events`: what the `ue_log!` and `#[otel_event]` macros call,
//! and the public API to start a provider and read its counters.
//!
//! Most users depend on the `otel-user-events` facade crate, which re-exports this.
//!
//! - [`Provider`]: registers every call site's user_events tracepoint
//!   (`<Provider>_L<level>K<keyword>`), picks the output ([`OutputMode`]) and
//!   reports what it did ([`InitReport`]).
//! - [`Level`]: event levels.
//! - [`ActivityId`]: the id tying an `#[otel_event]` activity's start and stop events.
//! - [`FieldValue`]: the types a field can have.
//! - [`CounterSnapshot`]: written, dropped and truncated events.
//! - [`UserEventsProcessor`]: an OpenTelemetry `LogProcessor` that writes SDK log
//!   records to user_events (a drop-in for `opentelemetry-user-events-logs`).
//! - [`UserEventsSpanProcessor`]: an OpenTelemetry `SpanProcessor` that writes spans
//!   to user_events (a drop-in for `opentelemetry-user-events-trace`), optionally
//!   as live activities.
//! - `UserEventsLayer` (feature `tracing`): a `tracing-subscriber` layer that
//!   writes `tracing` events, and spans as activities, to user_events.
//! - `testing` (feature `testing`): capture events' exact bytes in tests, without a kernel.
//! - [`Field`], [`FieldValue`], [`ArrayElement`] and [`DataWriter`]: the extension
//!   point for a field type of your own.

#![warn(missing_docs)]

#[doc(hidden)]
pub mod __private;
mod activity;
mod callsite;
mod capture;
mod counters;
mod deliver;
mod dispatch;
mod enable;
mod encode;
mod event;
mod fallback;
#[cfg(feature = "tracing")]
mod layer;
mod level;
mod processor;
mod provider;
mod span;
#[cfg(feature = "testing")]
pub mod testing;

pub use activity::ActivityId;
pub use counters::CounterSnapshot;
pub use encode::field::{ArrayElement, Field, FieldValue, Scalar};
pub use encode::profile::EncodingProfile;
pub use encode::writer::DataWriter;
#[cfg(feature = "tracing")]
pub use layer::{
    LayerEventName, LayerHandle, LayerReport, UserEventsFilter, UserEventsLayer,
    UserEventsLayerBuilder,
};
pub use level::Level;
pub use processor::{
    DEFAULT_EVENT_NAME, DEFAULT_SEVERITY, ProcessorHandle, ProcessorReport, TracepointStatus,
    UserEventsProcessor, UserEventsProcessorBuilder,
};
pub use provider::{
    ActiveOutputs, InitError, InitReport, LoggerSource, OpenTelemetryReport, OutputMode, Provider,
    ProviderBuilder, TracepointReport, counters,
};
pub use span::{
    DEFAULT_SPAN_EVENTHEADER_NAME, SPAN_EVENT_NAME, UserEventsSpanProcessor,
    UserEventsSpanProcessorBuilder,
};
// The kernel interface is `otel-user-events-abi`'s; these names of it are part of the
// runtime's reports and errors.
pub use otel_user_events_abi::name::{
    PROVIDER_NAME_MAX, ProviderGroup, ProviderGroupError, ProviderName, ProviderNameError,
};
pub use otel_user_events_abi::{DataFileError, Errno};
