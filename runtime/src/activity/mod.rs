//! Activities: the start/stop event pairs `#[otel_event]` writes around a
//! function call, or a span (OpenTelemetry's, or `tracing`'s through the
//! layer) writes at its start and end, tied together by a 16-byte EventHeader
//! activity id: [`ActivityId`].
//!
//! Inside: `id` ([`ActivityId`]: process-unique ids made without locks or
//! system calls, and sequential ids for tests); `current` (the thread's
//! current activity, the related id of a nested one); `call` (one call's
//! activity, what its start and stop carry); `scope` and `future` (keeping
//! an activity current while a function runs or a future is polled, and
//! writing its stop however it ends); `otel_span` (the current OpenTelemetry
//! span as an activity, [`ActivityId::from_span`]); `result` (how `ret` and
//! `err` read a function's result).

pub(crate) mod call;
pub(crate) mod current;
pub(crate) mod future;
pub(crate) mod id;
mod otel_span;
pub(crate) mod result;
pub(crate) mod scope;

#[cfg(feature = "tracing")]
pub(crate) use call::monotonic_ns;
#[cfg(feature = "tracing")]
pub(crate) use current::set_current;
pub use id::ActivityId;
pub(crate) use otel_span::{OtelSpan, span_activity, within_span};
