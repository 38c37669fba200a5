//! [`ActivityFuture`]: the activity of an annotated `async fn`, current only
//! while its future is polled.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::call::{Abandoned, Activity};
use super::current::set_current;
use super::id::ActivityId;

/// The future of an annotated `async fn`'s body. While polled, its activity is
/// the current one on the polling thread (so nested annotated calls see it as
/// their parent, on whatever thread the executor polls it). It completes with
/// the body's output and the activity, so the caller writes the stop event; if
/// the body panics or the future is dropped before it completes, `on_abandon`
/// writes it.
///
/// Without an activity (events were disabled at entry) it only forwards polls.
#[doc(hidden)]
pub struct ActivityFuture<Fut, F: Fn(&Activity, Abandoned)> {
    inner: Fut,
    /// `Some` until the activity ends.
    activity: Option<Activity>,
    on_abandon: F,
}

impl<Fut: Future, F: Fn(&Activity, Abandoned)> ActivityFuture<Fut, F> {
    /// Wraps `inner`.
    pub fn new(activity: Option<Activity>, on_abandon: F, inner: Fut) -> Self {
        ActivityFuture {
            inner,
            activity,
            on_abandon,
        }
    }
}

impl<Fut: Future, F: Fn(&Activity, Abandoned)> Future for ActivityFuture<Fut, F> {
    type Output = (Fut::Output, Option<Activity>);

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `inner` is structurally pinned: it is never moved out of or
        // replaced, and `Drop` does not touch it. The other fields are not
        // pinned (nothing relies on their addresses).
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: as above, `inner` stays where it is for as long as `self` is pinned.
        let inner = unsafe { Pin::new_unchecked(&mut this.inner) };
        match this.activity {
            // Disabled at entry: a plain forward.
            None => inner.poll(cx).map(|out| (out, None)),
            Some(activity) => poll_in(activity, inner, &mut this.activity, &this.on_abandon, cx),
        }
    }
}

/// Polls `inner` with `activity` current; ends the activity as panicked if the
/// poll unwinds. Kept out of line: the disabled path is the plain forward above.
#[inline(never)]
fn poll_in<Fut: Future, F: Fn(&Activity, Abandoned)>(
    activity: Activity,
    inner: Pin<&mut Fut>,
    slot: &mut Option<Activity>,
    on_abandon: &F,
    cx: &mut Context<'_>,
) -> Poll<(Fut::Output, Option<Activity>)> {
    /// Restores the previous current activity after the poll; if the poll
    /// unwinds, ends the activity as panicked.
    struct Polling<'a, F: Fn(&Activity, Abandoned)> {
        previous: Option<ActivityId>,
        returned: bool,
        activity: &'a mut Option<Activity>,
        on_abandon: &'a F,
    }
    impl<F: Fn(&Activity, Abandoned)> Drop for Polling<'_, F> {
        fn drop(&mut self) {
            set_current(self.previous);
            if !self.returned
                && let Some(activity) = self.activity.take()
            {
                (self.on_abandon)(&activity, Abandoned::Panicked);
            }
        }
    }

    let mut polling = Polling {
        previous: set_current(Some(activity.id())),
        returned: false,
        activity: slot,
        on_abandon,
    };
    let poll = inner.poll(cx);
    polling.returned = true;
    match poll {
        Poll::Pending => Poll::Pending,
        Poll::Ready(out) => {
            let activity = polling.activity.take();
            drop(polling);
            Poll::Ready((out, activity))
        }
    }
}

impl<Fut, F: Fn(&Activity, Abandoned)> Drop for ActivityFuture<Fut, F> {
    fn drop(&mut self) {
        if let Some(activity) = self.activity.take() {
            (self.on_abandon)(&activity, Abandoned::now());
        }
    }
}
