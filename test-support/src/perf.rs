//! Listening to user_events tracepoints in-process with `perf_event_open`:
//! `otel-user-events-listen`'s [`Listener`], shared with `ue-tail`.

pub use otel_user_events_listen::perf::{Error, Listener, ListenerOptions, Sample};
