//! The state a layer, its filter and its handles share: the tracepoints of
//! each keyword, the call-site table, counters and report; and the last step of
//! every event, choosing where it goes (the kernel, a test capture) and
//! counting what became of it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use otel_user_events_abi::name::ProviderName;
use tracing_core::Metadata;

use super::callsites::{Callsites, Site};
use super::constants::SiteConstants;
use super::encode::{Content, Frame, Framed};
use super::event_name::LayerEventName;
use super::otel;
use crate::Level;
use crate::activity::OtelSpan;
use crate::encode::common_schema::{CloudRole, PartA, PartBActivity};
use crate::encode::header::HeaderFields;
use crate::encode::profile::EncodingProfile;
use crate::encode::time::Rfc3339;
use crate::output::{Output, OutputKind, OutputOptions};

/// Shared by the layer, its filter and handles.
pub(crate) struct Shared {
    /// This layer among the layers of the process: the key of its span data
    /// and of the spans it entered on a thread.
    pub(super) id: u64,
    /// The tracepoints of every keyword (the default keyword's first),
    /// counters, report.
    pub(super) output: Arc<Output>,
    /// Target prefix and the index of its keyword's set, longest prefix first.
    rules: Vec<(String, usize)>,
    event_name: LayerEventName,
    pub(super) callsites: Callsites,
    /// No resource: PartA carries no cloud role (kept for the shared PartA).
    pub(super) cloud_role: CloudRole,
    /// The subscriber the layer is in (for `tracing-opentelemetry`'s spans).
    pub(super) subscriber: otel::Subscriber,
    pub(super) profile: EncodingProfile,
}

impl Shared {
    /// Registers the five tracepoints of `keyword` and of each rule's keyword.
    pub(super) fn register(
        options: &OutputOptions,
        name: ProviderName,
        (keyword, rules): (u64, Vec<(String, u64)>),
        event_name: LayerEventName,
    ) -> Arc<Shared> {
        static LAYERS: AtomicU64 = AtomicU64::new(1);
        let keywords: Vec<u64> = std::iter::once(keyword)
            .chain(rules.iter().map(|(_, k)| *k))
            .collect();
        let output = Output::new(
            options.register(name, &keywords),
            OutputKind::Layer,
            options.limit(),
        );
        let sets = output.sets();
        let rules = rules
            .into_iter()
            .map(|(prefix, k)| {
                let set = sets.iter().position(|s| s.keyword() == k).unwrap_or(0);
                (prefix, set)
            })
            .collect();
        Arc::new(Shared {
            id: LAYERS.fetch_add(1, Ordering::Relaxed),
            output,
            rules,
            event_name,
            callsites: Callsites::new(),
            cloud_role: CloudRole::default(),
            subscriber: otel::Subscriber::default(),
            profile: options.profile,
        })
    }

    /// The keyword of call sites of `target`.
    pub(super) fn keyword_of(&self, target: &str) -> u64 {
        self.output.sets()[self.set_of(target)].keyword()
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
        self.output.sets()[self.set_of(meta.target())]
            .word(level)
            .load(Ordering::Relaxed)
            != 0
    }

    /// Puts the call site in the table (at its registration).
    pub(super) fn register_callsite(&self, meta: &'static Metadata<'static>) {
        if self.callsites.find(meta).is_none() {
            self.callsites
                .insert(meta, || self.site(meta, true), self.output.counters());
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
        match self
            .callsites
            .insert(meta, || self.site(meta, true), self.output.counters())
        {
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
            output: Arc::clone(&self.output),
            set: self.set_of(meta.target()),
            level,
            severity_number,
            severity_text,
            name,
            fields: meta.fields(),
            message: meta.fields().field("message").map(|f| f.index()),
            part_c: OnceLock::new(),
            constants: cached
                .then(|| SiteConstants::new(severity_number, severity_text, name))
                .flatten(),
            cached,
        }
    }

    /// Writes an event of `site` (its enable word said `bits`) to the kernel,
    /// or to this thread's test capture, and counts what became of it. PartA
    /// carries the ids of `span`: the current OpenTelemetry span, or a span's
    /// own for its start and stop (read by the caller, once per event).
    #[inline(never)]
    pub(super) fn write<C: Content + ?Sized>(
        &self,
        site: &Site,
        bits: u32,
        (header, span): (&HeaderFields<'_>, Option<OtelSpan>),
        content: &C,
    ) {
        let Some(sink) = self.output.sink(site.at(), bits) else {
            return;
        };
        let time = sink.fixed_time().map_or_else(Rfc3339::now, Rfc3339::new);
        let trace = span.map(|s| s.trace_hex());
        let part_b_activity = (self.profile == EncodingProfile::Scalars).then_some(PartBActivity {
            ids: header.activity,
            opcode: header.opcode,
        });
        let framed = Framed {
            frame: Frame {
                part_a: PartA::new(time.as_str(), trace.as_ref(), &self.cloud_role),
                part_b_activity,
            },
            content,
        };
        sink.seal(&framed, header);
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
