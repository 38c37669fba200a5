//! Test capture, the write path's side: while a capture runs on a thread, the
//! events that thread writes are kept in memory instead of written to the
//! kernel (see the public [`crate::testing`] API, feature `testing`).
//!
//! A capture sets the CAPTURE bit of every enable word it tracks (the
//! levels of every live output, and the macro call sites, tracked by the
//! `testing` module before its first capture), so the enabled check lets
//! events through; the write path then asks [`settings`] whether *this*
//! thread captures, and hands the sealed event to the engine's delivery,
//! which keeps it here with [`push`] and counts it as a real write would be
//! counted.
//!
//! This module is at the bottom of the engine: it knows enable words, nothing
//! that writes events.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, Weak};
use std::time::SystemTime;

use super::enable;
use crate::encode::common_schema::CloudRole;
use crate::encode::profile::EncodingProfile;
use otel_user_events_abi::name::ProviderName;

/// One captured event.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(not(feature = "testing"), allow(unreachable_pub))]
pub struct CapturedEvent {
    /// The tracepoint it would be written to, e.g. `MyProvider_L4K1`.
    pub tracepoint: String,
    /// The bytes after the write index: EventHeader, extensions, metadata, data.
    pub payload: Vec<u8>,
    /// True when values were shortened to fit in 64 KB.
    pub truncated: bool,
}

/// How a capture stamps the events of macro call sites (a processor's events
/// keep its own provider name, keyword and resource).
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// The provider whose tracepoint names macro events get.
    pub(crate) provider: ProviderName,
    /// Replaces every event's time, for exact comparisons.
    pub(crate) time: Option<SystemTime>,
    /// PartA's cloud role of macro events.
    pub(crate) cloud_role: CloudRole,
    /// How macro events are encoded.
    pub(crate) profile: EncodingProfile,
}

/// Enable words a capture sets its bit in: an output's levels, or the macro
/// call sites.
pub(crate) trait EnableWords: Send + Sync {
    /// Calls `f` with each word.
    fn for_each_word(&self, f: &mut dyn FnMut(&AtomicU32));
}

struct Sink {
    settings: Settings,
    events: Vec<CapturedEvent>,
}

thread_local! {
    static SINK: RefCell<Option<Sink>> = const { RefCell::new(None) };
}

/// Captures running on any thread, and the processors whose words they switch.
struct Registry {
    /// Captures running, on any thread.
    running: usize,
    /// Live outputs (weak: tracking keeps nothing alive).
    outputs: Vec<Weak<dyn EnableWords>>,
    /// Words that live as long as the program (the macro call sites).
    statics: Vec<&'static dyn EnableWords>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    running: 0,
    outputs: Vec::new(),
    statics: Vec::new(),
});

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

fn set_bit(word: &AtomicU32, on: bool) {
    if on {
        word.fetch_or(enable::CAPTURE, Ordering::Relaxed);
    } else {
        word.fetch_and(!enable::CAPTURE, Ordering::Relaxed);
    }
}

/// Tracks an output's words until [`untrack`] (its release): a capture that
/// runs meanwhile sets its bit in them.
pub(crate) fn track(output: Weak<dyn EnableWords>) {
    let mut registry = registry();
    if registry.running > 0
        && let Some(output) = output.upgrade()
    {
        output.for_each_word(&mut |w| set_bit(w, true));
    }
    registry.outputs.push(output);
}

/// Stops tracking `output` (at its release), and clears its bit.
pub(crate) fn untrack(output: *const ()) {
    let mut registry = registry();
    registry.outputs.retain(|tracked| {
        let same = std::ptr::addr_eq(tracked.as_ptr(), output);
        if same && let Some(live) = tracked.upgrade() {
            live.for_each_word(&mut |w| set_bit(w, false));
        }
        !same && tracked.strong_count() > 0
    });
}

/// Tracks words that live as long as the program (once each).
#[cfg_attr(not(feature = "testing"), allow(dead_code))]
pub(crate) fn track_static(words: &'static dyn EnableWords) {
    let mut registry = registry();
    let known = registry
        .statics
        .iter()
        .any(|tracked| std::ptr::addr_eq(*tracked, words));
    if !known {
        if registry.running > 0 {
            words.for_each_word(&mut |w| set_bit(w, true));
        }
        registry.statics.push(words);
    }
}

/// This thread's capture settings, when it captures. A copy, so a value whose
/// formatting writes an event can be captured too.
pub(crate) fn settings() -> Option<Settings> {
    SINK.with(|s| s.try_borrow().ok()?.as_ref().map(|s| s.settings.clone()))
}

/// Keeps `event` in this thread's capture (if it still captures).
pub(crate) fn push(event: CapturedEvent) {
    SINK.with(|s| {
        if let Ok(mut sink) = s.try_borrow_mut()
            && let Some(sink) = sink.as_mut()
        {
            sink.events.push(event);
        }
    });
}

/// Runs `f` while this thread captures with `settings`; returns its result and
/// the events it wrote. Captures nest: an inner one hides the outer one's sink
/// until it ends.
#[cfg_attr(not(feature = "testing"), allow(dead_code))]
pub(crate) fn run<R>(settings: Settings, f: impl FnOnce() -> R) -> (R, Vec<CapturedEvent>) {
    /// Restores the outer sink and the bits even if `f` unwinds.
    struct Running(Option<Option<Sink>>);
    impl Drop for Running {
        fn drop(&mut self) {
            switch(false);
            if let Some(outer) = self.0.take() {
                SINK.with(|s| *s.borrow_mut() = outer);
            }
        }
    }
    let sink = Sink {
        settings,
        events: Vec::new(),
    };
    let outer = SINK.with(|s| s.borrow_mut().replace(sink));
    switch(true);
    let mut running = Running(Some(outer));
    let result = f();
    let sink = SINK.with(|s| s.borrow_mut().take());
    // Put the outer sink back now (the guard's job on unwind).
    if let Some(outer) = running.0.take() {
        SINK.with(|s| *s.borrow_mut() = outer);
    }
    drop(running);
    (result, sink.map(|s| s.events).unwrap_or_default())
}

/// One more (or one fewer) capture running; the first to start and the last
/// to end switch every word.
fn switch(on: bool) {
    let mut registry = registry();
    let before = registry.running;
    registry.running = if on {
        before + 1
    } else {
        before.saturating_sub(1)
    };
    if (before == 0) == (registry.running == 0) {
        return;
    }
    for words in &registry.statics {
        words.for_each_word(&mut |w| set_bit(w, on));
    }
    registry.outputs.retain(|output| match output.upgrade() {
        Some(output) => {
            output.for_each_word(&mut |w| set_bit(w, on));
            true
        }
        None => false,
    });
}
