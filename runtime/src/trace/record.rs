//! A span as one Common Schema 4.0 event, laid out as the
//! `opentelemetry-user-events-trace` crate (0.6) lays it out: head (`__csver__`,
//! PartA with the time, the trace and span ids and the cloud role), PartB
//! (`_typeName` `"Span"`, `name`, `startTime`, `success`, `kind`, `parentId`,
//! `links`, the semantic-convention attributes, `statusMessage`), PartC (the
//! other attributes).
//!
//! The same layout serves a live span's start event, which has what a span
//! knows when it starts: no `success` and no `statusMessage`.

use eventheader_types::FieldFormat;
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::trace::SpanData;

use super::well_known::{self, HTTP_STATUS_CODE, LinksJson};
use crate::encode::common_schema::{CloudRole, PartA, PartBActivity, TraceHex, write_head};
use crate::encode::encoding::{STRING, VALUE8, VALUE32};
use crate::encode::header::HeaderFields;
use crate::encode::members::Members;
use crate::encode::seal::Encode;
use crate::encode::value::{self, Arrays};
use crate::encode::writer::{EventWriter, Room};

/// The processor's settings that shape each event.
#[derive(Debug)]
pub(crate) struct SpanSettings {
    /// The EventHeader name of span events (default `"Span"`).
    pub(crate) event_name: &'static str,
    /// ActivityStart at a span's start, ActivityStop at its end.
    pub(crate) live: bool,
    /// `Span::add_event` events written before the span's end.
    pub(crate) span_events: bool,
    pub(crate) arrays: Arrays,
    /// The scalar profile: the header's activity fields repeated in PartB.
    pub(crate) scalars: bool,
    /// PartA's cloud role, from the tracer provider's resource.
    pub(crate) cloud_role: CloudRole,
}

impl SpanSettings {
    /// PartA of a span's events: `time`, the span's trace and span ids, the
    /// cloud role.
    #[inline(always)]
    pub(crate) fn part_a<'a>(&'a self, time: &'a str, ids: &'a TraceHex) -> PartA<'a> {
        PartA {
            time,
            trace: Some(ids.as_strs()),
            cloud_role: self.cloud_role.role.as_deref(),
            cloud_role_instance: self.cloud_role.instance.as_deref(),
        }
    }

    /// In the scalar profile, the activity fields of `header` for PartB.
    pub(crate) fn part_b_activity<'a>(
        &self,
        header: &HeaderFields<'a>,
    ) -> Option<PartBActivity<'a>> {
        self.scalars.then_some(PartBActivity {
            ids: header.activity,
            opcode: header.opcode,
        })
    }
}

/// Which event of a span: its live start, or its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// The ActivityStart of a live span (at `on_start`).
    Start,
    /// The ended span (at `on_end`).
    End,
}

/// Metadata kept free for PartB's members after the semantic-convention
/// attributes (`statusMessage`) and for PartC's header.
const META_RESERVE: Room = Room::new(48, 6);
/// Data kept free for `statusMessage` while PartB's attributes and links are
/// written (a long message is borrowed: a prefix and two segments).
const DATA_RESERVE: Room = Room::new(80, 6);

/// A span as one event, as [`seal_event`](crate::encode::seal::seal_event) encodes it.
pub(crate) struct SpanRecord<'v> {
    pub(crate) settings: &'v SpanSettings,
    pub(crate) span: &'v SpanData,
    pub(crate) phase: Phase,
    /// PartA's time: the span's end (its start, for a start event).
    pub(crate) time: &'v str,
    /// PartB's `startTime`.
    pub(crate) start_time: &'v str,
    /// The span's trace and span ids.
    pub(crate) ids: &'v TraceHex,
    /// The parent's ids (only its span id is written), for a span with a parent.
    pub(crate) parent: Option<&'v TraceHex>,
    /// The header's activity fields, repeated in PartB (the scalar profile).
    pub(crate) part_b_activity: Option<PartBActivity<'v>>,
}

impl Encode for SpanRecord<'_> {
    fn encode<'w>(&'w self, w: &mut EventWriter<'w>) -> u64 {
        encode(w, self)
    }
}

/// The `kind` PartB carries: 0 internal, 1 server, 2 client, 3 producer, 4 consumer.
pub(crate) fn kind_number(kind: &SpanKind) -> u32 {
    match kind {
        SpanKind::Internal => 0,
        SpanKind::Server => 1,
        SpanKind::Client => 2,
        SpanKind::Producer => 3,
        SpanKind::Consumer => 4,
    }
}

/// Adds the attribute `name` = `value` to `members` if it fits, keeping
/// `reserve` of data for what follows.
#[inline(always)]
pub(crate) fn add_attribute<'a>(
    members: &mut Members,
    w: &mut EventWriter<'a>,
    (name, value): (&'a str, &'a Value),
    arrays: Arrays,
    reserve: Room,
) {
    let fits = |w: &EventWriter<'_>, meta| value::field_fits(w, name, value, meta, reserve);
    if members.admit(w, name, META_RESERVE, fits) {
        value::write_field(w, name, value, arrays, reserve);
    }
}

fn encode<'a>(w: &mut EventWriter<'a>, r: &SpanRecord<'a>) -> u64 {
    let SpanRecord {
        settings,
        span,
        phase,
        time,
        start_time,
        ids,
        parent,
        part_b_activity,
    } = *r;
    let mut part_c = Members::later(w, "PartC");
    write_head(w, settings.event_name, &settings.part_a(time, ids));

    let mut part_b = Members::open(w, "PartB");
    w.meta.literal_field("_typeName", STRING, 0);
    w.data.str("Span");
    w.meta.literal_field("name", STRING, 0);
    w.data.str(&span.name);
    w.meta.literal_field("startTime", STRING, 0);
    w.data.str(start_time);
    part_b.wrote(3);
    if phase == Phase::End {
        w.meta
            .literal_field("success", VALUE8, FieldFormat::Boolean.as_int());
        w.data
            .value(&[matches!(span.status, Status::Ok | Status::Unset) as u8]);
        part_b.wrote(1);
    }
    w.meta
        .literal_field("kind", VALUE32, FieldFormat::UnsignedInt.as_int());
    w.data.value(&kind_number(&span.span_kind).to_ne_bytes());
    part_b.wrote(1);
    if let Some(parent) = parent {
        w.meta.literal_field("parentId", STRING, 0);
        w.data.str(parent.as_strs().1);
        part_b.wrote(1);
    }
    if !span.links.is_empty() {
        write_links(w, span);
        part_b.wrote(1);
    }
    let mut has_http_status_code = false;
    for KeyValue { key, value, .. } in &span.attributes {
        if let Some(name) = well_known::part_b_name(key.as_str()) {
            has_http_status_code |= key.as_str() == HTTP_STATUS_CODE;
            add_attribute(&mut part_b, w, (name, value), settings.arrays, DATA_RESERVE);
        }
    }
    if let (Phase::End, Status::Error { description }) = (phase, &span.status)
        && !description.is_empty()
        && !has_http_status_code
    {
        w.meta.literal_field("statusMessage", STRING, 0);
        w.data.str(description);
        part_b.wrote(1);
    }
    if let Some(activity) = part_b_activity {
        part_b.wrote(activity.write(w));
    }
    let dropped = part_b.finish(w);

    for KeyValue { key, value, .. } in &span.attributes {
        if well_known::part_b_name(key.as_str()).is_none() {
            add_attribute(
                &mut part_c,
                w,
                (key.as_str(), value),
                settings.arrays,
                Room::NONE,
            );
        }
    }
    dropped + part_c.finish(w)
}

/// PartB's `links`: as many whole links as the room left holds (the event is
/// then marked truncated).
fn write_links(w: &mut EventWriter<'_>, span: &SpanData) {
    let links = &span.links.links;
    let room = w
        .data
        .room()
        .bytes
        .saturating_sub(DATA_RESERVE.bytes + 2)
        .min(w.data.display_room());
    let kept = well_known::links_that_fit(links.len(), room);
    if kept < links.len() {
        w.data.mark_truncated();
    }
    w.meta.literal_field("links", STRING, 0);
    w.data
        .display_within(format_args!("{}", LinksJson(links, kept)), room);
}
