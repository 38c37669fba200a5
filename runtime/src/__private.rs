//! What generated code calls. Not a public API: it changes without notice.

pub use crate::Level;
pub use crate::activity::{
    Abandoned, Activity, ActivityFuture, ActivityId, ActivityScope, ActivityStart, Outcome,
    current_ids,
};
pub use crate::callsite::{CALLSITES, Callsite, EventInfo};
pub use crate::emit::{Event, emit};
pub use crate::encode::field::{DebugField, DisplayField, Field, FieldValue};
pub use linkme;

/// Infers `&dyn Field` from a value of any supported type, with the error at the value.
#[inline(always)]
pub fn field<T: FieldValue + ?Sized>(value: &T) -> &T {
    value
}

/// Encoding and format bytes of a type (for a body).
pub const fn meta_of<T: FieldValue + ?Sized>(_: &T) -> [u8; 2] {
    [T::ENCODING, T::FORMAT]
}
