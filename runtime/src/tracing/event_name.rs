//! How the layer names events: [`LayerEventName`].

/// How the layer names events and activities (the EventHeader event name, and
/// PartB `name`).
///
/// ```
/// use otel_user_events_runtime::{tracing::LayerEventName, tracing::UserEventsLayer};
///
/// // Every event is `MyService:AppEvent`; spans keep their names.
/// let layer = UserEventsLayer::builder("MyService")
///     .with_event_naming(LayerEventName::Fixed("AppEvent"))
///     .build();
/// assert!(layer.is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LayerEventName {
    /// The call site's `tracing` name: a span's name; an event's `name:`, or
    /// `tracing`'s default `event <file>:<line>` without one.
    #[default]
    Metadata,
    /// An event's target (its module path unless `target:` is given); spans
    /// keep their names.
    Target,
    /// This name for every event (spans keep theirs).
    Fixed(&'static str),
}
