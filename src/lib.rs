//! # otel-user-events
//!
//! Structured events to Linux **user_events** tracepoints in the **EventHeader**
//! format, integrated with **OpenTelemetry** logs.
//!
//! ```no_run
//! use otel_user_events::{Provider, ue_log};
//!
//! let provider = Provider::builder("MyService").init().expect("valid provider name");
//! println!("{}", provider.report());
//! let (id, customer) = (42u64, "ada");
//! ue_log!(info, "OrderPlaced", order_id = id, customer = customer, amount = 9.99, express = true);
//! provider.shutdown();
//! ```
//!
//! An event nobody listens to costs one relaxed load and a branch; its values are
//! not even evaluated. See [`ue_log!`] for the syntax and [`FieldValue`] for the
//! supported field types.

pub use otel_user_events_runtime::*;

#[doc(hidden)]
pub mod __private {
    pub use otel_user_events_macros::ue_log_impl;
    pub use otel_user_events_runtime::__private::*;
}

/// Writes an event if anyone listens to it.
///
/// ```text
/// ue_log!(LEVEL, "EventName", [keyword = CONST,] [body = VALUE,] FIELD, ...)
/// ```
///
/// - `LEVEL`: `critical`/`fatal`, `error`, `warn`, `info`, `verbose`/`debug`/`trace`,
///   or a path to a [`Level`] constant (`Level::Warn`).
/// - `"EventName"`: a string literal of ASCII letters, digits, `_`, `.` and `-`.
/// - `keyword = CONST`: the EventHeader keyword (default 1), a constant expression.
/// - `body = VALUE`: PartB's `body`.
/// - `FIELD`: `name = value`, `"dotted.name" = value`, `name = %value` (Display),
///   `name = ?value` (Debug), or the shorthands `value`, `%value`, `?value`.
///
/// The metadata (names and types) is a constant per call site; the values are
/// evaluated only when the event is written.
///
/// ```
/// use otel_user_events::{Level, ue_log};
/// # let (n, err, state) = (3, std::fmt::Error, vec![1, 2]);
/// ue_log!(info, "OrderPlaced", order_id = 42u64, customer = "ada", amount = 9.99, express = true);
/// ue_log!(Level::Warn, "Retry", keyword = 0x10, attempt = n, %err, ?state, body = "retrying");
/// ```
#[macro_export]
macro_rules! ue_log {
    ($($input:tt)*) => {
        $crate::__private::ue_log_impl!([$crate] $($input)*)
    };
}
