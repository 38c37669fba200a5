//! What registering an output's tracepoints did, as its report says it:
//! [`OutputReport`] for the processors and the `tracing` layer, and the
//! [`TracepointStatus`] lines the provider's report shares.

use std::fmt;
use std::path::PathBuf;

use otel_user_events_abi::{DataFileError, Errno};

use crate::Level;

/// What registering one tracepoint did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TracepointStatus {
    /// `<Provider>_L<level>K<keyword>`, then `G<group>` when the output has a
    /// provider group; `otlp_metrics` for the metric exporter's.
    pub name: String,
    /// The tracepoint's level (`Info` for `otlp_metrics`, which has none).
    pub level: Level,
    /// The tracepoint's keyword (0 for `otlp_metrics`, which has none).
    pub keyword: u64,
    /// How many `ue_log!`/`#[otel_event]` call sites write to it (a
    /// provider's report; processors and layers count none: their writers
    /// are records, spans and `tracing` call sites, known only as they come).
    pub call_sites: usize,
    /// `Ok` when registered, else the errno (see [`Errno::explain`]).
    pub result: Result<(), Errno>,
}

#[cfg(test)]
impl TracepointStatus {
    /// A status of tracepoint `name` (level and keyword left at 4 and 1:
    /// what tests of reports and decisions do not look at).
    pub(crate) fn of(name: &str, call_sites: usize, result: Result<(), Errno>) -> Self {
        TracepointStatus {
            name: name.to_owned(),
            level: Level::Info,
            keyword: 1,
            call_sites,
            result,
        }
    }
}

/// Which output a report is of: the words of its title and sentences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutputKind {
    /// `UserEventsProcessor`.
    Logs,
    /// `UserEventsSpanProcessor`.
    Spans,
    /// `UserEventsLayer`.
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    Layer,
    /// The `Provider` of `ue_log!` and `#[otel_event]` (whose report is its
    /// `InitReport`).
    Provider,
    /// `UserEventsMetricExporter`: one tracepoint, `otlp_metrics`.
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    Metrics,
}

impl OutputKind {
    fn title(self) -> &'static str {
        match self {
            OutputKind::Logs => "LogProcessor",
            OutputKind::Spans => "SpanProcessor",
            OutputKind::Layer => "tracing layer",
            OutputKind::Provider => "provider",
            OutputKind::Metrics => "metric exporter",
        }
    }

    /// What its report says is dropped.
    fn items(self) -> &'static str {
        match self {
            OutputKind::Logs => "records",
            OutputKind::Spans => "spans",
            OutputKind::Layer | OutputKind::Provider => "events",
            OutputKind::Metrics => "data points",
        }
    }
}

/// What building a [`UserEventsProcessor`](crate::logs::UserEventsProcessor),
/// a [`UserEventsSpanProcessor`](crate::trace::UserEventsSpanProcessor) or a
/// `UserEventsLayer` did with the kernel. Print it at startup: it says why
/// nothing is written when user_events is missing or not writable.
///
/// ```
/// use otel_user_events_runtime::Level;
/// use otel_user_events_runtime::logs::UserEventsProcessor;
///
/// let processor = UserEventsProcessor::builder("MyService").build().unwrap();
/// let report = processor.report();
/// assert_eq!((report.provider.as_str(), report.keywords.as_slice()), ("MyService", &[1][..]));
/// // All five levels of each keyword, most severe first, registered or not.
/// let names: Vec<&str> = report.tracepoints.iter().map(|t| t.name.as_str()).collect();
/// assert_eq!(
///     names,
///     ["MyService_L1K1", "MyService_L2K1", "MyService_L3K1", "MyService_L4K1", "MyService_L5K1"]
/// );
/// assert_eq!(report.tracepoints[0].level, Level::Critical);
/// if !report.all_registered() {
///     // e.g. "  user_events_data: /sys/kernel/tracing/user_events_data: ENOTSUP (95): this
///     // kernel has no user_events ..., records are dropped and counted (dropped_unavailable)"
///     eprint!("{report}");
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputReport {
    /// The provider name (`otlp_metrics` for the metric exporter).
    pub provider: String,
    /// The keywords registered, the output's default first (none for the
    /// metric exporter).
    pub keywords: Vec<u64>,
    /// The `user_events_data` file, or why it could not be opened.
    pub data_file: Result<PathBuf, DataFileError>,
    /// One entry per tracepoint: the five levels of each keyword, most
    /// severe first.
    pub tracepoints: Vec<TracepointStatus>,
    /// Which output this is, for the sentences of `Display`.
    pub(crate) kind: OutputKind,
}

impl OutputReport {
    /// True when every tracepoint is registered.
    pub fn all_registered(&self) -> bool {
        self.data_file.is_ok() && self.tracepoints.iter().all(|t| t.result.is_ok())
    }
}

impl fmt::Display for OutputReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "otel-user-events {} {:?}",
            self.kind.title(),
            self.provider
        )?;
        // A metric exporter's one tracepoint has no keyword.
        if !self.keywords.is_empty() {
            f.write_str(" (keyword")?;
            if self.keywords.len() > 1 {
                f.write_str("s")?;
            }
            for (i, keyword) in self.keywords.iter().enumerate() {
                let sep = if i == 0 { " " } else { ", " };
                write!(f, "{sep}{keyword:#x}")?;
            }
            f.write_str(")")?;
        }
        writeln!(f, ":")?;
        let items = self.kind.items();
        match &self.data_file {
            Ok(path) => writeln!(f, "  user_events_data: {}", path.display())?,
            Err(e) => {
                return writeln!(
                    f,
                    "  user_events_data: {e}; {items} are dropped and counted (dropped_unavailable)"
                );
            }
        }
        for tp in &self.tracepoints {
            match &tp.result {
                Ok(()) => writeln!(f, "  {}: registered", tp.name)?,
                Err(e) => writeln!(
                    f,
                    "  {}: not registered: {e}; its {items} are dropped and counted \
                     (dropped_unavailable)",
                    tp.name
                )?,
            }
        }
        Ok(())
    }
}
