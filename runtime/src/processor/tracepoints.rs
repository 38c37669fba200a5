//! The processor's five tracepoints (one per level, all with its keyword): their
//! enable words, registration, the report, and the single release at shutdown.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use otel_user_events_abi::name::ProviderName;
use otel_user_events_abi::{DataFile, DataFileError, Errno};

use crate::capture::{self, EnableWords};
use crate::counters::Counters;
use crate::{Level, enable};

/// What registering one tracepoint did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TracepointStatus {
    /// `<Provider>_L<level>K<keyword>`, then `G<group>` when the processor has a
    /// [provider group](crate::UserEventsProcessorBuilder::with_provider_group).
    pub name: String,
    /// The level whose records go to it.
    pub level: Level,
    /// `Ok` when registered, else the errno (see [`Errno::explain`]).
    pub result: Result<(), Errno>,
}

/// What building a [`UserEventsProcessor`](super::UserEventsProcessor) did with
/// the kernel. Print it at startup: it says why nothing is written when
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
    /// One entry per level, most severe first.
    pub tracepoints: Vec<TracepointStatus>,
}

impl ProcessorReport {
    /// True when every level's tracepoint is registered.
    pub fn all_registered(&self) -> bool {
        self.data_file.is_ok() && self.tracepoints.iter().all(|t| t.result.is_ok())
    }
}

impl fmt::Display for ProcessorReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "otel-user-events LogProcessor {:?} (keyword {:#x}):",
            self.provider, self.keyword
        )?;
        write_registration(f, &self.data_file, &self.tracepoints, "records")
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
    /// whose tracepoint did not register, until release.
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
    /// Opens `user_events_data` and registers one tracepoint per level.
    /// Never fails: what went wrong is in the report, and such levels stay disabled.
    pub(crate) fn register(name: ProviderName, keyword: u64) -> Arc<Tracepoints> {
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
                tracepoints: Vec::with_capacity(5),
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
            unique.register_all();
        }
        capture::track(Arc::clone(&shared) as Arc<dyn EnableWords>);
        shared
    }

    fn register_all(&mut self) {
        for level in Level::ALL {
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

    /// True once [`Tracepoints::release`] ran.
    pub(crate) fn is_released(&self) -> bool {
        self.released.load(Ordering::Acquire)
    }
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
