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

use super::{MAX_VALUES, VALUE_BYTES};
use crate::encode::common_schema::{CloudRole, TraceHex};
use crate::encode::header::{self, HEADER_MAX, HeaderFields};
use crate::encode::layout::{CS_VERSION_DATA, PartAShape};
use crate::encode::time::MAX_LEN;
use crate::encode::writer::IoVec;
#[cfg(feature = "tracing")]
use crate::encode::writer::copy_small;

/// Copied data a frame holds: `__csver__` and the time (4 + 2 + 40), the
/// trace context (2 + 32 + 2 + 16), the cloud role's two counts, and the
/// fields' and the body's copies.
const DATA_BYTES: usize = 46 + 52 + 4 + 2 * VALUE_BYTES;

/// Borrowed data slices an event may have: the fields' and body's counted
/// values, the cloud role and instance, and two constants after PartC.
const BORROWED: usize = MAX_VALUES + 1 + 2 + 2;

/// Metadata pieces: the event name, PartA's, and two after PartA.
const META: usize = 4;

/// `writev` slots: the header, the metadata, and the data (each borrowed
/// slice closes the copied run before it, and one run ends it).
const SLOTS: usize = 1 + META + 2 * BORROWED + 1;

/// What every directly written event starts with: its header and PartA.
pub(crate) struct Head<'a> {
    /// The header's level, opcode and activity ids.
    pub(crate) header: HeaderFields<'a>,
    /// The tracepoint's write index.
    pub(crate) write_index: u32,
    /// The event name as metadata: the name, then NUL.
    pub(crate) name_meta: &'a [u8],
    /// PartA's trace context, if any.
    pub(crate) trace: Option<&'a TraceHex>,
    /// PartA's cloud role.
    pub(crate) cloud_role: &'a CloudRole,
}

/// The storage of one event. Nothing is initialised up front.
pub(crate) struct Frame {
    pub(crate) header: [u8; HEADER_MAX],
    data: [MaybeUninit<u8>; DATA_BYTES],
    slots: [MaybeUninit<IoVec>; SLOTS],
}

impl Frame {
    /// Uninitialised storage.
    #[inline(always)]
    pub(crate) fn new() -> Frame {
        Frame {
            header: [0; HEADER_MAX],
            data: [MaybeUninit::uninit(); DATA_BYTES],
            slots: [MaybeUninit::uninit(); SLOTS],
        }
    }
}

/// Lays out an event's data in a [`Frame`], after its header and metadata.
///
/// Invariants: `data[..at]` is initialised; `slots[..slot]` are initialised
/// `iovec`s pointing at initialised data or at slices that outlive `'a`;
/// `run` is where the copied run not yet in a slot starts (`run <= at`).
/// What a caller may add is bounded by the frame's sizes (module docs), which
/// the methods check in debug builds only.
pub struct FrameWriter<'a> {
    /// The header's length, write index included.
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
    /// Begins an event in `frame`: the header, the metadata (the event
    /// name, `__csver__` and PartA's, then `meta_after_part_a`), and the data
    /// of `__csver__` and PartA, its time formatted in place by `time`.
    #[inline(always)]
    pub(crate) fn begin(
        frame: &'a mut Frame,
        head: &Head<'a>,
        meta_after_part_a: [&'a [u8]; 2],
        time: impl FnOnce(&mut [u8; MAX_LEN]) -> usize,
    ) -> Self {
        let role = head.cloud_role.role.as_deref();
        let instance = head.cloud_role.instance.as_deref();
        let shape = PartAShape {
            trace: head.trace.is_some(),
            role: role.is_some(),
            instance: instance.is_some(),
        };
        let meta = [
            head.name_meta,
            shape.meta(),
            meta_after_part_a[0],
            meta_after_part_a[1],
        ];
        let meta_len = meta.iter().map(|m| m.len()).sum::<usize>();
        let header_len = header::lay_out(
            &mut frame.header,
            head.write_index,
            &head.header,
            meta_len as u16,
        );
        let slots = frame.slots.as_mut_ptr().cast::<IoVec>();
        let header = IoVec {
            iov_base: frame.header.as_mut_ptr().cast(),
            iov_len: header_len.min(HEADER_MAX),
        };
        // SAFETY: the frame has more than 1 + META slots.
        unsafe {
            slots.write(header);
            for (i, m) in meta.iter().enumerate() {
                slots.add(1 + i).write(slice(m));
            }
        }
        let mut w = FrameWriter {
            header_len,
            meta_len,
            data: frame.data.as_mut_ptr().cast::<u8>(),
            at: 0,
            run: 0,
            slots,
            slot: 1 + META,
            borrowed: 0,
            _frame: PhantomData,
        };
        w.copy(&CS_VERSION_DATA);
        w.text(time);
        if let Some(trace) = head.trace {
            let (trace_id, span_id) = trace.as_strs();
            for id in [trace_id, span_id] {
                w.copy(&(id.len() as u16).to_ne_bytes());
                w.copy(id.as_bytes());
            }
        }
        if let Some(role) = role {
            w.counted(role.as_bytes());
        }
        if let Some(instance) = instance {
            w.counted(instance.as_bytes());
        }
        w
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
    #[cfg(feature = "tracing")]
    #[inline(always)]
    pub(crate) fn try_fixed(&mut self, n: usize) -> Option<&mut [u8]> {
        (DATA_BYTES - self.at >= n).then(|| self.fixed(n))
    }

    /// A 16-bit count and `bytes`, copied, where there is room (else false,
    /// nothing written).
    #[cfg(feature = "tracing")]
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

/// `bytes` as an `iovec` (the kernel only reads it).
#[inline(always)]
fn slice(bytes: &[u8]) -> IoVec {
    IoVec {
        iov_base: bytes.as_ptr().cast_mut().cast(),
        iov_len: bytes.len(),
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
