//! [`OutputHandle`]: an output's counters and report, readable after the
//! output moved into a logger provider, a tracer provider or a subscriber.

use std::fmt;
use std::sync::Arc;

use super::counters::CounterSnapshot;
use super::engine::Output;
use super::report::OutputReport;

/// Reads an output's counters and report after the output itself moved into
/// a logger provider, a tracer provider or a `tracing` subscriber, and shuts
/// it down. Get one from the output's `handle()`:
/// [`UserEventsProcessor::handle`](crate::logs::UserEventsProcessor::handle),
/// [`UserEventsSpanProcessor::handle`](crate::trace::UserEventsSpanProcessor::handle),
/// or `UserEventsLayer::handle` (feature `tracing`).
///
/// ```
/// use opentelemetry_sdk::logs::SdkLoggerProvider;
/// use otel_user_events_runtime::logs::UserEventsProcessor;
///
/// let processor = UserEventsProcessor::builder("MyService").build().unwrap();
/// let handle = processor.handle();
/// let provider = SdkLoggerProvider::builder().with_log_processor(processor).build();
/// // ... log ...
/// println!("{:?}", handle.counters());
/// provider.shutdown().unwrap(); // or handle.shutdown()
/// assert!(handle.is_shut_down());
/// ```
#[derive(Clone)]
pub struct OutputHandle {
    output: Arc<Output>,
}

impl OutputHandle {
    pub(crate) fn new(output: &Arc<Output>) -> OutputHandle {
        OutputHandle {
            output: Arc::clone(output),
        }
    }

    /// The counters now: events written, dropped (by reason), truncated,
    /// members left out (`attributes_dropped`), write errors by errno.
    pub fn counters(&self) -> CounterSnapshot {
        self.output.counters().snapshot()
    }

    /// What registration did.
    pub fn report(&self) -> &OutputReport {
        self.output.report()
    }

    /// Unregisters the output's tracepoints (once; later calls do nothing)
    /// and closes its data file, so the names leave `user_events_status`.
    /// Events afterwards are ignored.
    pub fn shutdown(&self) {
        self.output.release();
    }

    /// True once the output was shut down or dropped.
    pub fn is_shut_down(&self) -> bool {
        self.output.is_released()
    }
}

impl fmt::Debug for OutputHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutputHandle")
            .field("provider", &self.output.report().provider)
            .field("keywords", &self.output.report().keywords)
            .field("shut_down", &self.is_shut_down())
            .finish()
    }
}

/// The `report`, `counters` and `handle` methods of an output that holds its
/// `Arc<Output>` at `self.$path`, written once for every output. `$what`
/// names the output in the docs ("processor", "layer").
macro_rules! output_accessors {
    ($what:literal, $($path:ident).+) => {
        /// What registration did: the data file and each tracepoint,
        /// registered or why not.
        pub fn report(&self) -> &crate::output::OutputReport {
            self.$($path).+.report()
        }

        /// The counters now.
        pub fn counters(&self) -> crate::output::CounterSnapshot {
            self.$($path).+.counters().snapshot()
        }

        #[doc = concat!("A handle that reads the report and counters (and shuts the ", $what, " down)")]
        /// once its owner (a logger or tracer provider, a subscriber) holds it.
        pub fn handle(&self) -> crate::output::OutputHandle {
            crate::output::OutputHandle::new(&self.$($path).+)
        }
    };
}
pub(crate) use output_accessors;
