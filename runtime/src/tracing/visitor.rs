//! `tracing` values into an event: a [`Visit`] that writes each value with its
//! natural EventHeader type into the data, remembering each field's kind so
//! PartC's metadata can follow (the call site's cached layout, or built field
//! by field), and keeping the `message` (up to 256 bytes) for PartB's body;
//! and one that writes a longer message on a second visit.
//!
//! `Visit` lends a string only for the call, so strings are copied into the
//! event's scratch (names are `&'static` and never copied: they come from the
//! call site's cached layout).

use std::error::Error;
use std::fmt;

use arrayvec::{ArrayString, ArrayVec};
use tracing_core::field::{Field, Visit};

use crate::encode::json::Hex;
use crate::encode::writer::{DataWriter, EventWriter};
use crate::field::FieldValue;

/// A message up to this long is kept on the first visit, so PartB's body is
/// written without visiting the values again.
pub(super) const MESSAGE_INLINE: usize = 256;

/// Where the first visit keeps the message.
pub(super) type MessageText = ArrayString<MESSAGE_INLINE>;

/// A call site has at most 32 fields (`tracing`'s limit for a value set).
pub(super) const MAX_FIELDS: usize = 32;

/// How a value was written: its EventHeader encoding and format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Kind {
    I64,
    U64,
    F64,
    Bool,
    /// Strings, `Debug` text, errors with their sources, 128-bit integers as
    /// decimal text.
    Str,
    /// Bytes, as hex.
    Bytes,
}

impl Kind {
    /// `(encoding, format)` of the field's metadata: those `ue_log!` writes for
    /// the same Rust type.
    #[inline(always)]
    pub(super) fn encoding(self) -> (u8, u8) {
        match self {
            Kind::I64 => (<i64 as FieldValue>::ENCODING, <i64 as FieldValue>::FORMAT),
            Kind::U64 => (<u64 as FieldValue>::ENCODING, <u64 as FieldValue>::FORMAT),
            Kind::F64 => (<f64 as FieldValue>::ENCODING, <f64 as FieldValue>::FORMAT),
            Kind::Bool => (<bool as FieldValue>::ENCODING, <bool as FieldValue>::FORMAT),
            Kind::Str => (<str as FieldValue>::ENCODING, <str as FieldValue>::FORMAT),
            Kind::Bytes => (<[u8] as FieldValue>::ENCODING, <[u8] as FieldValue>::FORMAT),
        }
    }
}

/// The fields written so far: `(index in the call site's field set, kind)`, in
/// order. Two bytes a field: names are looked up only to build metadata.
pub(super) type Written = ArrayVec<(u8, Kind), MAX_FIELDS>;

/// Writes an event's fields (all but the message) into its data.
pub(super) struct PartCVisitor<'a, 'w> {
    pub(super) data: &'a mut DataWriter<'w>,
    /// The call site's `message` field, left for PartB.
    pub(super) message: Option<usize>,
    pub(super) written: Written,
    /// Whether the message was seen.
    pub(super) has_message: bool,
    /// The message's text, when it fit here (`message_inline`); else PartB
    /// visits the values again for it ([`MessageVisitor`]).
    pub(super) message_text: &'a mut MessageText,
    pub(super) message_inline: bool,
    /// Fields beyond [`MAX_FIELDS`] (none from `tracing`'s macros).
    pub(super) dropped: u64,
    /// The scalar profile: bytes and unsigned values above `i64::MAX` as text.
    scalars: bool,
}

impl<'a, 'w> PartCVisitor<'a, 'w> {
    /// Writes into `w`'s data, keeps the message in `message_text`.
    pub(super) fn new(
        w: &'a mut EventWriter<'w>,
        message: Option<usize>,
        message_text: &'a mut MessageText,
        scalars: bool,
    ) -> Self {
        PartCVisitor {
            data: &mut w.data,
            message,
            written: Written::new(),
            has_message: false,
            message_text,
            message_inline: false,
            dropped: 0,
            scalars,
        }
    }

    /// Whether `field` goes to PartC (not the message, room left); counts it
    /// otherwise. A message of a type other than string, `Debug` or error is
    /// left for the second visit.
    #[inline(always)]
    fn take(&mut self, field: &Field) -> bool {
        if self.is_message(field) {
            self.has_message = true;
            return false;
        }
        if self.written.is_full() {
            self.dropped += 1;
            self.data.mark_truncated();
            return false;
        }
        true
    }

    /// Whether `field` is the call site's message, seen for the first time.
    #[inline(always)]
    fn is_message(&self, field: &Field) -> bool {
        Some(field.index()) == self.message && !self.has_message
    }

    /// Keeps the message's text, if it fits.
    #[inline(always)]
    fn keep_message(&mut self, text: fmt::Arguments<'_>) {
        use fmt::Write as _;
        self.has_message = true;
        self.message_inline = match text.as_str() {
            Some(literal) => self.message_text.try_push_str(literal).is_ok(),
            None => self.message_text.write_fmt(text).is_ok(),
        };
    }

    #[inline(always)]
    fn wrote(&mut self, field: &Field, kind: Kind) {
        // `take` checked the room.
        let _ = self.written.try_push((field.index() as u8, kind));
    }
}

impl Visit for PartCVisitor<'_, '_> {
    fn record_i64(&mut self, field: &Field, value: i64) {
        if self.take(field) {
            self.data.value(&value.to_ne_bytes());
            self.wrote(field, Kind::I64);
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if self.take(field) {
            if self.scalars && value > i64::MAX as u64 {
                self.data.display(format_args!("{value}"));
                self.wrote(field, Kind::Str);
            } else {
                self.data.value(&value.to_ne_bytes());
                self.wrote(field, Kind::U64);
            }
        }
    }

    /// Beyond 64 bits EventHeader has no integer: decimal text, as `ue_log!`.
    fn record_i128(&mut self, field: &Field, value: i128) {
        if self.take(field) {
            self.data.display(format_args!("{value}"));
            self.wrote(field, Kind::Str);
        }
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        if self.take(field) {
            self.data.display(format_args!("{value}"));
            self.wrote(field, Kind::Str);
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if self.take(field) {
            self.data.value(&value.to_ne_bytes());
            self.wrote(field, Kind::F64);
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if self.take(field) {
            self.data.value(&[value as u8]);
            self.wrote(field, Kind::Bool);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if self.is_message(field) {
            self.has_message = true;
            self.message_inline = self.message_text.try_push_str(value).is_ok();
        } else if self.take(field) {
            self.data.str_copied(value);
            self.wrote(field, Kind::Str);
        }
    }

    fn record_bytes(&mut self, field: &Field, value: &[u8]) {
        if self.take(field) {
            if self.scalars {
                self.data.display(format_args!("{}", Hex(value)));
                self.wrote(field, Kind::Str);
            } else {
                self.data.bytes_copied_within_scratch(value);
                self.wrote(field, Kind::Bytes);
            }
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn Error + 'static)) {
        if self.is_message(field) {
            self.keep_message(format_args!("{}", ErrorChain(value)));
        } else if self.take(field) {
            self.data.display(format_args!("{}", ErrorChain(value)));
            self.wrote(field, Kind::Str);
        }
    }

    /// `format_args!` messages arrive here; their `Debug` is their text.
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.is_message(field) {
            self.keep_message(format_args!("{value:?}"));
        } else if self.take(field) {
            self.data.display(format_args!("{value:?}"));
            self.wrote(field, Kind::Str);
        }
    }
}

/// Writes the `message` field as PartB's body (a string, whatever its type).
pub(super) struct MessageVisitor<'a, 'w> {
    pub(super) data: &'a mut DataWriter<'w>,
    pub(super) message: Option<usize>,
    /// Set once written: a value set may hold a field twice.
    pub(super) done: bool,
}

impl MessageVisitor<'_, '_> {
    #[inline(always)]
    fn take(&mut self, field: &Field) -> bool {
        let take = !self.done && Some(field.index()) == self.message;
        self.done |= take;
        take
    }
}

impl Visit for MessageVisitor<'_, '_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if self.take(field) {
            self.data.str_copied(value);
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn Error + 'static)) {
        if self.take(field) {
            self.data.display(format_args!("{}", ErrorChain(value)));
        }
    }

    /// `format_args!` messages arrive here; their `Debug` is their text.
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.take(field) {
            self.data.display(format_args!("{value:?}"));
        }
    }
}

/// An error and its sources, `outer: cause: root cause`.
pub(super) struct ErrorChain<'e>(pub(super) &'e (dyn Error + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);
    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }
    impl Error for Layer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_deref().map(|e| e as &(dyn Error + 'static))
        }
    }

    #[test]
    fn an_error_is_written_with_its_sources() {
        let err = Layer(
            "request failed",
            Some(Box::new(Layer(
                "connection reset",
                Some(Box::new(Layer("EPIPE", None))),
            ))),
        );
        assert_eq!(
            ErrorChain(&err).to_string(),
            "request failed: connection reset: EPIPE"
        );
        assert_eq!(ErrorChain(&Layer("alone", None)).to_string(), "alone");
    }
}
