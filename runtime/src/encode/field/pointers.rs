//! References and smart pointers: fields as their target is.

use std::rc::Rc;
use std::sync::Arc;

use opentelemetry::logs::AnyValue;

use super::traits::{Field, FieldValue, Scalar, Stored};
use crate::encode::writer::DataWriter;

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
            fn encode_scalar<'a>(&'a self, w: &mut DataWriter<'a>) -> Scalar {
                T::encode_scalar(self, w)
            }
            fn is_present(&self) -> bool {
                T::is_present(self)
            }
        }
        impl<T: FieldValue + ?Sized> FieldValue for $ptr {
            const ENCODING: u8 = T::ENCODING;
            const FORMAT: u8 = T::FORMAT;
            const STORED: Stored = T::STORED;
            #[inline(always)]
            fn store(&self, out: &mut [u8]) {
                T::store(self, out);
            }
            #[inline(always)]
            fn counted(&self) -> &[u8] {
                T::counted(self)
            }
        }
    )*};
}

forward!(&T, &mut T, Box<T>, Rc<T>, Arc<T>);
