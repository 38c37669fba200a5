//! The `tracing` layer (feature `tracing`): [`UserEventsLayer`] writes
//! `tracing` events, and spans as activities, straight to user_events in the
//! Common Schema layout of `ue_log!`.
//!
//! - `builder`: [`UserEventsLayerBuilder`] (provider, group, keywords by
//!   target, event names);
//! - `event_name`: [`LayerEventName`];
//! - `shared`: what the layer, its filter and handles share (its output: the
//!   tracepoints of each keyword, counters, report; the call-site table) and
//!   the write;
//! - `callsites`: the lock-free table of call sites and their cached PartC metadata;
//! - `visitor`: `tracing` values into an event, with natural types;
//! - `encode`: the Common Schema layout of events, span starts and stops;
//! - `span`: the data kept per span, and the thread's current activity;
//! - `otel`: a span's OpenTelemetry ids, from `tracing-opentelemetry`;
//! - `user_events_layer`: the [`UserEventsLayer`] and its hooks;
//! - `filter`: [`UserEventsFilter`], its per-layer filter.

mod builder;
mod callsites;
mod constants;
mod direct;
mod encode;
mod event_name;
mod filter;
mod otel;
mod shared;
mod span;
mod user_events_layer;
mod visitor;

pub use builder::UserEventsLayerBuilder;
pub use event_name::LayerEventName;
pub use filter::UserEventsFilter;
pub use user_events_layer::UserEventsLayer;
