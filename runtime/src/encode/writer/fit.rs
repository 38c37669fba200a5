//! Fitting an event into [`MAX_EVENT_SIZE`]: the borrowed values that may be
//! shortened, and how much each keeps.
//!
//! Segments are only handed to the kernel once the event is sealed, so an event
//! that turned out too large can still be fitted by shortening its longest
//! borrowed strings, blobs and arrays, all to one cap ("water-filling").

use super::bytes::floor_char_boundary;
use super::segments::Segments;

/// The largest event, in bytes after the 4-byte write index (EventHeader, its
/// extensions, metadata and data): longer strings are truncated to fit.
pub(crate) const MAX_EVENT_SIZE: usize = otel_user_events_abi::MAX_EVENT_SIZE;

/// Whether an event fitted, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fit {
    /// Written whole.
    Whole,
    /// Some strings, bytes or arrays were shortened.
    Truncated,
    /// Too large even with every long value emptied, or more fields than the
    /// writer holds: not written.
    TooLarge,
}

/// A borrowed counted value whose content may be shortened to fit the event.
#[derive(Clone, Copy)]
pub(super) struct Truncatable {
    /// Its data segment.
    pub(super) segment: u16,
    /// Where its 16-bit length or count prefix is in the data scratch.
    pub(super) prefix_at: u32,
    /// Bytes per counted unit (1 for strings and blobs, the element size for arrays).
    pub(super) unit: u16,
    /// Cut at UTF-8 character boundaries.
    pub(super) utf8: bool,
}

/// The truncatable values of an event, in an array of a [`super::Storage`].
///
/// Invariant: `values[..len]` are initialised.
pub(super) struct Truncatables {
    values: *mut Truncatable,
    cap: usize,
    len: usize,
}

impl Truncatables {
    /// An empty list over `cap` entries at `values`.
    ///
    /// # Safety
    /// `values` must be valid for `cap` writes of [`Truncatable`], used by
    /// nothing else, for as long as the list is used.
    #[inline(always)]
    pub(super) unsafe fn new(values: *mut Truncatable, cap: usize) -> Truncatables {
        Truncatables {
            values,
            cap,
            len: 0,
        }
    }

    /// Remembers a value [`fit`] may shorten. With no room left to remember
    /// it, the value just stays whole (and the event may not fit).
    #[inline(always)]
    pub(super) fn remember(&mut self, value: Truncatable) {
        if self.len < self.cap {
            // SAFETY: within the storage's truncatable array (checked above).
            unsafe { self.values.add(self.len).write(value) };
            self.len += 1;
        }
    }

    #[inline(always)]
    fn as_slice(&self) -> &[Truncatable] {
        // SAFETY: the first `len` entries were written (invariant).
        unsafe { std::slice::from_raw_parts(self.values, self.len) }
    }
}

/// Makes metadata plus data fit in `budget` bytes by shortening the longest
/// borrowed values of `data` first, all to the same cap. `truncated`: a value
/// was already shortened or left out while writing.
#[inline(always)]
pub(super) fn fit(
    meta: &Segments,
    data: &mut Segments,
    truncatables: &Truncatables,
    truncated: bool,
    budget: usize,
) -> Fit {
    if meta.overflowed() || data.overflowed() {
        return Fit::TooLarge;
    }
    let total = meta.len() + data.len();
    if total > budget {
        if !shorten(data, truncatables.as_slice(), total - budget) {
            return Fit::TooLarge;
        }
        return Fit::Truncated;
    }
    if truncated {
        Fit::Truncated
    } else {
        Fit::Whole
    }
}

/// Frees `excess` bytes from `truncatables`; false when even emptying them all
/// would not.
/// The one fitting rule of every front end: the largest cap such that cutting
/// every length in `lens` to it frees at least `excess` bytes ("water
/// filling": the longest values are shortened first, all to the same cap, and
/// values shorter than the cap stay whole). `None` when even cutting all of
/// them to nothing does not free `excess`.
pub(crate) fn water_level<I>(lens: impl Fn() -> I, excess: usize) -> Option<usize>
where
    I: Iterator<Item = usize>,
{
    if lens().sum::<usize>() < excess {
        return None;
    }
    let cut = |cap: usize| lens().map(|len| len.saturating_sub(cap)).sum::<usize>();
    let (mut low, mut high) = (0usize, lens().max().unwrap_or(0));
    while low < high {
        let mid = (low + high).div_ceil(2);
        if cut(mid) >= excess {
            low = mid
        } else {
            high = mid - 1
        }
    }
    Some(low)
}

#[cold]
#[inline(never)]
fn shorten(data: &mut Segments, truncatables: &[Truncatable], excess: usize) -> bool {
    let lens = || {
        truncatables
            .iter()
            .map(|t| data.segment(t.segment as usize).len())
    };
    let Some(cap) = water_level(lens, excess) else {
        return false;
    };
    for t in truncatables {
        let segment = t.segment as usize;
        let bytes = data.segment(segment);
        if bytes.len() <= cap {
            continue;
        }
        let unit = t.unit as usize;
        let mut keep = cap - cap % unit;
        if t.utf8 {
            keep = floor_char_boundary(bytes, keep);
        }
        data.truncate_segment(segment, keep);
        data.patch(t.prefix_at as usize, &((keep / unit) as u16).to_ne_bytes());
    }
    true
}

#[cfg(test)]
mod tests {
    use crate::encode::seal::LargeStorage;
    use crate::encode::writer::{Fit, bytes_of};

    #[test]
    fn fitting_shortens_the_longest_values_to_one_cap_at_char_boundaries() {
        let a = "é".repeat(300); // 600 bytes
        let b = "y".repeat(100);
        let mut storage = LargeStorage::new();
        let mut w = storage.writer();
        w.data.str(&a);
        w.data.str(&b);
        assert_eq!(w.data.len(), 2 + 600 + 2 + 100);
        assert_eq!(w.fit(404), Fit::Truncated);
        let out = bytes_of(&w);
        // Cap 300: `a` cut to 300 bytes (150 'é'), `b` untouched.
        assert_eq!(u16::from_ne_bytes([out[0], out[1]]), 300);
        assert_eq!(std::str::from_utf8(&out[2..302]).unwrap(), "é".repeat(150));
        assert_eq!(u16::from_ne_bytes([out[302], out[303]]), 100);
        assert_eq!(out.len(), 404);
    }

    #[test]
    fn an_event_that_cannot_fit_is_too_large() {
        let mut storage = LargeStorage::new();
        let mut w = storage.writer();
        for _ in 0..10 {
            w.data.value(&[0u8; 8]);
        }
        assert_eq!(w.fit(40), Fit::TooLarge);
    }
}
