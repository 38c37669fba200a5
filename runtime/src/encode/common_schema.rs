//! The Common Schema 4.0 frame shared by every event this project writes:
//! `__csver__`, PartA (time, trace context, cloud role), the caller's PartC, and
//! PartB (`_typeName`, body, severity, event id, name).
//!
//! Field encodings match what the `opentelemetry-user-events-logs` crate writes, so
//! decoders see the same JSON from both.

use crate::encode::header::ActivityIds;
use eventheader_types::FieldFormat;
use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry_sdk::Resource;

use super::encoding::{STRING, VALUE8, VALUE16, VALUE64};
use super::layout::{CS_VERSION_DATA, PartAShape};
use super::writer::EventWriter;

/// Everything PartA may carry. Strings are formatted by the caller (on its stack).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PartA<'a> {
    /// RFC 3339 UTC time (see [`super::time::Rfc3339`]).
    pub time: &'a str,
    /// Trace and span id as lowercase hex, when the event has a trace context.
    pub trace: Option<(&'a str, &'a str)>,
    /// `ext_cloud_role`, from the resource's `service.name`.
    pub cloud_role: Option<&'a str>,
    /// `ext_cloud_roleInstance`, from the resource's `service.instance.id`.
    pub cloud_role_instance: Option<&'a str>,
}

impl<'a> PartA<'a> {
    /// Which optional members it has.
    #[inline(always)]
    pub(crate) fn shape(&self) -> PartAShape {
        PartAShape {
            trace: self.trace.is_some(),
            role: self.cloud_role.is_some(),
            instance: self.cloud_role_instance.is_some(),
        }
    }

    /// PartA of an event at `time`, with `trace` when it has a trace context.
    pub(crate) fn new(
        time: &'a str,
        trace: Option<&'a TraceHex>,
        cloud_role: &'a CloudRole,
    ) -> Self {
        PartA {
            time,
            trace: trace.map(TraceHex::as_strs),
            cloud_role: cloud_role.role.as_deref(),
            cloud_role_instance: cloud_role.instance.as_deref(),
        }
    }
}

/// The resource attribute that PartA's `ext_cloud_role` comes from.
pub(crate) const SERVICE_NAME: &str = "service.name";
/// The resource attribute that PartA's `ext_cloud_roleInstance` comes from.
pub(crate) const SERVICE_INSTANCE_ID: &str = "service.instance.id";

/// PartA's cloud role of an output, taken once from its resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CloudRole {
    /// `ext_cloud_role`: the resource's `service.name`. (Boxed: an absent
    /// one is a null pointer, one test on every event.)
    pub role: Option<Box<str>>,
    /// `ext_cloud_roleInstance`: the resource's `service.instance.id`.
    pub instance: Option<Box<str>>,
}

impl CloudRole {
    /// The cloud role of `resource` (none of it for no resource).
    pub(crate) fn from_resource(resource: Option<&Resource>) -> CloudRole {
        let get = |key: &'static str| {
            resource
                .and_then(|r| r.get(&opentelemetry::Key::from_static_str(key)))
                .map(|v| v.to_string().into_boxed_str())
        };
        CloudRole {
            role: get(SERVICE_NAME),
            instance: get(SERVICE_INSTANCE_ID),
        }
    }
}

/// Writes the event name, `__csver__` and PartA.
pub(crate) fn write_head<'a>(w: &mut EventWriter<'a>, event_name: &'a str, part_a: &PartA<'a>) {
    w.meta.event_name(event_name);
    write_part_a(w, part_a);
}

/// Writes `__csver__` and PartA (after the event name): the metadata of its
/// shape is a constant ([`PartAShape::meta`]), the data its values.
#[inline(always)]
pub(crate) fn write_part_a<'a>(w: &mut EventWriter<'a>, part_a: &PartA<'a>) {
    w.meta.constant(part_a.shape().meta());
    let time = part_a.time.as_bytes();
    w.data
        .copy_parts(&[&CS_VERSION_DATA, &(time.len() as u16).to_ne_bytes(), time]);
    if let Some((trace_id, span_id)) = part_a.trace {
        w.data.str(trace_id);
        w.data.str(span_id);
    }
    if let Some(role) = part_a.cloud_role {
        w.data.str(role);
    }
    if let Some(instance) = part_a.cloud_role_instance {
        w.data.str(instance);
    }
}

/// PartB members after the body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PartB<'a> {
    /// OpenTelemetry severity number.
    pub severity_number: i16,
    /// OpenTelemetry severity text.
    pub severity_text: Option<&'a str>,
    /// `eventId`, from an `event_id` integer attribute.
    pub event_id: Option<i64>,
    /// The event's name.
    pub name: Option<&'a str>,
    /// The header's activity fields, repeated as PartB members (the scalar
    /// profile); `None` to write none.
    pub activity: Option<PartBActivity<'a>>,
}

/// The scalar profile's copy of the EventHeader activity fields: `activityId`
/// and `relatedActivityId` (GUID text) when the header has them, `opcode` when
/// it is not 0.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PartBActivity<'a> {
    /// Activity id and related (parent) activity id.
    pub ids: Option<ActivityIds<'a>>,
    /// EventHeader opcode (1 activity start, 2 activity stop).
    pub opcode: u8,
}

impl PartBActivity<'_> {
    /// Writes `activityId`, `relatedActivityId` and `opcode` (those it has) as
    /// members of the struct being written; returns how many.
    pub(crate) fn write(&self, w: &mut EventWriter<'_>) -> u8 {
        if let Some(ActivityIds { id, related }) = self.ids {
            w.meta.literal_field("activityId", STRING, 0);
            w.data.display(format_args!("{}", Guid(id)));
            if let Some(related) = related {
                w.meta.literal_field("relatedActivityId", STRING, 0);
                w.data.display(format_args!("{}", Guid(related)));
            }
        }
        if self.opcode != 0 {
            w.meta
                .literal_field("opcode", VALUE8, FieldFormat::UnsignedInt.as_int());
            w.data.value(&[self.opcode]);
        }
        self.members()
    }

    /// How many members [`PartBActivity::write`] writes.
    pub(crate) fn members(&self) -> u8 {
        let (id, related) = match self.ids {
            Some(ActivityIds { related, .. }) => (1, related.is_some() as u8),
            None => (0, 0),
        };
        id + related + (self.opcode != 0) as u8
    }
}

/// Formats 16 bytes as a GUID, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, bytes in
/// order: how EventHeader decoders show activity ids.
pub(crate) struct Guid<'a>(pub &'a [u8; 16]);

impl std::fmt::Display for Guid<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = [0u8; 36];
        let mut at = 0;
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                text[at] = b'-';
                at += 1;
            }
            to_hex(&[*b], &mut text[at..at + 2]);
            at += 2;
        }
        // Only hex digits and dashes were written.
        f.write_str(std::str::from_utf8(&text).unwrap_or(""))
    }
}

/// Opens PartB and writes `_typeName`; the caller writes the body next (if
/// `has_body`), then calls [`write_part_b_tail`].
pub(crate) fn write_part_b_head(w: &mut EventWriter<'_>, has_body: bool, tail: &PartB<'_>) {
    let members = 2
        + has_body as u8
        + tail.severity_text.is_some() as u8
        + tail.event_id.is_some() as u8
        + tail.name.is_some() as u8
        + tail.activity.map_or(0, |a| a.members());
    w.meta.literal_structure("PartB", members);
    w.meta.literal_field("_typeName", STRING, 0);
    w.data.str("Log");
}

/// Writes PartB's members after the body.
pub(crate) fn write_part_b_tail<'a>(w: &mut EventWriter<'a>, tail: &PartB<'a>) {
    w.meta
        .literal_field("severityNumber", VALUE16, FieldFormat::SignedInt.as_int());
    w.data.value(&tail.severity_number.to_ne_bytes());
    if let Some(text) = tail.severity_text {
        w.meta.literal_field("severityText", STRING, 0);
        w.data.str(text);
    }
    if let Some(id) = tail.event_id {
        w.meta
            .literal_field("eventId", VALUE64, FieldFormat::SignedInt.as_int());
        w.data.value(&id.to_ne_bytes());
    }
    if let Some(name) = tail.name {
        w.meta.literal_field("name", STRING, 0);
        w.data.str(name);
    }
    if let Some(activity) = &tail.activity {
        activity.write(w);
    }
}

/// A trace context as the lowercase hex strings PartA carries.
pub(crate) struct TraceHex {
    trace: [u8; 32],
    span: [u8; 16],
}

impl TraceHex {
    /// Formats the ids.
    pub(crate) fn new(trace_id: TraceId, span_id: SpanId) -> TraceHex {
        let mut hex = TraceHex {
            trace: [0; 32],
            span: [0; 16],
        };
        to_hex(&trace_id.to_bytes(), &mut hex.trace);
        to_hex(&span_id.to_bytes(), &mut hex.span);
        hex
    }

    /// (trace id, span id).
    pub(crate) fn as_strs(&self) -> (&str, &str) {
        // Only hex digits were written.
        (
            std::str::from_utf8(&self.trace).unwrap_or(""),
            std::str::from_utf8(&self.span).unwrap_or(""),
        )
    }
}

/// The trace and span id of the current OpenTelemetry span (`Context::current`),
/// if it has a valid span context: the one read of the context every event's
/// PartA (and activity id) comes from.
#[inline]
pub(crate) fn current_span_ids() -> Option<(TraceId, SpanId)> {
    use opentelemetry::trace::TraceContextExt;
    opentelemetry::Context::map_current(|cx| {
        let span = cx.span();
        let sc = span.span_context();
        sc.is_valid().then(|| (sc.trace_id(), sc.span_id()))
    })
}

fn to_hex(bytes: &[u8], out: &mut [u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in bytes.iter().enumerate() {
        out[2 * i] = DIGITS[(b >> 4) as usize];
        out[2 * i + 1] = DIGITS[(b & 0xF) as usize];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_ids_are_the_same_hex_as_their_display() {
        let trace = TraceId::from_bytes([
            0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e,
            0x47, 0x36,
        ]);
        let span = SpanId::from_bytes([0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7]);
        let hex = TraceHex::new(trace, span);
        assert_eq!(
            hex.as_strs(),
            ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")
        );
        assert_eq!(hex.as_strs().0, trace.to_string());
        assert_eq!(hex.as_strs().1, span.to_string());
    }

    #[test]
    fn guids_are_dashed_lowercase_hex_in_byte_order() {
        let bytes = [
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd,
            0xee, 0xff,
        ];
        assert_eq!(
            Guid(&bytes).to_string(),
            "00112233-4455-6677-8899-aabbccddeeff"
        );
    }
}
