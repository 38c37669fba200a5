//! The enabled path of a macro event: encode it once per wanted output.

use std::time::SystemTime;

use crate::activity::{self, CurrentSpan};
use crate::callsite::{Callsite, EventInfo};
use crate::encode::common_schema::{self, CloudRole, PartA, PartB, PartBActivity};
use crate::encode::header::HeaderFields;
use crate::encode::layout::TYPE_NAME_DATA;
use crate::encode::profile::EncodingProfile;
use crate::encode::scalars;
use crate::encode::seal::{Encode, Sealed, seal_event};
use crate::encode::time::Rfc3339;
use crate::encode::writer::EventWriter;
use crate::event::Event;
use crate::{capture, deliver, enable, fallback, provider};

/// Writes an event of `site` to every output that wants it. Called only after
/// `site.is_enabled()` said yes; kept out of line so the caller's disabled path
/// stays one load and a branch. Marked cold so the compiler moves the enabled
/// branch out of the caller's straight-line path (the disabled path falls through).
#[cold]
#[inline(never)]
pub fn dispatch(site: &'static Callsite, event: &Event<'_>) {
    let bits = site.bits();
    let state = provider::active();
    if bits & enable::CAPTURE != 0
        && let Some(capture) = capture::settings()
    {
        let info = site.info();
        let time = Rfc3339::new(capture.time.unwrap_or_else(SystemTime::now));
        let tracepoint = capture.provider.tracepoint_name(info.level, info.keyword);
        let counters = state.map(|s| &s.counters);
        write(
            site,
            event,
            &time,
            &capture.cloud_role,
            capture.profile,
            |sealed| deliver::to_capture(sealed, tracepoint, counters),
        );
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
            state.counters.dropped_disabled_race();
        }
        return;
    }
    if bits & enable::KERNEL != 0
        && let Some(file) = &state.data_file
    {
        let time = Rfc3339::now();
        write(
            site,
            event,
            &time,
            &state.cloud_role,
            state.profile,
            |sealed| {
                let (fd, index) = (file.fd(), site.write_index());
                deliver::to_kernel(sealed, fd, site.enable_word(), index, &state.counters)
            },
        );
    }
    if bits & enable::FALLBACK != 0 {
        fallback::emit_record(state, site.info(), event);
    }
    // A site with only the UNAVAILABLE bit counted itself in its check; here
    // it has another bit too (a capture on another thread).
    if bits & enable::UNAVAILABLE != 0 {
        state.counters.dropped_unavailable();
    }
}

/// Encodes `event` at `time` in Common Schema and hands it to `deliver`.
#[inline(always)]
fn write(
    site: &'static Callsite,
    event: &Event<'_>,
    time: &Rfc3339,
    cloud_role: &CloudRole,
    profile: EncodingProfile,
    deliver: impl FnOnce(Sealed<'_, ()>),
) {
    // One read of the OpenTelemetry context for PartA's ids and the activity id.
    let span = CurrentSpan::get();
    let trace = span.as_ref().map(CurrentSpan::trace_hex);
    let span_activity = span.as_ref().map(CurrentSpan::activity_id);
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
    seal_event(&content, &header_fields(site.info(), event, ids), deliver);
}

fn header_fields<'a>(
    info: &EventInfo,
    event: &Event<'a>,
    activity: Option<(&'a [u8; 16], Option<&'a [u8; 16]>)>,
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
    activity: Option<(&'v [u8; 16], Option<&'v [u8; 16]>)>,
    profile: EncodingProfile,
}

impl<'v> Encode for MacroEvent<'v> {
    type Dropped = ();

    #[inline(always)]
    fn encode<'w>(&'w self, w: &mut EventWriter<'w>) {
        match self.profile {
            EncodingProfile::Full => encode(w, self.info, self.event, self.part_a),
            EncodingProfile::Scalars => {
                encode_scalars(w, self.info, self.event, self.part_a, self.activity)
            }
        }
    }
}

/// Lays out a macro event in Common Schema: the event name, `__csver__`, PartA,
/// PartC (the fields), PartB. Everything but the values that vary (time, trace
/// ids, cloud role, fields, body) is a constant laid out at compile time
/// ([`crate::encode::layout`]), borrowed.
fn encode<'a>(
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
    activity: Option<(&'a [u8; 16], Option<&'a [u8; 16]>)>,
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
