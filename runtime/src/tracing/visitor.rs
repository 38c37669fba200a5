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
use crate::encode::writer::{DataWriter, EventWriter, water_level};
use crate::field::FieldValue;

/// A message up to this long is kept on the first visit, so PartB's body is
/// written without visiting the values again.
pub(super) const MESSAGE_INLINE: usize = 256;

/// Where the first visit keeps the message.
pub(super) type MessageText = ArrayString<MESSAGE_INLINE>;

/// The most fields an event's PartC holds: EventHeader's struct limit, as
/// for every front end; the rest are left out and counted.
pub(super) const MAX_FIELDS: usize = otel_user_events_abi::MAX_STRUCT_MEMBERS as usize;

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
pub(super) type WrittenFields = ArrayVec<(u16, Kind), MAX_FIELDS>;

/// Writes an event's fields (all but the message) into its data.
pub(super) struct PartCVisitor<'a, 'w> {
    pub(super) data: &'a mut DataWriter<'w>,
    /// The call site's `message` field, left for PartB.
    pub(super) message: Option<usize>,
    /// Kept by the caller: 127 entries are too many to move out (a `memcpy`).
    pub(super) written: &'a mut WrittenFields,
    /// Whether the message was seen.
    pub(super) has_message: bool,
    /// The message's text, when it fit here (`message_inline`); else PartB
    /// visits the values again for it ([`MessageVisitor`]).
    pub(super) message_text: &'a mut MessageText,
    pub(super) message_inline: bool,
    /// Fields beyond [`MAX_FIELDS`].
    pub(super) dropped: u64,
    /// The scalar profile: bytes and unsigned values above `i64::MAX` as text.
    scalars: bool,
    /// The most bytes a copied value keeps (see [`Measured::cap`]).
    cap: usize,
}

impl<'a, 'w> PartCVisitor<'a, 'w> {
    /// Writes into `w`'s data, keeps the message in `message_text`.
    pub(super) fn new(
        w: &'a mut EventWriter<'w>,
        message: Option<usize>,
        written: &'a mut WrittenFields,
        message_text: &'a mut MessageText,
        scalars: bool,
        cap: usize,
    ) -> Self {
        PartCVisitor {
            data: &mut w.data,
            message,
            written,
            has_message: false,
            message_text,
            message_inline: false,
            dropped: 0,
            scalars,
            cap,
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
        let _ = self.written.try_push((field.index() as u16, kind));
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
                self.data.display_within(format_args!("{value}"), self.cap);
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
            self.data.display_within(format_args!("{value}"), self.cap);
            self.wrote(field, Kind::Str);
        }
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        if self.take(field) {
            self.data.display_within(format_args!("{value}"), self.cap);
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
            self.data.str_copied_within(value, self.cap);
            self.wrote(field, Kind::Str);
        }
    }

    fn record_bytes(&mut self, field: &Field, value: &[u8]) {
        if self.take(field) {
            if self.scalars {
                self.data
                    .display_within(format_args!("{}", Hex(value)), self.cap);
                self.wrote(field, Kind::Str);
            } else {
                self.data.bytes_copied_within_scratch(value, self.cap);
                self.wrote(field, Kind::Bytes);
            }
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn Error + 'static)) {
        if self.is_message(field) {
            self.keep_message(format_args!("{}", ErrorChain(value)));
        } else if self.take(field) {
            self.data
                .display_within(format_args!("{}", ErrorChain(value)), self.cap);
            self.wrote(field, Kind::Str);
        }
    }

    /// `format_args!` messages arrive here; their `Debug` is their text.
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.is_message(field) {
            self.keep_message(format_args!("{value:?}"));
        } else if self.take(field) {
            self.data
                .display_within(format_args!("{value:?}"), self.cap);
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
    /// The most bytes the message keeps (see [`Measured::cap`]).
    pub(super) cap: usize,
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
            self.data.str_copied_within(value, self.cap);
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn Error + 'static)) {
        if self.take(field) {
            self.data
                .display_within(format_args!("{}", ErrorChain(value)), self.cap);
        }
    }

    /// `format_args!` messages arrive here; their `Debug` is their text.
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.take(field) {
            self.data
                .display_within(format_args!("{value:?}"), self.cap);
        }
    }
}

/// What an event's values take, measured before they are written when the
/// event is encoded again because it did not fit whole (see
/// [`EventWriter::is_retry`]): the length of each value that can be
/// shortened (strings, bytes, the text of `Debug` values, errors and 128-bit
/// integers, the message), and what cannot (names, fixed-size values, length
/// prefixes).
pub(super) struct Measured {
    /// The shortenable values' lengths, the message's among them.
    lens: ArrayVec<u32, { MAX_FIELDS + 1 }>,
    /// Metadata and data that stay whatever the values' lengths.
    fixed: usize,
    message: Option<usize>,
    message_seen: bool,
    scalars: bool,
    fields: usize,
}

impl Measured {
    pub(super) fn new(message: Option<usize>, scalars: bool) -> Measured {
        Measured {
            lens: ArrayVec::new(),
            fixed: 0,
            message,
            message_seen: false,
            scalars,
            fields: 0,
        }
    }

    /// The most bytes each value may keep so that all of them, with what
    /// cannot be shortened, fit in `budget` bytes: the one fitting rule of
    /// every front end (`water_level`: the longest shortened first, all to
    /// one cap, the short ones whole); `usize::MAX` when they fit whole.
    pub(super) fn cap(&self, budget: usize) -> usize {
        let total: usize = self.lens.iter().map(|&len| len as usize).sum();
        let budget = budget.saturating_sub(self.fixed);
        if total <= budget {
            return usize::MAX;
        }
        let lens = || self.lens.iter().map(|&len| len as usize);
        water_level(lens, total - budget).unwrap_or(0)
    }

    fn is_message(&mut self, field: &Field) -> bool {
        let is = Some(field.index()) == self.message && !self.message_seen;
        self.message_seen |= is;
        is
    }

    /// A field that becomes a member (up to [`MAX_FIELDS`]): its metadata,
    /// and `fixed` bytes of data.
    fn member(&mut self, field: &Field, fixed: usize) -> bool {
        if self.fields == MAX_FIELDS {
            return false;
        }
        self.fields += 1;
        self.fixed += field.name().len() + 3 + fixed;
        true
    }

    fn shortenable(&mut self, len: usize) {
        let _ = self.lens.try_push(len.min(u32::MAX as usize) as u32);
    }

    fn text(&mut self, field: &Field, args: fmt::Arguments<'_>) {
        if self.is_message(field) || self.member(field, 2) {
            self.shortenable(Count::of(args));
        }
    }
}

impl Visit for Measured {
    fn record_i64(&mut self, field: &Field, _: i64) {
        self.member(field, 8);
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if self.scalars && value > i64::MAX as u64 {
            self.text(field, format_args!("{value}"));
        } else {
            self.member(field, 8);
        }
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        self.text(field, format_args!("{value}"));
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        self.text(field, format_args!("{value}"));
    }

    fn record_f64(&mut self, field: &Field, _: f64) {
        self.member(field, 8);
    }

    fn record_bool(&mut self, field: &Field, _: bool) {
        self.member(field, 1);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if self.is_message(field) || self.member(field, 2) {
            self.shortenable(value.len());
        }
    }

    fn record_bytes(&mut self, field: &Field, value: &[u8]) {
        if self.member(field, 2) {
            let len = if self.scalars {
                value.len() * 2
            } else {
                value.len()
            };
            self.shortenable(len);
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn Error + 'static)) {
        self.text(field, format_args!("{}", ErrorChain(value)));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.text(field, format_args!("{value:?}"));
    }
}

/// Counts the bytes of formatted text without keeping them.
struct Count(usize);

impl Count {
    fn of(args: fmt::Arguments<'_>) -> usize {
        use fmt::Write as _;
        if let Some(literal) = args.as_str() {
            return literal.len();
        }
        let mut count = Count(0);
        let _ = count.write_fmt(args);
        count.0
    }
}

impl fmt::Write for Count {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len();
        Ok(())
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
