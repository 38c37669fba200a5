//! Values written as strings: string types, `char`, 128-bit integers (EventHeader
//! has no integer that wide: decimal text keeps every digit), socket addresses,
//! and `%value` / `?value` fields, formatted only when the event is written.

use std::borrow::Cow;
use std::net::SocketAddr;

use opentelemetry::logs::AnyValue;

use super::numbers::int_to_any;
use super::traits::{Field, FieldValue, Stored};
use crate::encode::encoding::STRING;
use crate::encode::writer::DataWriter;

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
    const STORED: Stored = Stored::Counted;
    #[inline(always)]
    fn counted(&self) -> &[u8] {
        self.as_bytes()
    }
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
            const STORED: Stored = Stored::Counted;
            #[inline(always)]
            fn counted(&self) -> &[u8] {
                self.as_bytes()
            }
        }
    )*};
}

string_fields!(String, Cow<'_, str>);

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
