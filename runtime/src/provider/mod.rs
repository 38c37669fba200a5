//! The process's provider of `ue_log!` and `#[otel_event]` events
//! ([`Provider`]): registers every call site's tracepoint, chooses the output
//! ([`OutputMode`]: user_events, the OpenTelemetry fallback, or both), says
//! what it did ([`InitReport`]), and unregisters everything at shutdown.
//! Provider names and groups follow one rule ([`ProviderName`],
//! [`ProviderGroup`]).
//!
//! Inside: `mode` (the output modes); `decision` (which outputs a
//! registration outcome gives, and why); `builder` (configuring and
//! starting); `state` (the active provider's state, registration and
//! release); `handle` (the [`Provider`] its owner holds); `report` (the
//! report and errors).

mod builder;
mod decision;
mod handle;
mod mode;
mod report;
mod state;

pub use builder::ProviderBuilder;
pub use handle::{Provider, counters};
pub use mode::OutputMode;
pub use otel_user_events_abi::name::{
    PROVIDER_NAME_MAX, ProviderGroup, ProviderGroupError, ProviderName, ProviderNameError,
};
pub use report::{ActiveOutputs, InitError, InitReport, LoggerSource, OpenTelemetryReport};
pub(crate) use state::{ProviderState, active};
