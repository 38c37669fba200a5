//! The processor's side of [`testing::Capture`](crate::testing::Capture): while a
//! capture runs on the emitting thread, a record's event is kept instead of
//! written. Reached only when the level's capture bit is set, so the normal
//! path never looks here.

use crate::Level;
use crate::encode::header::HeaderFields;
use crate::encode::time::Rfc3339;
use crate::encode::writer::EventWriter;
use crate::testing::{self, CapturedEvent};

use super::UserEventsProcessor;
use super::record::{self, record_trace};
use opentelemetry::logs::Severity;
use opentelemetry_sdk::logs::SdkLogRecord;

/// Captures the event of `record` if this thread is capturing; returns whether it did.
///
/// Outcomes are counted as a real write would count them (written, truncated,
/// too large, attributes dropped), so counters can be tested without a kernel.
pub(super) fn capture(
    processor: &UserEventsProcessor,
    record: &SdkLogRecord,
    severity: Severity,
    level: Level,
) -> bool {
    let Some(time_override) = testing::thread_capture_time() else {
        return false;
    };
    let shared = &processor.shared;
    let event_name = processor.config.event_name.name_of(record);
    let time = Rfc3339::new(time_override.unwrap_or_else(|| record::record_time(record)));
    let trace = record_trace(record);
    let mut w = EventWriter::new();
    let dropped = record::encode(
        &mut w,
        &processor.config,
        record,
        severity,
        event_name,
        time.as_str(),
        trace.as_ref(),
    );
    if dropped > 0 {
        shared.counters.attributes_dropped(dropped);
    }
    let fields = HeaderFields {
        level: level.as_u8(),
        opcode: 0,
        activity: None,
    };
    let Some((header, truncated)) = w.seal(&fields) else {
        shared.counters.dropped_too_large();
        return true;
    };
    if truncated {
        shared.counters.truncated();
    }
    testing::push_captured(CapturedEvent {
        tracepoint: shared.name.tracepoint_name(level, shared.keyword),
        payload: w.payload(&header),
        truncated,
    });
    shared.counters.written();
    true
}
