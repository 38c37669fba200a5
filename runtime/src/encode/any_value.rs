//! OpenTelemetry `AnyValue`s as EventHeader fields, for the `LogProcessor`.
//!
//! The four value types the `opentelemetry-user-events-logs` crate encodes keep
//! its exact encodings, so decoders print the same JSON for them:
//!
//! | `AnyValue`  | encoding                | format      |
//! |-------------|-------------------------|-------------|
//! | `Boolean`   | `Value8`                | `Boolean`   |
//! | `Int`       | `Value64`               | `SignedInt` |
//! | `Double`    | `Value64`               | `Float`     |
//! | `String`    | `StringLength16Char8`   | default     |
//!
//! The types it writes as `""` get real values:
//!
//! - `Bytes`: `BinaryLength16Char8`, `HexBytes`;
//! - `ListAny` whose elements are all `Boolean`, all `Int`, all `Double`, all
//!   `String` or all `Bytes`: an EventHeader variable-length array of that type;
//! - anything else (maps, empty or mixed lists, nested lists): the value as JSON
//!   text, `StringLength16Char8` with the `StringJson` format, formatted straight into
//!   the event's stack buffer by [`Json`] (no heap allocation).
//!
//! Values are written within a [`Room`] budget: arrays keep the elements that fit
//! (lists of strings and blobs by the writer's rules for arrays of counted
//! elements, which also keep the event within 64 KB) and JSON is cut at the
//! budget, and the event is then marked truncated.

use std::collections::HashMap;
use std::fmt::{self, Write as _};

use arrayvec::ArrayVec;
use eventheader_types::FieldFormat;
use opentelemetry::Key;
use opentelemetry::logs::AnyValue;

use super::encoding::{BINARY, STRING, VALUE8, VALUE64, VARRAY};
use super::json::{Hex, JsonEscape, write_hex, write_json_f64, write_json_list, write_json_str};
use super::profile::EncodingProfile;
use super::writer::{DataWriter, EventWriter, INLINE_MAX, Room, counted_need};

/// How one `AnyValue` is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `Value8` + `Boolean`.
    Bool,
    /// `Value64` + `SignedInt`.
    Int,
    /// `Value64` + `Float`.
    Double,
    /// Counted UTF-8 string.
    Str,
    /// Counted bytes, shown as hex.
    Bytes,
    /// A homogeneous list: an EventHeader array of the element shape.
    Array(Element),
    /// JSON text (`StringJson`).
    Json,
    /// Bytes as lowercase hex text (the scalar profile's `Bytes`).
    HexText,
}

/// Element type of a homogeneous list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Element {
    /// Booleans.
    Bool,
    /// 64-bit signed integers.
    Int,
    /// 64-bit floats.
    Double,
    /// Strings.
    Str,
    /// Byte blobs.
    Bytes,
}

impl Element {
    fn of(value: &AnyValue) -> Option<Element> {
        match value {
            AnyValue::Boolean(_) => Some(Element::Bool),
            AnyValue::Int(_) => Some(Element::Int),
            AnyValue::Double(_) => Some(Element::Double),
            AnyValue::String(_) => Some(Element::Str),
            AnyValue::Bytes(_) => Some(Element::Bytes),
            _ => None,
        }
    }

    /// Scalar element size, `None` for counted elements.
    fn fixed_size(self) -> Option<usize> {
        match self {
            Element::Bool => Some(1),
            Element::Int | Element::Double => Some(8),
            Element::Str | Element::Bytes => None,
        }
    }
}

impl Shape {
    /// The shape `value` is written with in `profile`: in the scalar profile
    /// lists are JSON text and bytes hex text.
    #[inline(always)]
    pub(crate) fn of(value: &AnyValue, profile: EncodingProfile) -> Shape {
        if profile == EncodingProfile::Scalars {
            match value {
                AnyValue::Bytes(_) => return Shape::HexText,
                AnyValue::ListAny(_) => return Shape::Json,
                _ => {}
            }
        }
        match value {
            AnyValue::Boolean(_) => Shape::Bool,
            AnyValue::Int(_) => Shape::Int,
            AnyValue::Double(_) => Shape::Double,
            AnyValue::String(_) => Shape::Str,
            AnyValue::Bytes(_) => Shape::Bytes,
            AnyValue::ListAny(items) => {
                let mut elements = items.iter().map(Element::of);
                match elements.next() {
                    Some(Some(first)) if elements.all(|e| e == Some(first)) => Shape::Array(first),
                    _ => Shape::Json,
                }
            }
            _ => Shape::Json,
        }
    }

    /// The field's encoding byte (with the array flag, without the chain flag)
    /// and format byte (0 for the encoding's default).
    #[inline(always)]
    pub(crate) fn encoding_and_format(self) -> (u8, u8) {
        let scalar = |element: Element| match element {
            Element::Bool => (VALUE8, FieldFormat::Boolean.as_int()),
            Element::Int => (VALUE64, FieldFormat::SignedInt.as_int()),
            Element::Double => (VALUE64, FieldFormat::Float.as_int()),
            Element::Str => (STRING, 0),
            Element::Bytes => (BINARY, FieldFormat::HexBytes.as_int()),
        };
        match self {
            Shape::Bool => scalar(Element::Bool),
            Shape::Int => scalar(Element::Int),
            Shape::Double => scalar(Element::Double),
            Shape::Str => scalar(Element::Str),
            Shape::Bytes => scalar(Element::Bytes),
            Shape::Array(element) => {
                let (encoding, format) = scalar(element);
                (encoding | VARRAY, format)
            }
            Shape::Json => (STRING, FieldFormat::StringJson.as_int()),
            Shape::HexText => (STRING, 0),
        }
    }
}

/// Metadata a field named `name` takes: the name (copied when short, else
/// borrowed), NUL, encoding and format bytes.
#[inline(always)]
pub(crate) fn field_meta_need(name: &str) -> Room {
    if name.len() <= INLINE_MAX {
        Room {
            bytes: name.len() + 3,
            segments: 1,
        }
    } else {
        Room {
            bytes: 3,
            segments: 2,
        }
    }
}

#[inline(always)]
pub(crate) fn fits(room: Room, reserve: Room, need: Room) -> bool {
    room.bytes >= reserve.bytes + need.bytes && room.segments >= reserve.segments + need.segments
}

pub(crate) fn less(room: Room, reserve: Room) -> Room {
    Room {
        bytes: room.bytes.saturating_sub(reserve.bytes),
        segments: room.segments.saturating_sub(reserve.segments),
    }
}

/// Whether a field `name` = `value` can start without eating into the room
/// kept for what the event still has to write after it (`meta_reserve` in the
/// metadata, `data_reserve` in the data).
#[inline(always)]
pub(crate) fn field_fits(
    w: &EventWriter<'_>,
    name: &str,
    value: &AnyValue,
    profile: EncodingProfile,
    meta_reserve: Room,
    data_reserve: Room,
) -> bool {
    let data_min = match value {
        AnyValue::Boolean(_) => VALUE_NEED[0],
        AnyValue::Int(_) | AnyValue::Double(_) => VALUE_NEED[1],
        AnyValue::String(s) => counted_need(s.as_str().len()),
        AnyValue::Bytes(b) if profile == EncodingProfile::Full => counted_need(b.len()),
        // Arrays, JSON and hex text shrink to the room left.
        _ => counted_need(0),
    };
    starts_within(w, name, data_min, meta_reserve, data_reserve)
}

/// What a 1-byte and an 8-byte value take in the data: their bytes, one segment.
pub(crate) const VALUE_NEED: [Room; 2] = [
    Room {
        bytes: 1,
        segments: 1,
    },
    Room {
        bytes: 8,
        segments: 1,
    },
];

/// Whether a field `name` whose data needs at least `data_min` can start
/// without eating into `meta_reserve` and `data_reserve` (the processors'
/// shared rule, for `AnyValue`s and attribute `Value`s alike).
#[inline(always)]
pub(crate) fn starts_within(
    w: &EventWriter<'_>,
    name: &str,
    data_min: Room,
    meta_reserve: Room,
    data_reserve: Room,
) -> bool {
    fits(w.meta.room(), meta_reserve, field_meta_need(name))
        && fits(w.data.room(), data_reserve, data_min)
}

/// Writes the field `name` = `value`: its metadata, then its data, keeping
/// `reserve` free in the data segments (arrays and JSON shrink to fit; the event
/// is then marked truncated). Call [`field_fits`] first.
#[inline(always)]
pub(crate) fn write_field<'a>(
    w: &mut EventWriter<'a>,
    name: &'a str,
    value: &'a AnyValue,
    profile: EncodingProfile,
    reserve: Room,
) {
    let shape = Shape::of(value, profile);
    let (encoding, format) = shape.encoding_and_format();
    w.meta.field(name, encoding, format);
    write_data(&mut w.data, shape, value, reserve);
}

/// Writes the data of `value`, shaped as `shape` (from [`Shape::of`]).
#[inline(always)]
pub(crate) fn write_data<'a>(
    w: &mut DataWriter<'a>,
    shape: Shape,
    value: &'a AnyValue,
    reserve: Room,
) {
    match (shape, value) {
        (Shape::Bool, AnyValue::Boolean(b)) => w.value(&[*b as u8]),
        (Shape::Int, AnyValue::Int(i)) => w.value(&i.to_ne_bytes()),
        (Shape::Double, AnyValue::Double(d)) => w.value(&d.to_ne_bytes()),
        (Shape::Str, AnyValue::String(s)) => w.str(s.as_str()),
        (Shape::Bytes, AnyValue::Bytes(b)) => w.bytes(b),
        (Shape::Array(element), AnyValue::ListAny(items)) => {
            write_array(w, element, items, reserve)
        }
        (Shape::HexText, AnyValue::Bytes(b)) => {
            let max_len = less(w.room(), reserve).bytes.saturating_sub(2);
            w.display_within(format_args!("{}", Hex(b)), max_len);
        }
        _ => {
            // Two bytes of length prefix; the rest of the free room is the cap.
            let room = less(w.room(), reserve);
            let max_len = room.bytes.saturating_sub(2);
            w.display_within(format_args!("{}", Json(value)), max_len);
        }
    }
}

fn write_array<'a>(w: &mut DataWriter<'a>, element: Element, items: &'a [AnyValue], reserve: Room) {
    let Some(size) = element.fixed_size() else {
        // Strings and blobs: the writer keeps the first elements that fit.
        let counted = items.iter().map(|item| match item {
            AnyValue::String(s) => s.as_str().as_bytes(),
            AnyValue::Bytes(b) => b.as_slice(),
            // Shape::Array guarantees homogeneous elements.
            _ => &[],
        });
        w.counted_array(counted, element == Element::Str, reserve);
        return;
    };
    fixed_array(w, items, size, reserve, |w, item| match item {
        AnyValue::Boolean(b) => w.value(&[*b as u8]),
        AnyValue::Int(i) => w.value(&i.to_ne_bytes()),
        AnyValue::Double(d) => w.value(&d.to_ne_bytes()),
        // Shape::Array guarantees homogeneous scalar elements.
        _ => {}
    });
}

/// An array of fixed-size elements, `size` bytes each: the count, then the
/// first elements that fit in the room left (copied).
pub(crate) fn fixed_array<'a, T>(
    w: &mut DataWriter<'a>,
    items: &[T],
    size: usize,
    reserve: Room,
    mut write: impl FnMut(&mut DataWriter<'a>, &T),
) {
    let room = less(w.room(), reserve);
    let kept = items
        .len()
        .min(room.bytes.saturating_sub(2) / size)
        .min(u16::MAX as usize);
    if kept < items.len() {
        w.mark_truncated();
    }
    w.array_count(kept);
    for item in &items[..kept] {
        write(w, item);
    }
}

/// Maps with at most this many entries are written with their keys sorted, so
/// the JSON is the same on every run; larger ones in the map's own order.
const SORTED_MAP_MAX: usize = 64;

/// Formats an `AnyValue` as JSON, without allocating.
///
/// Strings are JSON strings, integers and booleans JSON numbers and literals,
/// doubles JSON numbers (`null` for NaN and infinities, which JSON lacks), bytes
/// a string of lowercase hex digits, lists arrays and maps objects (keys sorted
/// for maps of up to 64 entries).
pub(crate) struct Json<'a>(pub &'a AnyValue);

impl fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_json(f, self.0)
    }
}

fn write_json(f: &mut fmt::Formatter<'_>, value: &AnyValue) -> fmt::Result {
    match value {
        AnyValue::Boolean(b) => f.write_str(if *b { "true" } else { "false" }),
        AnyValue::Int(i) => write!(f, "{i}"),
        AnyValue::Double(d) => write_json_f64(f, *d),
        AnyValue::String(s) => write_json_str(f, s.as_str()),
        AnyValue::Bytes(bytes) => {
            f.write_char('"')?;
            write_hex(f, bytes)?;
            f.write_char('"')
        }
        AnyValue::ListAny(items) => write_json_list(items, f, write_json),
        AnyValue::Map(map) => write_json_map(f, map),
        // A variant added to AnyValue later: its Debug text, as a JSON string.
        other => {
            f.write_char('"')?;
            write!(JsonEscape(f), "{other:?}")?;
            f.write_char('"')
        }
    }
}

fn write_json_map(f: &mut fmt::Formatter<'_>, map: &HashMap<Key, AnyValue>) -> fmt::Result {
    f.write_char('{')?;
    let mut first = true;
    let mut entry = |f: &mut fmt::Formatter<'_>, key: &Key, value: &AnyValue| {
        if !std::mem::take(&mut first) {
            f.write_char(',')?;
        }
        write_json_str(f, key.as_str())?;
        f.write_char(':')?;
        write_json(f, value)
    };
    if map.len() <= SORTED_MAP_MAX {
        let mut sorted: ArrayVec<(&Key, &AnyValue), SORTED_MAP_MAX> = map.iter().collect();
        sorted.sort_unstable_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        for (key, value) in sorted {
            entry(f, key, value)?;
        }
    } else {
        for (key, value) in map.iter() {
            entry(f, key, value)?;
        }
    }
    f.write_char('}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: Vec<AnyValue>) -> AnyValue {
        AnyValue::ListAny(Box::new(items))
    }

    #[test]
    fn shapes_of_every_variant() {
        assert_eq!(
            Shape::of(&AnyValue::Boolean(true), EncodingProfile::Full),
            Shape::Bool
        );
        assert_eq!(
            Shape::of(&AnyValue::Int(1), EncodingProfile::Full),
            Shape::Int
        );
        assert_eq!(
            Shape::of(&AnyValue::Double(1.0), EncodingProfile::Full),
            Shape::Double
        );
        assert_eq!(
            Shape::of(&AnyValue::String("a".into()), EncodingProfile::Full),
            Shape::Str
        );
        assert_eq!(
            Shape::of(&AnyValue::Bytes(Box::new(vec![1])), EncodingProfile::Full),
            Shape::Bytes
        );
        assert_eq!(
            Shape::of(
                &list(vec![AnyValue::Int(1), AnyValue::Int(2)]),
                EncodingProfile::Full
            ),
            Shape::Array(Element::Int)
        );
        assert_eq!(
            Shape::of(
                &list(vec![AnyValue::Int(1), AnyValue::Double(2.0)]),
                EncodingProfile::Full
            ),
            Shape::Json
        );
        assert_eq!(Shape::of(&list(vec![]), EncodingProfile::Full), Shape::Json);
        assert_eq!(
            Shape::of(
                &list(vec![list(vec![AnyValue::Int(1)])]),
                EncodingProfile::Full
            ),
            Shape::Json
        );
        assert_eq!(
            Shape::of(&AnyValue::Map(Box::default()), EncodingProfile::Full),
            Shape::Json
        );
        // The scalar profile: lists are JSON, bytes hex text, the rest as in full.
        let scalars = |v: &AnyValue| Shape::of(v, EncodingProfile::Scalars);
        assert_eq!(scalars(&list(vec![AnyValue::Int(1)])), Shape::Json);
        assert_eq!(scalars(&AnyValue::Bytes(Box::new(vec![1]))), Shape::HexText);
        assert_eq!(scalars(&AnyValue::Int(1)), Shape::Int);
        assert_eq!(scalars(&AnyValue::String("a".into())), Shape::Str);
        assert_eq!(
            Shape::Array(Element::Str).encoding_and_format(),
            (STRING | VARRAY, 0)
        );
    }

    #[test]
    fn json_escapes_strings_sorts_small_maps_and_nulls_non_finite_doubles() {
        let mut inner = HashMap::new();
        inner.insert(Key::from("z"), AnyValue::Double(f64::NAN));
        inner.insert(Key::from("a"), AnyValue::Bytes(Box::new(vec![0xde, 0xad])));
        let mut map = HashMap::new();
        map.insert(Key::from("s"), AnyValue::String("q\"\\\n\u{1}é".into()));
        map.insert(Key::from("m"), AnyValue::Map(Box::new(inner)));
        map.insert(
            Key::from("l"),
            list(vec![
                AnyValue::Int(-1),
                AnyValue::Boolean(false),
                AnyValue::Double(0.5),
            ]),
        );
        let text = Json(&AnyValue::Map(Box::new(map))).to_string();
        assert_eq!(
            text,
            r#"{"l":[-1,false,0.5],"m":{"a":"dead","z":null},"s":"q\"\\\n\u0001é"}"#
        );
    }
}
