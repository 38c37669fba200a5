//! The values of one macro event, as generated code hands them to
//! [`dispatch`](super::dispatch::dispatch) (what is known at compile time is the
//! call site's [`EventInfo`](super::callsite::EventInfo)).

use crate::encode::field::Field;
use crate::encode::header::ActivityIds;

/// A macro event's values, borrowed for the duration of one dispatch.
pub struct Event<'a> {
    /// The metadata after PartA, a constant per call site: PartC (the `PartC`
    /// struct and one definition per field; nothing when the event has no
    /// fields), then PartB.
    pub meta_tail: &'static [u8],
    /// How many bytes of `meta_tail` are PartC.
    pub part_c_len: usize,
    /// The field values, in the order of PartC's definitions.
    pub fields: &'a [&'a dyn Field],
    /// The body with its encoding and format bytes.
    pub body: Option<(&'a dyn Field, [u8; 2])>,
    /// EventHeader opcode (0 info, 1 activity start, 2 activity stop).
    pub opcode: u8,
    /// Activity id and related (parent) activity id.
    pub activity: Option<ActivityIds<'a>>,
}

impl Event<'_> {
    /// The PartC metadata (see [`Event::meta_tail`]).
    pub fn part_c_meta(&self) -> &'static [u8] {
        self.meta_tail.get(..self.part_c_len).unwrap_or(&[])
    }
}
