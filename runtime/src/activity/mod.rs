//! Activities: the start/stop event pairs `#[otel_event]` writes around a
//! function call, tied together by a 16-byte EventHeader activity id.
//!
//! - [`id`]: [`ActivityId`], a process-unique id, made without locks or system
//!   calls (a per-thread random prefix and a per-thread counter), and
//!   sequential ids for tests.
//! - [`current`]: the *current* activity is thread-local: an annotated call
//!   started on this thread and not finished yet. A nested annotated call
//!   writes it as the related (parent) id of its own start event.
//! - [`call`]: [`Activity`], one call's activity (id and start time), what its
//!   start and stop events carry, and why it may end without returning.
//! - [`scope`]: [`ActivityScope`] (synchronous functions) keeps an activity
//!   current until the function returns and writes the stop event if the
//!   function unwinds instead.
//! - [`future`]: [`ActivityFuture`] (`async fn`) makes the activity current only
//!   while the future is polled, and writes the stop event if the future panics
//!   or is dropped before it completes (cancelled).
//! - [`otel_span`]: the current OpenTelemetry span as an activity: events
//!   outside any annotated call but inside a span carry the span's id
//!   ([`ActivityId::from_span`]).
//! - [`result`]: [`SplitResult`], how `err` tells a function's success from its
//!   error, and [`Returned`], how `ret` does on a type that may be a `Result`.

mod call;
mod current;
mod future;
mod id;
mod otel_span;
mod result;
mod scope;

#[cfg(feature = "tracing")]
pub(crate) use call::monotonic_ns;
pub use call::{Abandoned, Activity, ActivityStart};
pub use current::current_ids;
#[cfg(feature = "tracing")]
pub(crate) use current::set_current;
pub use future::ActivityFuture;
pub use id::ActivityId;
#[cfg(feature = "testing")]
pub use id::sequential_activity_ids;
pub(crate) use otel_span::{CurrentSpan, span_activity, within_span};
pub use result::{OtherReturned, ResultReturned, Returned, SplitResult};
pub use scope::{ActivityScope, call_once};
