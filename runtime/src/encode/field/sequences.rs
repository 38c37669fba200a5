//! Sequences: slices, arrays and `Vec`s of [`ArrayElement`]s (EventHeader
//! arrays, or JSON text in the scalar profile), string types as elements, and
//! `Option`s as sequences of 0 or 1.

use std::borrow::Cow;
use std::fmt;

use opentelemetry::logs::AnyValue;

use super::traits::{ArrayElement, Field, FieldValue, Scalar};
use crate::encode::encoding::{STRING, VARRAY};
use crate::encode::json::{write_json_list, write_json_str};
use crate::encode::writer::DataWriter;

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
            fn write_json(slice: &[Self], f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_json_list(slice, f, |f, s| write_json_str(f, s.as_ref()))
            }
        }
    )*};
}

string_elements!(String, Cow<'_, str>, &str);

/// Slices, arrays and `Vec`s: EventHeader arrays of their elements.
macro_rules! sequences {
    ($([$($generics:tt)*] $ty:ty),*) => {$(
        impl<T: ArrayElement $($generics)*> Field for $ty {
            #[inline]
            fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
                T::encode_slice(self, w);
            }
            fn to_any_value(&self) -> AnyValue {
                T::slice_to_any(self)
            }
            fn encode_scalar<'a>(&'a self, w: &mut DataWriter<'a>) -> Scalar {
                T::encode_slice_scalar(self, w)
            }
        }
        impl<T: ArrayElement $($generics)*> FieldValue for $ty {
            const ENCODING: u8 = T::ARRAY_ENCODING;
            const FORMAT: u8 = T::ARRAY_FORMAT;
        }
    )*};
}

sequences!([] [T], [, const N: usize] [T; N], [] Vec<T>);

/// An optional scalar or string is an EventHeader array of 0 or 1 elements, so
/// the metadata stays the call site's constant and a `None` shifts nothing:
/// decoders show `[]` or `[42]`. In the OpenTelemetry fallback `Some(x)` is
/// `x`'s value and `None` leaves the attribute out.
impl<T: ArrayElement + FieldValue> Field for Option<T> {
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
    fn encode_scalar<'a>(&'a self, w: &mut DataWriter<'a>) -> Scalar {
        match self {
            Some(v) => own_scalar(v, w),
            // Not called for an absent value (`is_present`); an empty string if it is.
            None => {
                w.str("");
                Scalar::TEXT
            }
        }
    }
    fn is_present(&self) -> bool {
        self.is_some()
    }
}
impl<T: ArrayElement + FieldValue> FieldValue for Option<T> {
    const ENCODING: u8 = T::ARRAY_ENCODING;
    const FORMAT: u8 = T::ARRAY_FORMAT;
}

/// `value` written in the scalar profile as a field of its own type (an
/// `Option`'s `Some`): its scalar form, or else its full encoding.
fn own_scalar<'a, T: FieldValue>(value: &'a T, w: &mut DataWriter<'a>) -> Scalar {
    match value.encode_scalar(w) {
        Scalar::AsFull => {
            value.encode(w);
            Scalar::Written {
                encoding: T::ENCODING,
                format: T::FORMAT,
            }
        }
        written => written,
    }
}
