//! [`Frame`], the stack storage of one directly written event, and
//! [`FrameWriter`], which lays the event out in it: the unsafe core of the
//! generated writer.
//!
//! A frame holds the header, the data bytes the event copies, and the
//! `writev` vector: the header, the metadata (the event name, PartA's, and two
//! more pieces: PartC's and PartB's) and the data, alternating copied runs and
//! borrowed slices. [`FrameWriter::begin`] writes the header and PartA, which
//! are bounded. After them, a macro call site's values are bounded at compile
//! time (see [`super::Values::DIRECT`]: at most [`VALUE_BYTES`] copied twice
//! over and [`MAX_VALUES`] counted), so their writes ([`FrameWriter::fixed`],
//! [`FrameWriter::counted`]) check for room in debug builds only; values of
//! unknown size (a `tracing` event's) use the `try_` writes, which check, and
//! the event goes the general way when one finds no room.

#[cfg(feature = "tracing")]
use std::fmt;
use std::marker::PhantomData;
use std::mem::MaybeUninit;

use crate::encode::common_schema::{CloudRole, TraceHex};
use crate::encode::header::{self, HEADER_MAX, HeaderFields};
use crate::encode::layout::{CS_VERSION_DATA, PartAShape};
use crate::encode::time::MAX_LEN;
use crate::encode::writer::{IoVec, copy_small, until_nul};

/// The most fields (or body values) a tuple of `Values` has.
pub const MAX_VALUES: usize = 12;

/// Copied bytes a tuple of `Values` may take: what makes it direct
/// (`Values::DIRECT`); the [`Frame`] holds this and PartA's copies.
pub(crate) const VALUE_BYTES: usize = 256;

/// Copied data a frame holds: `__csver__` and the time (4 + 2 + 40), the
/// trace context (2 + 32 + 2 + 16), the cloud role's two counts, and the
/// fields' and the body's copies.
const DATA_BYTES: usize = 46 + 52 + 4 + 2 * VALUE_BYTES;

/// Borrowed data slices an event may have: the fields' and body's counted
/// values, the cloud role and instance, and two constants after PartC.
const BORROWED: usize = MAX_VALUES + 1 + 2 + 2;

/// Borrowed metadata pieces: the event name, PartA's, and two after PartA.
/// (Copied metadata takes one slot instead.)
const PIECES: usize = 4;

/// Metadata a frame holds copied (a log record's PartC and PartB).
const META_BYTES: usize = 512;

/// `writev` slots: the header, the metadata, and the data (each borrowed
/// slice closes the copied run before it, and one run ends it).
const SLOTS: usize = 1 + PIECES + 2 * BORROWED + 1;

/// What every directly written event starts with: its header and PartA.
pub(crate) struct Head<'a> {
    /// The header's level, opcode and activity ids.
    pub(crate) header: HeaderFields<'a>,
    /// The tracepoint's write index.
    pub(crate) write_index: u32,
    /// The event name as metadata: the name, then NUL (for
    /// [`FrameWriter::begin`]; [`FrameWriter::begin_copied`] takes it apart).
    pub(crate) name_meta: &'a [u8],
    /// PartA's trace context, if any.
    pub(crate) trace: Option<&'a TraceHex>,
    /// PartA's cloud role.
    pub(crate) cloud_role: &'a CloudRole,
}

/// The storage of one event. Nothing is initialised up front.
pub(crate) struct Frame {
    header: [u8; HEADER_MAX],
    meta: [MaybeUninit<u8>; META_BYTES],
    data: [MaybeUninit<u8>; DATA_BYTES],
    slots: [MaybeUninit<IoVec>; SLOTS],
}

impl Frame {
    /// Uninitialised storage.
    #[inline(always)]
    pub(crate) fn new() -> Frame {
        Frame {
            header: [0; HEADER_MAX],
            meta: [MaybeUninit::uninit(); META_BYTES],
            data: [MaybeUninit::uninit(); DATA_BYTES],
            slots: [MaybeUninit::uninit(); SLOTS],
        }
    }
}

/// Lays out an event's data in a `Frame`, after its header and metadata.
///
/// Invariants: `data[..at]` and `meta[..meta_at]` are initialised;
/// `slots[1..slot]` but the copied metadata's are initialised `iovec`s
/// pointing at initialised data or at slices that outlive `'a` (the header's
/// and the copied metadata's are written by `finish`); `run`
/// is where the copied run not yet in a slot starts (`run <= at`).
/// What a caller may add is bounded by the frame's sizes (module docs), which
/// the methods check in debug builds only.
pub struct FrameWriter<'a> {
    /// The header's length, write index included (0 until laid out, for
    /// [`CopiedMetaWriter`]).
    header_len: usize,
    /// The metadata's length.
    meta_len: usize,
    data: *mut u8,
    at: usize,
    run: usize,
    slots: *mut IoVec,
    slot: usize,
    borrowed: usize,
    _frame: PhantomData<&'a mut Frame>,
}

impl<'a> FrameWriter<'a> {
    /// Begins an event in `frame` whose metadata is borrowed: the event name
    /// (`head.name_meta`), `__csver__` and PartA's, then `meta_after_part_a`
    /// (a call site's constants). Lays out the header, and the data of
    /// `__csver__` and PartA, its time formatted in place by `time`.
    #[inline(always)]
    pub(crate) fn begin(
        frame: &'a mut Frame,
        head: &Head<'a>,
        meta_after_part_a: [&'a [u8]; 2],
        time: impl FnOnce(&mut [u8; MAX_LEN]) -> usize,
    ) -> Self {
        let shape = shape_of(head);
        let pieces = [
            head.name_meta,
            shape.meta(),
            meta_after_part_a[0],
            meta_after_part_a[1],
        ];
        let pieces_len = pieces.iter().map(|m| m.len()).sum::<usize>();
        let header_len = header::lay_out(
            &mut frame.header,
            head.write_index,
            &head.header,
            pieces_len as u16,
        );
        let slots = frame.slots.as_mut_ptr().cast::<IoVec>();
        // SAFETY: the frame has more than 1 + PIECES slots.
        unsafe {
            slots.write(IoVec {
                iov_base: frame.header.as_mut_ptr().cast(),
                iov_len: header_len.min(HEADER_MAX),
            });
            for (i, m) in pieces.iter().enumerate() {
                slots.add(1 + i).write(slice(m));
            }
        }
        let mut w = FrameWriter {
            header_len,
            meta_len: pieces_len,
            data: frame.data.as_mut_ptr().cast::<u8>(),
            at: 0,
            run: 0,
            slots,
            slot: 1 + PIECES,
            borrowed: 0,
            _frame: PhantomData,
        };
        w.part_a(head, time);
        w
    }

    /// The data of `__csver__` and PartA.
    #[inline(always)]
    fn part_a(&mut self, head: &Head<'a>, time: impl FnOnce(&mut [u8; MAX_LEN]) -> usize) {
        self.copy(&CS_VERSION_DATA);
        self.text(time);
        if let Some(trace) = head.trace {
            let (trace_id, span_id) = trace.as_strs();
            for id in [trace_id, span_id] {
                self.copy(&(id.len() as u16).to_ne_bytes());
                self.copy(id.as_bytes());
            }
        }
        if let Some(role) = head.cloud_role.role.as_deref() {
            self.counted(role.as_bytes());
        }
        if let Some(instance) = head.cloud_role.instance.as_deref() {
            self.counted(instance.as_bytes());
        }
    }

    /// The next `n` data bytes, to write a fixed-size value into.
    #[inline(always)]
    pub(crate) fn fixed(&mut self, n: usize) -> &mut [u8] {
        debug_assert!(self.at + n <= DATA_BYTES);
        // SAFETY: within the frame's data (module docs: the callers' copies
        // are bounded by DATA_BYTES); the bytes are initialised to 0 before
        // they are handed out, so the caller may write any part of them.
        unsafe {
            let out = self.data.add(self.at);
            out.write_bytes(0, n);
            self.at += n;
            std::slice::from_raw_parts_mut(out, n)
        }
    }

    /// Copies `bytes` (a short value of known bound: the time, the trace ids).
    #[inline(always)]
    pub(crate) fn copy(&mut self, bytes: &[u8]) {
        debug_assert!(self.at + bytes.len() <= DATA_BYTES);
        // SAFETY: within the frame's data, as in `fixed`.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.data.add(self.at), bytes.len());
        }
        self.at += bytes.len();
    }

    /// Text of at most [`MAX_LEN`] bytes that `write` formats in place and
    /// measures, with its 16-bit count in front (the time).
    #[inline(always)]
    pub(crate) fn text(&mut self, write: impl FnOnce(&mut [u8; MAX_LEN]) -> usize) {
        let out = self.fixed(2 + MAX_LEN);
        let (count, text) = out.split_at_mut(2);
        let len = match text.try_into() {
            Ok(text) => write(text).min(MAX_LEN),
            Err(_) => 0,
        };
        count.copy_from_slice(&(len as u16).to_ne_bytes());
        // Only the text's bytes stay.
        self.at -= MAX_LEN - len;
    }

    /// A 16-bit count and `bytes`, borrowed. A value longer than 65,535 bytes
    /// makes the event longer than any limit, so it is never written (see
    /// [`FrameWriter::finish`]).
    #[inline(always)]
    pub(crate) fn counted(&mut self, bytes: &'a [u8]) {
        self.copy(&(bytes.len() as u16).to_ne_bytes());
        self.borrow(bytes);
    }

    /// Borrows `bytes` (a constant, or a counted value's bytes).
    #[inline(always)]
    pub(crate) fn borrow(&mut self, bytes: &'a [u8]) {
        debug_assert!(self.slot + 2 <= SLOTS);
        // SAFETY: two slots are free (module docs: at most BORROWED borrowed
        // slices, each taking two); the run is initialised data.
        unsafe {
            self.slots.add(self.slot).write(IoVec {
                iov_base: self.data.add(self.run).cast(),
                iov_len: self.at - self.run,
            });
            self.slots.add(self.slot + 1).write(slice(bytes));
        }
        self.slot += 2;
        self.run = self.at;
        self.borrowed += bytes.len();
    }

    /// [`FrameWriter::fixed`] where there is room, else `None` (nothing
    /// written).
    #[inline(always)]
    pub(crate) fn try_fixed(&mut self, n: usize) -> Option<&mut [u8]> {
        (DATA_BYTES - self.at >= n).then(|| self.fixed(n))
    }

    /// A 16-bit count and `bytes`, copied, where there is room (else false,
    /// nothing written).
    #[inline(always)]
    pub(crate) fn try_copy_counted(&mut self, bytes: &[u8]) -> bool {
        if DATA_BYTES - self.at < 2 + bytes.len() {
            return false;
        }
        self.copy(&(bytes.len() as u16).to_ne_bytes());
        // SAFETY: within the frame's data (checked above).
        unsafe { copy_small(bytes, self.data.add(self.at)) };
        self.at += bytes.len();
        true
    }

    /// `args` formatted, with its 16-bit count in front, where it fits (else
    /// false, nothing written).
    #[cfg(feature = "tracing")]
    pub(crate) fn try_format(&mut self, args: fmt::Arguments<'_>) -> bool {
        let start = self.at;
        if DATA_BYTES - start < 2 {
            return false;
        }
        self.at += 2;
        let mut text = Text(self);
        if fmt::write(&mut text, args).is_err() {
            self.at = start;
            return false;
        }
        let len = ((self.at - start - 2) as u16).to_ne_bytes();
        // SAFETY: `start + 2 <= at`, within the frame's data.
        unsafe { std::ptr::copy_nonoverlapping(len.as_ptr(), self.data.add(start), 2) };
        true
    }

    /// The writev vector, header first, when the event is at most `limit`
    /// bytes after its write index (else `None`: the general writer shortens
    /// it).
    #[inline(always)]
    pub(crate) fn finish(self, limit: usize) -> Option<&'a [IoVec]> {
        // The header without the write index, the metadata, the data.
        if self.header_len - 4 + self.meta_len + self.at + self.borrowed > limit {
            return None;
        }
        Some(self.close())
    }

    /// Closes the last copied run: the `writev` vector, header first.
    #[inline(always)]
    fn close(self) -> &'a [IoVec] {
        debug_assert!(self.slot < SLOTS);
        // SAFETY: one slot is free (SLOTS counts the last run); the first
        // `slot + 1` slots are then initialised (invariant), borrowed for 'a.
        unsafe {
            self.slots.add(self.slot).write(IoVec {
                iov_base: self.data.add(self.run).cast(),
                iov_len: self.at - self.run,
            });
            std::slice::from_raw_parts(self.slots, self.slot + 1)
        }
    }
}

/// The PartA shape of an event with the trace context and cloud role of
/// `head`.
#[inline(always)]
fn shape_of(head: &Head<'_>) -> PartAShape {
    PartAShape {
        trace: head.trace.is_some(),
        role: head.cloud_role.role.is_some(),
        instance: head.cloud_role.instance.is_some(),
    }
}

/// The bytes a tracepoint receives from the writev vector `iov` (all but
/// the write index, checked to be `write_index`), for tests.
#[cfg(test)]
pub(crate) fn payload_of(iov: &[IoVec], write_index: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    for v in iov {
        // SAFETY: every slot points at live bytes of the frame or of values
        // the vector borrows (it is used while they live).
        bytes.extend_from_slice(unsafe {
            std::slice::from_raw_parts(v.iov_base as *const u8, v.iov_len)
        });
    }
    assert_eq!(bytes[..4], write_index.to_ne_bytes(), "write index");
    bytes.split_off(4)
}

/// `bytes` as an `iovec` (the kernel only reads it).
#[inline(always)]
fn slice(bytes: &[u8]) -> IoVec {
    IoVec {
        iov_base: bytes.as_ptr().cast_mut().cast(),
        iov_len: bytes.len(),
    }
}

/// A [`FrameWriter`] for an event whose metadata is copied into the frame
/// (a log record's: its names vary from record to record) instead of
/// borrowed: the event name, `__csver__` and PartA's, then what
/// [`CopiedMetaWriter::try_meta`] adds, in one `writev` slot. Its header is
/// laid out by [`CopiedMetaWriter::finish`], once the metadata's length is
/// known.
///
/// Invariant: `meta[..meta_at]` is initialised.
pub(crate) struct CopiedMetaWriter<'a> {
    /// The data, as any frame's.
    pub(crate) data: FrameWriter<'a>,
    header: *mut [u8; HEADER_MAX],
    meta: *mut u8,
    meta_at: usize,
}

impl<'a> CopiedMetaWriter<'a> {
    /// Begins an event in `frame` named `name` (up to a NUL) with the PartA
    /// of `head` (its time formatted by `time`); `None` when the name does
    /// not fit.
    #[inline(always)]
    pub(crate) fn begin(
        frame: &'a mut Frame,
        head: &Head<'a>,
        name: &[u8],
        time: impl FnOnce(&mut [u8; MAX_LEN]) -> usize,
    ) -> Option<Self> {
        let mut w = CopiedMetaWriter {
            header: &mut frame.header,
            meta: frame.meta.as_mut_ptr().cast::<u8>(),
            meta_at: 0,
            data: FrameWriter {
                header_len: 0,
                meta_len: 0,
                data: frame.data.as_mut_ptr().cast::<u8>(),
                at: 0,
                run: 0,
                slots: frame.slots.as_mut_ptr().cast::<IoVec>(),
                // The header's slot and the metadata's, written by `finish`.
                slot: 2,
                borrowed: 0,
                _frame: PhantomData,
            },
        };
        w.try_meta(until_nul(name))?;
        w.try_meta(&[0])?;
        w.try_meta(shape_of(head).meta())?;
        w.data.part_a(head, time);
        Some(w)
    }

    /// Copies metadata where there is room (else `None`, nothing written);
    /// returns where it landed.
    #[inline(always)]
    pub(crate) fn try_meta(&mut self, bytes: &[u8]) -> Option<usize> {
        if META_BYTES - self.meta_at < bytes.len() {
            return None;
        }
        let at = self.meta_at;
        // SAFETY: within the frame's metadata (checked above).
        unsafe { copy_small(bytes, self.meta.add(at)) };
        self.meta_at += bytes.len();
        Some(at)
    }

    /// Overwrites the metadata byte at `at` (a count known later).
    #[inline(always)]
    pub(crate) fn patch_meta(&mut self, at: usize, byte: u8) {
        assert!(at < self.meta_at, "patching metadata not yet written");
        // SAFETY: within the initialised metadata (checked above).
        unsafe { self.meta.add(at).write(byte) };
    }

    /// Lays out the header of `fields` and `write_index`, and returns the
    /// writev vector as [`FrameWriter::finish`] does.
    #[inline(always)]
    pub(crate) fn finish(
        mut self,
        fields: &HeaderFields<'_>,
        write_index: u32,
        limit: usize,
    ) -> Option<&'a [IoVec]> {
        // SAFETY: `header` points at the frame's header, borrowed for 'a
        // and written only here.
        let header = unsafe { &mut *self.header };
        let len = header::lay_out(
            header,
            write_index,
            fields,
            u16::try_from(self.meta_at).ok()?,
        );
        // SAFETY: slots 0 and 1 are the header's and the metadata's (see
        // `begin`), within the frame's slots.
        unsafe {
            self.data.slots.write(IoVec {
                iov_base: header.as_mut_ptr().cast(),
                iov_len: len.min(HEADER_MAX),
            });
            self.data.slots.add(1).write(IoVec {
                iov_base: self.meta.cast(),
                iov_len: self.meta_at,
            });
        }
        self.data.header_len = len;
        self.data.meta_len = self.meta_at;
        self.data.finish(limit)
    }
}

/// Formatted text written into a frame's data, failing when it runs out of
/// room (and, as a 16-bit count bounds it, past 65,535 bytes).
#[cfg(feature = "tracing")]
struct Text<'w, 'a>(&'w mut FrameWriter<'a>);

#[cfg(feature = "tracing")]
impl fmt::Write for Text<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let w = &mut *self.0;
        if DATA_BYTES - w.at < s.len() {
            return Err(fmt::Error);
        }
        w.copy(s.as_bytes());
        Ok(())
    }
}
