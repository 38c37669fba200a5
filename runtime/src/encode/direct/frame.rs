//! [`Frame`], the stack storage of one directly written event, and
//! [`FrameWriter`], which lays the event's data out in it: the unsafe core of
//! the generated writer.
//!
//! A frame holds the header, the data bytes the event copies, and the
//! `writev` vector: the header, the metadata (three constants) and the data,
//! alternating copied runs and borrowed slices. Its sizes are fixed by what a
//! direct event may hold (see [`super::Values::DIRECT`]), so the writer never
//! checks for room: the one caller lays out PartA (bounded) and two tuples of
//! direct values (each at most [`VALUE_BYTES`] copied and [`MAX_VALUES`]
//! counted).

use std::marker::PhantomData;
use std::mem::MaybeUninit;

use super::{MAX_VALUES, VALUE_BYTES};
use crate::encode::header::HEADER_MAX;
use crate::encode::time::MAX_LEN;
use crate::encode::writer::IoVec;

/// Copied data a frame holds: `__csver__` and the time (4 + 2 + 40), the
/// trace context (2 + 32 + 2 + 16), the cloud role's two counts, and the
/// fields' and the body's copies.
const DATA_BYTES: usize = 46 + 52 + 4 + 2 * VALUE_BYTES;

/// Borrowed data slices an event may have: the fields' and body's counted
/// values, the cloud role and instance, and two constants after PartC.
const BORROWED: usize = MAX_VALUES + 1 + 2 + 2;

/// `writev` slots: the header, three metadata constants, and the data (each
/// borrowed slice closes the copied run before it, and one run ends it).
const SLOTS: usize = 1 + 3 + 2 * BORROWED + 1;

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
    data: *mut u8,
    at: usize,
    run: usize,
    slots: *mut IoVec,
    slot: usize,
    borrowed: usize,
    _frame: PhantomData<&'a mut Frame>,
}

impl<'a> FrameWriter<'a> {
    /// A writer whose first slot is the header (`header_len` bytes of the
    /// frame's header) and whose next three are `meta`.
    #[inline(always)]
    pub(crate) fn new(frame: &'a mut Frame, header_len: usize, meta: [&'static [u8]; 3]) -> Self {
        let slots = frame.slots.as_mut_ptr().cast::<IoVec>();
        let header = IoVec {
            iov_base: frame.header.as_mut_ptr().cast(),
            iov_len: header_len.min(HEADER_MAX),
        };
        // SAFETY: the frame has more than 4 slots.
        unsafe {
            slots.write(header);
            for (i, m) in meta.iter().enumerate() {
                slots.add(1 + i).write(slice(m));
            }
        }
        FrameWriter {
            data: frame.data.as_mut_ptr().cast::<u8>(),
            at: 0,
            run: 0,
            slots,
            slot: 4,
            borrowed: 0,
            _frame: PhantomData,
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

    /// The data's length so far: copied and borrowed bytes.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.at + self.borrowed
    }

    /// Closes the last copied run: the `writev` vector, header first.
    #[inline(always)]
    pub(crate) fn finish(self) -> &'a [IoVec] {
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
