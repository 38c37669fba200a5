//! One list of segments (`iovec`s) with its scratch area: the unsafe core of
//! the writer.
//!
//! A segment is either a run of bytes copied into scratch (small values, length
//! prefixes, formatted text; consecutive copies share one segment) or a borrowed
//! slice (long strings, blobs and arrays, never copied). The scratch and the
//! slots are uninitialised memory of a [`super::Storage`], reached through raw
//! pointers so that an event's metadata and data lists can later be laid side
//! by side as one `writev` vector.

use std::fmt;

use super::IoVec;
use super::bytes::{copy_small, floor_char_boundary};

/// Values up to this size are copied; longer ones are borrowed. Also how the
/// processor predicts the room a value takes (`encode::any_value`).
pub(crate) const INLINE_MAX: usize = 64;
/// Segment slots kept free for copies once borrowing has used the rest.
const SEGMENT_RESERVE: usize = 8;

/// Free capacity of the metadata or the data segments: what can still be added
/// without the event overflowing its stack buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Room {
    /// Free scratch bytes (short values, length prefixes and formatted text are copied there).
    pub bytes: usize,
    /// Free segment slots (each borrowed value takes one, and so does the next copy after it).
    pub segments: usize,
}

impl Room {
    /// Nothing: no bytes, no segments (a reserve for nothing that follows).
    pub(crate) const NONE: Room = Room::new(0, 0);

    /// `bytes` of scratch and `segments` slots.
    pub(crate) const fn new(bytes: usize, segments: usize) -> Room {
        Room { bytes, segments }
    }
}

/// One list of segments with its scratch area, both parts of a [`super::Storage`].
///
/// Invariants: `scratch[..used]` is initialised; `slots[..slot_len]` are
/// initialised `iovec`s, each pointing at initialised scratch or at a borrowed
/// slice that outlives the writer; when `last_is_scratch`, the last slot covers
/// scratch up to `used`.
pub(super) struct Segments {
    scratch: *mut u8,
    scratch_cap: usize,
    used: usize,
    slots: *mut IoVec,
    slot_cap: usize,
    slot_len: usize,
    last_is_scratch: bool,
    len: usize,
    overflow: bool,
}

impl Segments {
    /// An empty list over `scratch_cap` bytes at `scratch` and `slot_cap` slots
    /// at `slots`.
    ///
    /// # Safety
    /// `scratch` must be valid for `scratch_cap` bytes of writes and `slots` for
    /// `slot_cap` `iovec`s, neither used by anything else, for as long as the
    /// list and the `iovec`s it hands out are used.
    #[inline(always)]
    pub(super) unsafe fn new(
        scratch: *mut u8,
        scratch_cap: usize,
        slots: *mut IoVec,
        slot_cap: usize,
    ) -> Segments {
        Segments {
            scratch,
            scratch_cap,
            used: 0,
            slots,
            slot_cap,
            slot_len: 0,
            last_is_scratch: false,
            len: 0,
            overflow: false,
        }
    }

    /// Copies `bytes` into scratch; returns where they landed.
    #[inline(always)]
    pub(super) fn copy(&mut self, bytes: &[u8]) -> Option<usize> {
        self.copy_parts(&[bytes])
    }

    /// Copies `parts` one after the other into scratch (one check, one segment
    /// update); returns where the first landed.
    #[inline(always)]
    pub(super) fn copy_parts(&mut self, parts: &[&[u8]]) -> Option<usize> {
        let start = self.used;
        let total: usize = parts.iter().map(|p| p.len()).sum();
        if self.scratch_cap - start < total || !self.has_slot_for_scratch() {
            self.overflow = true;
            return None;
        }
        let mut at = start;
        for part in parts {
            // SAFETY: start + total <= scratch_cap was checked.
            unsafe { copy_small(part, self.scratch.add(at)) };
            at += part.len();
        }
        self.commit_scratch(start, total);
        Some(start)
    }

    /// Whether bytes copied now have a segment: the last one, when it is
    /// scratch, or a free slot.
    #[inline(always)]
    fn has_slot_for_scratch(&self) -> bool {
        self.last_is_scratch || self.slot_len < self.slot_cap
    }

    /// Records `len` bytes written at scratch `start` (the end of what is used),
    /// extending the last segment when it is scratch too.
    #[inline(always)]
    fn commit_scratch(&mut self, start: usize, len: usize) {
        self.used = start + len;
        self.len += len;
        if self.last_is_scratch {
            // SAFETY: last_is_scratch implies slot_len >= 1.
            unsafe { (*self.slots.add(self.slot_len - 1)).iov_len += len };
        } else {
            // SAFETY: `start` is within scratch (start + len <= scratch_cap);
            // the caller checked for a free slot (`has_slot_for_scratch`).
            self.push_slot(unsafe { self.scratch.add(start) }, len);
            self.last_is_scratch = true;
        }
    }

    #[inline(always)]
    fn push_slot(&mut self, base: *const u8, len: usize) {
        debug_assert!(self.slot_len < self.slot_cap);
        // SAFETY: slot_len < slot_cap (checked by every caller).
        unsafe {
            self.slots.add(self.slot_len).write(IoVec {
                iov_base: base as *mut std::ffi::c_void,
                iov_len: len,
            })
        };
        self.slot_len += 1;
    }

    /// Borrows long `bytes`, copies short ones. Returns the segment index when borrowed.
    /// The caller guarantees that `bytes` outlives the writer.
    #[inline(always)]
    pub(super) fn borrow(&mut self, bytes: &[u8]) -> Option<usize> {
        if bytes.len() <= INLINE_MAX || self.slot_cap - self.slot_len <= SEGMENT_RESERVE {
            self.copy(bytes);
            return None;
        }
        self.push_slot(bytes.as_ptr(), bytes.len());
        self.last_is_scratch = false;
        self.len += bytes.len();
        Some(self.slot_len - 1)
    }

    /// Borrows `bytes` whatever their length (constants laid out at compile
    /// time: borrowing costs less than copying them), or copies them when no
    /// segment is free beyond the reserve.
    #[inline(always)]
    pub(super) fn borrow_constant(&mut self, bytes: &'static [u8]) {
        if self.slot_cap - self.slot_len <= SEGMENT_RESERVE {
            self.copy(bytes);
            return;
        }
        self.push_slot(bytes.as_ptr(), bytes.len());
        self.last_is_scratch = false;
        self.len += bytes.len();
    }

    /// Borrows long `bytes` (more than [`INLINE_MAX`]) when a segment is free
    /// beyond the reserve; returns its segment index, or `None` (nothing added).
    /// The caller guarantees that `bytes` outlives the writer.
    #[inline(always)]
    pub(super) fn try_borrow(&mut self, bytes: &[u8]) -> Option<usize> {
        debug_assert!(bytes.len() > INLINE_MAX);
        if self.slot_cap - self.slot_len <= SEGMENT_RESERVE {
            return None;
        }
        self.push_slot(bytes.as_ptr(), bytes.len());
        self.last_is_scratch = false;
        self.len += bytes.len();
        Some(self.slot_len - 1)
    }

    /// Overwrites copied bytes at scratch offset `at` (a length or count known
    /// only once what it counts was written).
    pub(super) fn patch(&mut self, at: usize, bytes: &[u8]) {
        assert!(
            at + bytes.len() <= self.used,
            "patching bytes not yet written"
        );
        // SAFETY: within the initialised part of scratch (checked above).
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.scratch.add(at), bytes.len()) };
    }

    /// Formats `args` into scratch, at most `limit` bytes (cut at a character
    /// boundary), as copied bytes of the list. Returns the length written and
    /// whether the text was cut.
    pub(super) fn format(&mut self, args: fmt::Arguments<'_>, limit: usize) -> (usize, bool) {
        if !self.has_slot_for_scratch() {
            self.overflow = true;
            return (0, false);
        }
        let start = self.used;
        let mut formatter = ScratchFormatter {
            limit: limit.min(self.scratch_cap - start),
            segments: self,
            start,
            cut: false,
        };
        let _ = fmt::write(&mut formatter, args);
        let cut = formatter.cut;
        let len = self.used - start;
        self.used = start;
        self.commit_scratch(start, len);
        (len, cut)
    }

    /// Scratch bytes not used yet.
    #[inline(always)]
    pub(super) fn free_scratch(&self) -> usize {
        self.scratch_cap - self.used
    }

    /// Size of the scratch area.
    #[inline(always)]
    pub(super) fn scratch_capacity(&self) -> usize {
        self.scratch_cap
    }

    /// What can still be added.
    #[inline(always)]
    pub(super) fn room(&self) -> Room {
        Room {
            bytes: self.scratch_cap - self.used,
            segments: self.slot_cap - self.slot_len,
        }
    }

    /// Total bytes of every segment.
    #[inline(always)]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Whether something did not fit in scratch or slots (and was left out).
    #[inline(always)]
    pub(super) fn overflowed(&self) -> bool {
        self.overflow
    }

    /// Number of segments.
    #[inline(always)]
    pub(super) fn segment_count(&self) -> usize {
        self.slot_len
    }

    /// The first slot: the segments are `first_slot()[..segment_count()]`.
    #[inline(always)]
    pub(super) fn first_slot(&self) -> *mut IoVec {
        self.slots
    }

    fn slots(&self) -> &[IoVec] {
        // SAFETY: the first slot_len slots are initialised (invariant).
        unsafe { std::slice::from_raw_parts(self.slots, self.slot_len) }
    }

    /// The bytes of segment `index`.
    pub(super) fn segment(&self, index: usize) -> &[u8] {
        let slot = &self.slots()[index];
        // SAFETY: every slot points at live, initialised bytes (invariant).
        unsafe { std::slice::from_raw_parts(slot.iov_base as *const u8, slot.iov_len) }
    }

    /// Keeps only the first `keep` bytes of segment `index` (a borrowed value
    /// being shortened; its length prefix is patched by the caller).
    pub(super) fn truncate_segment(&mut self, index: usize, keep: usize) {
        assert!(index < self.slot_len, "no such segment");
        // SAFETY: index < slot_len, so the slot is initialised (invariant).
        let slot = unsafe { &mut *self.slots.add(index) };
        assert!(keep <= slot.iov_len, "segments are only shortened");
        self.len -= slot.iov_len - keep;
        slot.iov_len = keep;
    }

    /// Every slice, concatenated (for unit tests).
    #[cfg(test)]
    pub(super) fn concatenated(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.for_each_slice(|s| out.extend_from_slice(s));
        out
    }

    /// Calls `f` with every segment, in order.
    pub(super) fn for_each_slice(&self, mut f: impl FnMut(&[u8])) {
        for slot in self.slots() {
            // SAFETY: every slot points at live, initialised bytes (invariant).
            f(unsafe { std::slice::from_raw_parts(slot.iov_base as *const u8, slot.iov_len) });
        }
    }
}

/// Formats into the free scratch of a list, stopping (at a character boundary)
/// at `limit` bytes.
struct ScratchFormatter<'s> {
    segments: &'s mut Segments,
    start: usize,
    /// At most the free scratch from `start`.
    limit: usize,
    cut: bool,
}

impl fmt::Write for ScratchFormatter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let segments = &mut *self.segments;
        let written = segments.used - self.start;
        let room = self.limit - written;
        let take = if s.len() <= room {
            s.len()
        } else {
            self.cut = true;
            floor_char_boundary(s.as_bytes(), room)
        };
        // SAFETY: used + take <= start + limit <= scratch_cap (limit is bounded
        // by the free scratch).
        unsafe {
            std::ptr::copy_nonoverlapping(s.as_ptr(), segments.scratch.add(segments.used), take);
        }
        segments.used += take;
        if self.cut { Err(fmt::Error) } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests {
    use crate::encode::seal::LargeStorage;
    use crate::encode::writer::{Fit, MAX_EVENT_SIZE, bytes_of};

    #[test]
    fn small_copies_coalesce_and_long_values_are_borrowed() {
        let long = "x".repeat(100);
        let mut storage = LargeStorage::new();
        let mut w = storage.writer();
        w.data.value(&7u32.to_ne_bytes());
        w.data.str("ab");
        w.data.str(&long);
        w.data.value(&[1]);
        // [7, len 2, "ab", len 100] [long] [1]
        assert_eq!(w.slice_count(), 3);
        let mut expected = 7u32.to_ne_bytes().to_vec();
        expected.extend_from_slice(&2u16.to_ne_bytes());
        expected.extend_from_slice(b"ab");
        expected.extend_from_slice(&100u16.to_ne_bytes());
        expected.extend_from_slice(long.as_bytes());
        expected.push(1);
        assert_eq!(bytes_of(&w), expected);
        assert_eq!(w.fit(MAX_EVENT_SIZE), Fit::Whole);
    }
}
