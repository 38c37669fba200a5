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

use std::fmt;
use std::marker::PhantomData;
use std::mem::MaybeUninit;

use super::header::{Header, HeaderFields};

/// The largest event, in bytes after the 4-byte write index (EventHeader, its
/// extensions, metadata and data): longer strings are truncated to fit.
pub const MAX_EVENT_SIZE: usize = otel_user_events_abi::MAX_EVENT_SIZE;

/// Values up to this size are copied; longer ones are borrowed.
const INLINE_MAX: usize = 64;
/// Segment slots kept free for copies once borrowing has used the rest.
const SEGMENT_RESERVE: usize = 8;

/// Where an event is gathered: scratch bytes and segment slots for its metadata
/// and data, and room to remember which borrowed values may be shortened.
///
/// `SCRATCH` bytes are split 1:4 between metadata and data; of the `SLOTS`
/// segment slots one is kept for the header and the rest split 3:7. Nothing is
/// initialised up front: a small event touches only the first bytes of each
/// area, whatever the capacity.
pub struct Storage<const SCRATCH: usize, const SLOTS: usize, const TRUNCATABLE: usize> {
    scratch: [MaybeUninit<u8>; SCRATCH],
    slots: [MaybeUninit<libc::iovec>; SLOTS],
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
    pub const fn new() -> Self {
        const { assert!(SCRATCH >= 64 && SLOTS >= 4 && SCRATCH <= u32::MAX as usize) };
        Storage {
            scratch: [MaybeUninit::uninit(); SCRATCH],
            slots: [MaybeUninit::uninit(); SLOTS],
            truncatable: [MaybeUninit::uninit(); TRUNCATABLE],
        }
    }

    /// An empty event writing into this storage.
    #[inline(always)]
    pub fn writer(&mut self) -> EventWriter<'_> {
        let meta_scratch = SCRATCH / 5;
        let meta_slots = (SLOTS - 1) * 3 / 10;
        let scratch = self.scratch.as_mut_ptr().cast::<u8>();
        let slots = self.slots.as_mut_ptr().cast::<libc::iovec>();
        // SAFETY: the offsets stay within the arrays (meta_scratch <= SCRATCH,
        // 1 + meta_slots <= SLOTS).
        let (data_scratch, meta_first, data_first) = unsafe {
            (
                scratch.add(meta_scratch),
                slots.add(1),
                slots.add(1 + meta_slots),
            )
        };
        EventWriter {
            meta: MetaWriter {
                stream: Stream::new(scratch, meta_scratch, meta_first, meta_slots),
                _values: PhantomData,
            },
            data: DataWriter {
                stream: Stream::new(
                    data_scratch,
                    SCRATCH - meta_scratch,
                    data_first,
                    SLOTS - 1 - meta_slots,
                ),
                truncatable: self.truncatable.as_mut_ptr().cast::<Truncatable>(),
                truncatable_cap: TRUNCATABLE,
                truncatable_len: 0,
                truncated: false,
                _values: PhantomData,
            },
            slots,
            _storage: PhantomData,
        }
    }
}

/// One list of segments with its scratch area, both parts of a [`Storage`].
///
/// Invariants: `scratch[..used]` is initialised; `slots[..slot_len]` are
/// initialised `iovec`s, each pointing at initialised scratch or at a borrowed
/// slice that outlives the writer; when `last_is_scratch`, the last slot covers
/// scratch up to `used`.
struct Stream {
    scratch: *mut u8,
    scratch_cap: usize,
    used: usize,
    slots: *mut libc::iovec,
    slot_cap: usize,
    slot_len: usize,
    last_is_scratch: bool,
    len: usize,
    overflow: bool,
}

impl Stream {
    fn new(
        scratch: *mut u8,
        scratch_cap: usize,
        slots: *mut libc::iovec,
        slot_cap: usize,
    ) -> Stream {
        Stream {
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
    fn copy(&mut self, bytes: &[u8]) -> Option<usize> {
        self.copy_parts(&[bytes])
    }

    /// Copies `parts` one after the other into scratch (one check, one segment
    /// update); returns where the first landed.
    #[inline(always)]
    fn copy_parts(&mut self, parts: &[&[u8]]) -> Option<usize> {
        let start = self.used;
        let total: usize = parts.iter().map(|p| p.len()).sum();
        if self.scratch_cap - start < total
            || (!self.last_is_scratch && self.slot_len == self.slot_cap)
        {
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
            // SAFETY: a free slot was checked for by the caller.
            self.push_slot(unsafe { self.scratch.add(start) }, len);
            self.last_is_scratch = true;
        }
    }

    #[inline(always)]
    fn push_slot(&mut self, base: *const u8, len: usize) {
        debug_assert!(self.slot_len < self.slot_cap);
        // SAFETY: slot_len < slot_cap (checked by every caller).
        unsafe {
            self.slots.add(self.slot_len).write(libc::iovec {
                iov_base: base as *mut libc::c_void,
                iov_len: len,
            })
        };
        self.slot_len += 1;
    }

    /// Borrows long `bytes`, copies short ones. Returns the segment index when borrowed.
    /// The caller guarantees that `bytes` outlives the writer.
    #[inline(always)]
    fn borrow(&mut self, bytes: &[u8]) -> Option<usize> {
        if bytes.len() <= INLINE_MAX || self.slot_cap - self.slot_len <= SEGMENT_RESERVE {
            self.copy(bytes);
            return None;
        }
        self.push_slot(bytes.as_ptr(), bytes.len());
        self.last_is_scratch = false;
        self.len += bytes.len();
        Some(self.slot_len - 1)
    }

    fn patch(&mut self, at: usize, bytes: &[u8]) {
        assert!(
            at + bytes.len() <= self.used,
            "patching bytes not yet written"
        );
        // SAFETY: within the initialised part of scratch (checked above).
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.scratch.add(at), bytes.len()) };
    }

    fn room(&self) -> Room {
        Room {
            bytes: self.scratch_cap - self.used,
            segments: self.slot_cap - self.slot_len,
        }
    }

    fn slots(&self) -> &[libc::iovec] {
        // SAFETY: the first slot_len slots are initialised (invariant).
        unsafe { std::slice::from_raw_parts(self.slots, self.slot_len) }
    }

    fn for_each_slice(&self, mut f: impl FnMut(&[u8])) {
        for slot in self.slots() {
            // SAFETY: every slot points at live, initialised bytes (invariant).
            f(unsafe { std::slice::from_raw_parts(slot.iov_base as *const u8, slot.iov_len) });
        }
    }
}

/// Formats into the free scratch of a stream, stopping (at a character boundary)
/// at `limit` bytes.
struct ScratchFormatter<'s> {
    stream: &'s mut Stream,
    start: usize,
    limit: usize,
    cut: bool,
}

impl fmt::Write for ScratchFormatter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let written = self.stream.used - self.start;
        let room = self.limit - written;
        let take = if s.len() <= room {
            s.len()
        } else {
            self.cut = true;
            floor_char_boundary(s.as_bytes(), room)
        };
        // SAFETY: used + take <= start + limit <= scratch_cap (limit was bounded by the free scratch).
        unsafe {
            std::ptr::copy_nonoverlapping(
                s.as_ptr(),
                self.stream.scratch.add(self.stream.used),
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

/// Collects an event's metadata: the event name and the field definitions.
pub struct MetaWriter<'a> {
    stream: Stream,
    _values: PhantomData<&'a [u8]>,
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
        self.field_named(until_nul(name.as_bytes()), encoding, format);
    }

    /// [`MetaWriter::field`] for the Common Schema's own names, which have no
    /// NUL: no need to look for one (this runs for every member of every event).
    #[inline(always)]
    pub(crate) fn literal_field(&mut self, name: &'static str, encoding: u8, format: u8) {
        debug_assert!(!name.contains('\0'));
        self.field_named(name.as_bytes(), encoding, format);
    }

    #[inline(always)]
    fn field_named(&mut self, name: &'a [u8], encoding: u8, format: u8) {
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
        self.field_named(
            until_nul(name.as_bytes()),
            eventheader::FieldEncoding::Struct.as_int(),
            count & 0x7F,
        );
    }

    /// [`MetaWriter::structure`] for the Common Schema's own names (no NUL).
    #[inline(always)]
    pub(crate) fn literal_structure(&mut self, name: &'static str, count: u8) {
        self.literal_field(
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
            self.stream.patch(at, &[count & 0x7F]);
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

/// Collects an event's field values.
pub struct DataWriter<'a> {
    stream: Stream,
    truncatable: *mut Truncatable,
    truncatable_cap: usize,
    truncatable_len: usize,
    truncated: bool,
    _values: PhantomData<&'a [u8]>,
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
            self.remember_truncatable(Truncatable {
                segment: segment as u16,
                prefix_at: prefix_at as u32,
                unit: unit as u16,
                utf8,
            });
        }
    }

    /// Remembers a value [`EventWriter::fit`] may shorten. With no room left to
    /// remember it, the value just stays whole (and the event may not fit).
    #[inline(always)]
    fn remember_truncatable(&mut self, value: Truncatable) {
        if self.truncatable_len < self.truncatable_cap {
            // SAFETY: within the storage's truncatable array (checked above).
            unsafe { self.truncatable.add(self.truncatable_len).write(value) };
            self.truncatable_len += 1;
        }
    }

    fn truncatables(&self) -> &[Truncatable] {
        // SAFETY: the first truncatable_len entries were written.
        unsafe { std::slice::from_raw_parts(self.truncatable, self.truncatable_len) }
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
        // An eighth of the scratch stays free for the fields after this one.
        let reserve = self.stream.scratch_cap / 8;
        let free = (self.stream.scratch_cap - start).saturating_sub(reserve);
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
        self.stream.commit_scratch(start, len);
        self.stream.patch(prefix_at, &(len as u16).to_ne_bytes());
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

/// An event being gathered into a [`Storage`]: metadata and data segments.
pub struct EventWriter<'a> {
    /// The metadata stream.
    pub meta: MetaWriter<'a>,
    /// The data stream.
    pub data: DataWriter<'a>,
    /// All segment slots of the storage: slot 0, then the metadata's, then the data's.
    slots: *mut libc::iovec,
    _storage: PhantomData<&'a mut ()>,
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

impl<'a> EventWriter<'a> {
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

    /// The `writev` vector of the sealed event: `header`, the metadata slices,
    /// the data slices. The metadata slots are moved next to the data's, so the
    /// writer is used up. The vector points at `header`, which must stay alive
    /// (and unmoved) until the vector has been written.
    pub fn into_iovecs(self, header: &[u8]) -> &'a [libc::iovec] {
        let meta = self.meta.stream.slot_len;
        let data = self.data.stream.slot_len;
        // SAFETY: the metadata slots start at slot 1 and the data's right after
        // the metadata's capacity, so `first + meta` is the data's first slot and
        // `first >= 0`; the moved and written slots are all within the storage.
        unsafe {
            let data_first = self.data.stream.slots;
            let first = data_first.sub(meta + 1);
            std::ptr::copy(self.meta.stream.slots, first.add(1), meta);
            first.write(libc::iovec {
                iov_base: header.as_ptr() as *mut libc::c_void,
                iov_len: header.len(),
            });
            debug_assert!(first >= self.slots);
            std::slice::from_raw_parts(first, 1 + meta + data)
        }
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
        let slots = data.stream.slots;
        // SAFETY: every truncatable value's segment is an initialised data slot.
        let len_of = |t: &Truncatable| unsafe { (*slots.add(t.segment as usize)).iov_len };
        let lens = || data.truncatables().iter().map(len_of);
        if lens().sum::<usize>() < excess {
            return false;
        }
        // The largest cap whose cut still frees `excess` bytes.
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
        let cap = low;
        for i in 0..data.truncatable_len {
            let t = data.truncatables()[i];
            // SAFETY: as above; the slot borrows a value that outlives the writer.
            let slot = unsafe { &mut *slots.add(t.segment as usize) };
            let len = slot.iov_len;
            if len <= cap {
                continue;
            }
            let unit = t.unit as usize;
            let mut keep = cap - cap % unit;
            if t.utf8 {
                // SAFETY: the slot covers `len` initialised bytes of a borrowed value.
                let bytes = unsafe { std::slice::from_raw_parts(slot.iov_base as *const u8, len) };
                keep = floor_char_boundary(bytes, keep);
            }
            slot.iov_len = keep;
            data.stream.len -= len - keep;
            data.stream
                .patch(t.prefix_at as usize, &((keep / unit) as u16).to_ne_bytes());
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
        self.meta.stream.slot_len + self.data.stream.slot_len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::seal::Full;

    fn bytes_of(w: &EventWriter<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        w.for_each_slice(|s| out.extend_from_slice(s));
        out
    }

    #[test]
    fn small_copies_coalesce_and_long_values_are_borrowed() {
        let long = "x".repeat(100);
        let mut storage = Full::new();
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

    #[test]
    fn fitting_shortens_the_longest_values_to_one_cap_at_char_boundaries() {
        let a = "é".repeat(300); // 600 bytes
        let b = "y".repeat(100);
        let mut storage = Full::new();
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
        let mut storage = Full::new();
        let mut w = storage.writer();
        for _ in 0..10 {
            w.data.value(&[0u8; 8]);
        }
        assert_eq!(w.fit(40), Fit::TooLarge);
    }

    #[test]
    fn formatted_values_are_cut_at_the_scratch_limit_and_counted() {
        let mut storage = Full::new();
        let mut w = storage.writer();
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
            let mut storage = Full::new();
            let mut w = storage.writer();
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
        let mut storage = Full::new();
        let mut w = storage.writer();
        w.data.str(&huge);
        let out = bytes_of(&w);
        assert_eq!(u16::from_ne_bytes([out[0], out[1]]), u16::MAX);
        assert_eq!(out.len(), 2 + 65_535);
    }
}
