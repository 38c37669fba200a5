//! The types a field of `ue_log!` or `#[otel_event]` can have
//! ([`FieldValue`]: integers, floats, `bool`, `char`, strings, bytes, arrays,
//! times, durations, IP addresses, `Option`s, and `%`/`?` formatted values),
//! and the extension point for a field type of your own: implement
//! [`FieldValue`] and [`Field`] (writing through [`DataWriter`]), or
//! [`Scalar`] for a type with a scalar form; [`ArrayElement`] for the
//! elements of arrays.

pub use crate::encode::field::{ArrayElement, Field, FieldValue, Scalar};
pub use crate::encode::writer::DataWriter;
