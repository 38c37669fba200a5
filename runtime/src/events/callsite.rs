//! Call sites: one static per `ue_log!`/`#[otel_event]` site, holding the enable
//! word its enabled check loads.
//!
//! The word's bits say who wants the event (see [`crate::output::enable`]). One relaxed
//! load answers "is anyone listening?" in every output mode; a site whose only
//! bit says "no output" counts the event as dropped without evaluating it.

use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};

use crate::Level;
use crate::output::enable;
use crate::provider::{LibraryProvider, ProviderState};

/// What the macros know about a call site at compile time.
#[derive(Debug)]
pub struct EventInfo {
    /// Event name (EventHeader event name and PartB `name`).
    pub name: &'static str,
    /// Level, hence the tracepoint.
    pub level: Level,
    /// Keyword, hence the tracepoint.
    pub keyword: u64,
    /// Names of the PartC fields, in order (for the OpenTelemetry fallback).
    pub field_names: &'static [&'static str],
    /// Module path of the call site (OpenTelemetry target).
    pub target: &'static str,
    /// The event name as metadata (up to a NUL, then NUL), laid out at compile time.
    pub name_meta: &'static [u8],
    /// PartB's values after the body (`severityNumber`, `severityText`, `name`),
    /// laid out at compile time.
    pub part_b_data: &'static [u8],
    /// The library provider the call site names (`provider:` / `provider =`),
    /// if it names one.
    pub provider: Option<&'static LibraryProvider>,
}

/// The write index of a call site whose word is not registered.
pub(crate) const NOT_REGISTERED: u32 = u32::MAX;

/// One call site. Lives in a static so its enable word has a fixed address that
/// the kernel can update for as long as the process runs.
#[derive(Debug)]
pub struct Callsite {
    enable: AtomicU32,
    write_index: AtomicU32,
    info: &'static EventInfo,
    /// The started provider it writes to (null while none is): set when that
    /// provider starts, cleared when it shuts down.
    owner: AtomicPtr<ProviderState>,
}

/// Every call site in the program, gathered at link time so the provider can
/// register their tracepoints when it starts.
#[linkme::distributed_slice]
pub static CALLSITES: [&'static Callsite];

impl Callsite {
    /// A call site nobody listens to yet.
    pub const fn new(info: &'static EventInfo) -> Callsite {
        Callsite {
            enable: AtomicU32::new(0),
            write_index: AtomicU32::new(NOT_REGISTERED),
            info,
            owner: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    /// The check generated code makes before doing anything: one relaxed load,
    /// and true when the event's values are to be evaluated and dispatched.
    ///
    /// A word of 0 (nobody wants the event) returns after the load and one
    /// branch. A word that holds only the UNAVAILABLE bit (the event's output
    /// is unavailable, see [`enable::UNAVAILABLE`]) counts the event as dropped
    /// out of line and returns false, so its values are not evaluated either:
    /// that check comes after the zero test, off the disabled path.
    #[inline(always)]
    pub fn is_enabled(&self) -> bool {
        let word = self.enable.load(Ordering::Relaxed);
        if word == 0 {
            return false;
        }
        if word == enable::UNAVAILABLE {
            self.dropped_unavailable();
            return false;
        }
        true
    }

    /// Counts an event of a site whose provider has no output for it. Cold
    /// and out of line: not on the disabled path (whose word is 0).
    #[cold]
    #[inline(never)]
    fn dropped_unavailable(&self) {
        if let Some(state) = self.owner() {
            state.output.counters().dropped_unavailable();
        }
    }

    /// The started provider it writes to, if any.
    #[inline]
    pub(crate) fn owner(&self) -> Option<&'static ProviderState> {
        // SAFETY: only `set_owner` stores here, a `&'static ProviderState`
        // (states are leaked, never freed) or null.
        unsafe { self.owner.load(Ordering::Acquire).as_ref() }
    }

    pub(crate) fn set_owner(&self, state: Option<&'static ProviderState>) {
        let ptr = state.map_or(std::ptr::null_mut(), |s| {
            s as *const ProviderState as *mut ProviderState
        });
        self.owner.store(ptr, Ordering::Release);
    }

    /// The site's compile-time description.
    #[inline]
    pub fn info(&self) -> &'static EventInfo {
        self.info
    }

    #[inline]
    pub(crate) fn bits(&self) -> u32 {
        self.enable.load(Ordering::Relaxed)
    }

    pub(crate) fn set(&self, bit: u32, on: bool) {
        if on {
            self.enable.fetch_or(bit, Ordering::Relaxed);
        } else {
            self.enable.fetch_and(!bit, Ordering::Relaxed);
        }
    }

    #[inline]
    pub(crate) fn enable_word(&self) -> &AtomicU32 {
        &self.enable
    }

    #[inline]
    pub(crate) fn write_index(&self) -> u32 {
        self.write_index.load(Ordering::Relaxed)
    }

    /// Whether its word is registered with a tracepoint now (it has a write
    /// index: set by registration, reset when it is forgotten).
    pub(crate) fn is_registered(&self) -> bool {
        self.write_index() != NOT_REGISTERED
    }

    pub(crate) fn set_write_index(&self, index: u32) {
        self.write_index.store(index, Ordering::Relaxed);
    }
}

/// All call sites linked into this program.
pub(crate) fn all() -> impl Iterator<Item = &'static Callsite> {
    CALLSITES.iter().copied()
}
