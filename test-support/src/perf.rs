//! In-process capture of user_events tracepoints with `perf_event_open`:
//! `otel-user-events-listen`'s [`Capture`], shared with `ue-tail`.

pub use otel_user_events_listen::perf::{Capture, CaptureOptions, Error, Sample};
