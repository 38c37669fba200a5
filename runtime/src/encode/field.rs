//! Field values: how each supported Rust type is encoded in EventHeader and
//! converted to an OpenTelemetry `AnyValue` for the fallback path.
//!
//! [`FieldValue`] carries the compile-time part (encoding and format bytes, used
//! by the macros to build each call site's metadata as a constant); [`Field`] the
//! run-time part (writing the value, converting it), kept object-safe so an event's
//! fields can be passed as one `&[&dyn Field]`.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use eventheader_types::FieldFormat;
use opentelemetry::logs::AnyValue;

use super::encoding::{BINARY, STRING, VALUE8, VALUE16, VALUE32, VALUE64, VARRAY};
use super::time::Rfc3339;
use super::writer::DataWriter;

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
/// use otel_user_events_runtime::{DataWriter, Field, FieldValue};
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
}

const fn value_encoding(size: usize) -> u8 {
    match size {
        1 => VALUE8,
        2 => VALUE16,
        4 => VALUE32,
        _ => VALUE64,
    }
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
}

/// The bytes of a slice of plain numbers.
fn raw_bytes<T: Copy>(slice: &[T]) -> &[u8] {
    // SAFETY: only instantiated for integer, float and bool slices, which have no
    // padding and whose every byte is initialised.
    unsafe { std::slice::from_raw_parts(slice.as_ptr().cast::<u8>(), std::mem::size_of_val(slice)) }
}

fn int_to_any<T: TryInto<i64> + ToString + Copy>(v: T) -> AnyValue {
    match v.try_into() {
        Ok(i) => AnyValue::Int(i),
        // Beyond i64 (large u64/u128): keep every digit.
        Err(_) => AnyValue::String(v.to_string().into()),
    }
}

/// The `f64` a person reads from an `f32`: `0.1f32` becomes `0.1`, not
/// `0.10000000149011612` (the nearest `f64` to the shortest decimal that reads
/// back as the same `f32`, which is what EventHeader decoders print).
fn f32_to_f64(v: f32) -> f64 {
    use std::fmt::Write as _;
    let mut text = arrayvec::ArrayString::<64>::new();
    match write!(text, "{v}") {
        Ok(()) => text.parse().unwrap_or(v as f64),
        Err(_) => v as f64,
    }
}

macro_rules! numbers {
    ($($ty:ty => $format:ident, $any:expr;)*) => {$(
        impl Field for $ty {
            #[inline]
            fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
                w.value(&self.to_ne_bytes());
            }
            fn to_any_value(&self) -> AnyValue {
                ($any)(*self)
            }
        }
        impl FieldValue for $ty {
            const ENCODING: u8 = value_encoding(std::mem::size_of::<$ty>());
            const FORMAT: u8 = FieldFormat::$format.as_int();
        }
        impl ArrayElement for $ty {
            const ARRAY_ENCODING: u8 = value_encoding(std::mem::size_of::<$ty>()) | VARRAY;
            const ARRAY_FORMAT: u8 = FieldFormat::$format.as_int();
            fn encode_slice<'a>(slice: &'a [Self], w: &mut DataWriter<'a>) {
                w.array(raw_bytes(slice), std::mem::size_of::<$ty>());
            }
            fn slice_to_any(slice: &[Self]) -> AnyValue {
                AnyValue::ListAny(Box::new(slice.iter().map(|v| ($any)(*v)).collect()))
            }
        }
    )*};
}

numbers! {
    i8 => SignedInt, int_to_any;
    i16 => SignedInt, int_to_any;
    i32 => SignedInt, int_to_any;
    i64 => SignedInt, int_to_any;
    isize => SignedInt, |v: isize| AnyValue::Int(v as i64);
    u16 => UnsignedInt, int_to_any;
    u32 => UnsignedInt, int_to_any;
    u64 => UnsignedInt, int_to_any;
    usize => UnsignedInt, |v: usize| int_to_any(v as u64);
    f32 => Float, |v: f32| AnyValue::Double(f32_to_f64(v));
    f64 => Float, AnyValue::Double;
}

// u8 alone is a number; a sequence of u8 is a byte blob.
impl Field for u8 {
    #[inline]
    fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
        w.value(&[*self]);
    }
    fn to_any_value(&self) -> AnyValue {
        AnyValue::Int(*self as i64)
    }
}
impl FieldValue for u8 {
    const ENCODING: u8 = VALUE8;
    const FORMAT: u8 = FieldFormat::UnsignedInt.as_int();
}
impl ArrayElement for u8 {
    const ARRAY_ENCODING: u8 = BINARY;
    const ARRAY_FORMAT: u8 = FieldFormat::HexBytes.as_int();
    fn encode_slice<'a>(slice: &'a [Self], w: &mut DataWriter<'a>) {
        w.bytes(slice);
    }
    fn slice_to_any(slice: &[Self]) -> AnyValue {
        AnyValue::Bytes(Box::new(slice.to_vec()))
    }
}

impl Field for bool {
    #[inline]
    fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
        w.value(&[*self as u8]);
    }
    fn to_any_value(&self) -> AnyValue {
        AnyValue::Boolean(*self)
    }
}
impl FieldValue for bool {
    const ENCODING: u8 = VALUE8;
    const FORMAT: u8 = FieldFormat::Boolean.as_int();
}
impl ArrayElement for bool {
    const ARRAY_ENCODING: u8 = VALUE8 | VARRAY;
    const ARRAY_FORMAT: u8 = FieldFormat::Boolean.as_int();
    fn encode_slice<'a>(slice: &'a [Self], w: &mut DataWriter<'a>) {
        w.array(raw_bytes(slice), 1);
    }
    fn slice_to_any(slice: &[Self]) -> AnyValue {
        AnyValue::ListAny(Box::new(
            slice.iter().map(|&b| AnyValue::Boolean(b)).collect(),
        ))
    }
}

/// Types written as a string by formatting them (Display).
macro_rules! displayed {
    ($($ty:ty => $any:expr;)*) => {$(
        impl Field for $ty {
            fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
                w.display(format_args!("{}", self));
            }
            fn to_any_value(&self) -> AnyValue {
                ($any)(self)
            }
        }
        impl FieldValue for $ty {
            const ENCODING: u8 = STRING;
            const FORMAT: u8 = 0;
        }
    )*};
}

displayed! {
    // Beyond 64 bits EventHeader has no integer encoding: decimal text keeps every digit.
    i128 => |v: &i128| int_to_any(*v);
    u128 => |v: &u128| int_to_any(*v);
    char => |v: &char| AnyValue::String(v.to_string().into());
    SocketAddr => |v: &SocketAddr| AnyValue::String(v.to_string().into());
}

impl Field for str {
    #[inline]
    fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
        w.str(self);
    }
    fn to_any_value(&self) -> AnyValue {
        AnyValue::String(self.to_owned().into())
    }
}
impl FieldValue for str {
    const ENCODING: u8 = STRING;
    const FORMAT: u8 = 0;
}

/// Owned string types are fields (`&str` is one through the `&T` forwarding below).
macro_rules! string_fields {
    ($($ty:ty),*) => {$(
        impl Field for $ty {
            #[inline]
            fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
                w.str(self);
            }
            fn to_any_value(&self) -> AnyValue {
                AnyValue::String(str::to_owned(self).into())
            }
        }
        impl FieldValue for $ty {
            const ENCODING: u8 = STRING;
            const FORMAT: u8 = 0;
        }
    )*};
}

string_fields!(String, Cow<'_, str>);

/// Every string type is an element of string arrays.
macro_rules! string_elements {
    ($($ty:ty),*) => {$(
        impl ArrayElement for $ty {
            const ARRAY_ENCODING: u8 = STRING | VARRAY;
            const ARRAY_FORMAT: u8 = 0;
            fn encode_slice<'a>(slice: &'a [Self], w: &mut DataWriter<'a>) {
                w.str_array(slice.iter().map(|s| -> &'a str { s.as_ref() }));
            }
            fn slice_to_any(slice: &[Self]) -> AnyValue {
                AnyValue::ListAny(Box::new(
                    slice.iter().map(|s| AnyValue::String(str::to_owned(s).into())).collect(),
                ))
            }
        }
    )*};
}

string_elements!(String, Cow<'_, str>, &str);

impl<T: ArrayElement> Field for [T] {
    #[inline]
    fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
        T::encode_slice(self, w);
    }
    fn to_any_value(&self) -> AnyValue {
        T::slice_to_any(self)
    }
}
impl<T: ArrayElement> FieldValue for [T] {
    const ENCODING: u8 = T::ARRAY_ENCODING;
    const FORMAT: u8 = T::ARRAY_FORMAT;
}

impl<T: ArrayElement, const N: usize> Field for [T; N] {
    #[inline]
    fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
        T::encode_slice(self, w);
    }
    fn to_any_value(&self) -> AnyValue {
        T::slice_to_any(self)
    }
}
impl<T: ArrayElement, const N: usize> FieldValue for [T; N] {
    const ENCODING: u8 = T::ARRAY_ENCODING;
    const FORMAT: u8 = T::ARRAY_FORMAT;
}

impl<T: ArrayElement> Field for Vec<T> {
    #[inline]
    fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
        T::encode_slice(self, w);
    }
    fn to_any_value(&self) -> AnyValue {
        T::slice_to_any(self)
    }
}
impl<T: ArrayElement> FieldValue for Vec<T> {
    const ENCODING: u8 = T::ARRAY_ENCODING;
    const FORMAT: u8 = T::ARRAY_FORMAT;
}

/// An optional scalar or string is an EventHeader array of 0 or 1 elements, so
/// the metadata stays the call site's constant and a `None` shifts nothing:
/// decoders show `[]` or `[42]`. In the OpenTelemetry fallback `Some(x)` is
/// `x`'s value and `None` leaves the attribute out.
impl<T: ArrayElement> Field for Option<T> {
    #[inline]
    fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
        T::encode_slice(self.as_slice(), w);
    }
    fn to_any_value(&self) -> AnyValue {
        T::slice_to_any(self.as_slice())
    }
    fn to_attribute(&self) -> Option<AnyValue> {
        self.as_ref()
            .map(|v| match T::slice_to_any(std::slice::from_ref(v)) {
                AnyValue::ListAny(mut list) if list.len() == 1 => list.remove(0),
                other => other,
            })
    }
}
impl<T: ArrayElement> FieldValue for Option<T> {
    const ENCODING: u8 = T::ARRAY_ENCODING;
    const FORMAT: u8 = T::ARRAY_FORMAT;
}

impl Field for SystemTime {
    fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
        w.display(format_args!("{}", Rfc3339::new(*self).as_str()));
    }
    fn to_any_value(&self) -> AnyValue {
        AnyValue::String(Rfc3339::new(*self).as_str().to_owned().into())
    }
}
impl FieldValue for SystemTime {
    const ENCODING: u8 = STRING;
    const FORMAT: u8 = 0;
}

/// Durations are written as whole nanoseconds (saturating at `u64::MAX`).
impl Field for Duration {
    fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
        let nanos = u64::try_from(self.as_nanos()).unwrap_or(u64::MAX);
        w.value(&nanos.to_ne_bytes());
    }
    fn to_any_value(&self) -> AnyValue {
        AnyValue::Int(i64::try_from(self.as_nanos()).unwrap_or(i64::MAX))
    }
}
impl FieldValue for Duration {
    const ENCODING: u8 = VALUE64;
    const FORMAT: u8 = FieldFormat::UnsignedInt.as_int();
}

/// IP addresses are their octets with the IP address format, which decoders show
/// as `192.0.2.1` or `2001:db8::1`.
macro_rules! ip_addresses {
    ($($ty:ty),*) => {$(
        impl Field for $ty {
            fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
                match IpAddr::from(*self) {
                    IpAddr::V4(v4) => w.bytes_copied(&v4.octets()),
                    IpAddr::V6(v6) => w.bytes_copied(&v6.octets()),
                }
            }
            fn to_any_value(&self) -> AnyValue {
                AnyValue::String(self.to_string().into())
            }
        }
        impl FieldValue for $ty {
            const ENCODING: u8 = BINARY;
            const FORMAT: u8 = FieldFormat::IPAddress.as_int();
        }
    )*};
}

ip_addresses!(IpAddr, Ipv4Addr, Ipv6Addr);

/// References and smart pointers are their target.
macro_rules! forward {
    ($($ptr:ty),*) => {$(
        impl<T: Field + ?Sized> Field for $ptr {
            #[inline]
            fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
                T::encode(self, w);
            }
            fn to_any_value(&self) -> AnyValue {
                T::to_any_value(self)
            }
            fn to_attribute(&self) -> Option<AnyValue> {
                T::to_attribute(self)
            }
        }
        impl<T: FieldValue + ?Sized> FieldValue for $ptr {
            const ENCODING: u8 = T::ENCODING;
            const FORMAT: u8 = T::FORMAT;
        }
    )*};
}

forward!(&T, &mut T, Box<T>, Rc<T>, Arc<T>);

/// A `%value` field: written with `Display`, only when the event is written.
pub struct DisplayField<'v, T: ?Sized>(pub &'v T);

impl<T: std::fmt::Display + ?Sized> Field for DisplayField<'_, T> {
    fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
        w.display(format_args!("{}", self.0));
    }
    fn to_any_value(&self) -> AnyValue {
        AnyValue::String(self.0.to_string().into())
    }
}
impl<T: std::fmt::Display + ?Sized> FieldValue for DisplayField<'_, T> {
    const ENCODING: u8 = STRING;
    const FORMAT: u8 = 0;
}

/// A `?value` field: written with `Debug`, only when the event is written.
pub struct DebugField<'v, T: ?Sized>(pub &'v T);

impl<T: std::fmt::Debug + ?Sized> Field for DebugField<'_, T> {
    fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
        w.display(format_args!("{:?}", self.0));
    }
    fn to_any_value(&self) -> AnyValue {
        AnyValue::String(format!("{:?}", self.0).into())
    }
}
impl<T: std::fmt::Debug + ?Sized> FieldValue for DebugField<'_, T> {
    const ENCODING: u8 = STRING;
    const FORMAT: u8 = 0;
}
