//! [`UserEventsLayer`]: the `tracing-subscriber` layer, its hooks, and the
//! handle that reads its counters once the subscriber owns it.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tracing_core::span::{Attributes, Id, Record};
use tracing_core::subscriber::Interest;
use tracing_core::{Event, Metadata, Subscriber};
use tracing_subscriber::filter::Filtered;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use super::encode::{Fields, Stop};
use super::filter::UserEventsFilter;
use super::span::{self, RecordVisitor, SpanActivity, Spans};
use crate::activity::{ActivityId, OtelSpan};
use crate::encode::header::{
    ActivityIds, HeaderFields, OPCODE_ACTIVITY_START, OPCODE_ACTIVITY_STOP, OPCODE_INFO,
};

pub(super) use super::shared::Shared;
use crate::output::{enable, output_accessors};

/// A `tracing-subscriber` [`Layer`] that writes `tracing` events, and spans
/// as activities, to user_events tracepoints `<Provider>_L<level>K<keyword>`,
/// in the Common Schema layout of `ue_log!`.
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt as _;
/// use otel_user_events_runtime::tracing::UserEventsLayer;
///
/// let layer = UserEventsLayer::builder("MyService").build()?;
/// eprint!("{}", layer.report()); // what registered, or why user_events is unavailable
/// let handle = layer.handle(); // counters, after the subscriber took the layer
/// // `filtered()`: while nobody listens, an event costs one load after `tracing`'s
/// // dispatch, and other layers (fmt, ...) still see every event.
/// let subscriber = tracing_subscriber::registry().with(layer.filtered());
/// tracing::subscriber::with_default(subscriber, || {
///     tracing::info!(order_id = 42u64, customer = "ada", "order placed");
///     let span = tracing::info_span!("checkout", cart = 3u64);
///     let _entered = span.enter(); // events in here carry the span's activity id
/// });
/// println!("{:?}", handle.counters());
/// # Ok::<(), otel_user_events_runtime::output::BuildError>(())
/// ```
///
/// # What an event becomes
///
/// An event of level ERROR, WARN, INFO, DEBUG or TRACE goes to the tracepoint
/// of EventHeader level 2, 3, 4, 5 or 5 and the call site's keyword, named as
/// [`LayerEventName`](crate::tracing::LayerEventName) says. PartA has the time (and
/// the trace context of a current OpenTelemetry span); PartC the fields, with
/// their `tracing` types (`i64`, `u64`, `f64`, `bool`, strings; 128-bit
/// integers, `Debug` values and errors with their sources as text); PartB
/// `_typeName` `"Log"`, the `message` as `body`, `severityNumber` 17, 13, 9,
/// 5 or 1 with `severityText` `"ERROR"`..`"TRACE"`, and the `name`.
///
/// # What a span becomes
///
/// An activity: when the span is created, an event with opcode ActivityStart
/// and its fields, with a new [`ActivityId`] and its parent span's as related
/// id; when it closes, one with opcode ActivityStop, the same id, the values
/// recorded after creation and `duration_ns`. While a span is entered (an
/// `Instrument`ed future: while it is polled), events on that thread, of
/// `tracing` and of `ue_log!`, carry its activity id. A span nobody listened to
/// when it was created is not tracked (no start, no stop, no id).
///
/// Per span, the registry keeps the layer's data in one boxed extension (one
/// allocation); values recorded after creation are kept owned until the stop.
///
/// # Cost
///
/// Each call site's level, tracepoint, name and PartC metadata are found in a
/// lock-free table filled when the call site registers; an event allocates
/// nothing and copies no name (its PartC metadata is one borrowed slice while
/// its fields keep the types of the call site's first event). Strings are
/// copied into the event's stack buffers, as `tracing` lends them only for the
/// call. Use [`filtered`](Self::filtered) (or `with_filter(layer.filter())`)
/// so that `tracing` does not even build events nobody listens to.
///
/// Dropping the layer (or [`OutputHandle::shutdown`](crate::output::OutputHandle::shutdown)) unregisters its tracepoints.
pub struct UserEventsLayer {
    pub(super) shared: Arc<Shared>,
}

impl UserEventsLayer {
    pub(super) fn new(shared: Arc<Shared>) -> UserEventsLayer {
        UserEventsLayer { shared }
    }

    output_accessors!("layer", shared.output);

    /// The per-layer filter that enables exactly the call sites someone
    /// listens to (see [`UserEventsFilter`]).
    pub fn filter(&self) -> UserEventsFilter {
        UserEventsFilter {
            shared: Arc::clone(&self.shared),
        }
    }

    /// The layer with its own [`filter`](Self::filter):
    /// `layer.with_filter(layer.filter())`.
    pub fn filtered<S>(self) -> Filtered<Self, UserEventsFilter, S>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let filter = self.filter();
        Layer::with_filter(self, filter)
    }

    /// The keyword of call sites of `target` (the longest matching target
    /// rule's, else the default).
    pub fn keyword_of(&self, target: &str) -> u64 {
        self.shared.keyword_of(target)
    }

    /// The activity id of span `id`, if the layer tracks it.
    fn activity_of<S>(&self, id: &Id, ctx: &Context<'_, S>) -> Option<ActivityId>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let span = ctx.span(id)?;
        let extensions = span.extensions();
        Spans::get(&extensions, self.shared.id).map(|data| data.id)
    }

    /// The activity an event or a new span belongs to: the current one
    /// (contextual: the innermost span this layer entered, an `#[otel_event]`
    /// call's, else the current OpenTelemetry span's), its explicit parent
    /// span's, or none (root).
    /// `otel` is the current OpenTelemetry span.
    #[inline(always)]
    fn parent_activity<S>(
        &self,
        (contextual, parent): (bool, Option<&Id>),
        otel: Option<OtelSpan>,
        ctx: &Context<'_, S>,
    ) -> Option<ActivityId>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        match (contextual, parent) {
            (true, _) => {
                span::current_for(self.shared.id).or_else(|| otel.map(|span| span.activity_id()))
            }
            (false, Some(parent)) => self.activity_of(parent, ctx),
            (false, None) => None,
        }
    }

    #[cold]
    #[inline(never)]
    fn write_event<S>(
        &self,
        site: &super::callsites::Site,
        bits: u32,
        event: &Event<'_>,
        ctx: &Context<'_, S>,
    ) where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        // One read of the OpenTelemetry context: PartA's ids, and the
        // activity when no span of this layer (nor an `#[otel_event]` call)
        // is current.
        let otel = OtelSpan::current();
        let activity = self.parent_activity((event.is_contextual(), event.parent()), otel, ctx);
        let header = HeaderFields {
            level: site.level.as_u8(),
            opcode: OPCODE_INFO,
            activity: activity.as_ref().map(|id| ActivityIds::of(id.as_bytes())),
        };
        let record = |v: &mut dyn tracing_core::field::Visit| event.record(v);
        if bits == enable::KERNEL && self.shared.write_direct(site, &header, otel, &record) {
            return;
        }
        let content = Fields {
            site,
            record: &record,
        };
        self.shared.write(site, bits, (&header, otel), &content);
    }
}

impl<S> Layer<S> for UserEventsLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    /// Fills the call site's entry of the table. The layer itself enables
    /// everything; its [`filter`](UserEventsLayer::filter) is what says no.
    /// Keeps the subscriber, where `tracing-opentelemetry` (if present)
    /// keeps the OpenTelemetry span of each span.
    fn on_register_dispatch(&self, subscriber: &tracing_core::Dispatch) {
        self.shared.subscriber.register(subscriber);
    }

    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        self.shared.register_callsite(meta);
        Interest::always()
    }

    /// Writes the event if its tracepoint has a listener (one load when not).
    #[inline]
    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        self.shared.with_site(event.metadata(), |site| {
            let bits = site.word().load(Ordering::Relaxed);
            if bits != 0 {
                self.write_event(site, bits, event, &ctx);
            }
        });
    }

    /// Starts an activity for the span, if its tracepoint has a listener:
    /// writes the start event and keeps the span's activity id and start time.
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        self.shared.with_site(attrs.metadata(), |site| {
            let bits = site.word().load(Ordering::Relaxed);
            if bits == 0 {
                return;
            }
            // With `tracing-opentelemetry`: the span's OpenTelemetry ids, its
            // activity `ActivityId::from_span` of them, as every front end
            // writes that span's events.
            let data = SpanActivity::new(self.shared.subscriber.otel_span(id));
            let current = OtelSpan::current();
            let related =
                self.parent_activity((attrs.is_contextual(), attrs.parent()), current, &ctx);
            let header = HeaderFields {
                level: site.level.as_u8(),
                opcode: OPCODE_ACTIVITY_START,
                activity: Some(ActivityIds::start(
                    data.id.as_bytes(),
                    related.as_ref().map(ActivityId::as_bytes),
                )),
            };
            let record = |v: &mut dyn tracing_core::field::Visit| attrs.record(v);
            let content = Fields {
                site,
                record: &record,
            };
            // PartA: the span's own ids, else (as without
            // `tracing-opentelemetry`) the current ones.
            let part_a = data.otel.or(current);
            self.shared.write(site, bits, (&header, part_a), &content);
            if let Some(span) = ctx.span(id) {
                Spans::insert(&mut span.extensions_mut(), self.shared.id, data);
            }
        });
    }

    /// Keeps values recorded after creation for the stop event.
    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            let mut extensions = span.extensions_mut();
            if let Some(data) = Spans::get_mut(&mut extensions, self.shared.id) {
                values.record(&mut RecordVisitor {
                    later: &mut data.later,
                });
            }
        }
    }

    /// Makes the span's activity this thread's current one.
    ///
    /// Not for a span with an OpenTelemetry span (`tracing-opentelemetry`):
    /// that one is the current OpenTelemetry context while the span is
    /// entered, and every front end takes the activity from it, an
    /// OpenTelemetry child span's inside it included.
    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(data) = Spans::get(&span.extensions(), self.shared.id)
            && data.otel.is_none()
        {
            span::enter(self.shared.id, id.into_u64(), data.id);
        }
    }

    /// Restores the activity current before the span was entered.
    fn on_exit(&self, id: &Id, _ctx: Context<'_, S>) {
        span::exit(self.shared.id, id.into_u64());
    }

    /// Ends the span's activity: writes the stop event, if its tracepoint has
    /// a listener now.
    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else {
            return;
        };
        let Some(data) = Spans::remove(&mut span.extensions_mut(), self.shared.id) else {
            return;
        };
        self.shared.with_site(span.metadata(), |site| {
            let bits = site.word().load(Ordering::Relaxed);
            if bits == 0 {
                return;
            }
            let header = HeaderFields {
                level: site.level.as_u8(),
                opcode: OPCODE_ACTIVITY_STOP,
                activity: Some(ActivityIds::of(data.id.as_bytes())),
            };
            let content = Stop {
                site,
                data: &data,
                duration_ns: data.duration_ns(),
            };
            let part_a = data.otel.or_else(OtelSpan::current);
            self.shared.write(site, bits, (&header, part_a), &content);
        });
    }
}

impl Drop for UserEventsLayer {
    fn drop(&mut self) {
        self.shared.output.release();
    }
}

impl fmt::Debug for UserEventsLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserEventsLayer")
            .field("provider", &self.report().provider)
            .field("keywords", &self.report().keywords)
            .field("shut_down", &self.shared.output.is_released())
            .finish_non_exhaustive()
    }
}
