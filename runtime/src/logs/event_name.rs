//! Which EventHeader event name a record is written with.

use std::fmt;

use opentelemetry_sdk::logs::SdkLogRecord;

/// The event name the `opentelemetry-user-events-logs` crate writes, and our default.
pub const DEFAULT_EVENT_NAME: &str = "Log";

/// A user function choosing a record's event name. It returns a `&'static str`,
/// so choosing allocates nothing.
pub(crate) type EventNameFn = dyn Fn(&SdkLogRecord) -> &'static str + Send + Sync;

/// How the processor names events.
pub(crate) enum EventNamePolicy {
    /// Always this name.
    Fixed(&'static str),
    /// The record's event name when it has a non-blank one, else `fallback`.
    FromRecord { fallback: &'static str },
    /// A user function.
    Callback(Box<EventNameFn>),
}

impl EventNamePolicy {
    /// Checks the names given to the builder (a record's own names and a
    /// callback's are the application's at run time).
    pub(crate) fn check(&self) -> Result<(), otel_user_events_abi::name::EventNameError> {
        match self {
            EventNamePolicy::Fixed(name) | EventNamePolicy::FromRecord { fallback: name } => {
                otel_user_events_abi::name::check_event_name(name)
            }
            EventNamePolicy::Callback(_) => Ok(()),
        }
    }

    /// The name of `record`'s event.
    #[inline]
    pub(crate) fn name_of(&self, record: &SdkLogRecord) -> &'static str {
        match self {
            EventNamePolicy::Fixed(name) => name,
            EventNamePolicy::FromRecord { fallback } => record
                .event_name()
                .filter(|name| is_named(name))
                .unwrap_or(fallback),
            EventNamePolicy::Callback(f) => f(record),
        }
    }
}

/// Whether a record's event name names something (is not empty or only
/// white space). Looks from the start only: a name's first character
/// usually answers.
#[inline]
pub(super) fn is_named(name: &str) -> bool {
    !name.trim_start().is_empty()
}

impl Default for EventNamePolicy {
    fn default() -> Self {
        EventNamePolicy::Fixed(DEFAULT_EVENT_NAME)
    }
}

impl fmt::Debug for EventNamePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventNamePolicy::Fixed(name) => f.debug_tuple("Fixed").field(name).finish(),
            EventNamePolicy::FromRecord { fallback } => f
                .debug_struct("FromRecord")
                .field("fallback", fallback)
                .finish(),
            EventNamePolicy::Callback(_) => f.write_str("Callback"),
        }
    }
}
