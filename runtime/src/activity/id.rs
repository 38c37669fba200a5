//! [`ActivityId`]: the 16-byte id of an activity, and how ids are made.

use std::cell::Cell;
use std::fmt;
use std::hash::{BuildHasher as _, Hasher as _};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::encode::common_schema::Guid;

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
    #[inline]
    pub fn new() -> ActivityId {
        let (prefix, count) = GENERATOR
            .try_with(|g| {
                let count = g.count.get().wrapping_add(1);
                g.count.set(count);
                let prefix = match g.prefix.get() {
                    UNSET | SEQUENTIAL => g.first_prefix(),
                    prefix => prefix,
                };
                (prefix, count)
            })
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

    /// The activity id of an OpenTelemetry span: the first 8 bytes of its
    /// trace id, then its 8-byte span id.
    ///
    /// The same span always maps to the same id, in every process: the span
    /// processor's live-span start and stop events
    /// ([`UserEventsSpanProcessorBuilder::with_live_spans`](crate::trace::UserEventsSpanProcessorBuilder::with_live_spans)),
    /// its span events, and every `ue_log!`, `#[otel_event]` and
    /// `UserEventsProcessor` event written while the span is current carry it,
    /// and a child span's start carries its parent's as related id. The span
    /// id alone is unique within a trace in practice; the trace id's first
    /// half keeps spans of different traces apart even if their span ids
    /// collide. (These ids never clash with [`ActivityId::new`]'s in
    /// practice: those are a random per-thread prefix and a counter.)
    ///
    /// ```
    /// use otel_user_events_runtime::activity::ActivityId;
    ///
    /// let trace_id = 0x4bf92f3577b34da6a3ce929d0e0e4736_u128.to_be_bytes();
    /// let span_id = 0x00f067aa0ba902b7_u64.to_be_bytes();
    /// let id = ActivityId::from_span(trace_id, span_id);
    /// assert_eq!(id.to_string(), "4bf92f35-77b3-4da6-00f0-67aa0ba902b7");
    /// ```
    pub const fn from_span(trace_id: [u8; 16], span_id: [u8; 8]) -> ActivityId {
        let mut bytes = [0u8; 16];
        let mut i = 0;
        while i < 8 {
            bytes[i] = trace_id[i];
            bytes[8 + i] = span_id[i];
            i += 1;
        }
        ActivityId(bytes)
    }

    /// The id's bytes, as written in the EventHeader extension.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
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
        fmt::Display::fmt(&Guid(&self.0), f)
    }
}

impl fmt::Debug for ActivityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActivityId({self})")
    }
}

/// A prefix no thread gets from `thread_prefix`; marks "not made yet".
const UNSET: u64 = 0;
/// Marks the test mode (see [`sequential_activity_ids`]): ids have prefix 0
/// and count from 1.
const SEQUENTIAL: u64 = u64::MAX;

/// This thread's id generator: its prefix (or a mark) and its count, apart so
/// that an id reads and writes only what it needs.
struct Generator {
    prefix: Cell<u64>,
    count: Cell<u64>,
}

impl Generator {
    /// The prefix of an id when `prefix` holds a mark: 0 in the test mode, else
    /// this thread's first id, which makes the prefix.
    #[cold]
    fn first_prefix(&self) -> u64 {
        match self.prefix.get() {
            SEQUENTIAL => 0,
            _ => {
                let prefix = thread_prefix();
                self.prefix.set(prefix);
                prefix
            }
        }
    }
}

thread_local! {
    static GENERATOR: Generator = const {
        Generator { prefix: Cell::new(UNSET), count: Cell::new(0) }
    };
}

/// A prefix that no other thread of this process has: a bijective mix of the
/// process's random seed plus a thread number.
fn thread_prefix() -> u64 {
    static THREADS: AtomicU64 = AtomicU64::new(0);
    let n = THREADS.fetch_add(1, Ordering::Relaxed);
    let prefix = mix(process_seed().wrapping_add(n));
    if prefix == UNSET || prefix == SEQUENTIAL {
        // Two seeds in 2^64 land on a mark; the next number maps elsewhere
        // (a bijection), and not to the other mark but by a chance of 2^-64.
        mix(process_seed().wrapping_add(THREADS.fetch_add(1, Ordering::Relaxed)))
    } else {
        prefix
    }
}

/// Random per process, so ids of different processes (and runs) differ.
fn process_seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| {
        #[cfg(target_os = "linux")]
        {
            let mut bytes = [0u8; 8];
            // SAFETY: writes at most 8 bytes into an 8-byte buffer.
            let n = unsafe { libc::getrandom(bytes.as_mut_ptr().cast(), bytes.len(), 0) };
            if n == 8 {
                return u64::from_ne_bytes(bytes);
            }
        }
        // No getrandom (it failed, or this is not Linux): the standard
        // library's randomly keyed hasher, with the process id and the time
        // mixed in.
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
/// use otel_user_events_runtime::{activity::ActivityId, testing::sequential_activity_ids};
/// let (a, b) = sequential_activity_ids(|| (ActivityId::new(), ActivityId::new()));
/// assert_eq!(a.to_string(), "00000000-0000-0000-0000-000000000001");
/// assert_eq!(b.to_string(), "00000000-0000-0000-0000-000000000002");
/// ```
#[cfg(feature = "testing")]
pub fn sequential_activity_ids<R>(f: impl FnOnce() -> R) -> R {
    /// The generator's state before, put back when `f` returns or unwinds.
    struct Restore(Option<(u64, u64)>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some((prefix, count)) = self.0 {
                let _ = GENERATOR.try_with(|g| {
                    g.prefix.set(prefix);
                    g.count.set(count);
                });
            }
        }
    }
    let saved = GENERATOR
        .try_with(|g| (g.prefix.replace(SEQUENTIAL), g.count.replace(0)))
        .ok();
    let _restore = Restore(saved);
    f()
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
    fn a_span_id_is_the_trace_ids_first_half_then_the_span_id() {
        let trace_id = [
            0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed,
            0xee, 0xef,
        ];
        let span_id = [0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7];
        let id = ActivityId::from_span(trace_id, span_id);
        assert_eq!(
            id.as_bytes(),
            &[
                0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5,
                0xa6, 0xa7
            ]
        );
        assert_eq!(id.to_string(), "10111213-1415-1617-a0a1-a2a3a4a5a6a7");
        // Another span of the same trace, and the same span id in another trace, differ.
        assert_ne!(ActivityId::from_span(trace_id, [0xa0; 8]), id);
        let mut other_trace = trace_id;
        other_trace[0] = 0x20;
        assert_ne!(ActivityId::from_span(other_trace, span_id), id);
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
}
