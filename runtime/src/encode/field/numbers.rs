//! Numbers: integers up to 64 bits, floats and `bool`, one value or a sequence;
//! `u8` alone is a number and a sequence of `u8` a hex byte blob.

use std::fmt;

use eventheader_types::FieldFormat;
use opentelemetry::logs::AnyValue;

use super::traits::{ArrayElement, Field, FieldValue, Scalar, Stored, unsigned_scalar};
use crate::encode::encoding::{BINARY, VALUE8, VALUE16, VALUE32, VALUE64, VARRAY};
use crate::encode::json::{Hex, write_json_f64, write_json_list};
use crate::encode::writer::DataWriter;

const fn value_encoding(size: usize) -> u8 {
    match size {
        1 => VALUE8,
        2 => VALUE16,
        4 => VALUE32,
        _ => VALUE64,
    }
}

/// The bytes of a slice of plain numbers.
fn raw_bytes<T: Copy>(slice: &[T]) -> &[u8] {
    // SAFETY: only instantiated for integer, float and bool slices, which have no
    // padding and whose every byte is initialised.
    unsafe { std::slice::from_raw_parts(slice.as_ptr().cast::<u8>(), std::mem::size_of_val(slice)) }
}

pub(super) fn int_to_any<T: TryInto<i64> + ToString + Copy>(v: T) -> AnyValue {
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
    ($($ty:ty => $format:ident, $any:expr, $scalar:expr, $json:expr;)*) => {$(
        impl Field for $ty {
            #[inline]
            fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
                w.value(&self.to_ne_bytes());
            }
            fn to_any_value(&self) -> AnyValue {
                ($any)(*self)
            }
            fn encode_scalar<'a>(&'a self, w: &mut DataWriter<'a>) -> Scalar {
                ($scalar)(*self, w)
            }
        }
        impl FieldValue for $ty {
            const ENCODING: u8 = value_encoding(std::mem::size_of::<$ty>());
            const FORMAT: u8 = FieldFormat::$format.as_int();
            const STORED: Stored = Stored::Fixed(std::mem::size_of::<$ty>());
            #[inline(always)]
            fn store(&self, out: &mut [u8]) {
                out.copy_from_slice(&self.to_ne_bytes());
            }
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
            fn write_json(slice: &[Self], f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_json_list(slice, f, |f, v| ($json)(f, *v))
            }
        }
    )*};
}

/// The scalar profile of a number whose full encoding is already a scalar.
fn as_full<T>(_: T, _: &mut DataWriter<'_>) -> Scalar {
    Scalar::AsFull
}

fn f32_scalar(v: f32, w: &mut DataWriter<'_>) -> Scalar {
    w.value(&f32_to_f64(v).to_ne_bytes());
    Scalar::Written {
        encoding: VALUE64,
        format: FieldFormat::Float.as_int(),
    }
}

fn json_int<T: fmt::Display>(f: &mut fmt::Formatter<'_>, v: T) -> fmt::Result {
    write!(f, "{v}")
}

numbers! {
    i8 => SignedInt, int_to_any, as_full, json_int;
    i16 => SignedInt, int_to_any, as_full, json_int;
    i32 => SignedInt, int_to_any, as_full, json_int;
    i64 => SignedInt, int_to_any, as_full, json_int;
    isize => SignedInt, |v: isize| AnyValue::Int(v as i64), as_full, json_int;
    u16 => UnsignedInt, int_to_any, as_full, json_int;
    u32 => UnsignedInt, int_to_any, as_full, json_int;
    u64 => UnsignedInt, int_to_any, unsigned_scalar, json_int;
    usize => UnsignedInt, |v: usize| int_to_any(v as u64),
        |v: usize, w: &mut DataWriter<'_>| unsigned_scalar(v as u64, w), json_int;
    // In the scalar profile an f32 is the f64 of its own shortest digits, as in
    // JSON: collectors that read floats as f64 would show `0.1f32` as
    // `0.10000000149011612`, and the f64 reads back as the same f32.
    f32 => Float, |v: f32| AnyValue::Double(f32_to_f64(v)), f32_scalar,
        |f: &mut fmt::Formatter<'_>, v: f32| write_json_f64(f, f32_to_f64(v));
    f64 => Float, AnyValue::Double, as_full, write_json_f64;
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
    const STORED: Stored = Stored::Fixed(1);
    #[inline(always)]
    fn store(&self, out: &mut [u8]) {
        out.copy_from_slice(&[*self]);
    }
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
    /// Bytes as a JSON array of numbers; unused by the scalar profile, where a
    /// blob is hex text (`encode_slice_scalar`).
    fn write_json(slice: &[Self], f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_json_list(slice, f, |f, v| json_int(f, v))
    }
    fn encode_slice_scalar<'a>(slice: &'a [Self], w: &mut DataWriter<'a>) -> Scalar {
        w.display(format_args!("{}", Hex(slice)));
        Scalar::TEXT
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
    const STORED: Stored = Stored::Fixed(1);
    #[inline(always)]
    fn store(&self, out: &mut [u8]) {
        out.copy_from_slice(&[*self as u8]);
    }
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
    fn write_json(slice: &[Self], f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_json_list(slice, f, |f, v| json_int(f, v))
    }
}
