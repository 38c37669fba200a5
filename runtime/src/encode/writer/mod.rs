//! The zero-allocation event writer.
//!
//! An event is gathered as two lists of segments, metadata and data, each either a
//! run of bytes copied into a scratch area (small values, length prefixes,
//! formatted text) or a borrowed slice (long strings, byte blobs and arrays, so
//! they are never copied). Segments are `iovec`s: once the event is sealed they
//! are, with the header in front, the vector of its one `writev`. Nothing is
//! allocated: the scratch areas and segment slots live in a [`Storage`] on the
//! caller's stack (see [`super::seal`] for the two sizes used). Because the
//! segments are only handed to the kernel at the end, an event that would exceed
//! [`MAX_EVENT_SIZE`] can still be fitted by shortening its longest borrowed
//! strings (see [`EventWriter::fit`]).
//!
//! - `segments`: one segment list and its scratch (the unsafe part);
//! - `bytes`: byte primitives (small copies, names, character boundaries);
//! - `meta`: [`MetaWriter`], the event name and field definitions;
//! - `data`: [`DataWriter`], the field values;
//! - `array`: arrays of strings and blobs, shortened by element count;
//! - `fit`: shortening an event into [`MAX_EVENT_SIZE`];
//! - `iovec`: [`IoVec`], a segment (`struct iovec`, on every platform);
//! - here: [`Storage`], which lays both lists out, and [`EventWriter`], which
//!   seals them into one `writev` vector.

mod array;
mod bytes;
mod data;
mod fit;
mod iovec;
mod meta;
mod segments;

use std::marker::PhantomData;
use std::mem::MaybeUninit;

pub(crate) use array::counted_need;
pub(crate) use bytes::{copy_small, until_nul};
pub use data::DataWriter;
#[cfg(feature = "tracing")]
pub(crate) use fit::water_level;
pub(crate) use fit::{Fit, MAX_EVENT_SIZE};
use fit::{Truncatable, Truncatables};
pub(crate) use iovec::IoVec;
pub(crate) use meta::MetaWriter;
pub(crate) use segments::INLINE_MAX;
pub(crate) use segments::Room;
use segments::Segments;

use super::header::{Header, HeaderFields};

/// Where an event is gathered: scratch bytes and segment slots for its metadata
/// and data, and room to remember which borrowed values may be shortened.
///
/// `SCRATCH` bytes are split 1:4 between metadata and data; of the `SLOTS`
/// segment slots one is kept for the header and the rest split 3:7. Nothing is
/// initialised up front: a small event touches only the first bytes of each
/// area, whatever the capacity.
pub(crate) struct Storage<const SCRATCH: usize, const SLOTS: usize, const TRUNCATABLE: usize> {
    scratch: [MaybeUninit<u8>; SCRATCH],
    slots: [MaybeUninit<IoVec>; SLOTS],
    truncatable: [MaybeUninit<Truncatable>; TRUNCATABLE],
}

impl<const SCRATCH: usize, const SLOTS: usize, const TRUNCATABLE: usize> Default
    for Storage<SCRATCH, SLOTS, TRUNCATABLE>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<const SCRATCH: usize, const SLOTS: usize, const TRUNCATABLE: usize>
    Storage<SCRATCH, SLOTS, TRUNCATABLE>
{
    /// Uninitialised storage (nothing is written until an event is).
    #[inline(always)]
    pub(crate) const fn new() -> Self {
        const { assert!(SCRATCH >= 64 && SLOTS >= 4 && SCRATCH <= u32::MAX as usize) };
        Storage {
            scratch: [MaybeUninit::uninit(); SCRATCH],
            slots: [MaybeUninit::uninit(); SLOTS],
            truncatable: [MaybeUninit::uninit(); TRUNCATABLE],
        }
    }

    /// An empty event writing into this storage.
    #[inline(always)]
    pub(crate) fn writer(&mut self) -> EventWriter<'_> {
        let meta_scratch = SCRATCH / 5;
        let meta_slots = (SLOTS - 1) * 3 / 10;
        let scratch = self.scratch.as_mut_ptr().cast::<u8>();
        let slots = self.slots.as_mut_ptr().cast::<IoVec>();
        // SAFETY: the offsets stay within the arrays (meta_scratch <= SCRATCH,
        // 1 + meta_slots <= SLOTS). The two lists and the truncatable values
        // get disjoint parts of this storage (metadata: scratch[..meta_scratch]
        // and slots[1..1 + meta_slots]; data: the rest but slot 0, kept for the
        // header), borrowed mutably for the writer's lifetime.
        let (meta, data, truncatables) = unsafe {
            (
                Segments::new(scratch, meta_scratch, slots.add(1), meta_slots),
                Segments::new(
                    scratch.add(meta_scratch),
                    SCRATCH - meta_scratch,
                    slots.add(1 + meta_slots),
                    SLOTS - 1 - meta_slots,
                ),
                Truncatables::new(
                    self.truncatable.as_mut_ptr().cast::<Truncatable>(),
                    TRUNCATABLE,
                ),
            )
        };
        EventWriter {
            meta: MetaWriter::new(meta),
            data: DataWriter::new(data, truncatables),
            slots,
            limit: MAX_EVENT_SIZE,
            retry: false,
            _storage: PhantomData,
        }
    }
}

/// An event being gathered into a [`Storage`]: metadata and data segments.
pub(crate) struct EventWriter<'a> {
    /// The metadata: event name and field definitions.
    pub meta: MetaWriter<'a>,
    /// The data: field values.
    pub data: DataWriter<'a>,
    /// All segment slots of the storage: slot 0, then the metadata's, then the data's.
    slots: *mut IoVec,
    /// See [`EventWriter::limit`].
    limit: usize,
    /// See [`EventWriter::is_retry`].
    retry: bool,
    _storage: PhantomData<&'a mut ()>,
}

impl<'a> EventWriter<'a> {
    /// Sets the most bytes the event may have after the write index (at most
    /// [`MAX_EVENT_SIZE`], what the kernel takes; the default): the output's
    /// choice, set before the event is encoded so that encoders see it.
    pub(crate) fn set_limit(&mut self, limit: usize) {
        debug_assert!(limit <= MAX_EVENT_SIZE, "limit {limit}");
        self.limit = limit;
    }

    /// The most bytes the event may have after the write index.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// Marks this writer as the second encoding of an event that did not fit
    /// the small storage whole (see `seal`): encoders that copy values may
    /// measure them first and shorten the longest to fit.
    pub(crate) fn set_retry(&mut self) {
        self.retry = true;
    }

    /// Whether this is the second encoding of an event (see
    /// [`EventWriter::set_retry`]).
    #[cfg(feature = "tracing")]
    pub(crate) fn is_retry(&self) -> bool {
        self.retry
    }

    /// Fits the event, with the header `fields` describe, in its
    /// [`limit`](Self::limit) and builds that header. `None` when it cannot
    /// fit ([`Fit::TooLarge`]); otherwise the header and whether values were
    /// shortened. Inlined: it runs once per event, and out of line it cost
    /// ~70 instructions an event more than inlined (callgrind, `ue_log!`).
    #[inline(always)]
    pub(crate) fn seal(&mut self, fields: &HeaderFields<'_>) -> Option<(Header, bool)> {
        let budget = self.limit.checked_sub(Header::payload_prefix_len(fields))?;
        let truncated = match self.fit(budget) {
            Fit::TooLarge => return None,
            fit => fit == Fit::Truncated,
        };
        Some((Header::new(fields, self.meta.len() as u16), truncated))
    }

    /// Makes metadata plus data fit in `budget` bytes by shortening the longest
    /// borrowed values first, all to the same cap ("water-filling").
    #[inline(always)]
    pub(crate) fn fit(&mut self, budget: usize) -> Fit {
        let data = &mut self.data;
        let fit = fit::fit(
            &self.meta.segments,
            &mut data.segments,
            &data.truncatables,
            data.truncated,
            budget,
        );
        if fit == Fit::Truncated {
            data.truncated = true;
        }
        fit
    }

    /// The bytes a tracepoint would receive (everything after the write index),
    /// for captures in tests: the header, then every slice.
    pub(crate) fn payload(&self, header: &Header) -> Vec<u8> {
        let mut payload = header.payload_prefix().to_vec();
        self.for_each_slice(|s| payload.extend_from_slice(s));
        payload
    }

    /// The `writev` vector of the sealed event: `header`, the metadata slices,
    /// the data slices. The metadata slots are moved next to the data's, so the
    /// writer is used up. The vector points at `header`, which must stay alive
    /// (and unmoved) until the vector has been written.
    pub(crate) fn into_iovecs(self, header: &[u8]) -> &'a [IoVec] {
        let meta = self.meta.segments.segment_count();
        let data = self.data.segments.segment_count();
        // SAFETY: the metadata slots start at slot 1 and the data's right after
        // the metadata's capacity (see `Storage::writer`), so `first + meta` is
        // the data's first slot and `first >= 0`; the moved and written slots
        // are all within the storage.
        unsafe {
            let data_first = self.data.segments.first_slot();
            let first = data_first.sub(meta + 1);
            std::ptr::copy(self.meta.segments.first_slot(), first.add(1), meta);
            first.write(IoVec {
                iov_base: header.as_ptr() as *mut std::ffi::c_void,
                iov_len: header.len(),
            });
            debug_assert!(first >= self.slots);
            std::slice::from_raw_parts(first, 1 + meta + data)
        }
    }

    /// Calls `f` with every metadata slice, then every data slice, in order.
    pub(crate) fn for_each_slice(&self, mut f: impl FnMut(&[u8])) {
        self.meta.segments.for_each_slice(&mut f);
        self.data.segments.for_each_slice(&mut f);
    }

    /// Number of slices [`EventWriter::for_each_slice`] yields.
    #[cfg(test)]
    pub(crate) fn slice_count(&self) -> usize {
        self.meta.segments.segment_count() + self.data.segments.segment_count()
    }
}

/// Every slice of `w`, concatenated (for unit tests).
#[cfg(test)]
pub(crate) fn bytes_of(w: &EventWriter<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    w.for_each_slice(|s| out.extend_from_slice(s));
    out
}

/// The metadata slices of `w`, concatenated (for unit tests).
#[cfg(test)]
pub(crate) fn bytes_of_meta(w: &EventWriter<'_>) -> Vec<u8> {
    w.meta.segments.concatenated()
}

/// The data slices of `w`, concatenated (for unit tests).
#[cfg(test)]
pub(crate) fn bytes_of_data(w: &EventWriter<'_>) -> Vec<u8> {
    w.data.segments.concatenated()
}
