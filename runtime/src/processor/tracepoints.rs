//! A processor's tracepoints (the `LogProcessor`'s five, one per level; the
//! `SpanProcessor`'s one, level 4; all with the processor's keyword): their
//! enable words, registration, the report, where an event goes, and the single
//! release at shutdown.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::SystemTime;

use otel_user_events_abi::name::ProviderName;
use otel_user_events_abi::{DataFile, DataFileError, Errno};

use crate::capture::{self, EnableWords};
use crate::counters::Counters;
use crate::deliver;
use crate::encode::seal::Sealed;
use crate::{Level, enable};

/// What a processor writes: which levels it registers, and the words of its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    /// The `LogProcessor`: one tracepoint per level.
    Logs,
    /// The `SpanProcessor`: one tracepoint, level 4 (informational), as the
    /// `opentelemetry-user-events-trace` crate registers.
    Spans,
}

impl Signal {
    fn levels(self) -> &'static [Level] {
        match self {
            Signal::Logs => &Level::ALL,
            Signal::Spans => &[Level::Info],
        }
    }

    fn processor(self) -> &'static str {
        match self {
            Signal::Logs => "LogProcessor",
            Signal::Spans => "SpanProcessor",
        }
    }

    /// What its report says is dropped.
    fn items(self) -> &'static str {
        match self {
            Signal::Logs => "records",
            Signal::Spans => "spans",
        }
    }
}

/// What registering one tracepoint did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TracepointStatus {
    /// `<Provider>_L<level>K<keyword>`, then `G<group>` when the processor has a
    /// [provider group](crate::UserEventsProcessorBuilder::with_provider_group).
    pub name: String,
    /// The level whose records (or spans) go to it.
    pub level: Level,
    /// `Ok` when registered, else the errno (see [`Errno::explain`]).
    pub result: Result<(), Errno>,
}

/// What building a [`UserEventsProcessor`](super::UserEventsProcessor) (or a
/// [`UserEventsSpanProcessor`](crate::UserEventsSpanProcessor)) did with the
/// kernel. Print it at startup: it says why nothing is written when
/// user_events is missing or not writable.
///
/// ```
/// use otel_user_events_runtime::{Level, UserEventsProcessor};
///
/// let processor = UserEventsProcessor::builder("MyService").build().unwrap();
/// let report = processor.report();
/// assert_eq!((report.provider.as_str(), report.keyword), ("MyService", 1));
/// // One tracepoint per level, most severe first, registered or not.
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
pub struct ProcessorReport {
    /// The provider name.
    pub provider: String,
    /// The keyword of every tracepoint.
    pub keyword: u64,
    /// The `user_events_data` file, or why it could not be opened.
    pub data_file: Result<PathBuf, DataFileError>,
    /// One entry per tracepoint: for a `LogProcessor` one per level, most
    /// severe first; for a `SpanProcessor` one, level 4.
    pub tracepoints: Vec<TracepointStatus>,
    /// Which processor this is, for the sentences of `Display`.
    signal: Signal,
}

impl ProcessorReport {
    /// True when every tracepoint is registered.
    pub fn all_registered(&self) -> bool {
        self.data_file.is_ok() && self.tracepoints.iter().all(|t| t.result.is_ok())
    }
}

impl fmt::Display for ProcessorReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (processor, items) = (self.signal.processor(), self.signal.items());
        writeln!(
            f,
            "otel-user-events {processor} {:?} (keyword {:#x}):",
            self.provider, self.keyword
        )?;
        write_registration(f, &self.data_file, &self.tracepoints, items)
    }
}

/// The lines of a report after its title, shared by the processor and the
/// `tracing` layer: the data file, then each tracepoint registered or why not.
/// `what` names what an output drops ("records", "events").
pub(crate) fn write_registration(
    f: &mut fmt::Formatter<'_>,
    data_file: &Result<PathBuf, DataFileError>,
    tracepoints: &[TracepointStatus],
    what: &str,
) -> fmt::Result {
    match data_file {
        Ok(path) => writeln!(f, "  user_events_data: {}", path.display())?,
        Err(e) => {
            return writeln!(
                f,
                "  user_events_data: {e}; {what} are dropped and counted (dropped_unavailable)"
            );
        }
    }
    for tp in tracepoints {
        match &tp.result {
            Ok(()) => writeln!(f, "  {}: registered", tp.name)?,
            Err(e) => writeln!(
                f,
                "  {}: not registered: {e}; its {what} are dropped and counted \
                 (dropped_unavailable)",
                tp.name
            )?,
        }
    }
    Ok(())
}

/// State shared by a processor and its handles. Lives in an `Arc`, so the enable
/// words keep their address for as long as the kernel may write them.
pub(crate) struct Tracepoints {
    /// One enable word per level (index `level - 1`). The kernel sets bit 0
    /// while the level's tracepoint has a listener; the CAPTURE bit is set while a test
    /// capture runs (see `capture`); the UNAVAILABLE bit stays set on a level
    /// whose tracepoint did not register, until release. (The words of levels
    /// a processor does not register are never read.)
    pub(crate) words: [AtomicU32; 5],
    pub(crate) write_index: [u32; 5],
    registered: [bool; 5],
    pub(crate) data_file: Option<DataFile>,
    pub(crate) name: ProviderName,
    pub(crate) keyword: u64,
    pub(crate) counters: Counters,
    pub(crate) report: ProcessorReport,
    released: AtomicBool,
}

impl Tracepoints {
    /// Opens `user_events_data` and registers one tracepoint per level (a
    /// `LogProcessor`'s, or a layer's keyword). Never fails: what went wrong is
    /// in the report, and such levels count what they get as dropped.
    pub(crate) fn register(name: ProviderName, keyword: u64) -> Arc<Tracepoints> {
        Tracepoints::register_for(name, keyword, Signal::Logs)
    }

    /// [`Tracepoints::register`] for the levels of `signal` (a
    /// `SpanProcessor`'s: level 4 only).
    pub(crate) fn register_for(
        name: ProviderName,
        keyword: u64,
        signal: Signal,
    ) -> Arc<Tracepoints> {
        let file = DataFile::open();
        let mut shared = Arc::new(Tracepoints {
            words: Default::default(),
            write_index: [u32::MAX; 5],
            registered: [false; 5],
            report: ProcessorReport {
                provider: name.to_string(),
                keyword,
                data_file: file
                    .as_ref()
                    .map(|f| f.path().to_owned())
                    .map_err(Clone::clone),
                tracepoints: Vec::with_capacity(signal.levels().len()),
                signal,
            },
            data_file: file.ok(),
            name,
            keyword,
            counters: Counters::default(),
            released: AtomicBool::new(false),
        });
        // Register in place: the words already have their final address, and
        // nobody else holds the Arc yet, so `get_mut` always succeeds.
        if let Some(unique) = Arc::get_mut(&mut shared) {
            unique.register_all(signal.levels());
        }
        capture::track(Arc::clone(&shared) as Arc<dyn EnableWords>);
        shared
    }

    fn register_all(&mut self, levels: &[Level]) {
        for &level in levels {
            let i = index(level);
            let name = self.name.tracepoint_name(level, self.keyword);
            let result = match (&self.data_file, &self.report.data_file) {
                (Some(file), _) => {
                    // SAFETY: the words live in this `Tracepoints`, behind the `Arc` that
                    // the processor holds until its shutdown or drop, and `release` (run
                    // by both) unregisters them first.
                    unsafe { file.register(&name, &self.words[i]) }.map(|write_index| {
                        self.write_index[i] = write_index;
                        self.registered[i] = true;
                    })
                }
                (None, Err(e)) => Err(e.errno),
                (None, Ok(_)) => Err(Errno(libc::ENOENT)),
            };
            // A level that cannot be written says "enabled" to the one load of
            // `emit`, whose enabled path then counts the record as dropped.
            if result.is_err() {
                self.words[i].fetch_or(enable::UNAVAILABLE, Ordering::Relaxed);
            }
            self.report.tracepoints.push(TracepointStatus {
                name,
                level,
                result,
            });
        }
    }

    /// The enable word of `level`.
    #[inline(always)]
    pub(crate) fn word(&self, level: Level) -> &AtomicU32 {
        &self.words[index(level)]
    }

    /// Unregisters every registered tracepoint exactly once and closes the
    /// data file (its descriptor then points at `/dev/null`, so a racing write
    /// goes nowhere and the kernel forgets the names). Later calls do nothing.
    pub(crate) fn release(self: &Arc<Self>) {
        if self.released.swap(true, Ordering::AcqRel) {
            return;
        }
        capture::untrack(&self.words);
        if let Some(file) = &self.data_file {
            for level in Level::ALL {
                let i = index(level);
                if self.registered[i] {
                    // Fails only if the kernel already forgot the word; the close
                    // below releases everything either way.
                    let _ = file.unregister(&self.words[i]);
                }
            }
            file.close();
        }
        for word in &self.words {
            word.store(0, Ordering::Relaxed);
        }
    }

    /// Where an event of `level`, whose enable word read `bits` (not 0), goes:
    /// this thread's test capture (with the capture's time, if it sets one),
    /// or the kernel. `None` when it goes nowhere: a level that did not
    /// register counts the event as dropped here, in `counters` (the output's:
    /// a processor's own, or its layer's, which shares them across keywords).
    pub(crate) fn route(
        &self,
        level: Level,
        bits: u32,
        counters: &Counters,
    ) -> Option<(To<'_>, Option<SystemTime>)> {
        // A capturing thread keeps the event instead of writing it; it is
        // counted all the same.
        let capture = (bits & enable::CAPTURE != 0)
            .then(capture::settings)
            .flatten();
        match (capture, &self.data_file) {
            (Some(capture), _) => {
                let tracepoint = self.name.tracepoint_name(level, self.keyword);
                Some((To::Capture(tracepoint), capture.time))
            }
            (None, Some(file)) if bits & enable::KERNEL != 0 => Some((To::Kernel(file), None)),
            (None, _) => {
                // The level's tracepoint did not register (no user_events, no
                // access): the event is lost, and counted.
                if bits & enable::UNAVAILABLE != 0 {
                    counters.dropped_unavailable();
                }
                None
            }
        }
    }

    /// Hands a sealed event of `level` to where [`Tracepoints::route`] said it
    /// goes, counting what becomes of it in `counters`.
    #[inline(always)]
    pub(crate) fn deliver<D>(
        &self,
        to: &To<'_>,
        level: Level,
        sealed: Sealed<'_, D>,
        counters: &Counters,
    ) {
        match to {
            // A span's events share one route: each capture takes a copy of the name.
            To::Capture(tracepoint) => {
                deliver::to_capture(sealed, tracepoint.clone(), Some(counters))
            }
            To::Kernel(file) => {
                let index = self.write_index[index(level)];
                let word = self.word(level);
                deliver::to_kernel(sealed, file.fd(), word, index, counters)
            }
        }
    }

    /// True once [`Tracepoints::release`] ran.
    pub(crate) fn is_released(&self) -> bool {
        self.released.load(Ordering::Acquire)
    }
}

/// Where a processor's event goes.
pub(crate) enum To<'a> {
    /// This thread's test capture, as if written to this tracepoint.
    Capture(String),
    /// The processor's `user_events_data`.
    Kernel(&'a DataFile),
}

/// Index of a level's enable word.
#[inline(always)]
pub(crate) fn index(level: Level) -> usize {
    level.as_u8() as usize - 1
}

impl EnableWords for Tracepoints {
    fn words(&self) -> &[AtomicU32] {
        &self.words
    }
}
