//! Listening to user_events tracepoints in-process with `perf_event_open`:
//! a [`Listener`] opens the tracepoints on every CPU and hands out [`Sample`]s.

mod cpus;
mod error;
mod listener;
mod ring;
mod uapi;

pub use error::Error;
pub use listener::{Listener, ListenerOptions, Sample};
pub use uapi::{SAMPLE_TYPE, tracepoint_attr};
