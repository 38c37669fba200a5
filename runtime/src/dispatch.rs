//! The enabled path of a macro event: encode it once per wanted output.

use std::time::SystemTime;

use crate::activity::{self, ActivityId, CurrentSpan};
use crate::callsite::{Callsite, EventInfo};
use crate::encode::common_schema::{self, CloudRole, PartA, PartB};
use crate::encode::header::HeaderFields;
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
        write(site, event, &time, &capture.cloud_role, |sealed| {
            deliver::to_capture(sealed, tracepoint, counters)
        });
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
        write(site, event, &time, &state.cloud_role, |sealed| {
            let (fd, index) = (file.fd(), site.write_index());
            deliver::to_kernel(sealed, fd, site.enable_word(), index, &state.counters)
        });
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
    deliver: impl FnOnce(Sealed<'_, ()>),
) {
    // One read of the OpenTelemetry context for PartA's ids and the activity id.
    let span = CurrentSpan::get();
    let trace = span.as_ref().map(CurrentSpan::trace_hex);
    let span_activity = span.as_ref().map(CurrentSpan::activity_id);
    let part_a = PartA::new(time.as_str(), trace.as_ref(), cloud_role);
    let content = MacroEvent {
        info: site.info(),
        event,
        part_a: &part_a,
    };
    let fields = header_fields(site.info(), event, span_activity.as_ref());
    seal_event(&content, &fields, deliver);
}

/// The header of `event`; inside an OpenTelemetry span (activity `span`), see
/// [`activity::within_span`].
fn header_fields<'a>(
    info: &EventInfo,
    event: &Event<'a>,
    span: Option<&'a ActivityId>,
) -> HeaderFields<'a> {
    HeaderFields {
        level: info.level.as_u8(),
        opcode: event.opcode,
        activity: activity::within_span(event.activity, event.opcode, span),
    }
}

/// A macro event with its PartA, as [`seal_event`] encodes it.
struct MacroEvent<'v> {
    info: &'static EventInfo,
    event: &'v Event<'v>,
    part_a: &'v PartA<'v>,
}

impl<'v> Encode for MacroEvent<'v> {
    type Dropped = ();

    #[inline(always)]
    fn encode<'w>(&'w self, w: &mut EventWriter<'w>) {
        encode(w, self.info, self.event, self.part_a);
    }
}

/// Lays out a macro event in Common Schema: head, PartC (the fields), PartB.
fn encode<'a>(
    w: &mut EventWriter<'a>,
    info: &'static EventInfo,
    event: &Event<'a>,
    part_a: &PartA<'a>,
) {
    common_schema::write_head(w, info.name, part_a);
    if !event.part_c_meta.is_empty() {
        w.meta.bytes(event.part_c_meta);
        for field in event.fields {
            field.encode(&mut w.data);
        }
    }
    let part_b = PartB {
        severity_number: info.level.severity_number(),
        severity_text: Some(info.level.severity_text()),
        event_id: None,
        name: Some(info.name),
    };
    common_schema::write_part_b_head(w, event.body.is_some(), &part_b);
    if let Some((body, [encoding, format])) = event.body {
        w.meta.literal_field("body", encoding, format);
        body.encode(&mut w.data);
    }
    common_schema::write_part_b_tail(w, &part_b);
}
