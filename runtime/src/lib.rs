//! Runtime of `otel-user-events`: what the `ue_log!` and `#[otel_event]` macros
//! call, the outputs of the other front ends, and the public API to start
//! them and read their counters.
//!
//! Most users depend on the `otel-user-events` facade crate, which re-exports this.
//!
//! - [`Provider`] and [`Level`]: the provider of the macro events
//!   (`<Provider>_L<level>K<keyword>` tracepoints, the OpenTelemetry
//!   fallback); [`provider`] has its builder, modes, report and errors.
//! - [`logs`]: `UserEventsProcessor`, an OpenTelemetry `LogProcessor` (a
//!   drop-in for `opentelemetry-user-events-logs`).
//! - [`trace`]: `UserEventsSpanProcessor`, an OpenTelemetry `SpanProcessor`
//!   (a drop-in for `opentelemetry-user-events-trace`), optionally as live
//!   activities.
//! - `tracing` (feature `tracing`): `UserEventsLayer`, a `tracing-subscriber`
//!   layer writing `tracing` events, and spans as activities.
//! - [`output`]: what every output shares: handles, reports, counters, the
//!   encoding profile and the event size limit.
//! - [`field`]: the types a field can have, and the extension point for a
//!   field type of your own.
//! - [`activity`]: activity ids, tying an activity's start and stop.
//! - `testing` (feature `testing`): capture events' exact bytes in tests,
//!   without a kernel.

#![warn(missing_docs)]
#![deny(unreachable_pub)]
#![warn(clippy::undocumented_unsafe_blocks)]

#[doc(hidden)]
pub mod __private;
pub mod activity;
mod encode;
mod events;
pub mod field;
mod level;
pub mod logs;
#[cfg(feature = "metrics")]
pub mod metrics;
pub mod output;
pub mod provider;
#[cfg(feature = "testing")]
pub mod testing;
pub mod trace;
#[cfg(feature = "tracing")]
pub mod tracing;

pub use level::Level;
pub use provider::Provider;
