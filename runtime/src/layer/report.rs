//! What building a [`UserEventsLayer`](super::UserEventsLayer) did with the kernel.

use std::fmt;
use std::path::PathBuf;

use otel_user_events_abi::DataFileError;

use crate::TracepointStatus;
use crate::processor::write_registration;

/// What building a [`UserEventsLayer`](crate::UserEventsLayer) registered, or
/// why user_events is unavailable. Print it at startup.
///
/// ```
/// use otel_user_events_runtime::UserEventsLayer;
///
/// let layer = UserEventsLayer::builder("MyService").build().unwrap();
/// let report = layer.report();
/// assert_eq!((report.provider.as_str(), report.keywords.as_slice()), ("MyService", &[1][..]));
/// let text = report.to_string();
/// assert!(text.starts_with("otel-user-events tracing layer \"MyService\" (keywords 0x1):\n"));
/// if !report.all_registered() {
///     // e.g. "  user_events_data: ...: ENOTSUP (95): this kernel has no user_events ...,
///     // events are dropped and counted (dropped_unavailable)"
///     eprint!("{report}");
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerReport {
    /// The provider name.
    pub provider: String,
    /// The keywords registered: the default one first, then the target rules'.
    pub keywords: Vec<u64>,
    /// The `user_events_data` file, or why it could not be opened.
    pub data_file: Result<PathBuf, DataFileError>,
    /// Five per keyword (most severe level first), in the order of `keywords`.
    pub tracepoints: Vec<TracepointStatus>,
}

impl LayerReport {
    /// True when every tracepoint is registered.
    pub fn all_registered(&self) -> bool {
        self.data_file.is_ok() && self.tracepoints.iter().all(|t| t.result.is_ok())
    }
}

impl fmt::Display for LayerReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "otel-user-events tracing layer {:?} (keywords ",
            self.provider
        )?;
        for (i, keyword) in self.keywords.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{keyword:#x}")?;
        }
        writeln!(f, "):")?;
        write_registration(f, &self.data_file, &self.tracepoints, "events")
    }
}
