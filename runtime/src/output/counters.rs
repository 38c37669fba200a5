//! Per-provider counters: nothing is lost without a number going up.

use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};

use otel_user_events_abi::Errno;

/// Errno slots kept apart; the rest share the last slot.
const ERRNO_SLOTS: usize = 8;

/// Live counters of one provider. Read them with [`Counters::snapshot`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    written: AtomicU64,
    handed_to_opentelemetry: AtomicU64,
    dropped_disabled_race: AtomicU64,
    dropped_too_large: AtomicU64,
    dropped_unavailable: AtomicU64,
    truncated: AtomicU64,
    attributes_dropped: AtomicU64,
    call_sites_uncached: AtomicU64,
    errno: [AtomicI32; ERRNO_SLOTS],
    errno_count: [AtomicU64; ERRNO_SLOTS],
}

/// A copy of a provider's (or a processor's) counters at one moment, from
/// [`Provider::counters`](crate::Provider::counters) or
/// [`OutputHandle::counters`](crate::output::OutputHandle::counters).
///
/// ```
/// use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _, Severity};
/// use opentelemetry_sdk::logs::SdkLoggerProvider;
/// use otel_user_events_runtime::{output::CounterSnapshot, logs::UserEventsProcessor};
///
/// let processor = UserEventsProcessor::builder("MyService").build().unwrap();
/// let unavailable = !processor.report().all_registered();
/// let handle = processor.handle();
/// let provider = SdkLoggerProvider::builder().with_log_processor(processor).build();
/// let logger = provider.logger("app");
/// let mut record = logger.create_log_record();
/// record.set_severity_number(Severity::Warn);
/// logger.emit(record);
///
/// let counters: CounterSnapshot = handle.counters();
/// if unavailable {
///     // No user_events here: the record is lost, and counted.
///     assert_eq!((counters.written, counters.dropped_unavailable), (0, 1));
///     assert_eq!(counters.dropped(), 1);
/// } else {
///     // Written only if someone listened; nothing lost either way.
///     assert_eq!(counters.dropped(), 0);
/// }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CounterSnapshot {
    /// Events handed to the kernel.
    pub written: u64,
    /// Macro events handed to the OpenTelemetry SDK (`Logger::emit` of the
    /// logger provider, in OpenTelemetry or Both output). In Both mode an event
    /// can count here and in `written`.
    ///
    /// What the SDK does with a record after that is not seen here: a
    /// `BatchLogProcessor` drops records when its queue is full, an exporter
    /// may fail. The SDK reports those itself, through its internal logs (the
    /// `internal-logs` feature, on by default, emits them as `tracing` events
    /// of target `opentelemetry_sdk`; install a `tracing` subscriber to see
    /// them): `BatchLogProcessor.LogDroppingStarted` (warn) at the first drop,
    /// and `BatchLogProcessor.LogsDropped` (warn, with `dropped_logs_count`)
    /// at shutdown; with the SDK's `experimental_metrics_bound_instruments`
    /// feature also as the metric `otel.sdk.processor.log.processed` with
    /// `error.type` = `queue_full`.
    pub handed_to_opentelemetry: u64,
    /// Events whose listener went away between the enabled check and the write
    /// (including writes the kernel refused with `EBADF` because the tracepoint
    /// had no listener left by then).
    pub dropped_disabled_race: u64,
    /// Events too large to fit in 64 KB even after truncation (or with more
    /// fields than an event holds).
    pub dropped_too_large: u64,
    /// Events dropped because their output is unavailable (e.g. `UserEvents` mode
    /// on a kernel without user_events, or no output at all; for a processor,
    /// records of a level whose tracepoint did not register). A macro event is
    /// counted by its call site's check, without evaluating its values; an
    /// `#[otel_event]` activity whose start is dropped writes no stop, so such a
    /// call counts once.
    pub dropped_unavailable: u64,
    /// Events written with some strings, bytes or arrays shortened to fit.
    pub truncated: u64,
    /// Members left out of events: attributes of log records and spans, and
    /// fields of `tracing` events, beyond the 127 members a struct holds or
    /// beyond what fits in the event's buffers. The events themselves were
    /// written (and count in `written`).
    pub attributes_dropped: u64,
    /// `tracing` call sites the layer's table had no slot for (4,096 slots):
    /// their events are written all the same, each building its call site's
    /// metadata again. 0 for other outputs.
    pub call_sites_uncached: u64,
    /// Failed writes by errno. `ENOENT` here means the tracepoint was no longer
    /// registered with the `user_events_data` file written to.
    pub write_errors: Vec<(Errno, u64)>,
}

impl CounterSnapshot {
    /// Every event that did not reach its output.
    pub fn dropped(&self) -> u64 {
        self.dropped_disabled_race
            + self.dropped_too_large
            + self.dropped_unavailable
            + self.write_errors.iter().map(|(_, n)| n).sum::<u64>()
    }
}

impl Counters {
    pub(crate) fn written(&self) {
        self.written.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn handed_to_opentelemetry(&self) {
        self.handed_to_opentelemetry.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn dropped_disabled_race(&self) {
        self.dropped_disabled_race.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn dropped_too_large(&self) {
        self.dropped_too_large.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn dropped_unavailable(&self) {
        self.dropped_unavailable.fetch_add(1, Ordering::Relaxed);
    }
    /// `n` items lost at once (a metric export's data points).
    pub(crate) fn dropped_unavailable_by(&self, n: u64) {
        self.dropped_unavailable.fetch_add(n, Ordering::Relaxed);
    }
    pub(crate) fn truncated(&self) {
        self.truncated.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn attributes_dropped(&self, n: u64) {
        self.attributes_dropped.fetch_add(n, Ordering::Relaxed);
    }

    /// A `tracing` call site found no slot in the layer's table.
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub(crate) fn call_site_uncached(&self) {
        self.call_sites_uncached.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a failed write under its errno.
    pub(crate) fn write_error(&self, errno: Errno) {
        let last = ERRNO_SLOTS - 1;
        let slot = (0..last)
            .find(|&i| {
                let current = self.errno[i].load(Ordering::Relaxed);
                current == errno.0
                    || (current == 0
                        && self.errno[i]
                            .compare_exchange(0, errno.0, Ordering::Relaxed, Ordering::Relaxed)
                            .map_or_else(|now| now == errno.0, |_| true))
            })
            .unwrap_or(last);
        if slot == last {
            self.errno[last].store(-1, Ordering::Relaxed);
        }
        self.errno_count[slot].fetch_add(1, Ordering::Relaxed);
    }

    /// The counters now.
    pub(crate) fn snapshot(&self) -> CounterSnapshot {
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        CounterSnapshot {
            written: load(&self.written),
            handed_to_opentelemetry: load(&self.handed_to_opentelemetry),
            dropped_disabled_race: load(&self.dropped_disabled_race),
            dropped_too_large: load(&self.dropped_too_large),
            dropped_unavailable: load(&self.dropped_unavailable),
            truncated: load(&self.truncated),
            attributes_dropped: load(&self.attributes_dropped),
            call_sites_uncached: load(&self.call_sites_uncached),
            write_errors: (0..ERRNO_SLOTS)
                .filter(|&i| load(&self.errno_count[i]) > 0)
                .map(|i| {
                    (
                        Errno(self.errno[i].load(Ordering::Relaxed)),
                        load(&self.errno_count[i]),
                    )
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_errors_are_kept_by_errno() {
        let c = Counters::default();
        c.write_error(Errno(libc::ENOSPC));
        c.write_error(Errno(libc::EFAULT));
        c.write_error(Errno(libc::ENOSPC));
        c.written();
        c.truncated();
        let s = c.snapshot();
        assert_eq!(
            s.write_errors,
            vec![(Errno(libc::ENOSPC), 2), (Errno(libc::EFAULT), 1)]
        );
        assert_eq!((s.written, s.truncated, s.dropped()), (1, 1, 3));
    }

    #[test]
    fn errnos_beyond_the_slots_share_the_last_one() {
        let c = Counters::default();
        for e in 1..=20 {
            c.write_error(Errno(e));
        }
        let s = c.snapshot();
        assert_eq!(s.write_errors.len(), ERRNO_SLOTS);
        assert_eq!(s.write_errors.last(), Some(&(Errno(-1), 20 - 7)));
        assert_eq!(s.dropped(), 20);
    }
}
