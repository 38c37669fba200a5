//! Where an enabled event goes ([`Output::sink`]: the kernel, this thread's
//! test capture, or nowhere, counted), and the one call that seals it,
//! delivers it and counts what became of it ([`Sink::seal`]).

use std::sync::atomic::AtomicU32;
use std::time::SystemTime;

use super::capture::{self, Settings};
use super::counters::Counters;
use super::deliver;
use super::enable;
use super::engine::Output;
use super::kernel::Writing;
use super::tracepoints::At;
use crate::encode::header::HeaderFields;
use crate::encode::seal::{Encode, seal_event};
use crate::encode::writer::IoVec;

/// Where one enabled event goes.
enum Route<'a> {
    /// This thread's test capture, as if written to this tracepoint. Boxed:
    /// the kernel's route, on every written event, stays a few words that
    /// move in registers.
    Capture(Box<Captured>),
    /// The output's `user_events_data`, entered for this write.
    Kernel {
        writing: Writing<'a>,
        word: &'a AtomicU32,
        index: u32,
        counters: &'a Counters,
    },
}

/// A test capture's route: the tracepoint it stands for, and its settings.
struct Captured {
    tracepoint: String,
    settings: Settings,
}

/// An enabled event's destination, from [`Output::sink`] or
/// [`Sink::captured`]: seal the event into it with [`Sink::seal`].
pub(crate) struct Sink<'a> {
    route: Route<'a>,
    /// Where what becomes of the event is counted (none for a macro event
    /// captured while no provider is active).
    counters: Option<&'a Counters>,
    /// The most bytes the event may have after its write index.
    limit: usize,
}

impl Output {
    /// Where an event of `at`, whose enable word read `bits` (not 0), goes:
    /// this thread's test capture, or the kernel. `None` when it goes
    /// nowhere: a tracepoint that did not register counts the event as
    /// dropped here, and so does a write that raced the output's release.
    #[inline(always)]
    pub(crate) fn sink<'a>(&'a self, at: At<'a>, bits: u32) -> Option<Sink<'a>> {
        self.sink_or_count(at, bits, || 1)
    }

    /// [`Output::sink`] for an event that stands for `lost()` items (a metric
    /// export's data points): what `dropped_unavailable` counts when the
    /// tracepoint did not register. `lost` runs only then.
    #[inline(always)]
    pub(crate) fn sink_or_count<'a>(
        &'a self,
        at: At<'a>,
        bits: u32,
        lost: impl FnOnce() -> u64,
    ) -> Option<Sink<'a>> {
        // A capturing thread keeps the event instead of writing it; it is
        // counted all the same.
        if bits & enable::CAPTURE != 0
            && let Some(settings) = capture::settings()
        {
            let tracepoint = self.tracepoints().tracepoint_name(&at);
            return Some(Sink {
                route: Route::Capture(Box::new(Captured {
                    tracepoint,
                    settings,
                })),
                counters: Some(self.counters()),
                limit: self.limit(),
            });
        }
        if bits & enable::KERNEL != 0 {
            return self.kernel_sink(at);
        }
        // The tracepoint did not register (no user_events, no access): the
        // event is lost, and counted.
        if bits & enable::UNAVAILABLE != 0 {
            self.counters().dropped_unavailable_by(lost());
        }
        None
    }
}

impl Output {
    /// The kernel, for an event of `at` whose enable word has the kernel's
    /// bit and that no capture on this thread takes (the caller checked
    /// both); `None`, counted, when the output was released since.
    #[inline(always)]
    pub(crate) fn kernel_sink<'a>(&'a self, at: At<'a>) -> Option<Sink<'a>> {
        let Some(writing) = self.tracepoints().file().enter() else {
            // Released since the check: as if the listener had left.
            self.counters().dropped_disabled_race();
            return None;
        };
        Some(Sink {
            route: Route::Kernel {
                writing,
                word: at.word,
                index: at.index,
                counters: self.counters(),
            },
            counters: Some(self.counters()),
            limit: self.limit(),
        })
    }
}

impl Output {
    /// Writes an event laid out by the generated writer (`iov`, its header
    /// first, write index included) to the kernel, for a call site whose
    /// enable word `word` has only the kernel's bit (the caller checked), and
    /// counts what became of it, as [`Sink::seal`] does.
    #[inline(always)]
    pub(crate) fn write_laid_out(&self, word: &AtomicU32, iov: &[IoVec]) {
        let Some(writing) = self.tracepoints().file().enter() else {
            // Released since the check: as if the listener had left.
            self.counters().dropped_disabled_race();
            return;
        };
        deliver::laid_out_to_kernel(iov, writing.fd(), word, self.counters());
    }
}

impl<'a> Sink<'a> {
    /// This thread's capture, as if the event were written to `tracepoint`,
    /// counted in `counters` (if any), within `limit` bytes: for a macro
    /// event, captured under the capture's own provider name whether or not
    /// a provider is active.
    pub(crate) fn captured(
        settings: Settings,
        tracepoint: String,
        counters: Option<&'a Counters>,
        limit: usize,
    ) -> Sink<'a> {
        Sink {
            route: Route::Capture(Box::new(Captured {
                tracepoint,
                settings,
            })),
            counters,
            limit,
        }
    }

    /// The time a test capture gives its events, if it sets one (else the
    /// writer takes its own: now, or a record's).
    #[inline(always)]
    pub(crate) fn fixed_time(&self) -> Option<SystemTime> {
        match &self.route {
            Route::Capture(captured) => captured.settings.time,
            Route::Kernel { .. } => None,
        }
    }

    /// The test capture's settings, when the event is captured.
    #[inline(always)]
    pub(crate) fn capture(&self) -> Option<&Settings> {
        match &self.route {
            Route::Capture(captured) => Some(&captured.settings),
            Route::Kernel { .. } => None,
        }
    }

    /// Encodes `event` with `header`, hands it to where it goes and counts
    /// what became of it (written, truncated, too large, listener gone, write
    /// error, and the members the event left out). May be called again for
    /// more events of the same tracepoint (a span's events, then the span).
    #[inline(always)]
    pub(crate) fn seal<E: Encode + ?Sized>(&self, event: &E, header: &HeaderFields<'_>) {
        // Inlined, so the sealed event is written where it was encoded
        // instead of moved (a `memcpy` of the writer) into a call.
        seal_event(
            event,
            header,
            self.limit,
            #[inline(always)]
            |sealed| {
                if let Some(counters) = self.counters
                    && sealed.dropped > 0
                {
                    counters.attributes_dropped(sealed.dropped);
                }
                match &self.route {
                    Route::Capture(captured) => {
                        deliver::to_capture(sealed, captured.tracepoint.clone(), self.counters)
                    }
                    Route::Kernel {
                        writing,
                        word,
                        index,
                        counters,
                    } => deliver::to_kernel(sealed, writing.fd(), word, *index, counters),
                }
            },
        );
    }

    /// Writes an event that is not EventHeader, the concatenation of `parts`
    /// (at most [`deliver::MAX_PARTS`]), and counts what became of it: too
    /// large for the limit, written, listener gone, or a write error; true
    /// when written.
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    pub(crate) fn write_parts(&self, parts: &[&[u8]]) -> bool {
        let too_large = parts.iter().map(|p| p.len()).sum::<usize>() > self.limit;
        match &self.route {
            Route::Capture(captured) => {
                deliver::parts_to_capture(parts, too_large, &captured.tracepoint, self.counters)
            }
            Route::Kernel {
                writing,
                word,
                index,
                counters,
            } => deliver::parts_to_kernel(parts, too_large, writing.fd(), word, *index, counters),
        }
    }
}
