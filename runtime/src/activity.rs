//! Activities: the start/stop event pairs `#[otel_event]` writes around a
//! function call, tied together by a 16-byte EventHeader activity id.
//!
//! - [`ActivityId`]: a process-unique id, made without locks or system calls
//!   (a per-thread random prefix and a per-thread counter).
//! - The *current* activity is thread-local: an annotated call started on this
//!   thread and not finished yet. A nested annotated call writes it as the
//!   related (parent) id of its own start event.
//! - [`ActivityScope`] (synchronous functions) keeps an activity current until the
//!   function returns and writes the stop event if the function unwinds instead.
//! - [`ActivityFuture`] (`async fn`) makes the activity current only while the
//!   future is polled, and writes the stop event if the future panics or is
//!   dropped before it completes (cancelled).

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher as _, Hasher as _};
use std::pin::Pin;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;

/// The 16-byte id that ties an activity's start and stop events together
/// (EventHeader activity-id extension).
///
/// Ids are unique within the process: the first 8 bytes identify the thread
/// that made the id (random per process, different for every thread), the last
/// 8 bytes count the ids that thread made. Making one is a thread-local
/// increment.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActivityId([u8; 16]);

impl ActivityId {
    /// A new id, different from every other id made by this process.
    pub fn new() -> ActivityId {
        let (prefix, count) = GENERATOR
            .try_with(|g| {
                let mut state = g.get();
                if state.prefix == UNSET && !state.sequential {
                    state.prefix = thread_prefix();
                }
                state.count = state.count.wrapping_add(1);
                g.set(state);
                let prefix = if state.sequential { 0 } else { state.prefix };
                (prefix, state.count)
            })
            // This thread's locals are being destroyed: take a fresh prefix
            // (unique to this call) rather than panic.
            .unwrap_or_else(|_| (thread_prefix(), 1));
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&prefix.to_be_bytes());
        bytes[8..].copy_from_slice(&count.to_be_bytes());
        ActivityId(bytes)
    }

    /// The id with these bytes.
    pub const fn from_bytes(bytes: [u8; 16]) -> ActivityId {
        ActivityId(bytes)
    }

    /// The id's bytes, as written in the EventHeader extension.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The activity of the innermost `#[otel_event]` activity running on this
    /// thread (for an `async fn`: being polled on this thread), if any.
    pub fn current() -> Option<ActivityId> {
        CURRENT.try_with(Cell::get).ok().flatten()
    }
}

impl Default for ActivityId {
    /// Same as [`ActivityId::new`].
    fn default() -> Self {
        ActivityId::new()
    }
}

/// Formats the id the way EventHeader decoders show it: as a GUID,
/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, bytes in order.
impl fmt::Display for ActivityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ActivityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActivityId({self})")
    }
}

/// A prefix no thread gets from `thread_prefix` in practice; marks "not made yet".
const UNSET: u64 = 0;

#[derive(Clone, Copy)]
struct Generator {
    prefix: u64,
    count: u64,
    /// Test mode (see [`sequential_activity_ids`]): prefix 0, counting from 1.
    sequential: bool,
}

thread_local! {
    static GENERATOR: Cell<Generator> = const {
        Cell::new(Generator { prefix: UNSET, count: 0, sequential: false })
    };
    static CURRENT: Cell<Option<ActivityId>> = const { Cell::new(None) };
}

/// A prefix that no other thread of this process has: a bijective mix of the
/// process's random seed plus a thread number.
fn thread_prefix() -> u64 {
    static THREADS: AtomicU64 = AtomicU64::new(0);
    let n = THREADS.fetch_add(1, Ordering::Relaxed);
    let prefix = mix(process_seed().wrapping_add(n));
    if prefix == UNSET {
        // One seed in 2^64 lands here; the next number cannot also map to it.
        mix(process_seed().wrapping_add(THREADS.fetch_add(1, Ordering::Relaxed)))
    } else {
        prefix
    }
}

/// Random per process, so ids of different processes (and runs) differ.
fn process_seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| {
        let mut bytes = [0u8; 8];
        // SAFETY: writes at most 8 bytes into an 8-byte buffer.
        let n = unsafe { libc::getrandom(bytes.as_mut_ptr().cast(), bytes.len(), 0) };
        if n == 8 {
            return u64::from_ne_bytes(bytes);
        }
        // No getrandom: the standard library's randomly keyed hasher, with the
        // process id and the time mixed in.
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u32(std::process::id());
        if let Ok(now) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            hasher.write_u128(now.as_nanos());
        }
        hasher.finish()
    })
}

/// splitmix64's finaliser: a bijection on `u64` that spreads every input bit.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Runs `f` with this thread's new activity ids numbered from 1:
/// `00000000-0000-0000-0000-000000000001`, `...0002`, and so on, so tests can
/// compare events with activity ids exactly. The thread's usual ids resume
/// afterwards. (Ids made inside `f` are unique only among themselves.)
///
/// ```
/// use otel_user_events_runtime::{ActivityId, testing::sequential_activity_ids};
/// let (a, b) = sequential_activity_ids(|| (ActivityId::new(), ActivityId::new()));
/// assert_eq!(a.to_string(), "00000000-0000-0000-0000-000000000001");
/// assert_eq!(b.to_string(), "00000000-0000-0000-0000-000000000002");
/// ```
pub fn sequential_activity_ids<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Generator>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(saved) = self.0 {
                let _ = GENERATOR.try_with(|g| g.set(saved));
            }
        }
    }
    let saved = GENERATOR
        .try_with(|g| {
            g.replace(Generator {
                prefix: UNSET,
                count: 0,
                sequential: true,
            })
        })
        .ok();
    let _restore = Restore(saved);
    f()
}

/// Makes `id` this thread's current activity; returns the one it replaces.
fn set_current(id: Option<ActivityId>) -> Option<ActivityId> {
    CURRENT.try_with(|c| c.replace(id)).ok().flatten()
}

/// A running activity of an annotated call: its id and when it started. What
/// the stop event needs; kept small, as an `async fn`'s future carries it.
///
/// Used by the code `#[otel_event]` generates; not a stable API.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Activity {
    id: ActivityId,
    started: Option<Instant>,
}

/// A new activity and its parent: what the start event carries.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct ActivityStart {
    activity: Activity,
    related: Option<ActivityId>,
}

impl Activity {
    /// A new activity whose parent is the current one. `timed`: remember the
    /// start time for [`Activity::duration_ns`].
    pub fn start(timed: bool) -> ActivityStart {
        ActivityStart {
            activity: Activity {
                id: ActivityId::new(),
                started: timed.then(Instant::now),
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

    /// Nanoseconds since the start (0 if the activity was not timed), saturating.
    pub fn duration_ns(&self) -> u64 {
        self.started
            .map(|t| u64::try_from(t.elapsed().as_nanos()).unwrap_or(u64::MAX))
            .unwrap_or(0)
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

/// The ids an event outside any activity of its own carries: the current
/// activity, if any, as its activity id.
#[doc(hidden)]
pub fn current_ids(current: &Option<ActivityId>) -> Option<(&[u8; 16], Option<&[u8; 16]>)> {
    current.as_ref().map(|id| (id.as_bytes(), None))
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

fn abandoned_now() -> Abandoned {
    if std::thread::panicking() {
        Abandoned::Panicked
    } else {
        Abandoned::Cancelled
    }
}

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
    pub fn enter(activity: Activity, on_abandon: F) -> Self {
        ActivityScope {
            previous: set_current(Some(activity.id)),
            activity,
            finished: false,
            on_abandon,
        }
    }

    /// The function returned: restores the previous current activity.
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
    fn drop(&mut self) {
        if !self.finished {
            set_current(self.previous);
            (self.on_abandon)(&self.activity, abandoned_now());
        }
    }
}

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
        previous: set_current(Some(activity.id)),
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
            (self.on_abandon)(&activity, abandoned_now());
        }
    }
}

/// A function result that `err` can split: implemented for `Result`.
///
/// The success and error types are parameters (not associated types) so that
/// a function that does not return a `Result` gets exactly one error.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`err` needs a function that returns a `Result`, not `{Self}`",
    label = "the function does not return a `Result`",
    note = "remove `err`, or return `Result<T, E>` with `E: Display`"
)]
pub trait Outcome<T, E> {
    /// Borrows the success or error value.
    fn outcome(&self) -> Result<&T, &E>;
}

impl<T, E> Outcome<T, E> for Result<T, E> {
    #[inline(always)]
    fn outcome(&self) -> Result<&T, &E> {
        self.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_across_threads() {
        let mut ids: Vec<ActivityId> = (0..4)
            .map(|_| {
                std::thread::spawn(|| (0..1000).map(|_| ActivityId::new()).collect::<Vec<_>>())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        ids.extend((0..1000).map(|_| ActivityId::new()));
        let count = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), count);
    }

    #[test]
    fn sequential_ids_then_back_to_random() {
        let before = ActivityId::new();
        let (a, b) = sequential_activity_ids(|| (ActivityId::new(), ActivityId::new()));
        assert_eq!(a.to_string(), "00000000-0000-0000-0000-000000000001");
        assert_eq!(b.as_bytes()[15], 2);
        let after = ActivityId::new();
        assert_eq!(before.as_bytes()[..8], after.as_bytes()[..8]);
        assert_ne!(after.as_bytes()[..8], [0; 8]);
    }

    #[test]
    fn scope_sets_and_restores_current() {
        assert_eq!(ActivityId::current(), None);
        let outer = Activity::start(false).activity();
        let scope = ActivityScope::enter(outer, |_, _| unreachable!());
        assert_eq!(ActivityId::current(), Some(outer.id()));
        let start = Activity::start(true);
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
            let _scope = ActivityScope::enter(Activity::start(false).activity(), |a, why| {
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
