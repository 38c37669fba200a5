//! The process's provider: registers every call site's tracepoint, chooses the
//! output, and unregisters everything at shutdown.
//!
//! See [`OutputMode`] for how the output is chosen.
//!
//! - `mode`: the output modes; `decision`: which outputs a registration outcome
//!   gives, and why;
//! - `builder`: configuring and starting (`init`); `state`: the active
//!   provider's state, registration and release;
//! - `handle`: the [`Provider`] its owner holds; `report`: the report and errors.

mod builder;
mod decision;
mod handle;
mod mode;
mod report;
mod state;

pub use builder::ProviderBuilder;
pub use handle::{Provider, counters};
pub use mode::OutputMode;
pub use report::{
    ActiveOutputs, InitError, InitReport, LoggerSource, OpenTelemetryReport, TracepointReport,
};
pub(crate) use state::{ProviderState, active};
