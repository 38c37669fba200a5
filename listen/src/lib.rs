//! Listening to Linux user_events tracepoints, for `ue-tail` and the tests.
//!
//! - [`tracefs`]: find the tracefs mount and read a tracepoint's `id` and
//!   `format` files, with errors that say what is missing (tracefs, access,
//!   user_events itself). The discovery is `otel-user-events-abi`'s, the same
//!   the runtime uses to open `user_events_data`, so both pick one mount.
//! - [`status`]: parse `user_events_status`, the list of registered tracepoints.
//! - [`names`]: EventHeader tracepoint names, `<Provider>_L<level>K<keyword>`.
//! - `perf`: read tracepoints on every CPU through `perf_event_open` ring
//!   buffers (Linux only: elsewhere there are no user_events to listen to, and
//!   this crate has the rest, which reads files and bytes).
//! - [`decode`]: turn one EventHeader event into the JSON of Microsoft's
//!   `tracepoint_decode` crate.
//! - [`isolate`]: run decoding that may panic on malformed input (as
//!   `tracepoint_decode` 0.5 can) and get the panic back as a value, quietly.

#![warn(missing_docs)]

pub mod decode;
pub mod isolate;
pub mod names;
#[cfg(target_os = "linux")]
pub mod perf;
pub use otel_user_events_abi::{status, tracefs};
