//! In-process capture of user_events tracepoints with `perf_event_open`:
//! [`Capture`] opens the tracepoints on every CPU and hands out [`Sample`]s.

mod abi;
mod capture;
mod ring;

pub use abi::{SAMPLE_TYPE, tracepoint_attr};
pub use capture::{Capture, CaptureOptions, Error, Sample};
