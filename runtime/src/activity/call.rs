//! The activity of one annotated call: its id and start time, the ids its
//! start and stop events carry, and why it may end without the function
//! returning.

use std::time::Instant;

use super::id::ActivityId;

/// A running activity of an annotated call: its id and when it started. What
/// the stop event needs; kept small, as an `async fn`'s future carries it.
///
/// Used by the code `#[otel_event]` generates; not a stable API.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Activity {
    id: ActivityId,
    started: Instant,
}

/// A new activity and its parent: what the start event carries.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct ActivityStart {
    activity: Activity,
    related: Option<ActivityId>,
}

impl Activity {
    /// A new activity whose parent is the current one, started now: every
    /// stop event carries its [`Activity::duration_ns`].
    pub fn start() -> ActivityStart {
        ActivityStart {
            activity: Activity {
                id: ActivityId::new(),
                started: Instant::now(),
            },
            related: ActivityId::current(),
        }
    }

    /// The activity's id.
    pub fn id(&self) -> ActivityId {
        self.id
    }

    /// The ids a stop event carries: the activity's only.
    pub fn stop_ids(&self) -> Option<(&[u8; 16], Option<&[u8; 16]>)> {
        Some((self.id.as_bytes(), None))
    }

    /// Nanoseconds since the start, saturating.
    pub fn duration_ns(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

impl ActivityStart {
    /// The activity.
    pub fn activity(&self) -> Activity {
        self.activity
    }

    /// The parent activity's id.
    pub fn related(&self) -> Option<ActivityId> {
        self.related
    }

    /// The ids a start event carries: the activity's and its parent's.
    pub fn start_ids(&self) -> Option<(&[u8; 16], Option<&[u8; 16]>)> {
        Some((
            self.activity.id.as_bytes(),
            self.related.as_ref().map(ActivityId::as_bytes),
        ))
    }
}

/// Why an activity ended without its function returning.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abandoned {
    /// The function panicked (its stack unwound through the activity).
    Panicked,
    /// The `async fn`'s future was dropped before it completed.
    Cancelled,
}

impl Abandoned {
    /// Why an activity being dropped now ends: a panic if this thread is
    /// unwinding, else a cancellation.
    pub(super) fn now() -> Abandoned {
        if std::thread::panicking() {
            Abandoned::Panicked
        } else {
            Abandoned::Cancelled
        }
    }
}
