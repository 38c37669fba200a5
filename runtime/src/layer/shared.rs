//! The state a layer, its filter and its handles share: the tracepoints of
//! each keyword, the call-site table, counters and report; and the last step of
//! every event, choosing where it goes (the kernel, a test capture) and
//! counting what became of it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use otel_user_events_abi::name::ProviderName;
use tracing_core::Metadata;

use super::callsites::{Callsites, Site};
use super::encode::{Content, Frame, Framed};
use super::event_name::LayerEventName;
use super::report::LayerReport;
use crate::Level;
use crate::activity::CurrentSpan;
use crate::counters::Counters;
use crate::encode::common_schema::{CloudRole, PartA, PartBActivity};
use crate::encode::header::HeaderFields;
use crate::encode::profile::EncodingProfile;
use crate::encode::seal::seal_event;
use crate::encode::time::Rfc3339;
use crate::processor::Tracepoints;

/// Shared by the layer, its filter and handles.
pub(crate) struct Shared {
    /// One set of five tracepoints per keyword; the default keyword's first.
    sets: Vec<Arc<Tracepoints>>,
    /// Target prefix and the index of its keyword's set, longest prefix first.
    rules: Vec<(String, usize)>,
    event_name: LayerEventName,
    pub(super) callsites: Callsites,
    pub(super) counters: Counters,
    pub(super) report: LayerReport,
    /// No resource: PartA carries no cloud role (kept for the shared PartA).
    cloud_role: CloudRole,
    profile: EncodingProfile,
    released: AtomicBool,
}

impl Shared {
    /// Registers the five tracepoints of `keyword` and of each rule's keyword.
    pub(super) fn register(
        name: ProviderName,
        keyword: u64,
        rules: Vec<(String, u64)>,
        event_name: LayerEventName,
        profile: EncodingProfile,
    ) -> Arc<Shared> {
        let mut keywords = vec![keyword];
        for (_, k) in &rules {
            if !keywords.contains(k) {
                keywords.push(*k);
            }
        }
        let sets: Vec<Arc<Tracepoints>> = keywords
            .iter()
            .map(|&k| Tracepoints::register(name.clone(), k))
            .collect();
        let rules = rules
            .into_iter()
            .map(|(prefix, k)| {
                let set = keywords.iter().position(|&x| x == k).unwrap_or(0);
                (prefix, set)
            })
            .collect();
        let report = LayerReport {
            provider: name.as_str().to_owned(),
            keywords,
            data_file: sets[0].report.data_file.clone(),
            tracepoints: sets
                .iter()
                .flat_map(|set| set.report.tracepoints.iter().cloned())
                .collect(),
        };
        Arc::new(Shared {
            sets,
            rules,
            event_name,
            callsites: Callsites::new(),
            counters: Counters::default(),
            report,
            cloud_role: CloudRole::default(),
            profile,
            released: AtomicBool::new(false),
        })
    }

    /// The keyword of call sites of `target`.
    pub(super) fn keyword_of(&self, target: &str) -> u64 {
        self.sets[self.set_of(target)].keyword
    }

    /// The index of the keyword set of `target`: the longest matching rule's.
    fn set_of(&self, target: &str) -> usize {
        self.rules
            .iter()
            .find(|(prefix, _)| {
                target
                    .strip_prefix(prefix.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
            })
            .map_or(0, |&(_, set)| set)
    }

    /// Whether anyone wants the call site `meta`: one load of its tracepoint's
    /// enable word, found in the table (or, for a call site not in it, from
    /// its target and level).
    #[inline(always)]
    pub(super) fn enabled(&self, meta: &Metadata<'_>) -> bool {
        match self.callsites.find(meta) {
            Some(site) => site.word().load(Ordering::Relaxed) != 0,
            None => self.enabled_uncached(meta),
        }
    }

    #[cold]
    #[inline(never)]
    fn enabled_uncached(&self, meta: &Metadata<'_>) -> bool {
        let (level, _, _) = levels(meta.level());
        self.sets[self.set_of(meta.target())]
            .word(level)
            .load(Ordering::Relaxed)
            != 0
    }

    /// Puts the call site in the table (at its registration).
    pub(super) fn register_callsite(&self, meta: &'static Metadata<'static>) {
        if self.callsites.find(meta).is_none() {
            self.callsites.insert(meta, || self.site(meta, true));
        }
    }

    /// Runs `f` with the site of `meta`: the table's, or (a full table) one
    /// built now.
    #[inline(always)]
    pub(super) fn with_site<R>(
        &self,
        meta: &'static Metadata<'static>,
        f: impl FnOnce(&Site) -> R,
    ) -> R {
        match self.callsites.find(meta) {
            Some(site) => f(site),
            None => self.with_new_site(meta, f),
        }
    }

    #[cold]
    #[inline(never)]
    fn with_new_site<R>(&self, meta: &'static Metadata<'static>, f: impl FnOnce(&Site) -> R) -> R {
        match self.callsites.insert(meta, || self.site(meta, true)) {
            Some(site) => f(site),
            None => f(&self.site(meta, false)),
        }
    }

    /// How the layer writes the call site `meta`.
    fn site(&self, meta: &'static Metadata<'static>, cached: bool) -> Site {
        let (level, severity_number, severity_text) = levels(meta.level());
        let name = match self.event_name {
            LayerEventName::Fixed(name) if meta.is_event() => name,
            LayerEventName::Target if meta.is_event() => meta.target(),
            _ => meta.name(),
        };
        Site {
            tracepoints: Arc::clone(&self.sets[self.set_of(meta.target())]),
            level,
            severity_number,
            severity_text,
            name,
            fields: meta.fields(),
            message: meta.fields().field("message").map(|f| f.index()),
            part_c: OnceLock::new(),
            cached,
        }
    }

    /// Writes an event of `site` (its enable word said `bits`) to the kernel,
    /// or to this thread's test capture, and counts what became of it.
    #[inline(never)]
    pub(super) fn write<C: Content + ?Sized>(
        &self,
        site: &Site,
        bits: u32,
        header: &HeaderFields<'_>,
        content: &C,
    ) {
        // The keyword's tracepoints route and deliver, counting in the layer's counters.
        let tracepoints = &*site.tracepoints;
        let Some((to, time)) = tracepoints.route(site.level, bits, &self.counters) else {
            return;
        };
        let time = time.map_or_else(Rfc3339::now, Rfc3339::new);
        let trace = CurrentSpan::get().as_ref().map(CurrentSpan::trace_hex);
        let scalars = (self.profile == EncodingProfile::Scalars).then_some(PartBActivity {
            ids: header.activity,
            opcode: header.opcode,
        });
        let framed = Framed {
            frame: Frame {
                part_a: PartA::new(time.as_str(), trace.as_ref(), &self.cloud_role),
                scalars,
            },
            content,
        };
        seal_event(&framed, header, |sealed| {
            if sealed.dropped > 0 {
                self.counters.attributes_dropped(sealed.dropped);
            }
            tracepoints.deliver(&to, site.level, sealed, &self.counters);
        });
    }

    /// Unregisters every tracepoint once and closes the data files.
    pub(super) fn release(&self) {
        if !self.released.swap(true, Ordering::AcqRel) {
            for set in &self.sets {
                set.release();
            }
        }
    }

    pub(super) fn is_released(&self) -> bool {
        self.released.load(Ordering::Acquire)
    }
}

/// A `tracing` level as the EventHeader level (its tracepoint), and PartB's
/// severity number and text: the numbers OpenTelemetry gives these levels
/// (and `opentelemetry-appender-tracing` uses), the text `tracing`'s name.
pub(super) fn levels(level: &tracing_core::Level) -> (Level, i16, &'static str) {
    use tracing_core::Level as T;
    match *level {
        T::ERROR => (Level::Error, 17, "ERROR"),
        T::WARN => (Level::Warn, 13, "WARN"),
        T::INFO => (Level::Info, 9, "INFO"),
        T::DEBUG => (Level::Verbose, 5, "DEBUG"),
        _ => (Level::Verbose, 1, "TRACE"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracing_levels_map_as_opentelemetry_severities() {
        use opentelemetry::logs::Severity;
        use tracing_core::Level as T;
        for (level, severity) in [
            (T::ERROR, Severity::Error),
            (T::WARN, Severity::Warn),
            (T::INFO, Severity::Info),
            (T::DEBUG, Severity::Debug),
            (T::TRACE, Severity::Trace),
        ] {
            let (ours, number, text) = levels(&level);
            assert_eq!(number, severity as i16, "{level}");
            assert_eq!(ours, Level::from_severity(severity), "{level}");
            assert_eq!(text, level.as_str());
        }
    }
}
