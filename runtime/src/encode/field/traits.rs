//! The traits of a field: [`Field`] (the value at run time), [`FieldValue`]
//! (its type's encoding and format, constants), [`ArrayElement`] (element
//! types of sequences), and [`Scalar`], what the scalar profile wrote.

use std::fmt;

use eventheader_types::FieldFormat;
use opentelemetry::logs::AnyValue;

use crate::encode::encoding::STRING;
use crate::encode::json::Text;
use crate::encode::writer::DataWriter;

/// Writes a value into an event and converts it for OpenTelemetry.
pub trait Field {
    /// Appends the value's EventHeader data.
    fn encode<'a>(&'a self, w: &mut DataWriter<'a>);
    /// The value as an OpenTelemetry attribute value.
    fn to_any_value(&self) -> AnyValue;
    /// The OpenTelemetry attribute (or body) the value becomes in the fallback,
    /// `None` to leave it out (an `Option` field that is `None`). Defaults to
    /// [`Field::to_any_value`].
    fn to_attribute(&self) -> Option<AnyValue> {
        Some(self.to_any_value())
    }
    /// Writes the value for [`EncodingProfile::Scalars`] and says how. The
    /// default writes nothing and returns [`Scalar::AsFull`]: right for every
    /// value whose [`Field::encode`] writes a string, an integer up to
    /// `i64::MAX`, a float or a boolean. Override it when `encode` writes an
    /// array, binary, an IP address or an unsigned value that may pass `i64::MAX`.
    ///
    /// [`EncodingProfile::Scalars`]: crate::output::EncodingProfile::Scalars
    fn encode_scalar<'a>(&'a self, w: &mut DataWriter<'a>) -> Scalar {
        let _ = w;
        Scalar::AsFull
    }
    /// False when the value is absent (an `Option` that is `None`): the scalar
    /// profile then leaves the field out. Defaults to true.
    fn is_present(&self) -> bool {
        true
    }
}

/// What [`Field::encode_scalar`] did.
///
/// A field type of your own whose full encoding is not a scalar writes a
/// scalar form in the scalar profile and says which:
///
/// ```
/// use opentelemetry::logs::AnyValue;
/// use otel_user_events_runtime::{field::DataWriter, field::Field, field::FieldValue, field::Scalar};
///
/// /// A point, written as an array of two `i32` (full) or as `"x,y"` text (scalars).
/// struct Point([i32; 2]);
///
/// impl Field for Point {
///     fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
///         self.0.encode(w);
///     }
///     fn to_any_value(&self) -> AnyValue {
///         self.0.to_any_value()
///     }
///     fn encode_scalar<'a>(&'a self, w: &mut DataWriter<'a>) -> Scalar {
///         w.display(format_args!("{},{}", self.0[0], self.0[1]));
///         Scalar::TEXT
///     }
/// }
///
/// impl FieldValue for Point {
///     const ENCODING: u8 = <[i32; 2] as FieldValue>::ENCODING;
///     const FORMAT: u8 = <[i32; 2] as FieldValue>::FORMAT;
/// }
/// // With EncodingProfile::Scalars, ue_log!(info, "Moved", to = Point([3, -4]))
/// // decodes as "to":"3,-4"; with the default, as "to":[3,-4].
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// Nothing: the value's full encoding ([`Field::encode`], with the type's
    /// [`FieldValue`] constants) is already a scalar, write that.
    AsFull,
    /// Wrote the value with this EventHeader encoding and format byte.
    Written {
        /// Encoding byte (no array flag, no chain flag).
        encoding: u8,
        /// Format byte (0 for the encoding's default).
        format: u8,
    },
}

impl Scalar {
    /// Text (`StringLength16Char8`, default format).
    pub const TEXT: Scalar = Scalar::Written {
        encoding: STRING,
        format: 0,
    };
    /// JSON text (`StringLength16Char8`, `StringJson` format).
    pub const JSON: Scalar = Scalar::Written {
        encoding: STRING,
        format: FieldFormat::StringJson.as_int(),
    };
}

/// A type that can be an event field. Its encoding and format are constants, so
/// the metadata of every call site is computed at compile time.
///
/// Implemented for integers, floats, `bool`, `char`, strings, byte slices,
/// slices/arrays/`Vec`s of scalars and strings, `SystemTime`, `Duration` and IP
/// and socket addresses. Or log a value with `%value` (Display) or `?value` (Debug).
///
/// # Your own field type
///
/// This trait, [`Field`] and [`DataWriter`] are the extension point: implement
/// both traits and the type can be a field of `ue_log!` and an argument of
/// `#[otel_event]`. The constants say how decoders read the bytes `encode`
/// writes; reusing a built-in type's constants keeps the two in step:
///
/// ```
/// use opentelemetry::logs::AnyValue;
/// use otel_user_events_runtime::{field::DataWriter, field::Field, field::FieldValue};
///
/// /// An order number, written as the `u64` it wraps.
/// struct OrderId(u64);
///
/// impl Field for OrderId {
///     fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
///         w.value(&self.0.to_ne_bytes());
///     }
///     fn to_any_value(&self) -> AnyValue {
///         self.0.to_any_value() // what the OpenTelemetry fallback records
///     }
/// }
///
/// impl FieldValue for OrderId {
///     const ENCODING: u8 = <u64 as FieldValue>::ENCODING;
///     const FORMAT: u8 = <u64 as FieldValue>::FORMAT;
/// }
///
/// assert_eq!(OrderId(42).to_any_value(), AnyValue::Int(42));
/// // ue_log!(info, "Shipped", order = OrderId(42)); decodes as "order":42
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an event field",
    label = "unsupported field type",
    note = "supported field types: integers, f32, f64, bool, char, &str, String, Cow<str>, &[u8]/Vec<u8> (hex bytes), slices/arrays/Vec of scalars or strings, Option of a scalar or string, SystemTime, Duration, IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, and references, Box, Rc or Arc of these",
    note = "write `%value` to log it with Display, or `?value` with Debug"
)]
pub trait FieldValue: Field {
    /// EventHeader encoding byte (array flags included, chain flag excluded).
    const ENCODING: u8;
    /// EventHeader format byte (0 = the encoding's default).
    const FORMAT: u8;
    /// How a call site's generated writer stores the value. Hidden: the
    /// built-in types choose; a type of your own keeps the default and is
    /// written through [`Field::encode`].
    #[doc(hidden)]
    const STORED: Stored = Stored::Encoded;
    /// Writes the value of a [`Stored::Fixed`]`(n)` type into `out`, `n`
    /// bytes long (as [`Field::encode`] would). Hidden, see
    /// [`FieldValue::STORED`].
    #[doc(hidden)]
    #[inline(always)]
    fn store(&self, out: &mut [u8]) {
        let _ = out;
    }
    /// The bytes of a [`Stored::Counted`] value (what [`Field::encode`]
    /// writes after the 16-bit count). Hidden, see [`FieldValue::STORED`].
    #[doc(hidden)]
    #[inline(always)]
    fn counted(&self) -> &[u8] {
        &[]
    }
}

/// How a call site's generated writer stores a value (see
/// `encode::direct`): not part of the API.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// Only [`Field::encode`] can write it (the general writer).
    Encoded,
    /// Always this many bytes, written by [`FieldValue::store`].
    Fixed(usize),
    /// A 16-bit byte count, then the bytes [`FieldValue::counted`] returns
    /// (borrowed, not copied).
    Counted,
}

/// Element types of arrays, `Vec`s and slices. Scalars become EventHeader arrays,
/// strings arrays of strings, and `u8` a hex byte blob.
pub trait ArrayElement: Sized {
    /// Encoding of a sequence of this type.
    const ARRAY_ENCODING: u8;
    /// Format of a sequence of this type.
    const ARRAY_FORMAT: u8;
    /// Appends the sequence.
    fn encode_slice<'a>(slice: &'a [Self], w: &mut DataWriter<'a>);
    /// The sequence as an OpenTelemetry value.
    fn slice_to_any(slice: &[Self]) -> AnyValue;
    /// Writes the sequence as a JSON array (the scalar profile's arrays).
    fn write_json(slice: &[Self], f: &mut fmt::Formatter<'_>) -> fmt::Result;
    /// Writes the sequence in the scalar profile. The default is JSON text
    /// ([`ArrayElement::write_json`]), cut like other long text when it does
    /// not fit (the event is then counted as truncated).
    fn encode_slice_scalar<'a>(slice: &'a [Self], w: &mut DataWriter<'a>) -> Scalar {
        w.display(format_args!("{}", Text(|f| Self::write_json(slice, f))));
        Scalar::JSON
    }
}

/// An unsigned value in the scalar profile: above `i64::MAX` as decimal text
/// (collectors that read integers as `i64` would clamp it), else as it is.
pub(super) fn unsigned_scalar(v: u64, w: &mut DataWriter<'_>) -> Scalar {
    if v > i64::MAX as u64 {
        w.display(format_args!("{v}"));
        Scalar::TEXT
    } else {
        Scalar::AsFull
    }
}
