//! The span processor the tracer provider owns.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};

use super::record::{Phase, SpanRecord, SpanSettings};
use super::span_event::SpanEventRecord;
use crate::Level;
use crate::activity::ActivityId;
use crate::encode::common_schema::{CloudRole, TraceHex};
use crate::encode::header::{
    ActivityIds, HeaderFields, OPCODE_ACTIVITY_START, OPCODE_ACTIVITY_STOP, OPCODE_INFO,
};
use crate::encode::time::Rfc3339;
use crate::output::{KeywordSet, Output, enable, output_accessors};

/// The level (and tracepoint) of every span event, as the
/// `opentelemetry-user-events-trace` crate writes them.
const LEVEL: Level = Level::Info;

/// An OpenTelemetry [`SpanProcessor`] that writes spans to user_events, a
/// drop-in for `opentelemetry_user_events_trace::Processor` (0.6).
///
/// Plug it into an `SdkTracerProvider` and every span that ends is written,
/// synchronously and without allocating, as one EventHeader event `Span` to
/// the tracepoint `<Provider>_L4K1` (keyword and group configurable), where
/// `perf`, ftrace, `ue-tail` or a local agent read it. While nobody listens,
/// `on_end` returns after one atomic load.
///
/// ```
/// use opentelemetry::trace::{Span as _, Tracer as _, TracerProvider as _};
/// use opentelemetry_sdk::trace::SdkTracerProvider;
/// use otel_user_events_runtime::trace::UserEventsSpanProcessor;
///
/// let processor = UserEventsSpanProcessor::builder("MyService").build()?;
/// eprint!("{}", processor.report()); // the tracepoint MyService_L4K1, or why not
/// let handle = processor.handle(); // counters stay readable after the move below
/// let provider = SdkTracerProvider::builder()
///     .with_span_processor(processor)
///     .build();
/// let tracer = provider.tracer("checkout");
/// tracer.in_span("charge", |_cx| {
///     // ... work; ue_log! events here carry the span's ids ...
/// });
/// println!("{:?}", handle.counters());
/// provider.shutdown()?; // unregisters the tracepoint
/// assert!(handle.is_shut_down());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # What a span becomes
///
/// Exactly what `opentelemetry-user-events-trace` 0.6 writes, so decoders show
/// the same JSON: event name `"Span"`, level 4, `__csver__` 0x400; PartA `time`
/// (the span's end, RFC 3339 UTC), `ext_dt_traceId`, `ext_dt_spanId`,
/// `ext_cloud_role` (`service.name`), `ext_cloud_roleInstance`
/// (`service.instance.id`); PartB `_typeName` `"Span"`, `name`, `startTime`,
/// `success` (status `Ok` or `Unset`), `kind` (0 internal, 1 server, 2 client,
/// 3 producer, 4 consumer), `parentId` (a span with a parent), `links` (JSON
/// text `[{"toTraceId":..,"toSpanId":..}]`), the semantic-convention attributes
/// under their Common Schema names (`http.request.method` is `httpMethod`,
/// `url.full` `httpUrl`, `db.system.name` `dbSystem`, ...; eleven in all),
/// `statusMessage` (an error's description, unless `httpStatusCode` is there);
/// PartC the other attributes, in the span's order.
///
/// # Beyond the peer (each an option of [`UserEventsSpanProcessorBuilder`](crate::trace::UserEventsSpanProcessorBuilder))
///
/// - Live spans (off by default,
///   [`with_live_spans`](crate::trace::UserEventsSpanProcessorBuilder::with_live_spans)): an
///   ActivityStart event when the span starts, and the ended span as its
///   ActivityStop, both with the span's activity id
///   ([`ActivityId::from_span`]), the start with the parent's as related id.
/// - Span events (on by default): each `Span::add_event` becomes an event
///   `SpanEvent` with the span's activity id, written at the span's end before
///   the span (the peer drops them).
/// - Arrays are typed (on by default): EventHeader arrays of their element
///   type, where the peer writes `""`.
/// - Keyword, event name and provider group.
///
/// Other differences, where the peer loses information: more than 127 PartC
/// attributes keep the first 127 (the peer's struct count overflows), an event
/// over 64 KB is truncated (longest values first) instead of dropped, both
/// counted; a bad provider name is a typed [`ProviderNameError`](crate::provider::ProviderNameError);
/// where user_events is missing, spans are counted as dropped and the
/// [`report`](Self::report) says why.
///
/// # Counting
///
/// [`OutputHandle::counters`](crate::output::OutputHandle::counters) counts events: a span is one (two when live:
/// its start and its end), and each of its span events one more. A processor
/// built where user_events is missing (or not writable) is still a processor:
/// every event it would write is dropped and counted as
/// [`dropped_unavailable`](crate::output::CounterSnapshot::dropped_unavailable).
///
/// It owns its `user_events_data` file and the enable words of its keyword's
/// five levels (it writes level 4; all five are registered, as by every
/// output, so a collector's fixed list of names opens); shutting it down (or
/// dropping it) unregisters them exactly once and closes the file.
pub struct UserEventsSpanProcessor {
    pub(super) output: Arc<Output>,
    pub(super) settings: SpanSettings,
}

impl UserEventsSpanProcessor {
    output_accessors!("processor", output);

    /// The tracepoints of the processor's keyword.
    #[inline(always)]
    fn set(&self) -> &KeywordSet {
        &self.output.sets()[0]
    }

    /// Writes a live span's start. Out of line, so `on_start`'s disabled path
    /// stays a load and a branch.
    #[inline(never)]
    fn start_enabled(&self, span: &Span, bits: u32) {
        let Some(sink) = self.output.sink(self.set().at(LEVEL), bits) else {
            return;
        };
        let time = sink.fixed_time();
        // The SDK shows a started span's name, start time, kind and attributes
        // only as a copy of its data.
        let Some(data) = span.exported_data() else {
            return;
        };
        let ids = SpanIds::of(&data);
        let start = Rfc3339::new(data.start_time);
        let time = time.map(Rfc3339::new);
        let fields = HeaderFields {
            level: LEVEL.as_u8(),
            opcode: OPCODE_ACTIVITY_START,
            activity: Some(ActivityIds::start(
                ids.activity.as_bytes(),
                ids.parent_activity.as_ref().map(ActivityId::as_bytes),
            )),
        };
        let record = SpanRecord {
            settings: &self.settings,
            span: &data,
            phase: Phase::Start,
            time: time.as_ref().unwrap_or(&start).as_str(),
            start_time: start.as_str(),
            ids: &ids.hex,
            parent: ids.parent_hex.as_ref(),
            part_b_activity: self.settings.part_b_activity(&fields),
        };
        sink.seal(&record, &fields);
    }

    /// Writes an ended span (and its span events). Out of line, so `on_end`'s
    /// disabled path stays a load and a branch.
    #[inline(never)]
    fn end_enabled(&self, span: &SpanData, bits: u32) {
        let Some(sink) = self.output.sink(self.set().at(LEVEL), bits) else {
            // The sink counted the span; its span events are lost too.
            if bits & enable::UNAVAILABLE != 0 && self.settings.span_events {
                for _ in span.events.iter() {
                    self.output.counters().dropped_unavailable();
                }
            }
            return;
        };
        let time = sink.fixed_time();
        let ids = SpanIds::of(span);
        let activity = Some(ActivityIds::of(ids.activity.as_bytes()));
        if self.settings.span_events {
            let fields = HeaderFields {
                level: LEVEL.as_u8(),
                opcode: OPCODE_INFO,
                activity,
            };
            for event in span.events.iter() {
                let at = Rfc3339::new(time.unwrap_or(event.timestamp));
                let record = SpanEventRecord {
                    settings: &self.settings,
                    event,
                    time: at.as_str(),
                    ids: &ids.hex,
                    part_b_activity: self.settings.part_b_activity(&fields),
                };
                sink.seal(&record, &fields);
            }
        }
        let end = Rfc3339::new(time.unwrap_or(span.end_time));
        let start = Rfc3339::new(span.start_time);
        // Without live spans the ended span is the peer's plain event.
        let (opcode, activity) = if self.settings.live {
            (OPCODE_ACTIVITY_STOP, activity)
        } else {
            (OPCODE_INFO, None)
        };
        let fields = HeaderFields {
            level: LEVEL.as_u8(),
            opcode,
            activity,
        };
        let record = SpanRecord {
            settings: &self.settings,
            span,
            phase: Phase::End,
            time: end.as_str(),
            start_time: start.as_str(),
            ids: &ids.hex,
            parent: ids.parent_hex.as_ref(),
            part_b_activity: self.settings.part_b_activity(&fields),
        };
        sink.seal(&record, &fields);
    }
}

/// A span's ids as its events carry them.
struct SpanIds {
    /// Trace and span id as hex (PartA).
    hex: TraceHex,
    /// The parent's, for a span with a parent (PartB `parentId`).
    parent_hex: Option<TraceHex>,
    activity: ActivityId,
    parent_activity: Option<ActivityId>,
}

impl SpanIds {
    fn of(span: &SpanData) -> SpanIds {
        let trace_id: TraceId = span.span_context.trace_id();
        let span_id = span.span_context.span_id();
        // A parent is in the same trace (the SDK takes the trace id from it).
        let parent = (span.parent_span_id != SpanId::INVALID).then_some(span.parent_span_id);
        SpanIds {
            hex: TraceHex::new(trace_id, span_id),
            parent_hex: parent.map(|p| TraceHex::new(trace_id, p)),
            activity: ActivityId::from_span(trace_id.to_bytes(), span_id.to_bytes()),
            parent_activity: parent
                .map(|p| ActivityId::from_span(trace_id.to_bytes(), p.to_bytes())),
        }
    }
}

impl SpanProcessor for UserEventsSpanProcessor {
    /// With live spans, writes the span's ActivityStart when someone listens;
    /// otherwise returns after one load (or at once, without live spans).
    #[inline]
    fn on_start(&self, span: &mut Span, _cx: &Context) {
        if !self.settings.live {
            return;
        }
        let bits = self.set().word(LEVEL).load(Ordering::Relaxed);
        if bits != 0 {
            self.start_enabled(span, bits);
        }
    }

    /// Writes the span (after its span events) when someone listens;
    /// otherwise returns after one load.
    #[inline]
    fn on_end(&self, span: SpanData) {
        let bits = self.set().word(LEVEL).load(Ordering::Relaxed);
        if bits != 0 {
            self.end_enabled(&span, bits);
        }
    }

    /// Nothing is buffered: every span is written in `on_end`.
    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    /// Unregisters the tracepoint (once; later calls do nothing) and closes
    /// the data file, so the name leaves `user_events_status`. Spans ending
    /// afterwards are ignored.
    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        self.output.release();
        Ok(())
    }

    /// Takes `service.name` (PartA `ext_cloud_role`) and `service.instance.id`
    /// (`ext_cloud_roleInstance`) from the tracer provider's resource.
    fn set_resource(&mut self, resource: &Resource) {
        self.settings.cloud_role = CloudRole::from_resource(Some(resource));
    }
}

impl Drop for UserEventsSpanProcessor {
    fn drop(&mut self) {
        self.output.release();
    }
}

impl fmt::Debug for UserEventsSpanProcessor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserEventsSpanProcessor")
            .field("provider", &self.report().provider)
            .field("keywords", &self.report().keywords)
            .field("event_name", &self.settings.event_name)
            .field("live_spans", &self.settings.live)
            .field("span_events", &self.settings.span_events)
            .field("shut_down", &self.output.is_released())
            .finish_non_exhaustive()
    }
}
