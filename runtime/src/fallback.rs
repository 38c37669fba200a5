//! The OpenTelemetry output: a macro event becomes an SDK `LogRecord`.

use std::time::SystemTime;

use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _};
use opentelemetry::trace::TraceContextExt as _;

use crate::callsite::EventInfo;
use crate::emit::Event;
use crate::provider::ProviderState;

/// Emits `event` through the provider's OpenTelemetry logger.
pub(crate) fn emit(state: &ProviderState, info: &'static EventInfo, event: &Event<'_>) {
    let Some(logger) = &state.logger else {
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
    if let Some((body, _)) = event.body {
        record.set_body(body.to_any_value());
    }
    for (name, value) in info.field_names.iter().zip(event.fields) {
        record.add_attribute(*name, value.to_any_value());
    }
    if let Some((activity, related)) = event.activity {
        record.add_attribute("activity_id", AnyValue::Bytes(Box::new(activity.to_vec())));
        if let Some(related) = related {
            record.add_attribute(
                "related_activity_id",
                AnyValue::Bytes(Box::new(related.to_vec())),
            );
        }
    }
    opentelemetry::Context::map_current(|cx| {
        let span = cx.span();
        let sc = span.span_context();
        if sc.is_valid() {
            record.set_trace_context(sc.trace_id(), sc.span_id(), Some(sc.trace_flags()));
        }
    });
    logger.emit(record);
    state.counters.written();
}
