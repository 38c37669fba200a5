//! The metadata writer: an event's name and its field definitions.

use std::marker::PhantomData;

use eventheader_types::FieldFormat;

use super::bytes::until_nul;
use super::segments::{INLINE_MAX, Room, Segments};
use crate::encode::encoding::{FORMAT_FOLLOWS, STRUCT};

/// Collects an event's metadata: the event name and the field definitions.
pub(crate) struct MetaWriter<'a> {
    pub(super) segments: Segments,
    _values: PhantomData<&'a [u8]>,
}

impl<'a> MetaWriter<'a> {
    /// An empty metadata list gathered in `segments`.
    #[inline(always)]
    pub(super) fn new(segments: Segments) -> Self {
        MetaWriter {
            segments,
            _values: PhantomData,
        }
    }

    /// Adds metadata bytes laid out once and kept (a `tracing` call site's
    /// cached PartC definitions), borrowed when long, copied when short.
    #[cfg(feature = "tracing")]
    #[inline]
    pub(crate) fn bytes(&mut self, bytes: &'a [u8]) {
        self.segments.borrow(bytes);
    }

    /// Adds constant metadata (laid out at compile time, see
    /// [`crate::encode::layout`]), borrowed.
    #[inline(always)]
    pub(crate) fn constant(&mut self, bytes: &'static [u8]) {
        self.segments.borrow_constant(bytes);
    }

    /// Adds the event name, the first item of the metadata.
    #[inline(always)]
    pub(crate) fn event_name(&mut self, name: &'a str) {
        let name = name.as_bytes();
        self.segments.borrow(until_nul(name));
        self.segments.copy(&[0]);
    }

    /// Adds a field definition: `name`, NUL, encoding (with the format-follows
    /// flag) and format.
    #[inline(always)]
    pub(crate) fn field(&mut self, name: &'a str, encoding: u8, format: u8) {
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
        let with_format = [0, encoding | FORMAT_FOLLOWS, format];
        let suffix: &[u8] = if format == 0 {
            &[0, encoding]
        } else {
            &with_format
        };
        if name.len() <= INLINE_MAX {
            // Short names are copied anyway: name and suffix in one go.
            self.segments.copy_parts(&[name, suffix]);
        } else {
            self.segments.borrow(name);
            self.segments.copy(suffix);
        }
    }

    /// [`MetaWriter::structure`] for the Common Schema's own names (no NUL).
    #[inline(always)]
    pub(crate) fn literal_structure(&mut self, name: &'static str, count: u8) {
        self.literal_field(name, STRUCT, count & FieldFormat::ValueMask);
    }

    /// Adds a struct definition whose member count is set later with [`MetaWriter::set_count`].
    #[inline(always)]
    pub(crate) fn structure_counted_later(&mut self, name: &'a str) -> Option<usize> {
        self.segments.borrow(name.as_bytes());
        self.segments
            .copy(&[0, STRUCT | FORMAT_FOLLOWS, 1])
            .map(|at| at + 2)
    }

    /// Sets the member count of a struct added with [`MetaWriter::structure_counted_later`].
    pub(crate) fn set_count(&mut self, at: Option<usize>, count: u8) {
        if let Some(at) = at {
            self.segments.patch(at, &[count & FieldFormat::ValueMask]);
        }
    }

    /// Free capacity left for more metadata.
    pub(crate) fn room(&self) -> Room {
        self.segments.room()
    }

    /// Total metadata bytes so far.
    pub(crate) fn len(&self) -> usize {
        self.segments.len()
    }
}
