//! The activity of one annotated call: its id and start time, the ids its
//! start and stop events carry, and why it may end without the function
//! returning.

use super::id::ActivityId;
use crate::encode::header::ActivityIds;

/// A running activity of an annotated call: its id and when it started. What
/// the stop event needs; kept small, as an `async fn`'s future carries it.
///
/// Used by the code `#[otel_event]` generates; not a stable API.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Activity {
    id: ActivityId,
    /// [`monotonic_ns`] at the start.
    started: u64,
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
    #[inline]
    pub fn start() -> ActivityStart {
        ActivityStart {
            activity: Activity {
                id: ActivityId::new(),
                started: monotonic_ns(),
            },
            related: ActivityId::current(),
        }
    }

    /// The activity's id.
    #[inline]
    pub fn id(&self) -> ActivityId {
        self.id
    }

    /// The ids a stop event carries: the activity's only.
    #[inline]
    pub fn stop_ids(&self) -> Option<ActivityIds<'_>> {
        Some(ActivityIds::of(self.id.as_bytes()))
    }

    /// Nanoseconds since the start.
    #[inline]
    pub fn duration_ns(&self) -> u64 {
        monotonic_ns().saturating_sub(self.started)
    }
}

/// Now on the monotonic clock, in nanoseconds. Read directly: `Instant`'s
/// `elapsed` converts through `Duration` and checks for overflow, about 30
/// more instructions per activity (callgrind), in the 2.2x budget of an
/// activity pair (README's performance targets).
#[cfg(unix)]
#[inline]
pub(crate) fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec to write to.
    if unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) } != 0 {
        // Linux always has CLOCK_MONOTONIC; a duration of 0 rather than a panic.
        return 0;
    }
    (ts.tv_sec as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(ts.tv_nsec as u64)
}

/// Now on the monotonic clock, in nanoseconds: since the first call, where
/// `libc` has no `clock_gettime` (Windows).
#[cfg(not(unix))]
pub(crate) fn monotonic_ns() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let start = *START.get_or_init(std::time::Instant::now);
    start.elapsed().as_nanos() as u64
}

impl ActivityStart {
    /// The activity.
    #[inline]
    pub fn activity(&self) -> Activity {
        self.activity
    }

    /// The parent activity's id.
    #[inline]
    pub fn related(&self) -> Option<ActivityId> {
        self.related
    }

    /// The ids a start event carries: the activity's and its parent's.
    #[inline]
    pub fn start_ids(&self) -> Option<ActivityIds<'_>> {
        Some(ActivityIds::start(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_activity_lasts_as_long_as_the_monotonic_clock_says() {
        // `Instant` reads the same clock (CLOCK_MONOTONIC), so the activity's
        // duration lies between an interval inside it and one around it,
        // however the thread is scheduled.
        let around = std::time::Instant::now();
        let activity = Activity::start().activity();
        let inside = std::time::Instant::now();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let slept = inside.elapsed().as_nanos() as u64;
        let duration = activity.duration_ns();
        let outer = around.elapsed().as_nanos() as u64;
        assert!(slept <= duration, "{duration} < {slept}");
        assert!(duration <= outer, "{duration} > {outer}");
    }
}
