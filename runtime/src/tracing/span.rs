//! What the layer keeps per span (in the span's registry extensions): its
//! activity id, when it started, and the values recorded after creation (for
//! the stop event); and which span's activity is current on a thread while
//! spans are entered.
//!
//! The registry keeps one extension per type, and several layers may track
//! the same span (two providers, two teams): [`Spans`] holds each layer's
//! [`SpanActivity`] under the layer's id, the first inline. Per span the
//! registry allocates once for it (the first layer's data, about 90 bytes);
//! each further layer adds its entry to a `Vec`. Values recorded after
//! creation (`Span::record`) are kept owned until the stop event: a `Vec`
//! and the text of string, `Debug` and error values.

use std::cell::RefCell;
use std::error::Error;
use std::fmt;

use tracing_core::field::{Field, Visit};
use tracing_subscriber::registry::{Extensions, ExtensionsMut};

use super::visitor::{ErrorChain, Kind};
use crate::activity::ActivityId;
use crate::activity::{OtelSpan, monotonic_ns, set_current};
use crate::encode::json::Hex;
use crate::encode::writer::DataWriter;

/// A span written as an activity.
pub(super) struct SpanActivity {
    pub(super) id: ActivityId,
    /// Its OpenTelemetry span (from `tracing-opentelemetry`), whose ids its
    /// start and stop carry in PartA; `id` is then its activity.
    pub(super) otel: Option<OtelSpan>,
    /// [`monotonic_ns`] when the span was created.
    pub(super) started: u64,
    /// Values recorded after the span was created, by field (a field recorded
    /// again keeps its last value).
    pub(super) later: Vec<Recorded>,
}

impl SpanActivity {
    /// A span starting now: the activity of its OpenTelemetry span `otel`
    /// (`ActivityId::from_span`), else a new one.
    pub(super) fn new(otel: Option<OtelSpan>) -> SpanActivity {
        SpanActivity {
            id: otel.map_or_else(ActivityId::new, |span| span.activity_id()),
            otel,
            started: monotonic_ns(),
            later: Vec::new(),
        }
    }

    /// Nanoseconds since the span was created (the clock `#[otel_event]`
    /// activities measure with).
    pub(super) fn duration_ns(&self) -> u64 {
        monotonic_ns().saturating_sub(self.started)
    }
}

/// The data of every layer that tracks a span, by layer id.
pub(super) struct Spans {
    first: (u64, SpanActivity),
    more: Vec<(u64, SpanActivity)>,
}

impl Spans {
    /// Layer `layer`'s data of the span whose extensions are `ext`.
    pub(super) fn get<'a>(ext: &'a Extensions<'_>, layer: u64) -> Option<&'a SpanActivity> {
        let spans = ext.get::<Spans>()?;
        std::iter::once(&spans.first)
            .chain(&spans.more)
            .find(|(id, _)| *id == layer)
            .map(|(_, data)| data)
    }

    /// [`Spans::get`], mutable.
    pub(super) fn get_mut<'a>(
        ext: &'a mut ExtensionsMut<'_>,
        layer: u64,
    ) -> Option<&'a mut SpanActivity> {
        let spans = ext.get_mut::<Spans>()?;
        std::iter::once(&mut spans.first)
            .chain(&mut spans.more)
            .find(|(id, _)| *id == layer)
            .map(|(_, data)| data)
    }

    /// Keeps layer `layer`'s data of the span (replacing what it had).
    pub(super) fn insert(ext: &mut ExtensionsMut<'_>, layer: u64, data: SpanActivity) {
        match ext.get_mut::<Spans>() {
            Some(spans) => match Self::entry(spans, layer) {
                Some(old) => *old = data,
                None => spans.more.push((layer, data)),
            },
            None => ext.insert(Spans {
                first: (layer, data),
                more: Vec::new(),
            }),
        }
    }

    /// Takes layer `layer`'s data of the span out.
    pub(super) fn remove(ext: &mut ExtensionsMut<'_>, layer: u64) -> Option<SpanActivity> {
        let spans = ext.get_mut::<Spans>()?;
        if let Some(at) = spans.more.iter().position(|(id, _)| *id == layer) {
            return Some(spans.more.swap_remove(at).1);
        }
        if spans.first.0 != layer {
            return None;
        }
        match spans.more.pop() {
            Some(next) => Some(std::mem::replace(&mut spans.first, next).1),
            None => ext.remove::<Spans>().map(|spans| spans.first.1),
        }
    }

    fn entry(spans: &mut Spans, layer: u64) -> Option<&mut SpanActivity> {
        std::iter::once(&mut spans.first)
            .chain(&mut spans.more)
            .find(|(id, _)| *id == layer)
            .map(|(_, data)| data)
    }
}

/// A value recorded after the span's creation, owned until its stop event.
pub(super) struct Recorded {
    pub(super) name: &'static str,
    index: usize,
    value: Value,
}

enum Value {
    I64(i64),
    U64(u64),
    F64(f64),
    Bool(bool),
    Str(String),
    Bytes(Vec<u8>),
}

impl Recorded {
    /// Writes the value (strings and bytes borrowed: they outlive the event)
    /// and returns its kind, for its metadata; in the scalar profile
    /// (`scalars`) bytes and unsigned values above `i64::MAX` are text.
    pub(super) fn encode<'a>(&'a self, w: &mut DataWriter<'a>, scalars: bool) -> Kind {
        match &self.value {
            Value::I64(v) => w.value(&v.to_ne_bytes()),
            Value::U64(v) if scalars && *v > i64::MAX as u64 => {
                return text(w, format_args!("{v}"));
            }
            Value::U64(v) => w.value(&v.to_ne_bytes()),
            Value::F64(v) => w.value(&v.to_ne_bytes()),
            Value::Bool(v) => w.value(&[*v as u8]),
            Value::Str(s) => w.str(s),
            Value::Bytes(b) if scalars => return text(w, format_args!("{}", Hex(b))),
            Value::Bytes(b) => w.bytes(b),
        }
        match self.value {
            Value::I64(_) => Kind::I64,
            Value::U64(_) => Kind::U64,
            Value::F64(_) => Kind::F64,
            Value::Bool(_) => Kind::Bool,
            Value::Str(_) => Kind::Str,
            Value::Bytes(_) => Kind::Bytes,
        }
    }
}

/// Keeps the values of `Span::record` in a span's [`SpanActivity`].
pub(super) struct RecordVisitor<'a> {
    pub(super) later: &'a mut Vec<Recorded>,
}

impl RecordVisitor<'_> {
    fn keep(&mut self, field: &Field, value: Value) {
        let index = field.index();
        match self.later.iter_mut().find(|r| r.index == index) {
            Some(recorded) => recorded.value = value,
            None => self.later.push(Recorded {
                name: field.name(),
                index,
                value,
            }),
        }
    }
}

impl Visit for RecordVisitor<'_> {
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.keep(field, Value::I64(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.keep(field, Value::U64(value));
    }
    fn record_i128(&mut self, field: &Field, value: i128) {
        self.keep(field, Value::Str(value.to_string()));
    }
    fn record_u128(&mut self, field: &Field, value: u128) {
        self.keep(field, Value::Str(value.to_string()));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.keep(field, Value::F64(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.keep(field, Value::Bool(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.keep(field, Value::Str(value.to_owned()));
    }
    fn record_bytes(&mut self, field: &Field, value: &[u8]) {
        self.keep(field, Value::Bytes(value.to_vec()));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn Error + 'static)) {
        self.keep(field, Value::Str(ErrorChain(value).to_string()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.keep(field, Value::Str(format!("{value:?}")));
    }
}

/// A span entered on this thread (by one layer), and the activity that was
/// current before.
struct Entered {
    layer: u64,
    span: u64,
    /// The span's activity (this layer's).
    id: ActivityId,
    previous: Option<ActivityId>,
}

thread_local! {
    /// The spans entered on this thread and not exited yet, innermost last.
    /// Grows to the deepest nesting once per thread, then allocates no more.
    static ENTERED: RefCell<Vec<Entered>> = const { RefCell::new(Vec::new()) };
}

/// Span `span` (a `tracing` span id) with activity `id` of layer `layer` is
/// entered: its activity becomes this thread's current one, which events
/// (`tracing`'s, `ue_log!`'s) carry, and nested activities take as parent.
pub(super) fn enter(layer: u64, span: u64, id: ActivityId) {
    let previous = set_current(Some(id));
    let _ = ENTERED.try_with(|e| {
        e.borrow_mut().push(Entered {
            layer,
            span,
            id,
            previous,
        })
    });
}

/// The activity that layer `layer`'s events and new spans on this thread
/// belong to: the thread's current activity (an entered span's, or an
/// `#[otel_event]` call's inside it), except when that is another layer's
/// span (several layers track the same spans, each with its own ids): then
/// the innermost span this layer entered.
#[inline(always)]
pub(super) fn current_for(layer: u64) -> Option<ActivityId> {
    let current = ActivityId::current()?;
    current_of(layer, current)
}

/// [`current_for`] when `current` is the thread's current activity.
#[cold]
fn current_of(layer: u64, current: ActivityId) -> Option<ActivityId> {
    ENTERED
        .try_with(|e| {
            let entered = e.borrow();
            match entered.last() {
                Some(top) if top.id == current && top.layer != layer => entered
                    .iter()
                    .rev()
                    .find(|e| e.layer == layer)
                    .map(|e| e.id),
                _ => Some(current),
            }
        })
        .unwrap_or(Some(current))
}

/// Span `span` is exited (by layer `layer`): the activity current before it was entered is
/// current again. Spans may exit out of order; the one exited leaves the stack
/// and the span entered after it inherits what it replaced.
pub(super) fn exit(layer: u64, span: u64) {
    let _ = ENTERED.try_with(|e| {
        let mut entered = e.borrow_mut();
        let Some(at) = entered
            .iter()
            .rposition(|e| e.layer == layer && e.span == span)
        else {
            return;
        };
        let gone = entered.remove(at);
        match entered.get_mut(at) {
            Some(next) => next.previous = gone.previous,
            None => {
                set_current(gone.previous);
            }
        }
    });
}

/// Writes formatted text; its kind.
fn text(w: &mut DataWriter<'_>, args: fmt::Arguments<'_>) -> Kind {
    w.display(args);
    Kind::Str
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_layers_entering_one_span_exit_their_own_entries() {
        let (a, b) = (ActivityId::new(), ActivityId::new());
        enter(1, 5, a);
        enter(2, 5, b);
        assert_eq!(ActivityId::current(), Some(b));
        // Each layer's events belong to its own span's activity.
        assert_eq!((current_for(1), current_for(2)), (Some(a), Some(b)));
        // Layer 1 exits span 5 first: its entry goes, layer 2's stays current.
        exit(1, 5);
        assert_eq!(ActivityId::current(), Some(b));
        exit(2, 5);
        assert_eq!(ActivityId::current(), None);
    }

    #[test]
    fn entering_and_exiting_restores_the_current_activity_in_any_order() {
        let (a, b) = (ActivityId::new(), ActivityId::new());
        assert_eq!(ActivityId::current(), None);
        enter(7, 1, a);
        enter(7, 2, b);
        assert_eq!(ActivityId::current(), Some(b));
        exit(7, 2);
        assert_eq!(ActivityId::current(), Some(a));
        enter(7, 2, b);
        // Out of order: 1 leaves first; 2 stays current, and restores none.
        exit(7, 1);
        assert_eq!(ActivityId::current(), Some(b));
        exit(7, 2);
        assert_eq!(ActivityId::current(), None);
        // An exit of a span never entered here changes nothing.
        exit(7, 3);
        assert_eq!(ActivityId::current(), None);
    }
}
