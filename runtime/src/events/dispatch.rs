//! The enabled path of a macro event: encode it once per wanted output.

use crate::encode::header::ActivityIds;
use std::time::SystemTime;

use super::callsite::{Callsite, EventInfo};
use super::event::Event;
use super::fallback;
use crate::activity::{self, OtelSpan};
use crate::encode::common_schema::{self, CloudRole, PartA, PartB, PartBActivity};
use crate::encode::header::HeaderFields;
use crate::encode::layout::TYPE_NAME_DATA;
use crate::encode::profile::EncodingProfile;
use crate::encode::scalars;
use crate::encode::seal::Encode;
use crate::encode::time::Rfc3339;
use crate::encode::writer::EventWriter;
use crate::output::{At, EventLimit, Sink, capture, enable};
use crate::provider;

/// Writes an event of `site` to every output that wants it. Called only after
/// `site.is_enabled()` said yes; kept out of line so the caller's disabled path
/// stays one load and a branch. Marked cold so the compiler moves the enabled
/// branch out of the caller's straight-line path (the disabled path falls through).
#[cold]
#[inline(never)]
pub fn dispatch(site: &'static Callsite, event: &Event<'_>) {
    let bits = site.bits();
    let state = site.owner();
    if bits & enable::CAPTURE != 0
        && let Some(capture) = capture::settings()
    {
        // Captured under the name of the site's library provider, else of the
        // capture's provider; counted by the site's provider if it is started.
        let info = site.info();
        let tracepoint = match (state, provider::library_of(info)) {
            // A started library provider: its running name (its group may
            // be the application's choice).
            (Some(state), Some(_)) => state.name().tracepoint_name(info.level, info.keyword),
            (None, Some(library)) => library.tracepoint_name(info.level, info.keyword),
            (_, None) => capture.provider.tracepoint_name(info.level, info.keyword),
        };
        let time = Rfc3339::new(capture.time.unwrap_or_else(SystemTime::now));
        let limit = state.map_or_else(
            || EventLimit::default_for(capture.profile).payload_bytes(),
            |s| s.output.limit(),
        );
        let counters = state.map(|s| s.output.counters());
        let sink = Sink::captured(capture, tracepoint, counters, limit);
        if let Some(capture) = sink.capture() {
            write(
                site,
                event,
                &time,
                &capture.cloud_role,
                capture.profile,
                &sink,
            );
        }
        return;
    }
    let Some(state) = state else {
        return;
    };
    if bits & (enable::KERNEL | enable::FALLBACK | enable::UNAVAILABLE) == 0 {
        // The caller's check saw the site enabled, its values were evaluated,
        // and the listener left since: count it like a race caught at the
        // write. (The capture bit alone is another thread's test capture.)
        if bits & enable::CAPTURE == 0 {
            state.output.counters().dropped_disabled_race();
        }
        return;
    }
    if bits & enable::KERNEL != 0 {
        let info = site.info();
        let at = At {
            level: info.level,
            keyword: info.keyword,
            word: site.enable_word(),
            index: site.write_index(),
        };
        // This thread does not capture (checked above): the kernel.
        if let Some(sink) = state.output.kernel_sink(at) {
            let time = Rfc3339::now();
            write(site, event, &time, &state.cloud_role, state.profile, &sink);
        }
    }
    if bits & enable::FALLBACK != 0 {
        fallback::emit_record(state, site.info(), event);
    }
    // A site with only the UNAVAILABLE bit counted itself in its check; here
    // it has another bit too (a capture on another thread).
    if bits & enable::UNAVAILABLE != 0 {
        state.output.counters().dropped_unavailable();
    }
}

/// Encodes `event` at `time` in Common Schema and seals it into `sink`.
#[inline(always)]
fn write(
    site: &'static Callsite,
    event: &Event<'_>,
    time: &Rfc3339,
    cloud_role: &CloudRole,
    profile: EncodingProfile,
    sink: &Sink<'_>,
) {
    // One read of the OpenTelemetry context for PartA's ids and the activity id.
    let span = OtelSpan::current();
    let trace = span.as_ref().map(OtelSpan::trace_hex);
    let span_activity = span.as_ref().map(OtelSpan::activity_id);
    let part_a = PartA::new(time.as_str(), trace.as_ref(), cloud_role);
    // Inside an OpenTelemetry span, see `activity::within_span`.
    let ids = activity::within_span(event.activity, event.opcode, span_activity.as_ref());
    let content = MacroEvent {
        info: site.info(),
        event,
        part_a: &part_a,
        activity: ids,
        profile,
    };
    sink.seal(&content, &header_fields(site.info(), event, ids));
}

fn header_fields<'a>(
    info: &EventInfo,
    event: &Event<'a>,
    activity: Option<ActivityIds<'a>>,
) -> HeaderFields<'a> {
    HeaderFields {
        level: info.level.as_u8(),
        opcode: event.opcode,
        activity,
    }
}

/// A macro event with its PartA, as [`seal_event`] encodes it.
struct MacroEvent<'v> {
    info: &'static EventInfo,
    event: &'v Event<'v>,
    part_a: &'v PartA<'v>,
    /// The header's activity ids (the scalar profile repeats them in PartB).
    activity: Option<ActivityIds<'v>>,
    profile: EncodingProfile,
}

impl<'v> Encode for MacroEvent<'v> {
    /// Leaves nothing out: a call site has at most 127 fields (a compile error
    /// beyond).
    #[inline(always)]
    fn encode<'w>(&'w self, w: &mut EventWriter<'w>) -> u64 {
        match self.profile {
            EncodingProfile::Full => encode(w, self.info, self.event, self.part_a),
            EncodingProfile::Scalars => {
                encode_scalars(w, self.info, self.event, self.part_a, self.activity)
            }
        }
        0
    }
}

/// Lays out a macro event in Common Schema: the event name, `__csver__`, PartA,
/// PartC (the fields), PartB. Everything but the values that vary (time, trace
/// ids, cloud role, fields, body) is a constant laid out at compile time
/// ([`crate::encode::layout`]), borrowed.
pub(super) fn encode<'a>(
    w: &mut EventWriter<'a>,
    info: &'static EventInfo,
    event: &Event<'a>,
    part_a: &PartA<'a>,
) {
    w.meta.constant(info.name_meta);
    common_schema::write_part_a(w, part_a);
    w.meta.constant(event.meta_tail);
    for field in event.fields {
        field.encode(&mut w.data);
    }
    w.data.constant(&TYPE_NAME_DATA);
    if let Some((body, _)) = event.body {
        body.encode(&mut w.data);
    }
    w.data.constant(info.part_b_data);
}

/// [`encode`] in the scalar profile: PartC laid out per event, the body as a
/// scalar, and the header's activity fields repeated in PartB.
#[inline(never)]
fn encode_scalars<'a>(
    w: &mut EventWriter<'a>,
    info: &'static EventInfo,
    event: &Event<'a>,
    part_a: &PartA<'a>,
    activity: Option<ActivityIds<'a>>,
) {
    common_schema::write_head(w, info.name, part_a);
    scalars::write_part_c(w, event.part_c_meta(), event.fields);
    let part_b = PartB {
        severity_number: info.level.severity_number(),
        severity_text: Some(info.level.severity_text()),
        event_id: None,
        name: Some(info.name),
        activity: Some(PartBActivity {
            ids: activity,
            opcode: event.opcode,
        }),
    };
    let body = event.body.filter(|(body, _)| body.is_present());
    common_schema::write_part_b_head(w, body.is_some(), &part_b);
    if let Some((body, [encoding, format])) = body {
        let (encoding, format) = scalars::write_value(w, body, (encoding, format));
        w.meta.literal_field("body", encoding, format);
    }
    common_schema::write_part_b_tail(w, &part_b);
}
