//! The generated writer: an event whose shape a call site fixes at compile
//! time, stored at known places instead of gathered value by value.
//!
//! A `ue_log!` or `#[otel_event]` call site knows its fields' types, so it
//! knows how each value is stored ([`Stored`]): a fixed number of bytes, or a
//! 16-bit count and borrowed bytes. It hands its values to the runtime as one
//! tuple of references, whose [`Values`] implementation (one per tuple of
//! types, shared by every call site with the same types) says at compile time
//! how many bytes they copy and how many slices they borrow. The event is then
//! laid out in a [`Frame`] sized once for every such tuple: no value checks
//! for room, and the only run-time check of size is the event's total against
//! its limit, made once. A call site with a value only [`Field::encode`] can
//! write (a type of your own, `%value`, a sequence) or more than [`MAX_VALUES`]
//! fields goes through the general writer ([`super::writer`]), as does an
//! event the limit would shorten, which only the general writer does.
//!
//! - here: [`Values`], implemented for tuples of [`FieldValue`] references;
//! - `frame`: [`Frame`] and [`FrameWriter`], the storage and its unsafe core.
//!
//! [`Field::encode`]: crate::encode::field::Field::encode

mod frame;

pub use frame::FrameWriter;
pub use frame::MAX_VALUES;
#[cfg(test)]
pub(crate) use frame::payload_of;
pub(crate) use frame::{CopiedMetaWriter, Frame, Head, VALUE_BYTES};

use crate::encode::field::{Field, FieldValue, Stored};

/// The values of a call site's event (its fields, or its body), a tuple of
/// references, as the generated writer stores them.
#[doc(hidden)]
pub trait Values {
    /// Whether every value is stored without [`Field::encode`](crate::encode::field::Field::encode)
    /// and all fit the frame: [`Values::COPIED`] at most [`VALUE_BYTES`].
    const DIRECT: bool;
    /// The bytes the values copy: fixed-size values and the 16-bit counts of
    /// the counted ones.
    const COPIED: usize;
    /// Stores the values, in order, into `w`.
    fn store<'a>(&'a self, w: &mut FrameWriter<'a>);
    /// Calls `f` with the values as the general writer takes them.
    fn with_fields<R>(&self, f: impl FnOnce(&[&dyn Field]) -> R) -> R;
}

/// A call site's body: `()` or a tuple of one value.
#[doc(hidden)]
pub trait Body: Values {
    /// The body as the general writer takes it: the value, its encoding and
    /// format.
    fn as_body(&self) -> Option<(&dyn Field, [u8; 2])>;
}

impl Body for () {
    #[inline(always)]
    fn as_body(&self) -> Option<(&dyn Field, [u8; 2])> {
        None
    }
}

impl<T: FieldValue> Body for (&T,) {
    #[inline(always)]
    fn as_body(&self) -> Option<(&dyn Field, [u8; 2])> {
        Some((self.0 as &dyn Field, [T::ENCODING, T::FORMAT]))
    }
}

/// The bytes a value of `stored` copies into the frame; `usize::MAX` when it
/// cannot be stored directly.
const fn copied(stored: Stored) -> usize {
    match stored {
        Stored::Encoded => usize::MAX,
        Stored::Fixed(n) => n,
        Stored::Counted => 2,
    }
}

/// Stores one value of a direct tuple into `w`.
#[inline(always)]
fn store_one<'a, T: FieldValue + ?Sized>(value: &'a T, w: &mut FrameWriter<'a>) {
    match T::STORED {
        Stored::Fixed(n) => value.store(w.fixed(n)),
        Stored::Counted => w.counted(value.counted()),
        // Never reached: a tuple with such a value is not `DIRECT`.
        Stored::Encoded => {}
    }
}

macro_rules! tuples {
    ($( ($($t:ident $v:ident),*) )*) => {$(
        impl<'r, $($t: FieldValue),*> Values for ($(&'r $t,)*) {
            const COPIED: usize = 0usize $(.saturating_add(copied($t::STORED)))*;
            const DIRECT: bool = Self::COPIED <= VALUE_BYTES;
            #[inline(always)]
            fn store<'a>(&'a self, w: &mut FrameWriter<'a>) {
                let ($($v,)*) = self;
                $(store_one::<$t>($v, w);)*
            }
            #[inline(always)]
            fn with_fields<R>(&self, f: impl FnOnce(&[&dyn Field]) -> R) -> R {
                let ($($v,)*) = self;
                f(&[$(*$v as &dyn Field),*])
            }
        }
    )*};
}

impl Values for () {
    const COPIED: usize = 0;
    const DIRECT: bool = true;
    #[inline(always)]
    fn store<'a>(&'a self, _: &mut FrameWriter<'a>) {}
    #[inline(always)]
    fn with_fields<R>(&self, f: impl FnOnce(&[&dyn Field]) -> R) -> R {
        f(&[])
    }
}

tuples! {
    (A a)
    (A a, B b)
    (A a, B b, C c)
    (A a, B b, C c, D d)
    (A a, B b, C c, D d, E e)
    (A a, B b, C c, D d, E e, F f)
    (A a, B b, C c, D d, E e, F f, G g)
    (A a, B b, C c, D d, E e, F f, G g, H h)
    (A a, B b, C c, D d, E e, F f, G g, H h, I i)
    (A a, B b, C c, D d, E e, F f, G g, H h, I i, J j)
    (A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k)
    (A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l)
}
