//! A span event (`Span::add_event`) as one Common Schema 4.0 event, written
//! with the span's activity id (the `opentelemetry-user-events-trace` crate
//! drops span events).
//!
//! Layout: event name `"SpanEvent"`, `__csver__`, PartA (the event's time, the
//! span's trace and span ids, the cloud role), PartB (`_typeName`
//! `"SpanEvent"`, `name`: the event's name), PartC (the event's attributes).

use opentelemetry::KeyValue;
use opentelemetry::trace::Event;

use super::record::{SpanSettings, add_attribute};
use crate::encode::common_schema::{PartBActivity, TraceHex, write_head};
use crate::encode::encoding::STRING;
use crate::encode::members::Members;
use crate::encode::seal::Encode;
use crate::encode::writer::{EventWriter, Room};

/// The EventHeader name (and PartB `_typeName`) of span events.
pub const SPAN_EVENT_NAME: &str = "SpanEvent";

/// One span event, as [`seal_event`](crate::encode::seal::seal_event) encodes it.
pub(crate) struct SpanEventRecord<'v> {
    pub(crate) settings: &'v SpanSettings,
    pub(crate) event: &'v Event,
    /// PartA's time: the event's timestamp.
    pub(crate) time: &'v str,
    /// The span's trace and span ids.
    pub(crate) ids: &'v TraceHex,
    /// The header's activity fields, repeated in PartB (the scalar profile).
    pub(crate) part_b_activity: Option<PartBActivity<'v>>,
}

impl Encode for SpanEventRecord<'_> {
    /// How many attributes did not fit.
    fn encode<'w>(&'w self, w: &mut EventWriter<'w>) -> u64 {
        let SpanEventRecord {
            settings,
            event,
            time,
            ids,
            part_b_activity,
        } = *self;
        let mut part_c = Members::later(w, "PartC");
        write_head(w, SPAN_EVENT_NAME, &settings.part_a(time, ids));
        let members = 2 + part_b_activity.map_or(0, |a| a.members());
        w.meta.literal_structure("PartB", members);
        w.meta.literal_field("_typeName", STRING, 0);
        w.data.str(SPAN_EVENT_NAME);
        w.meta.literal_field("name", STRING, 0);
        w.data.str(&event.name);
        if let Some(activity) = part_b_activity {
            activity.write(w);
        }

        for KeyValue { key, value, .. } in &event.attributes {
            add_attribute(
                &mut part_c,
                w,
                (key.as_str(), value),
                settings.arrays,
                Room::NONE,
            );
        }
        part_c.finish(w)
    }
}
