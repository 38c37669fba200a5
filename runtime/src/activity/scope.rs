//! [`ActivityScope`]: the activity of a synchronous annotated function.

use super::call::{Abandoned, Activity};
use super::current::set_current;
use super::id::ActivityId;

/// Keeps an activity current on this thread while a synchronous annotated
/// function runs. [`ActivityScope::finish`] ends it when the function returns;
/// if the function unwinds instead, dropping the scope calls `on_abandon`,
/// which writes the stop event.
#[doc(hidden)]
pub struct ActivityScope<F: Fn(&Activity, Abandoned)> {
    activity: Activity,
    previous: Option<ActivityId>,
    finished: bool,
    on_abandon: F,
}

impl<F: Fn(&Activity, Abandoned)> ActivityScope<F> {
    /// Makes `activity` current.
    #[inline]
    pub fn enter(activity: Activity, on_abandon: F) -> Self {
        ActivityScope {
            previous: set_current(Some(activity.id())),
            activity,
            finished: false,
            on_abandon,
        }
    }

    /// The function returned: restores the previous current activity.
    #[inline]
    pub fn finish(mut self) -> Activity {
        self.finished = true;
        set_current(self.previous);
        self.activity
    }

    /// The function returned `out`: restores the previous current activity
    /// and calls `stop`, which writes the stop event. Out of line, so the
    /// annotated function itself keeps a short disabled path.
    #[inline(never)]
    pub fn finish_with<R: ?Sized>(self, out: &R, stop: impl FnOnce(&Activity, &R)) {
        let activity = self.finish();
        stop(&activity, out);
    }
}

impl<F: Fn(&Activity, Abandoned)> Drop for ActivityScope<F> {
    #[inline]
    fn drop(&mut self) {
        if !self.finished {
            set_current(self.previous);
            (self.on_abandon)(&self.activity, Abandoned::now());
        }
    }
}

/// Calls the body of a synchronous annotated function, which the generated
/// code wraps in a closure so that its `return`s end in the stop event.
///
/// Taking the closure as `FnOnce` is the point: a closure passed here is
/// inferred to be `FnOnce`, so it may return borrows of the `&mut` arguments
/// it captured (`&mut self.v[i]`). Called directly, the same closure is
/// inferred `FnMut`, and rustc rejects such a return ("captured variable
/// cannot escape `FnMut` closure body").
#[doc(hidden)]
#[inline(always)]
pub fn call_once<R>(body: impl FnOnce() -> R) -> R {
    body()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_sets_and_restores_current() {
        assert_eq!(ActivityId::current(), None);
        let outer = Activity::start().activity();
        let scope = ActivityScope::enter(outer, |_, _| unreachable!());
        assert_eq!(ActivityId::current(), Some(outer.id()));
        let start = Activity::start();
        assert_eq!(start.related(), Some(outer.id()));
        let inner = start.activity();
        let inner_scope = ActivityScope::enter(inner, |_, _| unreachable!());
        assert_eq!(ActivityId::current(), Some(inner.id()));
        inner_scope.finish();
        assert_eq!(ActivityId::current(), Some(outer.id()));
        scope.finish();
        assert_eq!(ActivityId::current(), None);
    }

    #[test]
    fn scope_reports_a_panic() {
        let ended = std::sync::Mutex::new(None);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _scope = ActivityScope::enter(Activity::start().activity(), |a, why| {
                *ended.lock().unwrap() = Some((a.id(), why));
            });
            panic!("boom");
        }));
        assert!(result.is_err());
        assert_eq!(
            ended.lock().unwrap().map(|e| e.1),
            Some(Abandoned::Panicked)
        );
        assert_eq!(ActivityId::current(), None);
    }
}
