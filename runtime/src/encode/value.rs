//! OpenTelemetry attribute [`Value`]s (span and span-event attributes) as
//! EventHeader fields, for the `SpanProcessor`.
//!
//! Scalars keep the encodings the `opentelemetry-user-events-trace` crate (0.6)
//! writes, which are also the `LogProcessor`'s for the same `AnyValue`s
//! (see [`super::any_value`]):
//!
//! | `Value`  | encoding              | format      |
//! |----------|-----------------------|-------------|
//! | `Bool`   | `Value8`              | `Boolean`   |
//! | `I64`    | `Value64`             | `SignedInt` |
//! | `F64`    | `Value64`             | `Float`     |
//! | `String` | `StringLength16Char8` | default     |
//!
//! Arrays, which that crate writes as `""`, are typed as the `LogProcessor`
//! types a homogeneous list: an EventHeader variable-length array of the
//! element type (an empty array too: its type is known). With typing off
//! ([`Arrays::AsPeer`]) they are `""`, as that crate writes them. A `Value`
//! variant added to OpenTelemetry later is written as its `Display` text.
//!
//! Values are written within a [`Room`] budget: arrays keep the first elements
//! that fit, and the event is then marked truncated.

use opentelemetry::{Array, Value};

use super::any_value::{Element, Shape, VALUE_NEED, fixed_array, less, starts_within};
use super::encoding::STRING;
use super::json::{JsonEscape, Text, write_json_f64, write_json_list, write_json_str};
use super::writer::{DataWriter, EventWriter, Room, counted_need};

/// How array values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arrays {
    /// As EventHeader arrays of their element type.
    Typed,
    /// As `""`, the way the `opentelemetry-user-events-trace` crate writes them.
    AsPeer,
    /// As JSON text (the scalar profile).
    Json,
}

/// What a value is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Written {
    /// With this shape (its encoding and format).
    Shape(Shape),
    /// An empty string.
    Empty,
    /// Its `Display` text.
    Text,
    /// JSON text of an array.
    Json,
}

#[inline(always)]
fn written(value: &Value, arrays: Arrays) -> Written {
    let array = |element| match arrays {
        Arrays::Typed => Written::Shape(Shape::Array(element)),
        Arrays::AsPeer => Written::Empty,
        Arrays::Json => Written::Json,
    };
    match value {
        Value::Bool(_) => Written::Shape(Shape::Bool),
        Value::I64(_) => Written::Shape(Shape::Int),
        Value::F64(_) => Written::Shape(Shape::Double),
        Value::String(_) => Written::Shape(Shape::Str),
        Value::Array(Array::Bool(_)) => array(Element::Bool),
        Value::Array(Array::I64(_)) => array(Element::Int),
        Value::Array(Array::F64(_)) => array(Element::Double),
        Value::Array(Array::String(_)) => array(Element::Str),
        // Variants added later (both enums are non-exhaustive).
        Value::Array(_) if arrays == Arrays::AsPeer => Written::Empty,
        _ => Written::Text,
    }
}

/// Whether a field `name` = `value` can start without eating into the room
/// kept for what the event still has to write after it.
#[inline(always)]
pub(crate) fn field_fits(
    w: &EventWriter<'_>,
    name: &str,
    value: &Value,
    meta_reserve: Room,
    data_reserve: Room,
) -> bool {
    let data_min = match value {
        Value::Bool(_) => VALUE_NEED[0],
        Value::I64(_) | Value::F64(_) => VALUE_NEED[1],
        Value::String(s) => counted_need(s.as_str().len()),
        // Arrays shrink to the room left, text is cut at it.
        _ => counted_need(0),
    };
    starts_within(w, name, data_min, meta_reserve, data_reserve)
}

/// Writes the field `name` = `value`: its metadata, then its data, keeping
/// `reserve` free in the data segments. Call [`field_fits`] first.
#[inline(always)]
pub(crate) fn write_field<'a>(
    w: &mut EventWriter<'a>,
    name: &'a str,
    value: &'a Value,
    arrays: Arrays,
    reserve: Room,
) {
    match written(value, arrays) {
        Written::Shape(shape) => {
            let (encoding, format) = shape.encoding_and_format();
            w.meta.field(name, encoding, format);
            write_data(&mut w.data, value, reserve);
        }
        Written::Empty => {
            w.meta.field(name, STRING, 0);
            w.data.str("");
        }
        Written::Text => {
            w.meta.field(name, STRING, 0);
            let max_len = less(w.data.room(), reserve).bytes.saturating_sub(2);
            w.data.display_within(format_args!("{value}"), max_len);
        }
        Written::Json => {
            w.meta.field(
                name,
                STRING,
                eventheader_types::FieldFormat::StringJson.as_int(),
            );
            let max_len = less(w.data.room(), reserve).bytes.saturating_sub(2);
            w.data.display_within(
                format_args!("{}", Text(|f| write_array_json(f, value))),
                max_len,
            );
        }
    }
}

/// An array value as JSON: numbers, booleans, strings with their escapes.
fn write_array_json(f: &mut std::fmt::Formatter<'_>, value: &Value) -> std::fmt::Result {
    use std::fmt::Write as _;
    match value {
        Value::Array(Array::Bool(items)) => write_json_list(items, f, |f, b| write!(f, "{b}")),
        Value::Array(Array::I64(items)) => write_json_list(items, f, |f, i| write!(f, "{i}")),
        Value::Array(Array::F64(items)) => write_json_list(items, f, |f, d| write_json_f64(f, *d)),
        Value::Array(Array::String(items)) => {
            write_json_list(items, f, |f, s| write_json_str(f, s.as_str()))
        }
        // A variant added later: its text, as a JSON string.
        other => {
            f.write_char('"')?;
            write!(JsonEscape(f), "{other}")?;
            f.write_char('"')
        }
    }
}

fn write_data<'a>(w: &mut DataWriter<'a>, value: &'a Value, reserve: Room) {
    match value {
        Value::Bool(b) => w.value(&[*b as u8]),
        Value::I64(i) => w.value(&i.to_ne_bytes()),
        Value::F64(f) => w.value(&f.to_ne_bytes()),
        Value::String(s) => w.str(s.as_str()),
        Value::Array(Array::Bool(items)) => {
            fixed_array(w, items, 1, reserve, |w, b| w.value(&[*b as u8]))
        }
        Value::Array(Array::I64(items)) => {
            fixed_array(w, items, 8, reserve, |w, i| w.value(&i.to_ne_bytes()))
        }
        Value::Array(Array::F64(items)) => {
            fixed_array(w, items, 8, reserve, |w, f| w.value(&f.to_ne_bytes()))
        }
        Value::Array(Array::String(items)) => {
            // The writer keeps the first elements that fit.
            w.counted_array(items.iter().map(|s| s.as_str().as_bytes()), true, reserve);
        }
        // `written` sends nothing else here.
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::encoding::{VALUE8, VALUE64, VARRAY};
    use eventheader_types::FieldFormat;

    #[test]
    fn arrays_are_typed_or_empty_strings_and_scalars_keep_their_shapes() {
        let bools = Value::Array(Array::Bool(vec![true]));
        let strings = Value::Array(Array::String(vec!["a".into()]));
        assert_eq!(
            written(&bools, Arrays::Typed),
            Written::Shape(Shape::Array(Element::Bool))
        );
        assert_eq!(written(&bools, Arrays::AsPeer), Written::Empty);
        assert_eq!(written(&strings, Arrays::AsPeer), Written::Empty);
        assert_eq!(
            Shape::Array(Element::Int).encoding_and_format(),
            (VALUE64 | VARRAY, FieldFormat::SignedInt.as_int())
        );
        for arrays in [Arrays::Typed, Arrays::AsPeer] {
            assert_eq!(
                written(&Value::Bool(true), arrays),
                Written::Shape(Shape::Bool)
            );
            assert_eq!(written(&Value::I64(1), arrays), Written::Shape(Shape::Int));
            assert_eq!(
                written(&Value::F64(1.0), arrays),
                Written::Shape(Shape::Double)
            );
            assert_eq!(
                written(&Value::String("s".into()), arrays),
                Written::Shape(Shape::Str)
            );
        }
        assert_eq!(
            Shape::Bool.encoding_and_format(),
            (VALUE8, FieldFormat::Boolean.as_int())
        );
    }
}
