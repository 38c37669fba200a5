//! Field values: how each supported Rust type is encoded in EventHeader and
//! converted to an OpenTelemetry `AnyValue` for the fallback path.
//!
//! [`FieldValue`] carries the compile-time part (encoding and format bytes, used
//! by the macros to build each call site's metadata as a constant); [`Field`] the
//! run-time part (writing the value, converting it), kept object-safe so an event's
//! fields can be passed as one `&[&dyn Field]`.
//!
//! - `traits`: [`Field`], [`FieldValue`], [`ArrayElement`] and [`Scalar`];
//! - `pointers`: references and smart pointers, which are their target;
//! - `numbers`: integers, floats, `bool`, `u8` (a number alone, a blob in a sequence);
//! - `text`: strings, `char`, 128-bit integers, socket addresses, `%value` and `?value`;
//! - `sequences`: slices, arrays, `Vec`s and `Option`s, and strings as their elements;
//! - `time_and_addresses`: `SystemTime`, `Duration` and IP addresses.

mod numbers;
mod pointers;
mod sequences;
mod text;
mod time_and_addresses;
mod traits;

pub use text::{DebugField, DisplayField};
pub use traits::{ArrayElement, Field, FieldValue, Scalar, Stored};
