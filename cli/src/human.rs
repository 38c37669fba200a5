//! The one-line view of an event for people:
//!
//! ```text
//! 2026-11-24T10:00:00.123456Z MyService:OrderPlaced info pid=123 tid=123 order_id=42 customer="ada"
//! ```
//!
//! time (UTC, or seconds of the trace clock when its offset is unknown),
//! provider:event, level, opcode (unless informational), pid, tid, activity ids
//! when present, then the fields with JSON values. Common Schema bookkeeping is
//! left out (`__csver__`, PartA's `time`, PartB's `_typeName`,
//! `severityNumber` and `severityText` (the level says it), and `name` when it
//! repeats the event name) and the members
//! of PartA, PartB and PartC are shown as fields; `--json` shows everything.

use std::fmt::Write as _;

use chrono::DateTime;
use otel_user_events_listen::decode::JSON_OPTIONS;
use otel_user_events_listen::names::level_name;
use tracepoint_decode::{
    EventHeaderEnumerator, EventHeaderEnumeratorState as State, PerfConvertOptions,
    PerfEventFormat, PerfSampleEventInfo,
};

/// Values without their `"name":` prefix.
const VALUE_OPTIONS: PerfConvertOptions = JSON_OPTIONS.and_not(PerfConvertOptions::RootName);

/// Appends the line of an EventHeader event, positioned before its first item.
pub fn eventheader(
    out: &mut String,
    event: &mut EventHeaderEnumerator,
    sample: &PerfSampleEventInfo,
) {
    let info = event.event_info();
    let header = info.header();
    time(out, sample);
    // Writing to a String cannot fail.
    let _ = write!(out, " {}:{}", info.provider_name(), info.name_display());
    let level = header.level.as_int();
    match level_name(level) {
        Some(name) => {
            let _ = write!(out, " {name}");
        }
        None => {
            let _ = write!(out, " level={level}");
        }
    }
    match header.opcode.as_int() {
        0 => {}
        1 => out.push_str(" start"),
        2 => out.push_str(" stop"),
        opcode => {
            let _ = write!(out, " opcode={opcode}");
        }
    }
    let _ = write!(out, " pid={} tid={}", sample.pid, sample.tid);
    if let Some(id) = info.activity_id() {
        out.push_str(" activity=");
        uuid(out, id);
    }
    if let Some(id) = info.related_activity_id() {
        out.push_str(" related=");
        uuid(out, id);
    }
    fields(out, event, info.name_bytes());
}

/// Appends the line of a tracepoint event decoded with its tracefs format.
pub fn plain(out: &mut String, sample: &PerfSampleEventInfo, format: &PerfEventFormat) {
    time(out, sample);
    let _ = write!(
        out,
        " {}:{} pid={} tid={}",
        format.system_name(),
        format.name(),
        sample.pid,
        sample.tid
    );
    for field in format.fields().iter().skip(format.common_field_count()) {
        let value = field.get_field_value(sample);
        let _ = write!(out, " {}={}", field.name(), value.json_display());
    }
}

/// Which Common Schema struct the walk is in.
#[derive(Clone, Copy, PartialEq)]
enum Part {
    None,
    A,
    B,
    C,
}

fn fields(out: &mut String, event: &mut EventHeaderEnumerator, event_name: &[u8]) {
    let mut common_schema = false;
    let mut part = Part::None;
    let mut first = true;
    event.move_next();
    loop {
        let state = event.state();
        match state {
            State::Value | State::ArrayBegin | State::StructBegin => {}
            // Only a part's end is reached: other structs are written whole.
            State::StructEnd => {
                part = Part::None;
                event.move_next();
                continue;
            }
            State::Error => {
                let _ = write!(
                    out,
                    " decode_error={:?}",
                    format!("{:?}", event.last_error())
                );
                return;
            }
            _ => return,
        }
        let item = event.item_info();
        let name = item.name_bytes();
        if first {
            common_schema = state == State::Value && name == b"__csver__";
            first = false;
        }
        if common_schema && part == Part::None && state == State::StructBegin {
            part = match name {
                b"PartA" => Part::A,
                b"PartB" => Part::B,
                b"PartC" => Part::C,
                _ => Part::None,
            };
            if part != Part::None {
                event.move_next(); // into the part: its members are the fields
                continue;
            }
        }
        let hidden = common_schema
            && match (part, name) {
                (Part::None, b"__csver__") => true,
                (Part::A, b"time") => true,
                (Part::B, b"_typeName" | b"severityNumber" | b"severityText") => true,
                (Part::B, b"name") => item.value().to_string_bytes().0 == event_name,
                _ => false,
            };
        if hidden {
            event.move_next_sibling();
            continue;
        }
        let _ = write!(out, " {}=", item.name_display());
        let _ = event.write_json_item_and_move_next_sibling(out, false, VALUE_OPTIONS);
    }
}

/// The sample's time: RFC 3339 UTC with microseconds when the trace says how
/// its clock relates to wall time, else the clock's seconds.
fn time(out: &mut String, sample: &PerfSampleEventInfo) {
    let spec = sample.time_spec();
    let wall = sample
        .session_info
        .clock_offset_known()
        .then(|| DateTime::from_timestamp(spec.seconds(), spec.nanoseconds()))
        .flatten();
    let _ = match wall {
        Some(t) => write!(out, "{}", t.format("%Y-%m-%dT%H:%M:%S%.6fZ")),
        None => write!(
            out,
            "{}.{:06}",
            sample.time / 1_000_000_000,
            sample.time % 1_000_000_000 / 1_000
        ),
    };
}

/// Writes an EventHeader activity id (big-endian bytes) as a lowercase UUID.
fn uuid(out: &mut String, id: &[u8; 16]) {
    for (i, byte) in id.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        let _ = write!(out, "{byte:02x}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_uuids() {
        let mut out = String::new();
        uuid(&mut out, &core::array::from_fn(|i| i as u8 * 17));
        assert_eq!(out, "00112233-4455-6677-8899-aabbccddeeff");
    }
}
