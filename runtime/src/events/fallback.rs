//! The OpenTelemetry output: a macro event becomes an SDK `LogRecord`, emitted
//! through the configured `SdkLoggerProvider` (so any `LogExporter` works).
//!
//! # The record
//!
//! | LogRecord              | from                                                  |
//! |------------------------|-------------------------------------------------------|
//! | event name             | the event's name (`"OrderPlaced"`)                    |
//! | target                 | the call site's module path                           |
//! | severity number / text | the level: critical 21 `FATAL`, error 17 `ERROR`, warn 13 `WARN`, info 9 `INFO`, verbose 5 `DEBUG` |
//! | timestamp, observed timestamp | the time of the call (the same instant)        |
//! | body                   | `body = ..`, converted like a field                   |
//! | attributes             | the fields, in order, by [`Field::to_attribute`](crate::field::Field::to_attribute) (a `None` option is left out) |
//! | trace context          | the current OpenTelemetry span, when valid            |
//! | `activity_id`, `related_activity_id` | `#[otel_event]` activities, and events written while one is current (`activity_id` only); inside an OpenTelemetry span, the span's `ActivityId::from_span` (the activity of a plain event, the related id of an activity's start), as on user_events: 16 bytes (`Bytes`) |
//! | `opcode`               | `"ActivityStart"` / `"ActivityStop"` on an activity's start and stop records; absent on plain events |
//! | `keyword`              | the keyword, `Int` (a decimal `String` beyond `i64::MAX`), when it is not the default 1 |
//!
//! The attributes follow the fields in that order: `activity_id`,
//! `related_activity_id`, `opcode`, `keyword`. A field of the same name comes
//! first and is not replaced (attribute keys need not be unique in the SDK).
//!
//! The activity ids stay 16 bytes (`Bytes`, as OTLP's `bytes_value`): that is
//! exact and typed, and the bytes in order are the hex digits of the GUID form
//! EventHeader decoders and `ue-tail` print (`00000000-0000-0000-0000-000000000001`
//! is the bytes `00 .. 00 01`), so one id can be looked up in both outputs.
//! Start and stop keep the event's name and severity, as on user_events; the
//! `opcode` attribute tells them apart, as EventHeader's opcode does.
//!
//! Field values keep their natural types: integers are `Int` (a `u64`/`u128`
//! beyond `i64::MAX`, or an `i128` beyond `i64`, is a decimal `String`, keeping
//! every digit), floats `Double`, `bool` `Boolean`, strings and `char` `String`,
//! byte slices and `Vec<u8>` `Bytes`, other arrays `ListAny` of their elements,
//! `Duration` `Int` nanoseconds, `SystemTime` an RFC 3339 `String`, IP and socket
//! addresses their `String` form, `%x` and `?x` the `Display`/`Debug` `String`.
//!
//! # When a call site is enabled
//!
//! The enabled check stays one load: each call site's FALLBACK bit caches the
//! logger's `Logger::event_enabled(severity, target, Some(name))` for that site.
//! The SDK answers it from its processors' configuration, which is static for
//! the built-in processors, so it is asked once per call site when the provider
//! starts, and again only when [`Provider::refresh_enabled`](crate::Provider::refresh_enabled)
//! is called (for a processor whose filter changes at run time). What is dynamic
//! is left to the SDK at emit time: a record emitted while telemetry is
//! suppressed (inside an exporter) is discarded, and is not built at all here.

use std::time::SystemTime;

use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _};
use opentelemetry::trace::TraceContextExt as _;

use super::callsite::EventInfo;
use super::event::Event;
use crate::activity::{span_activity, within_span};
use crate::encode::header::ActivityIds;
use crate::provider::ProviderState;

/// Emits `event` through the provider's OpenTelemetry logger.
///
/// Out of line: its caller (`dispatch::dispatch`) is `#[cold]` for the sake of the
/// disabled path, and code inlined into a cold function is optimised for size.
#[inline(never)]
pub(crate) fn emit_record(state: &ProviderState, info: &'static EventInfo, event: &Event<'_>) {
    let Some(logger) = &state.logger else {
        return;
    };
    // One look at the current context: a record emitted while telemetry is
    // suppressed would be discarded by the SDK, so it is not built (or counted).
    let Some(trace) = opentelemetry::Context::map_current(|cx| {
        if cx.is_telemetry_suppressed() {
            return None;
        }
        let span = cx.span();
        let sc = span.span_context();
        Some(
            sc.is_valid()
                .then(|| (sc.trace_id(), sc.span_id(), sc.trace_flags())),
        )
    }) else {
        return;
    };
    let mut record = logger.create_log_record();
    let now = SystemTime::now();
    record.set_event_name(info.name);
    record.set_target(info.target);
    record.set_timestamp(now);
    record.set_observed_timestamp(now);
    record.set_severity_number(info.level.severity());
    record.set_severity_text(info.level.severity_text());
    if let Some((trace_id, span_id, flags)) = trace {
        record.set_trace_context(trace_id, span_id, Some(flags));
    }
    if let Some(body) = event.body.and_then(|(body, _)| body.to_attribute()) {
        record.set_body(body);
    }
    for (name, value) in info.field_names.iter().zip(event.fields) {
        if let Some(value) = value.to_attribute() {
            record.add_attribute(*name, value);
        }
    }
    // Inside an OpenTelemetry span, its activity (as on user_events: see
    // `activity::within_span`).
    let span_activity = trace.map(|(trace_id, span_id, _)| span_activity(trace_id, span_id));
    if let Some(ActivityIds {
        id: activity,
        related,
    }) = within_span(event.activity, event.opcode, span_activity.as_ref())
    {
        record.add_attribute("activity_id", AnyValue::Bytes(Box::new(activity.to_vec())));
        if let Some(related) = related {
            record.add_attribute(
                "related_activity_id",
                AnyValue::Bytes(Box::new(related.to_vec())),
            );
        }
    }
    if let Some(opcode) = opcode_name(event.opcode) {
        record.add_attribute("opcode", opcode);
    }
    if info.keyword != DEFAULT_KEYWORD {
        record.add_attribute("keyword", keyword_value(info.keyword));
    }
    logger.emit(record);
    state.output.counters().handed_to_opentelemetry();
}

/// The keyword of call sites that name none; left out of records.
const DEFAULT_KEYWORD: u64 = otel_user_events_abi::DEFAULT_KEYWORD;

/// The `opcode` attribute of an EventHeader opcode; plain events (Info) have none.
fn opcode_name(opcode: u8) -> Option<&'static str> {
    match opcode {
        1 => Some("ActivityStart"),
        2 => Some("ActivityStop"),
        _ => None,
    }
}

/// A keyword as an `Int`, or as its decimal `String` when it does not fit one
/// (the rule of `u64` fields).
fn keyword_value(keyword: u64) -> AnyValue {
    match i64::try_from(keyword) {
        Ok(k) => AnyValue::Int(k),
        Err(_) => AnyValue::String(keyword.to_string().into()),
    }
}
