//! The data writer: an event's field values, with the length prefixes
//! EventHeader puts in front of strings, blobs and arrays.

use std::fmt;
use std::marker::PhantomData;

use super::bytes::floor_char_boundary;
use super::fit::{Truncatable, Truncatables};
use super::segments::{INLINE_MAX, Room, Segments};

/// Collects an event's field values.
pub struct DataWriter<'a> {
    pub(super) segments: Segments,
    /// The borrowed values fitting may shorten.
    pub(super) truncatables: Truncatables,
    /// A value was shortened or left out.
    pub(super) truncated: bool,
    _values: PhantomData<&'a [u8]>,
}

impl<'a> DataWriter<'a> {
    /// An empty data list gathered in `segments`, remembering its shortenable
    /// values in `truncatables`.
    #[inline(always)]
    pub(super) fn new(segments: Segments, truncatables: Truncatables) -> Self {
        DataWriter {
            segments,
            truncatables,
            truncated: false,
            _values: PhantomData,
        }
    }

    /// Adds a fixed-size value's bytes (integers, floats, ...), copied.
    #[inline(always)]
    pub fn value(&mut self, bytes: &[u8]) {
        self.segments.copy(bytes);
    }

    /// Adds constant data (laid out at compile time, see
    /// [`crate::encode::layout`]), borrowed.
    #[inline(always)]
    pub(crate) fn constant(&mut self, bytes: &'static [u8]) {
        self.segments.borrow_constant(bytes);
    }

    /// Adds data laid out once and kept (a `tracing` call site's PartB
    /// values), borrowed when long, copied when short; never shortened.
    #[cfg(feature = "tracing")]
    #[inline]
    pub(crate) fn raw(&mut self, bytes: &'a [u8]) {
        self.segments.borrow(bytes);
    }

    /// Adds short fixed-size values one after the other, copied in one go.
    #[inline(always)]
    pub(crate) fn copy_parts(&mut self, parts: &[&[u8]]) {
        self.segments.copy_parts(parts);
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
        self.segments.copy(&(len as u16).to_ne_bytes());
        self.segments.copy(&value[..len]);
    }

    /// Adds a UTF-8 string that lives only for this call (a `tracing` value),
    /// copied into scratch with its 16-bit length prefix, at most `max_len`
    /// bytes of it. A string longer than that, or than the scratch left
    /// (less an eighth kept for the fields after it), is cut at a character
    /// boundary and the event marked truncated.
    #[cfg(feature = "tracing")]
    #[inline]
    pub(crate) fn str_copied_within(&mut self, value: &str, max_len: usize) {
        let reserve = self.segments.scratch_capacity() / 8;
        let limit = (self.segments.free_scratch().saturating_sub(reserve + 2))
            .min(u16::MAX as usize)
            .min(max_len);
        let len = if value.len() <= limit {
            value.len()
        } else {
            self.truncated = true;
            floor_char_boundary(value.as_bytes(), limit)
        };
        let prefix = (len as u16).to_ne_bytes();
        self.segments
            .copy_parts(&[&prefix, &value.as_bytes()[..len]]);
    }

    /// Adds a byte blob that lives only for this call, copied like
    /// [`DataWriter::str_copied_within`] (cut without a character boundary).
    #[cfg(feature = "tracing")]
    pub(crate) fn bytes_copied_within_scratch(&mut self, value: &[u8], max_len: usize) {
        let reserve = self.segments.scratch_capacity() / 8;
        let limit = (self.segments.free_scratch().saturating_sub(reserve + 2))
            .min(u16::MAX as usize)
            .min(max_len);
        let len = value.len().min(limit);
        self.truncated |= len < value.len();
        let prefix = (len as u16).to_ne_bytes();
        self.segments.copy_parts(&[&prefix, &value[..len]]);
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
        self.segments.copy(&(kept as u16).to_ne_bytes());
        kept
    }

    /// Adds a counted value (`unit` bytes per counted unit): its prefix, then
    /// its content, borrowed and remembered for fitting when long.
    #[inline(always)]
    pub(super) fn counted(&mut self, content: &'a [u8], unit: usize, utf8: bool) {
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
            self.segments.copy_parts(&[&prefix, content]);
            return;
        }
        let Some(prefix_at) = self.segments.copy(&prefix) else {
            return;
        };
        let Some(segment) = self.segments.try_borrow(content) else {
            self.copy_within_scratch(content, prefix_at, unit, utf8);
            return;
        };
        self.truncatables.remember(Truncatable {
            segment: segment as u16,
            prefix_at: prefix_at as u32,
            unit: unit as u16,
            utf8,
        });
    }

    /// A long value with no segment left to borrow it: copies as much of it as
    /// the scratch has room for (keeping an eighth free for the fields after
    /// it), rather than overflowing the storage and losing the event.
    #[cold]
    #[inline(never)]
    fn copy_within_scratch(&mut self, content: &[u8], prefix_at: usize, unit: usize, utf8: bool) {
        let reserve = self.segments.scratch_capacity() / 8;
        let room = self.segments.free_scratch().saturating_sub(reserve);
        let mut keep = content.len().min(room);
        keep -= keep % unit;
        if utf8 {
            keep = floor_char_boundary(content, keep);
        }
        if keep < content.len() {
            self.truncated = true;
            self.segments
                .patch(prefix_at, &((keep / unit) as u16).to_ne_bytes());
        }
        self.segments.copy(&content[..keep]);
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
        let Some(prefix_at) = self.segments.copy(&[0, 0]) else {
            return;
        };
        // An eighth of the scratch stays free for the fields after this one.
        let reserve = self.segments.scratch_capacity() / 8;
        let free = self.segments.free_scratch().saturating_sub(reserve);
        let limit = free.min(u16::MAX as usize).min(max_len);
        let (len, cut) = self.segments.format(args, limit);
        self.segments.patch(prefix_at, &(len as u16).to_ne_bytes());
        self.truncated |= cut;
    }

    /// The most bytes of text [`DataWriter::display`] would write now (it
    /// keeps an eighth of the scratch free for the fields after it), for a
    /// caller that formats only what fits whole.
    pub fn display_room(&self) -> usize {
        let reserve = self.segments.scratch_capacity() / 8;
        self.segments
            .free_scratch()
            .saturating_sub(2 + reserve)
            .min(u16::MAX as usize)
    }

    /// Free capacity left for more data.
    pub fn room(&self) -> Room {
        self.segments.room()
    }

    /// Marks the event as truncated (a value was shortened or left out by the caller).
    pub fn mark_truncated(&mut self) {
        self.truncated = true;
    }

    /// Total data bytes so far.
    pub fn len(&self) -> usize {
        self.segments.len()
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.segments.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use crate::encode::seal::LargeStorage;
    use crate::encode::writer::{Fit, MAX_EVENT_SIZE, bytes_of};

    #[test]
    fn formatted_values_are_cut_at_the_scratch_limit_and_counted() {
        let mut storage = LargeStorage::new();
        let mut w = storage.writer();
        w.data.display(format_args!("{}", "z".repeat(20_000)));
        let out = bytes_of(&w);
        let len = u16::from_ne_bytes([out[0], out[1]]) as usize;
        assert_eq!(out.len(), 2 + len);
        assert!(len < 8192 && len > 6000, "len {len}");
        assert_eq!(w.fit(MAX_EVENT_SIZE), Fit::Truncated);
    }

    #[test]
    fn display_room_is_what_display_writes_whole() {
        let mut storage = LargeStorage::new();
        let mut w = storage.writer();
        w.data.value(&[7; 100]);
        let room = w.data.display_room();
        // Exactly `room` bytes fit uncut, one more is cut to `room`.
        w.data.display(format_args!("{}", "a".repeat(room)));
        assert_eq!(w.fit(MAX_EVENT_SIZE), Fit::Whole);
        let mut storage = LargeStorage::new();
        let mut w = storage.writer();
        w.data.value(&[7; 100]);
        w.data.display(format_args!("{}", "a".repeat(room + 1)));
        let out = bytes_of(&w);
        assert_eq!(u16::from_ne_bytes([out[100], out[101]]) as usize, room);
        assert_eq!(w.fit(MAX_EVENT_SIZE), Fit::Truncated);
    }

    #[test]
    fn strings_over_64k_are_capped_by_their_length_prefix() {
        let huge = "q".repeat(70_000);
        let mut storage = LargeStorage::new();
        let mut w = storage.writer();
        w.data.str(&huge);
        let out = bytes_of(&w);
        assert_eq!(u16::from_ne_bytes([out[0], out[1]]), u16::MAX);
        assert_eq!(out.len(), 2 + 65_535);
    }
}
