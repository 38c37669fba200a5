//! The tracepoints of one output, registered by one rule: all five levels of
//! every keyword it writes (`<Provider>_L1K<k>` .. `<Provider>_L5K<k>`), so a
//! collector's fixed list of names always opens, each with an enable word
//! owned here; plus the enable words of call sites that write to them
//! (the provider's `ue_log!`/`#[otel_event]` sites). Or, for an output whose
//! events are not EventHeader (the metrics exporter's `otlp_metrics`), one
//! tracepoint with its own field list. Released once.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use otel_user_events_abi::Errno;
use otel_user_events_abi::name::ProviderName;

use super::enable;
use super::kernel::KernelFile;
use super::report::TracepointStatus;
use crate::Level;

/// A tracepoint an event is written to, as its writer knows it.
#[derive(Clone, Copy)]
pub(crate) struct At<'a> {
    /// Its level.
    pub(crate) level: Level,
    /// Its keyword.
    pub(crate) keyword: u64,
    /// The enable word the writer checked (the output's, or a call site's).
    pub(crate) word: &'a AtomicU32,
    /// The write index registered with that word.
    pub(crate) index: u32,
}

/// The five levels of one keyword.
pub(crate) struct KeywordSet {
    keyword: u64,
    /// One enable word per level (index `level - 1`). The kernel sets bit 0
    /// while the level's tracepoint has a listener; the CAPTURE bit is set
    /// while a test capture runs; the UNAVAILABLE bit stays set on a level
    /// whose tracepoint did not register, until release.
    words: [AtomicU32; 5],
    write_index: [u32; 5],
    registered: [bool; 5],
}

impl KeywordSet {
    /// The keyword.
    pub(crate) fn keyword(&self) -> u64 {
        self.keyword
    }

    /// The enable word of `level`.
    #[inline(always)]
    pub(crate) fn word(&self, level: Level) -> &AtomicU32 {
        &self.words[index(level)]
    }

    /// The write index of `level`'s tracepoint (`u32::MAX` when it did not register).
    #[inline(always)]
    pub(crate) fn write_index(&self, level: Level) -> u32 {
        self.write_index[index(level)]
    }

    /// The tracepoint of `level` in this set, as the sink takes it.
    #[inline(always)]
    pub(crate) fn at(&self, level: Level) -> At<'_> {
        At {
            level,
            keyword: self.keyword,
            word: self.word(level),
            index: self.write_index(level),
        }
    }
}

/// A tracepoint registered with a field list of its own instead of
/// EventHeader's (the metrics exporter's `otlp_metrics`): one name, one
/// enable word. Its events have no level or keyword; [`PlainTracepoint::at`]
/// says `Info` and 0, which only a test capture's name would use.
pub(crate) struct PlainTracepoint {
    word: AtomicU32,
    write_index: u32,
    registered: bool,
}

#[cfg_attr(not(feature = "metrics"), allow(dead_code))]
impl PlainTracepoint {
    /// The enable word.
    #[inline(always)]
    pub(crate) fn word(&self) -> &AtomicU32 {
        &self.word
    }

    /// The tracepoint, as the sink takes it.
    #[inline(always)]
    pub(crate) fn at(&self) -> At<'_> {
        At {
            level: Level::Info,
            keyword: 0,
            word: &self.word,
            index: self.write_index,
        }
    }
}

/// An output's tracepoints and the file they are registered through.
pub(crate) struct Tracepoints {
    name: ProviderName,
    file: KernelFile,
    sets: Box<[KeywordSet]>,
    /// The one tracepoint of an output that is not EventHeader (boxed: the
    /// kernel keeps its word's address while `Tracepoints` moves).
    plain: Option<Box<PlainTracepoint>>,
    /// Enable words of others registered through the file (call sites),
    /// unregistered at release.
    others: Mutex<Vec<&'static AtomicU32>>,
    /// One per tracepoint name, in registration order.
    statuses: Vec<TracepointStatus>,
    released: AtomicBool,
}

impl Tracepoints {
    /// Registers the five levels of each of `keywords` (repeats ignored; the
    /// first is the output's default) through `file` when one was given (a
    /// descriptor handed over by a privileged process), else through the
    /// `user_events_data` this process opens. Never fails: what went wrong is
    /// in [`Tracepoints::statuses`], and a level that did not register has
    /// its UNAVAILABLE bit set, so its events reach the write path and are
    /// counted as dropped there.
    pub(crate) fn register_through(
        file: Option<&otel_user_events_abi::DataFile>,
        name: ProviderName,
        keywords: &[u64],
    ) -> Tracepoints {
        Self::register_in(Self::open_file(file), name, keywords)
    }

    /// Registers the one tracepoint `name` with the field list `fields` (an
    /// output whose events are not EventHeader), through `file` when one was
    /// given, else through the `user_events_data` this process opens. Never
    /// fails, as [`Tracepoints::register_through`].
    pub(crate) fn register_plain(
        file: Option<&otel_user_events_abi::DataFile>,
        name: ProviderName,
        fields: &str,
    ) -> Tracepoints {
        let file = Self::open_file(file);
        let mut plain = Box::new(PlainTracepoint {
            word: AtomicU32::new(0),
            write_index: u32::MAX,
            registered: false,
        });
        // SAFETY: the word is boxed: it stays where it is while `Tracepoints`
        // holds the box, and `release` unregisters it before the box is freed.
        let result = unsafe { file.register_with_fields(name.as_str(), fields, &plain.word) };
        match result {
            Ok(write_index) => {
                plain.write_index = write_index;
                plain.registered = true;
            }
            // As a level that did not register: counted on the write path.
            Err(_) => {
                plain.word.fetch_or(enable::UNAVAILABLE, Ordering::Relaxed);
            }
        }
        let statuses = vec![TracepointStatus {
            name: name.as_str().to_owned(),
            level: Level::Info,
            keyword: 0,
            call_sites: 0,
            result: result.map(|_| ()),
        }];
        Tracepoints {
            name,
            file,
            sets: Box::new([]),
            plain: Some(plain),
            others: Mutex::new(Vec::new()),
            statuses,
            released: AtomicBool::new(false),
        }
    }

    /// The data file handed over, or the one this process opens.
    fn open_file(file: Option<&otel_user_events_abi::DataFile>) -> KernelFile {
        match file {
            #[cfg(unix)]
            Some(file) => KernelFile::adopt(file),
            _ => KernelFile::open(),
        }
    }

    /// No tracepoints, and `user_events_data` not even opened: the
    /// tracepoints of an output that does not write to the kernel.
    pub(crate) fn none(name: ProviderName) -> Tracepoints {
        Tracepoints {
            name,
            file: KernelFile::not_opened(),
            sets: Box::new([]),
            plain: None,
            others: Mutex::new(Vec::new()),
            statuses: Vec::new(),
            released: AtomicBool::new(true),
        }
    }

    fn register_in(file: KernelFile, name: ProviderName, keywords: &[u64]) -> Tracepoints {
        let mut unique: Vec<u64> = Vec::with_capacity(keywords.len());
        for &keyword in keywords {
            if !unique.contains(&keyword) {
                unique.push(keyword);
            }
        }
        let sets: Box<[KeywordSet]> = unique
            .iter()
            .map(|&keyword| KeywordSet {
                keyword,
                words: Default::default(),
                write_index: [u32::MAX; 5],
                registered: [false; 5],
            })
            .collect();
        let mut tracepoints = Tracepoints {
            name,
            file,
            sets,
            plain: None,
            others: Mutex::new(Vec::new()),
            statuses: Vec::with_capacity(unique.len() * 5),
            released: AtomicBool::new(false),
        };
        tracepoints.register_levels();
        tracepoints
    }

    fn register_levels(&mut self) {
        let Tracepoints {
            name,
            file,
            sets,
            statuses,
            ..
        } = self;
        for set in sets.iter_mut() {
            for level in Level::ALL {
                let i = index(level);
                let tracepoint = name.tracepoint_name(level, set.keyword);
                // SAFETY: the words live in `sets`, a boxed slice that never
                // moves while the owner holds it (an output keeps its
                // `Tracepoints` in an `Arc` or a leaked state), and `release`
                // unregisters them before anything frees them.
                let result = unsafe { file.register(&tracepoint, &set.words[i]) };
                match result {
                    Ok(write_index) => {
                        set.write_index[i] = write_index;
                        set.registered[i] = true;
                    }
                    // A level that cannot be written says "enabled" to the one
                    // load of the enabled check, whose enabled path then counts
                    // the event as dropped.
                    Err(_) => {
                        set.words[i].fetch_or(enable::UNAVAILABLE, Ordering::Relaxed);
                    }
                }
                statuses.push(TracepointStatus {
                    name: tracepoint,
                    level,
                    keyword: set.keyword,
                    call_sites: 0,
                    result: result.map(|_| ()),
                });
            }
        }
    }

    /// Registers `word`, a call site's, with the tracepoint of `level` and
    /// `keyword` (one of the registered keywords), and returns its write index.
    /// The outcome counts in that tracepoint's status.
    pub(crate) fn register_call_site(
        &mut self,
        level: Level,
        keyword: u64,
        word: &'static AtomicU32,
    ) -> Result<u32, Errno> {
        let tracepoint = self.name.tracepoint_name(level, keyword);
        // SAFETY: `word` is a static's: it never moves and is never freed.
        let result = unsafe { self.file.register(&tracepoint, word) };
        if result.is_ok() {
            self.others
                .get_mut()
                .unwrap_or_else(|e| e.into_inner())
                .push(word);
        }
        if let Some(status) = self.statuses.iter_mut().find(|s| s.name == tracepoint) {
            status.call_sites += 1;
            if status.result.is_ok() {
                status.result = result.map(|_| ());
            }
        }
        result
    }

    /// The provider name (and group) of every tracepoint.
    pub(crate) fn name(&self) -> &ProviderName {
        &self.name
    }

    /// The keyword sets, the default keyword's first.
    pub(crate) fn sets(&self) -> &[KeywordSet] {
        &self.sets
    }

    /// The one tracepoint of an output that is not EventHeader.
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    #[inline]
    pub(crate) fn plain(&self) -> Option<&PlainTracepoint> {
        self.plain.as_deref()
    }

    /// The name of the tracepoint `at` (one of these), as a test capture
    /// reports it.
    pub(crate) fn tracepoint_name(&self, at: &At<'_>) -> String {
        match &self.plain {
            Some(_) => self.name.as_str().to_owned(),
            None => self.name.tracepoint_name(at.level, at.keyword),
        }
    }

    /// The data file.
    #[inline]
    pub(crate) fn file(&self) -> &KernelFile {
        &self.file
    }

    /// What registering each tracepoint did.
    pub(crate) fn statuses(&self) -> &[TracepointStatus] {
        &self.statuses
    }

    /// Every enable word owned here (for the test capture's bit).
    pub(crate) fn for_each_word(&self, f: &mut dyn FnMut(&AtomicU32)) {
        for set in self.sets.iter() {
            set.words.iter().for_each(&mut *f);
        }
        if let Some(plain) = &self.plain {
            f(&plain.word);
        }
    }

    /// Unregisters every registered word exactly once and releases the data
    /// file (closed once the last writer left it), so the names can leave
    /// `user_events_status`. Clears the words: later events are not written.
    /// Later calls do nothing; returns whether this call released.
    pub(crate) fn release(&self) -> bool {
        if self.released.swap(true, Ordering::AcqRel) {
            return false;
        }
        let others = std::mem::take(&mut *self.others.lock().unwrap_or_else(|e| e.into_inner()));
        self.file.unregister(others);
        self.file.unregister(self.sets.iter().flat_map(|set| {
            Level::ALL
                .into_iter()
                .filter(|&level| set.registered[index(level)])
                .map(|level| set.word(level))
        }));
        self.file
            .unregister(self.plain.iter().filter(|p| p.registered).map(|p| &p.word));
        self.file.release();
        self.for_each_word(&mut |word| word.store(0, Ordering::Relaxed));
        // A plain tracepoint's writer (the metric exporter) checks its word
        // alone before anything else: released, it reads "unavailable", so
        // the writer's slow path runs and finds the output released.
        if let Some(plain) = &self.plain {
            plain.word.store(enable::UNAVAILABLE, Ordering::Relaxed);
        }
        true
    }

    /// True once [`Tracepoints::release`] ran (or nothing was registered).
    #[inline]
    pub(crate) fn is_released(&self) -> bool {
        self.released.load(Ordering::Acquire)
    }
}

impl Drop for Tracepoints {
    fn drop(&mut self) {
        self.release();
    }
}

/// Index of a level's enable word.
#[inline(always)]
fn index(level: Level) -> usize {
    level.as_u8() as usize - 1
}
