//! Test helpers shared by the workspace's tests and benchmarks.
//!
//! - [`decode`]: turn the bytes of one EventHeader event into the JSON that
//!   Microsoft's `tracepoint_decode` crate produces, so tests compare against
//!   hand-written expected JSON.
//! - [`vm`]: whether the test runs in the user_events test VM
//!   (`scripts/kernel-test.sh`), and [`require_kernel!`] to skip visibly outside it.
//! - [`tracefs`]: read `user_events_status`, tracepoint ids and formats, enable
//!   tracepoints through ftrace, wait for tracepoints to appear or go away.
//! - [`perf`]: listen to tracepoints in-process with `perf_event_open`.
//! - [`ids`]: an OpenTelemetry id generator whose ids tests can write down.
//! - [`child`]: run one ignored test of this binary in a child process (as
//!   another user, with a limit) and check what it printed.

pub mod alloc;
pub mod child;
pub mod decode;
pub mod ids;
pub mod perf;
pub mod tracefs;
pub mod vm;
