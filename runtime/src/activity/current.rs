//! The current activity of a thread: the innermost annotated call running (or,
//! for an `async fn`, being polled) on it, which nested calls take as parent.

use crate::encode::header::ActivityIds;
use std::cell::Cell;

use super::id::ActivityId;

thread_local! {
    static CURRENT: Cell<Option<ActivityId>> = const { Cell::new(None) };
}

impl ActivityId {
    /// The activity of the innermost `#[otel_event]` activity running on this
    /// thread (for an `async fn`: being polled on this thread), if any.
    #[inline]
    pub fn current() -> Option<ActivityId> {
        CURRENT.try_with(Cell::get).ok().flatten()
    }
}

/// Makes `id` this thread's current activity; returns the one it replaces.
#[inline]
pub(crate) fn set_current(id: Option<ActivityId>) -> Option<ActivityId> {
    CURRENT.try_with(|c| c.replace(id)).ok().flatten()
}

/// The ids an event outside any activity of its own carries: the current
/// activity, if any, as its activity id.
#[doc(hidden)]
#[inline]
pub fn current_ids(current: &Option<ActivityId>) -> Option<ActivityIds<'_>> {
    current.as_ref().map(|id| ActivityIds::of(id.as_bytes()))
}
