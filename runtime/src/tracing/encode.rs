//! What a `tracing` event or span becomes: the Common Schema layout of
//! `ue_log!` (head, PartC with the fields, PartB with the message as body),
//! and a span's stop event (the values recorded later, then `duration_ns`).

use eventheader_types::FieldFormat;
use tracing_core::field::Visit;

use super::callsites::{PartCLayout, Site, name_of};
use super::span::SpanActivity;
use super::visitor::{
    MAX_FIELDS, Measured, MessageText, MessageVisitor, PartCVisitor, WrittenFields,
};
use crate::encode::common_schema::{
    PartA, PartB, PartBActivity, write_head, write_part_b_head, write_part_b_tail,
};
use crate::encode::layout::TYPE_NAME_DATA;
use crate::encode::seal::Encode;
use crate::encode::writer::EventWriter;
use crate::field::FieldValue;

/// Room kept for PartB when values are shortened (its members' metadata and
/// data, besides the event name written twice).
const PART_B_ROOM: usize = 192;
/// Room kept for the EventHeader and its activity extension.
const HEADER_ROOM: usize = 64;

/// The part of an event after its PartA: what differs between an event, a
/// span's start and its stop.
pub(super) trait Content {
    /// Writes the whole event in `frame`; returns the fields left out.
    fn encode<'w>(&'w self, w: &mut EventWriter<'w>, frame: &Frame<'w>) -> u64;
}

/// What every event of a layer carries besides its content.
pub(super) struct Frame<'a> {
    pub(super) part_a: PartA<'a>,
    /// The scalar profile ([`EncodingProfile::Scalars`](crate::output::EncodingProfile::Scalars)):
    /// the header's activity fields, repeated in PartB. `None` in the full profile.
    pub(super) part_b_activity: Option<PartBActivity<'a>>,
}

/// An event's content with its frame, as [`seal_event`](crate::encode::seal::seal_event) encodes it.
pub(super) struct Framed<'a, C: ?Sized> {
    pub(super) frame: Frame<'a>,
    pub(super) content: &'a C,
}

impl<C: Content + ?Sized> Encode for Framed<'_, C> {
    #[inline(always)]
    fn encode<'w>(&'w self, w: &mut EventWriter<'w>) -> u64 {
        self.content.encode(w, &self.frame)
    }
}

/// A `tracing` event, or a span's start (its fields at creation).
pub(super) struct Fields<'v> {
    pub(super) site: &'v Site,
    /// Visits the values (`Event::record`, `Attributes::record`).
    pub(super) record: &'v dyn Fn(&mut dyn Visit),
}

impl Content for Fields<'_> {
    #[inline(always)]
    fn encode<'w>(&'w self, w: &mut EventWriter<'w>, frame: &Frame<'w>) -> u64 {
        let site: &'w Site = self.site;
        write_head(w, site.name, &frame.part_a);
        let mut message_text = MessageText::new();
        let scalars = frame.part_b_activity.is_some();
        // Whole on the first try; shortened to fit, the longest values first,
        // when the event is encoded again because it did not fit.
        let cap = if w.is_retry() {
            self.cap(w, site, scalars)
        } else {
            usize::MAX
        };
        let mut written = WrittenFields::new();
        let mut fields = PartCVisitor::new(
            w,
            site.message,
            &mut written,
            &mut message_text,
            scalars,
            cap,
        );
        (self.record)(&mut fields);
        let PartCVisitor {
            has_message,
            message_inline,
            dropped,
            ..
        } = fields;
        if !written.is_empty() {
            part_c_meta(w, site, &written);
        }
        if let Some(layout) = site.constants.as_ref().filter(|_| !scalars) {
            w.meta.bytes(layout.part_b_meta(has_message));
            w.data.constant(&TYPE_NAME_DATA);
            if has_message {
                self.message(w, site, message_inline, &message_text, cap);
            }
            w.data.raw(layout.part_b_data());
            return dropped;
        }
        let part_b = part_b(site, frame);
        write_part_b_head(w, has_message, &part_b);
        if has_message {
            w.meta.literal_field(
                "body",
                <str as FieldValue>::ENCODING,
                <str as FieldValue>::FORMAT,
            );
            self.message(w, site, message_inline, &message_text, cap);
        }
        write_part_b_tail(w, &part_b);
        dropped
    }
}

impl Fields<'_> {
    /// PartB's body: the message, kept from the visit when it was text, else
    /// visited again.
    #[inline(always)]
    fn message(
        &self,
        w: &mut EventWriter<'_>,
        site: &Site,
        inline: bool,
        text: &MessageText,
        cap: usize,
    ) {
        if inline {
            w.data.str_copied_within(text, cap);
        } else {
            self.message_again(w, site, cap);
        }
    }

    /// The most bytes each copied value (and the message) keeps: all of
    /// them measured first, then the longest shortened to one cap so that
    /// they fit both the writer's scratch (`tracing` lends values only for
    /// the call, so they are copied) and the output's event limit, and the
    /// short ones stay whole.
    #[cold]
    #[inline(never)]
    fn cap(&self, w: &EventWriter<'_>, site: &Site, scalars: bool) -> usize {
        let mut measured = Measured::new(site.message, scalars);
        (self.record)(&mut measured);
        // PartB after the values: its members' metadata and data.
        let part_b = PART_B_ROOM + 2 * site.name.len();
        let by_scratch = w.data.display_room().saturating_sub(part_b);
        let by_limit = w
            .limit()
            .saturating_sub(HEADER_ROOM + w.meta.len() + w.data.len() + part_b);
        measured.cap(by_scratch.min(by_limit))
    }

    /// Writes the message (too long to keep on the first visit, or of another
    /// type) by visiting the values again.
    #[cold]
    #[inline(never)]
    fn message_again(&self, w: &mut EventWriter<'_>, site: &Site, cap: usize) {
        let mut message = MessageVisitor {
            data: &mut w.data,
            message: site.message,
            done: false,
            cap,
        };
        (self.record)(&mut message);
        if !message.done {
            // The message was there on the first visit, not the second
            // (a value that records differently each time): keep the
            // metadata true with an empty body.
            w.data.str("");
        }
    }
}

/// PartC's metadata for the fields written: the call site's cached layout when
/// the fields have the types it was built for (one borrowed slice), else field
/// by field.
#[inline(always)]
fn part_c_meta<'w>(w: &mut EventWriter<'w>, site: &'w Site, written: &WrittenFields) {
    let layout = match site.part_c.get() {
        Some(layout) => Some(layout),
        None if site.cached => Some(
            site.part_c
                .get_or_init(|| PartCLayout::new(site.fields, written)),
        ),
        None => None,
    };
    match layout {
        Some(layout) if layout.matches(written) => w.meta.bytes(&layout.meta),
        _ => part_c_field_by_field(w, site, written),
    }
}

#[cold]
#[inline(never)]
fn part_c_field_by_field(w: &mut EventWriter<'_>, site: &Site, written: &WrittenFields) {
    w.meta.literal_structure("PartC", written.len() as u8);
    for &(index, kind) in written {
        let (encoding, format) = kind.encoding();
        w.meta.field(name_of(site.fields, index), encoding, format);
    }
}

fn part_b<'a>(site: &'a Site, frame: &Frame<'a>) -> PartB<'a> {
    PartB {
        severity_number: site.severity_number,
        severity_text: Some(site.severity_text),
        event_id: None,
        name: Some(site.name),
        activity: frame.part_b_activity,
    }
}

/// A span's stop event: the values recorded after its creation, then
/// `duration_ns`.
pub(super) struct Stop<'v> {
    pub(super) site: &'v Site,
    pub(super) data: &'v SpanActivity,
    pub(super) duration_ns: u64,
}

impl Content for Stop<'_> {
    fn encode<'w>(&'w self, w: &mut EventWriter<'w>, frame: &Frame<'w>) -> u64 {
        let site: &'w Site = self.site;
        write_head(w, site.name, &frame.part_a);
        let scalars = frame.part_b_activity.is_some();
        let later = &self.data.later;
        w.meta
            .literal_structure("PartC", (later.len() + 1).min(MAX_FIELDS) as u8);
        for recorded in later.iter().take(MAX_FIELDS - 1) {
            let kind = recorded.encode(&mut w.data, scalars);
            let (encoding, format) = kind.encoding();
            w.meta.field(recorded.name, encoding, format);
        }
        w.meta.literal_field(
            "duration_ns",
            <u64 as FieldValue>::ENCODING,
            FieldFormat::UnsignedInt.as_int(),
        );
        w.data.value(&self.duration_ns.to_ne_bytes());
        let part_b = part_b(site, frame);
        write_part_b_head(w, false, &part_b);
        write_part_b_tail(w, &part_b);
        later.len().saturating_sub(MAX_FIELDS - 1) as u64
    }
}
