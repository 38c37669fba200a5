//! The processor's side of [`testing::Capture`](crate::testing::Capture): while a
//! capture runs on the emitting thread, a record's event is kept instead of
//! written. Reached only when the level's capture bit is set, so the normal
//! path never looks here.

use crate::Level;
use crate::encode::seal::seal_event;
use crate::encode::time::Rfc3339;
use crate::testing::{self, CapturedEvent};

use super::UserEventsProcessor;
use super::record::{self, RecordEvent, header_fields, record_trace};
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
    let time = Rfc3339::new(time_override.unwrap_or_else(|| record::record_time(record)));
    let trace = record_trace(record);
    let content = RecordEvent {
        config: &processor.config,
        record,
        severity,
        time: time.as_str(),
        trace: trace.as_ref(),
    };
    seal_event(&content, &header_fields(level), |sealed| {
        if sealed.dropped > 0 {
            shared.counters.attributes_dropped(sealed.dropped);
        }
        let Some((header, truncated)) = sealed.header else {
            shared.counters.dropped_too_large();
            return;
        };
        if truncated {
            shared.counters.truncated();
        }
        testing::push_captured(CapturedEvent {
            tracepoint: shared.name.tracepoint_name(level, shared.keyword),
            payload: sealed.writer.payload(&header),
            truncated,
        });
        shared.counters.written();
    });
    true
}
