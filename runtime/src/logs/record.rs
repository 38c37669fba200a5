//! An SDK `LogRecord` laid out in Common Schema 4.0 with the shared encoder:
//! head (`__csver__`, PartA), PartC (resource attributes, then the record's),
//! PartB (`_typeName`, body, severity, `eventId`, name).

use std::borrow::Cow;
use std::time::SystemTime;

use opentelemetry::logs::{AnyValue, Severity};
use opentelemetry::{Array, Key, Value};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::SdkLogRecord;

use super::event_name::{self, EventNamePolicy};
use crate::Level;
use crate::encode::any_value;
use crate::encode::common_schema::{
    CloudRole, PartA, PartB, PartBActivity, SERVICE_INSTANCE_ID, SERVICE_NAME, TraceHex,
    write_head, write_part_b_head, write_part_b_tail,
};
use crate::encode::header::{ActivityIds, HeaderFields};
use crate::encode::members::Members;
use crate::encode::profile::EncodingProfile;
use crate::encode::seal::Encode;
use crate::encode::writer::{EventWriter, Room};

/// The attribute whose integer value becomes PartB `eventId` (and leaves PartC).
pub(super) const EVENT_ID: &str = "event_id";

/// Metadata kept free for PartB while PartC is written: `PartB`, `_typeName`,
/// `body`, `severityNumber`, `severityText`, `eventId` and `name` take 76 bytes.
const META_RESERVE: Room = Room::new(128, 16);
/// Data kept free for PartB while PartC is written. PartB's fixed members take
/// at most about 220 bytes; the segments keep borrowing possible (the writer
/// copies instead of borrowing when fewer than 9 segment slots are left).
const DATA_RESERVE: Room = Room::new(256, 24);
/// Data kept free for PartB's members after the body.
const BODY_RESERVE: Room = Room::new(160, 12);

/// The processor's settings that shape each event.
#[derive(Debug)]
pub(crate) struct RecordSettings {
    pub(crate) event_name: EventNamePolicy,
    pub(crate) default_severity: Severity,
    resource_keys: Vec<Cow<'static, str>>,
    /// Allow-listed resource attributes, in allow-list order.
    pub(super) resource_attributes: Vec<(Key, AnyValue)>,
    pub(super) cloud_role: CloudRole,
    pub(super) profile: EncodingProfile,
}

impl RecordSettings {
    pub(crate) fn new(
        event_name: EventNamePolicy,
        default_severity: Severity,
        resource_keys: Vec<Cow<'static, str>>,
        profile: EncodingProfile,
    ) -> RecordSettings {
        RecordSettings {
            event_name,
            default_severity,
            resource_keys,
            profile,
            resource_attributes: Vec::new(),
            cloud_role: CloudRole::default(),
        }
    }

    /// Takes `service.name` and `service.instance.id` for PartA and the
    /// allow-listed attributes for PartC from `resource`.
    pub(crate) fn set_resource(&mut self, resource: &Resource) {
        let get = |key: &str| resource.get(&Key::new(key.to_owned()));
        self.cloud_role = CloudRole::from_resource(Some(resource));
        self.resource_attributes = self
            .resource_keys
            .iter()
            .filter(|key| key.as_ref() != SERVICE_NAME && key.as_ref() != SERVICE_INSTANCE_ID)
            .filter_map(|key| {
                let value = get(key)?;
                Some((Key::new(key.clone().into_owned()), to_any_value(value)))
            })
            .collect();
    }

    /// The severity a record is written with.
    #[inline(always)]
    pub(crate) fn severity_of(&self, record: &SdkLogRecord) -> Severity {
        record.severity_number().unwrap_or(self.default_severity)
    }
}

/// A resource attribute value as a log attribute value (arrays stay arrays).
fn to_any_value(value: Value) -> AnyValue {
    fn list<T>(items: Vec<T>, f: impl Fn(T) -> AnyValue) -> AnyValue {
        AnyValue::ListAny(Box::new(items.into_iter().map(f).collect()))
    }
    match value {
        Value::Bool(b) => AnyValue::Boolean(b),
        Value::I64(i) => AnyValue::Int(i),
        Value::F64(f) => AnyValue::Double(f),
        Value::String(s) => AnyValue::String(s),
        Value::Array(Array::Bool(v)) => list(v, AnyValue::Boolean),
        Value::Array(Array::I64(v)) => list(v, AnyValue::Int),
        Value::Array(Array::F64(v)) => list(v, AnyValue::Double),
        Value::Array(Array::String(v)) => list(v, AnyValue::String),
        other => AnyValue::String(other.to_string().into()),
    }
}

/// When the record happened: its timestamp, else when it was observed, else now.
pub(crate) fn record_time(record: &SdkLogRecord) -> SystemTime {
    record
        .timestamp()
        .or(record.observed_timestamp())
        .unwrap_or_else(SystemTime::now)
}

/// The trace context of `record`, as PartA writes it.
pub(crate) fn record_trace(record: &SdkLogRecord) -> Option<TraceHex> {
    record
        .trace_context()
        .map(|tc| TraceHex::new(tc.trace_id, tc.span_id))
}

/// The header of a record's event: its level, no opcode, no activity.
pub(crate) fn header_fields(level: Level) -> HeaderFields<'static> {
    HeaderFields {
        level: level.as_u8(),
        opcode: 0,
        activity: None,
    }
}

/// A record as one event (named by the processor's event-name policy), as
/// [`seal_event`] encodes it.
///
/// [`seal_event`]: crate::encode::seal_event
pub(crate) struct RecordEvent<'v> {
    pub(crate) settings: &'v RecordSettings,
    pub(crate) record: &'v SdkLogRecord,
    pub(crate) severity: Severity,
    pub(crate) time: &'v str,
    pub(crate) trace: Option<&'v TraceHex>,
    /// The header's activity id (the scalar profile repeats it in PartB).
    pub(crate) activity: Option<&'v [u8; 16]>,
}

impl<'v> Encode for RecordEvent<'v> {
    fn encode<'w>(&'w self, w: &mut EventWriter<'w>) -> u64 {
        encode(w, self)
    }
}

fn encode<'a>(w: &mut EventWriter<'a>, event: &RecordEvent<'a>) -> u64 {
    let RecordEvent {
        settings,
        record,
        severity,
        time,
        trace,
        activity,
    } = *event;
    let event_name = settings.event_name.name_of(record);
    let part_a = PartA::new(time, trace, &settings.cloud_role);
    let mut part_c = Members::later(w, "PartC");
    write_head(w, event_name, &part_a);
    let profile = settings.profile;
    let mut add = |w: &mut EventWriter<'a>, name: &'a str, value: &'a AnyValue| {
        let fits = |w: &EventWriter<'_>, reserve| {
            any_value::field_fits(w, name, value, profile, reserve, DATA_RESERVE)
        };
        if part_c.admit(w, name, META_RESERVE, fits) {
            any_value::write_field(w, name, value, profile, DATA_RESERVE);
        }
    };
    for (key, value) in &settings.resource_attributes {
        add(w, key.as_str(), value);
    }
    let mut event_id = None;
    for (key, value) in record.attributes_iter() {
        let name = key.as_str();
        if let (EVENT_ID, AnyValue::Int(id)) = (name, value) {
            event_id = Some(*id);
            continue;
        }
        add(w, name, value);
    }
    let dropped = part_c.finish(w);

    let body = record.body();
    let part_b = PartB {
        severity_number: severity as i16,
        severity_text: record.severity_text(),
        event_id,
        name: record
            .event_name()
            .filter(|name| event_name::is_named(name)),
        activity: (settings.profile == EncodingProfile::Scalars).then_some(PartBActivity {
            ids: activity.map(ActivityIds::of),
            opcode: 0,
        }),
    };
    write_part_b_head(w, body.is_some(), &part_b);
    if let Some(body) = body {
        any_value::write_field(w, "body", body, settings.profile, BODY_RESERVE);
    }
    write_part_b_tail(w, &part_b);
    dropped
}
