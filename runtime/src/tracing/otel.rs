//! The OpenTelemetry span of a `tracing` span, when `tracing-opentelemetry`
//! is in the subscriber (feature `tracing-opentelemetry`): its trace and span
//! ids become the `tracing` span's activity (`ActivityId::from_span`) and
//! PartA of its start and stop, so the layer, the span processor and every
//! event inside the span agree on one set of ids.
//!
//! Read once per span, when it is created: `tracing-opentelemetry` must have
//! seen the span first, so its layer goes before this one in the subscriber
//! (`registry().with(otel).with(user_events)`). Without it (or without the
//! feature) a span keeps ids of its own, as before.

use std::sync::OnceLock;

use tracing_core::Dispatch;
use tracing_core::dispatcher::WeakDispatch;
use tracing_core::span::Id;

use crate::activity::OtelSpan;

/// The subscriber the layer is in, kept when it is registered: inside a
/// callback, `tracing` gives no access to the current dispatcher, and
/// `tracing-opentelemetry` finds its data through it.
#[derive(Default)]
pub(super) struct Subscriber(OnceLock<WeakDispatch>);

impl Subscriber {
    /// Keeps `dispatch` (the first one the layer is registered with).
    pub(super) fn register(&self, dispatch: &Dispatch) {
        let _ = self.0.set(dispatch.downgrade());
    }

    /// The OpenTelemetry span `tracing-opentelemetry` keeps for span `id`.
    #[cfg(feature = "tracing-opentelemetry")]
    #[inline(never)]
    pub(super) fn otel_span(&self, id: &Id) -> Option<OtelSpan> {
        use opentelemetry::trace::TraceContextExt as _;
        let dispatch = self.0.get()?.upgrade()?;
        // Looks its layer up by type through the subscriber: a few type-id
        // comparisons when `tracing-opentelemetry` is absent.
        let cx = tracing_opentelemetry::get_otel_context(id, &dispatch)?;
        let span = cx.span();
        let ids = span.span_context();
        ids.is_valid()
            .then(|| OtelSpan::new(ids.trace_id(), ids.span_id()))
    }

    /// Without the feature, no `tracing` span has an OpenTelemetry span.
    #[cfg(not(feature = "tracing-opentelemetry"))]
    pub(super) fn otel_span(&self, _: &Id) -> Option<OtelSpan> {
        None
    }
}
