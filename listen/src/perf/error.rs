//! Why a [`Listener`](super::Listener) could not start or add a tracepoint.

use std::fmt;
use std::io;

/// Why a listener could not start or add a tracepoint.
#[derive(Debug)]
pub enum Error {
    /// No tracepoint names were given.
    NoTracepoints,
    /// The tracepoint's tracefs files are missing or unreadable (usually: not
    /// registered yet).
    Tracepoint {
        /// Tracepoint name.
        name: String,
        /// The error reading its `id` or `format` file.
        source: io::Error,
    },
    /// The tracepoint's `format` file could not be parsed.
    Format {
        /// Tracepoint name.
        name: String,
        /// What was wrong.
        reason: String,
    },
    /// `perf_event_open` failed.
    Open {
        /// Tracepoint name.
        name: String,
        /// The CPU the event was for.
        cpu: u32,
        /// The system call's error.
        source: io::Error,
    },
    /// Mapping or attaching a ring buffer failed.
    RingBuffer {
        /// The CPU of the ring buffer.
        cpu: u32,
        /// The system call's error.
        source: io::Error,
    },
    /// Another I/O error (e.g. reading the online CPU list).
    Io(io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoTracepoints => f.write_str("no tracepoints to listen to"),
            Error::Tracepoint { name, source } => {
                write!(
                    f,
                    "tracepoint user_events:{name} is not available: {source}"
                )
            }
            Error::Format { name, reason } => {
                write!(f, "bad format file for user_events:{name}: {reason}")
            }
            Error::Open { name, cpu, source } => write!(
                f,
                "perf_event_open(user_events:{name}, cpu {cpu}) failed: {source} \
                 (needs root or CAP_PERFMON, or kernel.perf_event_paranoid = -1)"
            ),
            Error::RingBuffer { cpu, source } => write!(
                f,
                "perf ring buffer for cpu {cpu} failed: {source} \
                 (non-root users are limited by kernel.perf_event_mlock_kb)"
            ),
            Error::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Tracepoint { source, .. }
            | Error::Open { source, .. }
            | Error::RingBuffer { source, .. }
            | Error::Io(source) => Some(source),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}
