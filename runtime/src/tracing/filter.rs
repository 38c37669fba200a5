//! [`UserEventsFilter`]: the per-layer filter that enables exactly what
//! someone listens to, so the layer composes with `fmt` and other layers.

use std::fmt;
use std::sync::Arc;

use tracing_core::subscriber::Interest;
use tracing_core::{Event, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Filter};

use super::shared::Shared;

/// A [per-layer filter](tracing_subscriber::layer::Filter) for a
/// [`UserEventsLayer`](crate::tracing::UserEventsLayer): a call site is enabled while
/// its tracepoint has a listener (or a test capture runs, or user_events is
/// unavailable, so the event is counted as dropped). Get it with
/// [`UserEventsLayer::filter`](crate::tracing::UserEventsLayer::filter), or the layer
/// with it with [`UserEventsLayer::filtered`](crate::tracing::UserEventsLayer::filtered).
///
/// Listeners come and go, so every call site is of interest "sometimes": at
/// each event `tracing` asks [`Filter::enabled`], which is one load of the call
/// site's enable word, found in the layer's lock-free call-site table. When no
/// layer wants an event, `tracing` does not build it: its values are not even
/// evaluated. Other layers keep their own filters:
///
/// ```
/// use tracing_subscriber::Layer as _;
/// use tracing_subscriber::filter::LevelFilter;
/// use tracing_subscriber::layer::SubscriberExt as _;
/// use otel_user_events_runtime::tracing::UserEventsLayer;
///
/// let layer = UserEventsLayer::builder("MyService").build().unwrap();
/// let filter = layer.filter();
/// let subscriber = tracing_subscriber::registry()
///     .with(layer.with_filter(filter))
///     // another layer, with its own filter, sees its events whatever the kernel says
///     .with(tracing_subscriber::layer::Identity::new().with_filter(LevelFilter::WARN));
/// tracing::subscriber::with_default(subscriber, || tracing::warn!("disk almost full"));
/// ```
#[derive(Clone)]
pub struct UserEventsFilter {
    pub(super) shared: Arc<Shared>,
}

impl<S: Subscriber> Filter<S> for UserEventsFilter {
    /// Whether the call site's tracepoint has a listener: one load.
    #[inline]
    fn enabled(&self, meta: &Metadata<'_>, _cx: &Context<'_, S>) -> bool {
        self.shared.enabled(meta)
    }

    /// Fills the call site's table entry, and answers "sometimes", so that
    /// [`enabled`](Filter::enabled) runs at each event.
    fn callsite_enabled(&self, meta: &'static Metadata<'static>) -> Interest {
        self.shared.register_callsite(meta);
        Interest::sometimes()
    }

    /// The same answer as [`enabled`](Filter::enabled) gave for the event's
    /// call site a moment before (a listener leaving in between is caught at
    /// the write, and counted).
    #[inline]
    fn event_enabled(&self, _event: &Event<'_>, _cx: &Context<'_, S>) -> bool {
        true
    }
}

impl fmt::Debug for UserEventsFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserEventsFilter")
            .field("provider", &self.shared.output.report().provider)
            .finish_non_exhaustive()
    }
}
