//! The values of one macro event, as generated code hands them to
//! [`dispatch`](crate::dispatch::dispatch) (what is known at compile time is the
//! call site's [`EventInfo`](crate::callsite::EventInfo)).

use crate::encode::field::Field;

/// A macro event's values, borrowed for the duration of one dispatch.
pub struct Event<'a> {
    /// PartC metadata (`PartC` struct and one definition per field), a constant
    /// per call site; empty when the event has no fields.
    pub part_c_meta: &'static [u8],
    /// The field values, in the order of `part_c_meta`.
    pub fields: &'a [&'a dyn Field],
    /// The body with its encoding and format bytes.
    pub body: Option<(&'a dyn Field, [u8; 2])>,
    /// EventHeader opcode (0 info, 1 activity start, 2 activity stop).
    pub opcode: u8,
    /// Activity id and related (parent) activity id.
    pub activity: Option<(&'a [u8; 16], Option<&'a [u8; 16]>)>,
}
