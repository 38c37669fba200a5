//! The processor the logger provider owns, and the handle its creator keeps.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use opentelemetry::InstrumentationScope;
use opentelemetry::logs::Severity;
use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::{LogProcessor, SdkLogRecord};

use crate::Level;
use crate::activity::{self, ActivityId};
use crate::encode::header::ActivityIds;
use crate::encode::time::Rfc3339;
use crate::output::{KeywordSet, Output, enable, output_accessors};

use super::record::{self, RecordEvent, RecordSettings, header_fields};

/// An OpenTelemetry [`LogProcessor`] that writes SDK log records to user_events.
///
/// Plug [`UserEventsProcessor`] into an `SdkLoggerProvider` and the logs you
/// already emit (through `tracing` with `opentelemetry-appender-tracing`, `log`
/// with `opentelemetry-appender-log`, or the Logs API) go to the tracepoints
/// `<Provider>_L<level>K<keyword>`, where `perf`, ftrace or a local agent read
/// them. While nobody listens, [`LogProcessor::event_enabled`] answers `false`
/// with one atomic load, so the appenders skip building records at all.
///
/// ```
/// use opentelemetry_sdk::logs::SdkLoggerProvider;
/// use otel_user_events_runtime::logs::UserEventsProcessor;
///
/// let processor = UserEventsProcessor::builder("myprovider").build()?;
/// eprint!("{}", processor.report()); // which tracepoints registered, or why not
/// let handle = processor.handle(); // counters stay readable after the move below
/// let provider = SdkLoggerProvider::builder()
///     .with_log_processor(processor)
///     .build();
/// // ... log (the `tracing` appender, the Logs API) ...
/// println!("{:?}", handle.counters());
/// provider.shutdown()?; // unregisters the tracepoints
/// assert!(handle.is_shut_down());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Drop-in for `opentelemetry_user_events_logs::Processor` (0.18)
///
/// The builder has the same shape (`builder(name)`, `with_resource_attributes`,
/// `build()`), the same tracepoint names, and events decode to the same JSON for
/// every record that crate writes: event name `"Log"`, `__csver__` 0x400, PartA
/// `time` (same RFC 3339 digits), `ext_dt_traceId`/`ext_dt_spanId`,
/// `ext_cloud_role` (`service.name`), `ext_cloud_roleInstance`
/// (`service.instance.id`); PartC with the allow-listed resource attributes then
/// the record's attributes (an integer `event_id` moves to PartB); PartB
/// `_typeName`, `body`, `severityNumber`, `severityText`, `eventId`, `name`.
///
/// Differences, all where that crate loses information:
///
/// - bytes, lists and maps (attributes, body, resource arrays) get real values
///   instead of `""` (bytes as hex, lists of one scalar type as EventHeader
///   arrays, other lists and maps as JSON text);
/// - a record without a severity is written at the builder's default severity
///   (`Info`) instead of being dropped;
/// - several allow-listed resource attributes come in allow-list order (that
///   crate uses the resource's hash order);
/// - an event over 64 KB is truncated (longest strings first) instead of dropped;
///   more than 127 attributes keep the first 127; both are counted;
/// - the keyword is configurable ([`UserEventsProcessorBuilder::with_keyword`](super::UserEventsProcessorBuilder::with_keyword)),
///   and the event name can come from the record or a callback;
/// - a bad provider name is a typed [`ProviderNameError`](crate::provider::ProviderNameError);
/// - the tracepoints can join a provider group
///   ([`UserEventsProcessorBuilder::with_provider_group`](super::UserEventsProcessorBuilder::with_provider_group));
/// - a record emitted in a span (with a trace context) carries that span's
///   activity id ([`ActivityId::from_span`]) in the EventHeader header, and
///   one emitted inside an `#[otel_event]` activity that activity's id, so
///   it groups with the span's (or the activity's) other events; decoders show
///   it in `meta`;
/// - where user_events is missing, records are counted as dropped (see Counting below)
///   and the [`report`](Self::report) says why, instead of a note in the SDK's internal logs.
///
/// # Limits
///
/// Events are gathered on the stack without allocating: names and short values are copied into 2 KB of
/// metadata and 8 KB of data scratch, long strings and bytes are borrowed. An
/// attribute that would not fit (e.g. hundreds of long attribute names) is left
/// out, room is always kept for PartB, and JSON text of maps and mixed lists is
/// cut at the room left (about 7 KB at most). Each of these marks the event
/// truncated and is counted ([`CounterSnapshot::attributes_dropped`](crate::output::CounterSnapshot::attributes_dropped),
/// [`CounterSnapshot::truncated`](crate::output::CounterSnapshot::truncated)).
///
/// `perf` itself silently drops events larger than about 8 KB (its per-CPU
/// copy buffer); ftrace and agents reading the tracepoint see them whole.
///
/// # Counting
///
/// Nothing is lost silently: [`OutputHandle::counters`](crate::output::OutputHandle::counters) returns written
/// events, truncated events, events too large to write, events whose listener
/// went away mid-write, attributes dropped, and failed writes by errno.
///
/// A processor built where user_events is missing (or not writable) is still
/// a processor: every record it gets is dropped and counted as
/// [`dropped_unavailable`](crate::output::CounterSnapshot::dropped_unavailable), and its
/// [`report`](Self::report) says so. Its levels then answer `true` to
/// [`LogProcessor::event_enabled`] (still one load), so that the records
/// reach it and are counted; leave the processor out of the logger provider
/// when [`OutputReport::all_registered`](crate::output::OutputReport::all_registered) is false if they should not be
/// built at all. The same holds for a single level whose tracepoint did not
/// register.
///
/// It writes each log record synchronously and without allocating, as an
/// EventHeader event to the user_events tracepoint of its level.
///
/// It owns its `user_events_data` file and one enable word per level; shutting
/// it down (or dropping it) unregisters its tracepoints exactly once and
/// closes the file.
pub struct UserEventsProcessor {
    pub(super) output: Arc<Output>,
    pub(super) settings: RecordSettings,
}

impl UserEventsProcessor {
    output_accessors!("processor", output);

    /// The tracepoints of the processor's keyword.
    #[inline(always)]
    pub(super) fn set(&self) -> &KeywordSet {
        &self.output.sets()[0]
    }

    /// Writes a record that a listener (or a test capture) wants. Out of line,
    /// so `emit`'s disabled path stays a load and a branch.
    #[inline(never)]
    fn emit_enabled(&self, record: &SdkLogRecord, severity: Severity, level: Level, bits: u32) {
        if bits == enable::KERNEL && self.write_direct(record, severity, level) {
            return;
        }
        let Some(sink) = self.output.sink(self.set().at(level), bits) else {
            return;
        };
        let time = Rfc3339::new(
            sink.fixed_time()
                .unwrap_or_else(|| record::record_time(record)),
        );
        let trace = record::record_trace(record);
        let activity = record_activity(record);
        let content = RecordEvent {
            settings: &self.settings,
            record,
            severity,
            time: time.as_str(),
            trace: trace.as_ref(),
            activity: activity.as_ref().map(ActivityId::as_bytes),
        };
        let mut fields = header_fields(level);
        fields.activity = activity.as_ref().map(|id| ActivityIds::of(id.as_bytes()));
        sink.seal(&content, &fields);
    }
}

/// The activity id of a record's event: the current `#[otel_event]` activity,
/// else the activity of the span the record was emitted in
/// ([`ActivityId::from_span`] of its trace context), as macro events get.
pub(super) fn record_activity(record: &SdkLogRecord) -> Option<ActivityId> {
    ActivityId::current().or_else(|| {
        let tc = record.trace_context()?;
        (tc.trace_id != TraceId::INVALID && tc.span_id != SpanId::INVALID)
            .then(|| activity::span_activity(tc.trace_id, tc.span_id))
    })
}

impl LogProcessor for UserEventsProcessor {
    /// Writes `record` to its level's tracepoint when someone listens; otherwise
    /// returns after one load.
    #[inline]
    fn emit(&self, record: &mut SdkLogRecord, _scope: &InstrumentationScope) {
        let severity = self.settings.severity_of(record);
        let level = Level::from_severity(severity);
        let bits = self.set().word(level).load(Ordering::Relaxed);
        if bits != 0 {
            self.emit_enabled(record, severity, level, bits);
        }
    }

    /// Nothing is buffered: every record is written in `emit`.
    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    /// Unregisters the tracepoints (once; later calls do nothing) and closes
    /// the data file, so the names leave `user_events_status`. Records emitted
    /// afterwards are ignored.
    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        self.output.release();
        Ok(())
    }

    /// Whether a listener is attached to `level`'s tracepoint (or the level
    /// could not register, so its records are to be counted as dropped): one
    /// relaxed load.
    #[inline]
    fn event_enabled(&self, level: Severity, _target: &str, _name: Option<&str>) -> bool {
        self.set()
            .word(Level::from_severity(level))
            .load(Ordering::Relaxed)
            != 0
    }

    /// Takes `service.name` (PartA `ext_cloud_role`), `service.instance.id`
    /// (`ext_cloud_roleInstance`) and the allow-listed attributes (PartC) from
    /// the logger provider's resource.
    fn set_resource(&mut self, resource: &Resource) {
        self.settings.set_resource(resource);
    }
}

impl Drop for UserEventsProcessor {
    fn drop(&mut self) {
        self.output.release();
    }
}

impl fmt::Debug for UserEventsProcessor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserEventsProcessor")
            .field("provider", &self.report().provider)
            .field("keywords", &self.report().keywords)
            .field("event_name", &self.settings.event_name)
            .field("shut_down", &self.output.is_released())
            .finish_non_exhaustive()
    }
}
