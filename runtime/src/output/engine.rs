//! [`Output`]: one output's tracepoints, counters, report and event size
//! limit, and its single release. A front end owns it in an `Arc`.

use std::sync::Arc;
use std::sync::atomic::AtomicU32;

use super::capture::{self, EnableWords};
use super::counters::Counters;
use super::options::EventLimit;
use super::report::{OutputKind, OutputReport};
use super::tracepoints::{KeywordSet, Tracepoints};

/// One output: its tracepoints, counters, report and event size limit.
pub(crate) struct Output {
    tracepoints: Tracepoints,
    counters: Counters,
    report: OutputReport,
    /// [`EventLimit::payload_bytes`] of the output's limit.
    limit: usize,
}

impl Output {
    /// The output of `tracepoints` (registered already), tracked by test
    /// captures until its release.
    pub(crate) fn new(
        tracepoints: Tracepoints,
        kind: OutputKind,
        limit: EventLimit,
    ) -> Arc<Output> {
        let report = OutputReport {
            provider: tracepoints.name().as_str().to_owned(),
            keywords: tracepoints.sets().iter().map(KeywordSet::keyword).collect(),
            data_file: tracepoints.file().opened().clone(),
            tracepoints: tracepoints.statuses().to_vec(),
            kind,
        };
        let output = Arc::new(Output {
            tracepoints,
            counters: Counters::default(),
            report,
            limit: limit.payload_bytes(),
        });
        let weak = Arc::downgrade(&output);
        capture::track(weak);
        output
    }

    /// The tracepoints.
    #[inline]
    pub(crate) fn tracepoints(&self) -> &Tracepoints {
        &self.tracepoints
    }

    /// The keyword sets, the default keyword's first.
    pub(crate) fn sets(&self) -> &[KeywordSet] {
        self.tracepoints.sets()
    }

    /// The most bytes an event may have after its write index.
    #[inline]
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// The counters.
    #[inline]
    pub(crate) fn counters(&self) -> &Counters {
        &self.counters
    }

    /// What registration did.
    pub(crate) fn report(&self) -> &OutputReport {
        &self.report
    }

    /// Unregisters every tracepoint once and releases the data file; later
    /// events are ignored. Later calls do nothing.
    pub(crate) fn release(&self) {
        if self.tracepoints.release() {
            capture::untrack(self as *const Output as *const ());
        }
    }

    /// True once the output was released.
    #[inline]
    pub(crate) fn is_released(&self) -> bool {
        self.tracepoints.is_released()
    }
}

impl EnableWords for Output {
    fn for_each_word(&self, f: &mut dyn FnMut(&AtomicU32)) {
        self.tracepoints.for_each_word(f);
    }
}
