//! The zero-allocation event writer.
//!
//! An event is gathered as two lists of segments, metadata and data, each either a
//! run of bytes copied into a scratch area on the stack (small values, length
//! prefixes, formatted text) or a borrowed slice (long strings, byte blobs and
//! arrays, so they are never copied). The segments become the `iovec`s of one
//! `writev`. Nothing is allocated. Because segments are only turned into `iovec`s
//! at the end, an event that would exceed [`MAX_EVENT_SIZE`] can still be fitted
//! by shortening its longest borrowed strings (see [`EventWriter::fit`]).

use std::fmt;
use std::mem::MaybeUninit;

use arrayvec::ArrayVec;

use super::header::{Header, HeaderFields};

/// The largest event, in bytes after the 4-byte write index (EventHeader, its
/// extensions, metadata and data): longer strings are truncated to fit.
pub const MAX_EVENT_SIZE: usize = 65_535;

/// Values up to this size are copied; longer ones are borrowed.
const INLINE_MAX: usize = 64;
/// Segment slots kept free for copies once borrowing has used the rest.
const SEGMENT_RESERVE: usize = 8;
/// Scratch kept free by formatted (`%`/`?`) values for the fields after them.
const FORMAT_RESERVE: usize = 1024;

#[derive(Clone, Copy)]
enum Segment<'a> {
    Scratch { start: u32, end: u32 },
    Borrowed(&'a [u8]),
}

/// One list of segments with its scratch area.
struct Stream<'a, const SCRATCH: usize, const SEGMENTS: usize> {
    scratch: [MaybeUninit<u8>; SCRATCH],
    used: usize,
    segments: ArrayVec<Segment<'a>, SEGMENTS>,
    len: usize,
    overflow: bool,
}

impl<'a, const SCRATCH: usize, const SEGMENTS: usize> Stream<'a, SCRATCH, SEGMENTS> {
    fn new() -> Self {
        Stream {
            scratch: [MaybeUninit::uninit(); SCRATCH],
            used: 0,
            segments: ArrayVec::new(),
            len: 0,
            overflow: false,
        }
    }

    /// Copies `bytes` into scratch; returns where they landed.
    #[inline(always)]
    fn copy(&mut self, bytes: &[u8]) -> Option<usize> {
        self.copy_parts(&[bytes])
    }

    /// Copies `parts` one after the other into scratch (one check, one segment
    /// update); returns where the first landed.
    #[inline(always)]
    fn copy_parts(&mut self, parts: &[&[u8]]) -> Option<usize> {
        let start = self.used;
        let total: usize = parts.iter().map(|p| p.len()).sum();
        if SCRATCH - start < total {
            self.overflow = true;
            return None;
        }
        let extends_last = matches!(self.segments.last(), Some(Segment::Scratch { end, .. }) if *end as usize == start);
        if !extends_last && self.segments.is_full() {
            self.overflow = true;
            return None;
        }
        let mut at = start;
        for part in parts {
            // SAFETY: start + total <= SCRATCH was checked; u8 has no invalid bit patterns.
            unsafe { copy_small(part, self.scratch.as_mut_ptr().add(at).cast::<u8>()) };
            at += part.len();
        }
        self.commit_scratch(start, total, extends_last);
        Some(start)
    }

    #[inline(always)]
    fn commit_scratch(&mut self, start: usize, len: usize, extends_last: bool) {
        self.used = start + len;
        self.len += len;
        if extends_last {
            if let Some(Segment::Scratch { end, .. }) = self.segments.last_mut() {
                *end = self.used as u32;
            }
        } else {
            self.segments.push(Segment::Scratch {
                start: start as u32,
                end: self.used as u32,
            });
        }
    }

    /// Borrows long `bytes`, copies short ones. Returns the segment index when borrowed.
    #[inline(always)]
    fn borrow(&mut self, bytes: &'a [u8]) -> Option<usize> {
        if bytes.len() <= INLINE_MAX || self.segments.remaining_capacity() <= SEGMENT_RESERVE {
            self.copy(bytes);
            return None;
        }
        self.segments.push(Segment::Borrowed(bytes));
        self.len += bytes.len();
        Some(self.segments.len() - 1)
    }

    fn patch_u16(&mut self, at: usize, value: u16) {
        debug_assert!(at + 2 <= self.used);
        self.scratch[at..at + 2]
            .iter_mut()
            .zip(value.to_ne_bytes())
            .for_each(|(slot, byte)| *slot = MaybeUninit::new(byte));
    }

    fn segment_bytes(&self, segment: Segment<'a>) -> &[u8] {
        match segment {
            Segment::Borrowed(bytes) => bytes,
            // SAFETY: scratch[start..end] was written by copy/format before the segment was recorded.
            Segment::Scratch { start, end } => unsafe {
                std::slice::from_raw_parts(
                    self.scratch.as_ptr().add(start as usize).cast::<u8>(),
                    (end - start) as usize,
                )
            },
        }
    }

    fn for_each_slice(&self, mut f: impl FnMut(&[u8])) {
        for &segment in &self.segments {
            f(self.segment_bytes(segment));
        }
    }
}

/// Formats into the free scratch of a stream, stopping (at a character boundary)
/// at `limit` bytes.
struct ScratchFormatter<'s, 'a, const S: usize, const N: usize> {
    stream: &'s mut Stream<'a, S, N>,
    start: usize,
    limit: usize,
    cut: bool,
}

impl<const S: usize, const N: usize> fmt::Write for ScratchFormatter<'_, '_, S, N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let written = self.stream.used - self.start;
        let room = self.limit - written;
        let take = if s.len() <= room {
            s.len()
        } else {
            self.cut = true;
            floor_char_boundary(s.as_bytes(), room)
        };
        // SAFETY: used + take <= start + limit <= S (limit was bounded by the free scratch).
        unsafe {
            std::ptr::copy_nonoverlapping(
                s.as_ptr(),
                self.stream
                    .scratch
                    .as_mut_ptr()
                    .add(self.stream.used)
                    .cast::<u8>(),
                take,
            );
        }
        self.stream.used += take;
        if self.cut { Err(fmt::Error) } else { Ok(()) }
    }
}

/// Copies `src` to `dst`. Most copies here are a few bytes (length prefixes,
/// numbers, short names): those use at most two overlapping unaligned moves
/// instead of a call to `memcpy`.
///
/// # Safety
/// `dst` must be valid for `src.len()` bytes of writes, not overlapping `src`.
#[inline(always)]
unsafe fn copy_small(src: &[u8], dst: *mut u8) {
    let len = src.len();
    let s = src.as_ptr();
    // SAFETY: every read is within `src`, every write within `dst[..len]`.
    unsafe {
        if (8..=16).contains(&len) {
            let head = s.cast::<u64>().read_unaligned();
            let tail = s.add(len - 8).cast::<u64>().read_unaligned();
            dst.cast::<u64>().write_unaligned(head);
            dst.add(len - 8).cast::<u64>().write_unaligned(tail);
        } else if (4..8).contains(&len) {
            let head = s.cast::<u32>().read_unaligned();
            let tail = s.add(len - 4).cast::<u32>().read_unaligned();
            dst.cast::<u32>().write_unaligned(head);
            dst.add(len - 4).cast::<u32>().write_unaligned(tail);
        } else if (2..4).contains(&len) {
            let head = s.cast::<u16>().read_unaligned();
            let tail = s.add(len - 2).cast::<u16>().read_unaligned();
            dst.cast::<u16>().write_unaligned(head);
            dst.add(len - 2).cast::<u16>().write_unaligned(tail);
        } else if len == 1 {
            *dst = *s;
        } else if len > 16 {
            std::ptr::copy_nonoverlapping(s, dst, len);
        }
    }
}

/// `bytes` up to its first NUL (metadata names are NUL-terminated). Looks at
/// eight bytes per step: names are scanned for every field of every event.
#[inline(always)]
fn until_nul(bytes: &[u8]) -> &[u8] {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let v = u64::from_ne_bytes(word);
        // Non-zero exactly when some byte of `v` is zero.
        if v.wrapping_sub(LOW) & !v & HIGH != 0 {
            break;
        }
        offset += 8;
    }
    let end = bytes[offset..]
        .iter()
        .position(|&b| b == 0)
        .map_or(bytes.len(), |i| offset + i);
    &bytes[..end]
}

/// The largest `n <= max` that does not split a UTF-8 character of `bytes`.
pub(crate) fn floor_char_boundary(bytes: &[u8], max: usize) -> usize {
    if max >= bytes.len() {
        return bytes.len();
    }
    let mut n = max;
    while n > 0 && (bytes[n] & 0xC0) == 0x80 {
        n -= 1;
    }
    n
}

/// A borrowed counted value whose content may be shortened to fit the event.
#[derive(Clone, Copy)]
struct Truncatable {
    segment: u16,
    prefix_at: u32,
    unit: u16,
    utf8: bool,
}

/// Free capacity of a metadata or data stream: what can still be added
/// without the event overflowing its stack buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Room {
    /// Free scratch bytes (short values, length prefixes and formatted text are copied there).
    pub bytes: usize,
    /// Free segment slots (each borrowed value takes one, and so does the next copy after it).
    pub segments: usize,
}

impl<const S: usize, const N: usize> Stream<'_, S, N> {
    fn room(&self) -> Room {
        Room {
            bytes: S - self.used,
            segments: self.segments.remaining_capacity(),
        }
    }
}

/// Collects an event's metadata: the event name and the field definitions.
pub struct MetaWriter<'a> {
    stream: Stream<'a, 2048, 136>,
}

impl<'a> MetaWriter<'a> {
    /// Adds static metadata bytes (precomputed field definitions).
    #[inline]
    pub fn bytes(&mut self, bytes: &'a [u8]) {
        self.stream.borrow(bytes);
    }

    /// Adds the event name, the first item of the metadata.
    #[inline(always)]
    pub fn event_name(&mut self, name: &'a str) {
        let name = name.as_bytes();
        self.stream.borrow(until_nul(name));
        self.stream.copy(&[0]);
    }

    /// Adds a field definition: `name`, NUL, encoding (with the format-follows
    /// flag) and format.
    #[inline(always)]
    pub fn field(&mut self, name: &'a str, encoding: u8, format: u8) {
        let name = name.as_bytes();
        let name = until_nul(name);
        let with_format = [0, encoding | 0x80, format];
        let suffix: &[u8] = if format == 0 {
            &[0, encoding]
        } else {
            &with_format
        };
        if name.len() <= INLINE_MAX {
            // Short names are copied anyway: name and suffix in one go.
            self.stream.copy_parts(&[name, suffix]);
        } else {
            self.stream.borrow(name);
            self.stream.copy(suffix);
        }
    }

    /// Adds a struct definition with `count` (1 to 127) members.
    #[inline(always)]
    pub fn structure(&mut self, name: &'a str, count: u8) {
        self.field(
            name,
            eventheader::FieldEncoding::Struct.as_int(),
            count & 0x7F,
        );
    }

    /// Adds a struct definition whose member count is set later with [`MetaWriter::set_count`].
    #[inline(always)]
    pub fn structure_counted_later(&mut self, name: &'a str) -> Option<usize> {
        self.stream.borrow(name.as_bytes());
        self.stream
            .copy(&[0, eventheader::FieldEncoding::Struct.as_int() | 0x80, 1])
            .map(|at| at + 2)
    }

    /// Sets the member count of a struct added with [`MetaWriter::structure_counted_later`].
    pub fn set_count(&mut self, at: Option<usize>, count: u8) {
        if let Some(at) = at {
            self.stream.scratch[at] = MaybeUninit::new(count & 0x7F);
        }
    }

    /// Free capacity left for more metadata.
    pub fn room(&self) -> Room {
        self.stream.room()
    }

    /// Total metadata bytes so far.
    pub fn len(&self) -> usize {
        self.stream.len
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.stream.len == 0
    }
}

/// Segment slots of the data stream.
const DATA_SEGMENTS: usize = 320;

/// Collects an event's field values.
pub struct DataWriter<'a> {
    stream: Stream<'a, 8192, DATA_SEGMENTS>,
    /// Every borrowed counted value, so fitting can shorten any of them (each
    /// takes a segment, so there are never more than the segments).
    truncatable: ArrayVec<Truncatable, DATA_SEGMENTS>,
    truncated: bool,
}

impl<'a> DataWriter<'a> {
    /// Adds a fixed-size value's bytes (integers, floats, ...), copied.
    #[inline(always)]
    pub fn value(&mut self, bytes: &[u8]) {
        self.stream.copy(bytes);
    }

    /// Adds a UTF-8 string with its 16-bit length prefix.
    #[inline(always)]
    pub fn str(&mut self, value: &'a str) {
        self.counted(value.as_bytes(), 1, true);
    }

    /// Adds a byte blob with its 16-bit length prefix.
    #[inline(always)]
    pub fn bytes(&mut self, value: &'a [u8]) {
        self.counted(value, 1, false);
    }

    /// Adds a short byte blob that lives only for this call (copied).
    pub fn bytes_copied(&mut self, value: &[u8]) {
        let len = value.len().min(INLINE_MAX);
        self.stream.copy(&(len as u16).to_ne_bytes());
        self.stream.copy(&value[..len]);
    }

    /// Adds a variable-length array: a 16-bit element count, then `raw`, the
    /// elements' bytes, `unit` bytes each.
    pub fn array(&mut self, raw: &'a [u8], unit: usize) {
        self.counted(raw, unit.max(1), false);
    }

    /// Adds a 16-bit element count for an array whose elements are added next.
    pub fn array_count(&mut self, count: usize) -> usize {
        let kept = count.min(u16::MAX as usize);
        if kept < count {
            self.truncated = true;
        }
        self.stream.copy(&(kept as u16).to_ne_bytes());
        kept
    }

    #[inline(always)]
    fn counted(&mut self, content: &'a [u8], unit: usize, utf8: bool) {
        let max = u16::MAX as usize * unit;
        // Strings and blobs (unit 1) skip the divisions.
        let mut len = if unit == 1 {
            content.len()
        } else {
            content.len() - content.len() % unit
        };
        if len > max {
            len = if utf8 {
                floor_char_boundary(content, max)
            } else {
                max
            };
            self.truncated = true;
        }
        let content = &content[..len];
        let count = if unit == 1 { len } else { len / unit };
        let prefix = (count as u16).to_ne_bytes();
        if len <= INLINE_MAX {
            // Short contents are copied anyway: prefix and content in one go.
            self.stream.copy_parts(&[&prefix, content]);
            return;
        }
        let Some(prefix_at) = self.stream.copy(&prefix) else {
            return;
        };
        if let Some(segment) = self.stream.borrow(content) {
            let _ = self.truncatable.try_push(Truncatable {
                segment: segment as u16,
                prefix_at: prefix_at as u32,
                unit: unit as u16,
                utf8,
            });
        }
    }

    /// Adds a string produced by formatting (`%value`, `?value`), written into
    /// scratch; a value too long for the space left is cut at a character boundary
    /// and the event counted as truncated.
    pub fn display(&mut self, args: fmt::Arguments<'_>) {
        self.display_within(args, usize::MAX);
    }

    /// Like [`DataWriter::display`], but the text is also cut at `max_len` bytes.
    pub fn display_within(&mut self, args: fmt::Arguments<'_>, max_len: usize) {
        if let Some(literal) = args.as_str() {
            if literal.len() > max_len {
                self.str(&literal[..floor_char_boundary(literal.as_bytes(), max_len)]);
                self.truncated = true;
                return;
            }
            self.str(literal);
            return;
        }
        let Some(prefix_at) = self.stream.copy(&[0, 0]) else {
            return;
        };
        let start = self.stream.used;
        let free = (8192 - start).saturating_sub(FORMAT_RESERVE);
        let mut formatter = ScratchFormatter {
            stream: &mut self.stream,
            start,
            limit: free.min(u16::MAX as usize).min(max_len),
            cut: false,
        };
        let _ = fmt::write(&mut formatter, args);
        let cut = formatter.cut;
        let len = self.stream.used - start;
        self.stream.used = start;
        self.stream.commit_scratch(start, len, true);
        self.stream.patch_u16(prefix_at, len as u16);
        self.truncated |= cut;
    }

    /// Free capacity left for more data.
    pub fn room(&self) -> Room {
        self.stream.room()
    }

    /// Marks the event as truncated (a value was shortened or left out by the caller).
    pub fn mark_truncated(&mut self) {
        self.truncated = true;
    }

    /// Total data bytes so far.
    pub fn len(&self) -> usize {
        self.stream.len
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.stream.len == 0
    }
}

/// An event being gathered: metadata and data segments, on the stack.
pub struct EventWriter<'a> {
    /// The metadata stream.
    pub meta: MetaWriter<'a>,
    /// The data stream.
    pub data: DataWriter<'a>,
}

/// Whether an event fitted, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Written whole.
    Whole,
    /// Some strings, bytes or arrays were shortened.
    Truncated,
    /// Too large even with every long value emptied, or more fields than the
    /// writer holds: not written.
    TooLarge,
}

impl Default for EventWriter<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> EventWriter<'a> {
    /// An empty event.
    pub fn new() -> Self {
        EventWriter {
            meta: MetaWriter {
                stream: Stream::new(),
            },
            data: DataWriter {
                stream: Stream::new(),
                truncatable: ArrayVec::new(),
                truncated: false,
            },
        }
    }

    /// Fits the event, with the header `fields` describe, in [`MAX_EVENT_SIZE`]
    /// and builds that header. `None` when it cannot fit ([`Fit::TooLarge`]);
    /// otherwise the header and whether values were shortened.
    pub fn seal(&mut self, fields: &HeaderFields<'_>) -> Option<(Header, bool)> {
        let truncated = match self.fit(MAX_EVENT_SIZE - Header::payload_prefix_len(fields)) {
            Fit::TooLarge => return None,
            fit => fit == Fit::Truncated,
        };
        Some((Header::new(fields, self.meta.len() as u16), truncated))
    }

    /// The bytes a tracepoint would receive (everything after the write index),
    /// for captures in tests: the header, then every slice.
    pub fn payload(&self, header: &Header) -> Vec<u8> {
        let mut payload = header.payload_prefix().to_vec();
        self.for_each_slice(|s| payload.extend_from_slice(s));
        payload
    }

    /// Makes metadata plus data fit in `budget` bytes by shortening the longest
    /// borrowed values first, all to the same cap ("water-filling").
    pub fn fit(&mut self, budget: usize) -> Fit {
        if self.meta.stream.overflow || self.data.stream.overflow {
            return Fit::TooLarge;
        }
        let total = self.meta.len() + self.data.len();
        if total > budget {
            if !self.shorten(total - budget) {
                return Fit::TooLarge;
            }
            self.data.truncated = true;
        }
        if self.data.truncated {
            Fit::Truncated
        } else {
            Fit::Whole
        }
    }

    fn shorten(&mut self, excess: usize) -> bool {
        let data = &mut self.data;
        let lens: ArrayVec<usize, DATA_SEGMENTS> = data
            .truncatable
            .iter()
            .map(|t| match data.stream.segments[t.segment as usize] {
                Segment::Borrowed(b) => b.len(),
                Segment::Scratch { .. } => 0,
            })
            .collect();
        if lens.iter().sum::<usize>() < excess {
            return false;
        }
        // The largest cap whose cut still frees `excess` bytes.
        let cut = |cap: usize| {
            lens.iter()
                .map(|len| len.saturating_sub(cap))
                .sum::<usize>()
        };
        let (mut low, mut high) = (0usize, lens.iter().copied().max().unwrap_or(0));
        while low < high {
            let mid = (low + high).div_ceil(2);
            if cut(mid) >= excess {
                low = mid
            } else {
                high = mid - 1
            }
        }
        let cap = low;
        for t in data.truncatable.clone() {
            let Segment::Borrowed(bytes) = data.stream.segments[t.segment as usize] else {
                continue;
            };
            if bytes.len() <= cap {
                continue;
            }
            let unit = t.unit as usize;
            let mut keep = cap - cap % unit;
            if t.utf8 {
                keep = floor_char_boundary(bytes, keep);
            }
            data.stream.segments[t.segment as usize] = Segment::Borrowed(&bytes[..keep]);
            data.stream.len -= bytes.len() - keep;
            data.stream
                .patch_u16(t.prefix_at as usize, (keep / unit) as u16);
        }
        true
    }

    /// Calls `f` with every metadata slice, then every data slice, in order.
    pub fn for_each_slice(&self, mut f: impl FnMut(&[u8])) {
        self.meta.stream.for_each_slice(&mut f);
        self.data.stream.for_each_slice(&mut f);
    }

    /// Number of slices [`EventWriter::for_each_slice`] yields.
    pub fn slice_count(&self) -> usize {
        self.meta.stream.segments.len() + self.data.stream.segments.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_of(w: &EventWriter<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        w.for_each_slice(|s| out.extend_from_slice(s));
        out
    }

    #[test]
    fn small_copies_coalesce_and_long_values_are_borrowed() {
        let long = "x".repeat(100);
        let mut w = EventWriter::new();
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

    #[test]
    fn fitting_shortens_the_longest_values_to_one_cap_at_char_boundaries() {
        let a = "é".repeat(300); // 600 bytes
        let b = "y".repeat(100);
        let mut w = EventWriter::new();
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
        let mut w = EventWriter::new();
        for _ in 0..10 {
            w.data.value(&[0u8; 8]);
        }
        assert_eq!(w.fit(40), Fit::TooLarge);
    }

    #[test]
    fn formatted_values_are_cut_at_the_scratch_limit_and_counted() {
        let mut w = EventWriter::new();
        w.data.display(format_args!("{}", "z".repeat(20_000)));
        let out = bytes_of(&w);
        let len = u16::from_ne_bytes([out[0], out[1]]) as usize;
        assert_eq!(out.len(), 2 + len);
        assert!(len < 8192 && len > 6000, "len {len}");
        assert_eq!(w.fit(MAX_EVENT_SIZE), Fit::Truncated);
    }

    #[test]
    fn names_stop_at_their_first_nul() {
        for n in 0..20 {
            let mut name = vec![b'a'; 20];
            name[n] = 0;
            assert_eq!(until_nul(&name).len(), n);
        }
        assert_eq!(until_nul(b"abcdefghijkl"), b"abcdefghijkl");
        assert_eq!(until_nul("ééééééééé".as_bytes()).len(), 18);
        assert_eq!(
            until_nul(&[0x80, 0xff, 0x01, 0x7f, 0x80, 0x81, 0xfe, 0x10, 0x00]).len(),
            8
        );
    }

    #[test]
    fn small_copies_of_every_length_land_intact() {
        let source: Vec<u8> = (0..=40u8).collect();
        for len in 0..=40 {
            let mut w = EventWriter::new();
            w.data.value(&[0xAA]);
            w.data.value(&source[..len]);
            w.data.value(&[0xBB]);
            let mut expected = vec![0xAA];
            expected.extend_from_slice(&source[..len]);
            expected.push(0xBB);
            assert_eq!(bytes_of(&w), expected, "len {len}");
        }
    }

    #[test]
    fn strings_over_64k_are_capped_by_their_length_prefix() {
        let huge = "q".repeat(70_000);
        let mut w = EventWriter::new();
        w.data.str(&huge);
        let out = bytes_of(&w);
        assert_eq!(u16::from_ne_bytes([out[0], out[1]]), u16::MAX);
        assert_eq!(out.len(), 2 + 65_535);
    }
}
