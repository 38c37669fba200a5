//! The providers of `ue_log!` and `#[otel_event]` events ([`Provider`]): the
//! application's, and one per library that defines its own
//! ([`LibraryProvider`]). Each registers its own call sites' tracepoints, chooses the output
//! ([`OutputMode`]: user_events, the OpenTelemetry fallback, or both), says
//! what it did ([`InitReport`]), and unregisters everything at shutdown.
//! Provider names and groups follow one rule ([`ProviderName`],
//! [`ProviderGroup`]).
//!
//! Inside: `library` (library providers and module defaults: whose is a call
//! site); `mode` (the output modes); `decision` (which outputs a
//! registration outcome gives, and why); `builder` (configuring and
//! starting); `state` (a started provider's state, the active ones);
//! `sites` (a provider's call sites: registration, fallback bits, release);
//! `handle` (the [`Provider`] its owner holds); `report` (the report and
//! errors).

mod builder;
mod decision;
mod handle;
mod library;
mod mode;
mod report;
mod sites;
mod state;

pub use builder::ProviderBuilder;
pub use handle::{Provider, counters};
pub use library::LibraryProvider;
#[doc(hidden)]
pub use library::{LIBRARY_PROVIDERS, MODULE_DEFAULTS, ModuleDefault};
pub use mode::OutputMode;
pub use otel_user_events_abi::name::{
    PROVIDER_NAME_MAX, ProviderGroup, ProviderGroupError, ProviderName, ProviderNameError,
};
pub use report::{ActiveOutputs, InitError, InitReport, LoggerSource, OpenTelemetryReport};
pub(crate) use state::ProviderState;

/// The library provider `info`'s call site writes to, `None` for the
/// application's (see [`LibraryProvider`]).
pub(crate) fn library_of(
    info: &crate::events::callsite::EventInfo,
) -> Option<&'static LibraryProvider> {
    library::owner(info.provider, info.target)
}
