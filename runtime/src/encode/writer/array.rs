//! Arrays of strings and blobs: written element by element (each element has
//! its own length prefix), so they are shortened by element count, keeping
//! their first elements whole.
//!
//! An element costs a prefix in scratch plus either its copied content (short
//! elements) or a borrowed segment and the segment of the copy after it (long
//! ones), so thousands of elements would exhaust the writer's storage, and a few
//! long ones the 64 KB of an event. Rather than drop the event, or cut every
//! element to a common cap, an array keeps its first elements while each of
//! these holds, and leaves out the rest (the count before the elements says how
//! many follow, so the event stays valid):
//!
//! - the event's data, with the element, stays within [`ARRAY_DATA_LIMIT`]
//!   (the first element is always kept: fitting may still shorten it);
//! - the array's copied bytes (prefixes and short contents) stay within
//!   [`ARRAY_COPIED_MAX`], and its long elements number at most
//!   [`ARRAY_BORROWED_MAX`];
//! - the data segments keep the `reserve` free (room for the fields after it).
//!
//! Leaving an element out marks the event truncated.

use super::MAX_EVENT_SIZE;
use super::data::DataWriter;
use super::segments::{INLINE_MAX, Room};

/// The event data an array's elements may extend to: 64 KB less 4 KB kept for
/// the metadata, the header and the fields after the array.
pub(super) const ARRAY_DATA_LIMIT: usize = MAX_EVENT_SIZE - 4096;
/// Copied bytes (length prefixes and contents of at most [`INLINE_MAX`] bytes)
/// one array's elements may take: three quarters of the large storage's data scratch.
pub(super) const ARRAY_COPIED_MAX: usize = 6144;
/// Long elements (borrowed, two segments each) one array may hold: under
/// two thirds of the large storage's data segments.
pub(super) const ARRAY_BORROWED_MAX: usize = 100;

/// What one counted value (a string or blob, alone or an array's element) of
/// `len` bytes takes in the data segments: its 2-byte prefix, plus its content
/// when copied, or a borrowed segment and the segment of the copy after it.
#[inline(always)]
pub(crate) fn counted_need(len: usize) -> Room {
    if len <= INLINE_MAX {
        Room {
            bytes: 2 + len,
            segments: 1,
        }
    } else {
        Room {
            bytes: 2,
            segments: 2,
        }
    }
}

impl<'a> DataWriter<'a> {
    /// Adds a variable-length array of strings (`utf8`) or blobs: a 16-bit
    /// element count, then each element with its 16-bit length prefix, keeping
    /// the first elements the module's rules allow and `reserve` free in the
    /// data segments. Returns how many elements were written.
    pub fn counted_array<I>(&mut self, items: I, utf8: bool, reserve: Room) -> usize
    where
        I: ExactSizeIterator<Item = &'a [u8]>,
    {
        let count = items.len();
        let Some(count_at) = self.segments.copy(&[0, 0]) else {
            return 0;
        };
        let (mut kept, mut copied, mut borrowed) = (0, 0, 0);
        for item in items.take(u16::MAX as usize) {
            let len = item.len().min(u16::MAX as usize);
            let need = counted_need(len);
            let room = self.segments.room();
            let long = usize::from(len > INLINE_MAX);
            let fits = (kept == 0 || self.segments.len() + 2 + len <= ARRAY_DATA_LIMIT)
                && copied + need.bytes <= ARRAY_COPIED_MAX
                && borrowed + long <= ARRAY_BORROWED_MAX
                && room.bytes >= reserve.bytes + need.bytes
                && room.segments >= reserve.segments + need.segments;
            if !fits {
                break;
            }
            copied += need.bytes;
            borrowed += long;
            self.counted(item, 1, utf8);
            kept += 1;
        }
        if kept < count {
            self.truncated = true;
        }
        self.segments.patch(count_at, &(kept as u16).to_ne_bytes());
        kept
    }

    /// [`DataWriter::counted_array`] of strings, keeping free an eighth of the
    /// data scratch and 16 segments for the fields after it.
    pub fn str_array<I>(&mut self, items: I) -> usize
    where
        I: ExactSizeIterator<Item = &'a str>,
    {
        let reserve = Room {
            bytes: self.segments.scratch_capacity() / 8,
            segments: 16,
        };
        self.counted_array(items.map(str::as_bytes), true, reserve)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::seal::LargeStorage;
    use crate::encode::writer::{Fit, bytes_of};

    /// The elements of a counted array written alone: its count, then each
    /// element's content.
    fn elements(bytes: &[u8]) -> (usize, Vec<Vec<u8>>) {
        let count = u16::from_ne_bytes([bytes[0], bytes[1]]) as usize;
        let mut at = 2;
        let mut out = Vec::new();
        for _ in 0..count {
            let len = u16::from_ne_bytes([bytes[at], bytes[at + 1]]) as usize;
            out.push(bytes[at + 2..at + 2 + len].to_vec());
            at += 2 + len;
        }
        assert_eq!(at, bytes.len(), "nothing after the elements");
        (count, out)
    }

    #[test]
    fn short_elements_stop_at_the_copied_bytes_limit() {
        let items: Vec<String> = (0..2_000).map(|i| format!("{i:06}")).collect();
        let mut storage = LargeStorage::new();
        let mut w = storage.writer();
        let kept = w.data.str_array(items.iter().map(String::as_str));
        assert_eq!(kept, ARRAY_COPIED_MAX / 8);
        let (count, out) = elements(&bytes_of(&w));
        assert_eq!(count, kept);
        for (i, element) in out.iter().enumerate() {
            assert_eq!(element, items[i].as_bytes());
        }
        assert_eq!(w.fit(MAX_EVENT_SIZE), Fit::Truncated);
    }

    #[test]
    fn long_elements_stop_at_the_borrowed_limit() {
        let items: Vec<Vec<u8>> = (0..150).map(|i| vec![i as u8; 100]).collect();
        let mut storage = LargeStorage::new();
        let mut w = storage.writer();
        let kept = w
            .data
            .counted_array(items.iter().map(Vec::as_slice), false, Room::NONE);
        assert_eq!(kept, ARRAY_BORROWED_MAX);
        let (_, out) = elements(&bytes_of(&w));
        assert_eq!(out[..], items[..kept]);
    }

    #[test]
    fn elements_stop_at_the_data_limit_but_the_first_is_kept() {
        let items = ["a".repeat(30_000), "b".repeat(30_000), "c".repeat(30_000)];
        let mut storage = LargeStorage::new();
        let mut w = storage.writer();
        assert_eq!(w.data.str_array(items.iter().map(String::as_str)), 2);
        assert_eq!(w.data.len(), 2 + 2 * 30_002);

        let mut storage = LargeStorage::new();
        let mut w = storage.writer();
        w.data.str(&items[0]);
        w.data.str(&items[1]);
        // Already past the limit: the first element still goes in (fitting cuts it).
        assert_eq!(w.data.str_array(items.iter().map(String::as_str)), 1);
        assert_eq!(w.fit(MAX_EVENT_SIZE), Fit::Truncated);
    }

    #[test]
    fn elements_leave_the_reserve_free() {
        let items: Vec<String> = (0..100).map(|i| format!("{i:04}")).collect();
        let mut storage = LargeStorage::new();
        let mut w = storage.writer();
        let free = w.data.room().bytes;
        let reserve = Room {
            bytes: free - 2 - 60,
            segments: 0,
        };
        // 60 bytes after the count: ten elements of 6.
        let kept = w
            .data
            .counted_array(items.iter().map(|s| s.as_bytes()), true, reserve);
        assert_eq!(kept, 10);
        assert_eq!(w.data.room().bytes, reserve.bytes);
    }

    #[test]
    fn a_long_value_with_no_segment_left_is_copied_as_far_as_scratch_allows() {
        let long = "z".repeat(1_000);
        let mut storage = LargeStorage::new();
        let mut w = storage.writer();
        // Use up the segments: borrowed values separated by copies.
        while w.data.room().segments > 8 {
            w.data.str(&long);
        }
        // Now copied, until the scratch keeps only its last eighth (which
        // then takes only the 2-byte length prefixes).
        for _ in 0..20 {
            w.data.str(&long);
        }
        let free = w.data.room().bytes;
        assert!((1024 - 40..=1024).contains(&free), "{free} bytes free");
        assert_eq!(w.fit(usize::MAX), Fit::Truncated);
    }
}
