//! What every output shares: [`OutputHandle`] (counters, report, shutdown of
//! a processor or layer owned by someone else), [`OutputReport`] and
//! [`TracepointStatus`] (what registration did), [`CounterSnapshot`],
//! [`EncodingProfile`] and [`EventLimit`] (how values are written, and how
//! large an event may be), [`Errno`] and [`DataFileError`].
//!
//! Inside, the output engine every front end writes through: an output's
//! tracepoints (all five levels of each of its keywords, one registration
//! rule), its `user_events_data` file (closed exactly once), where an enabled
//! event goes (the kernel, a test capture, or nowhere, counted), sealing and
//! delivering it, its counters, its report, and its single release.
//!
//! A front end (the macro events' provider, the logs and span processors,
//! the `tracing` layer, the metric exporter) owns an `Output` in an `Arc`,
//! checks one enable word per event, and writes an enabled event with
//! `Output::sink` then `Sink::seal` (EventHeader) or `Sink::write_parts`
//! (the metric exporter's `otlp_metrics`, a tracepoint with its own fields).
//!
//! - `enable`: the bits of an enable word;
//! - `kernel`: the data file, entered per write, closed by the last to leave;
//! - `tracepoints`: registration and release;
//! - `sink`: routing, and sealing + delivering + counting in one call;
//! - `deliver`: the `writev` or the capture, counted by one function;
//! - `capture`: test capture's core (what `testing` builds on);
//! - `options`: what every output's builder sets ([`EventLimit`] among them);
//! - `engine`: the `Output` itself;
//! - `counters`, `report`, `handle`: what users read.

pub(crate) mod capture;
mod counters;
mod deliver;
pub(crate) mod enable;
mod engine;
mod handle;
mod kernel;
mod options;
mod report;
mod sink;
mod tracepoints;

pub use crate::encode::profile::EncodingProfile;
pub use counters::CounterSnapshot;
#[cfg(feature = "tracing")]
pub(crate) use counters::Counters;
pub(crate) use engine::Output;
pub use handle::OutputHandle;
pub(crate) use handle::output_accessors;
pub use options::{BuildError, EventLimit};
pub(crate) use options::{OutputOptions, data_file_option, output_options};
#[cfg(unix)]
pub use otel_user_events_abi::handoff;
pub use otel_user_events_abi::{DataFile, DataFileError, Errno};
pub(crate) use report::OutputKind;
pub use report::{OutputReport, TracepointStatus};
pub(crate) use sink::Sink;
pub(crate) use tracepoints::{At, KeywordSet, Tracepoints};
