//! Which tracepoints to attach to and which events to show.

use std::collections::BTreeSet;

use otel_user_events_listen::names::TracepointName;

/// The most verbose EventHeader level.
const VERBOSE: u8 = 5;
/// The keyword of events that name none.
const DEFAULT_KEYWORD: u64 = 1;

/// What the command line asked to see.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only these providers' tracepoints (empty: any; never empty when
    /// watching live).
    pub providers: Vec<String>,
    /// Only tracepoints of this provider group (`G<group>`), whichever
    /// provider; `None`: any group or none.
    pub group: Option<String>,
    /// Only levels up to this one (1 is the most severe).
    pub max_level: Option<u8>,
    /// Only these keywords (empty: any).
    pub keywords: Vec<u64>,
    /// Only events with these names (empty: any).
    pub events: Vec<String>,
    /// Only events whose EventHeader activity id is one of these (empty: any).
    pub activities: Vec<[u8; 16]>,
    /// Only events whose PartA `ext_dt_traceId` is one of these, as 32
    /// lowercase hex digits (empty: any).
    pub traces: Vec<String>,
}

impl Filter {
    /// True when events of this tracepoint may be shown.
    pub fn tracepoint(&self, name: &TracepointName) -> bool {
        (self.providers.is_empty() || self.providers.iter().any(|p| p == name.provider))
            && self
                .group
                .as_deref()
                .is_none_or(|g| name.group() == Some(g))
            && self.max_level.is_none_or(|max| name.level <= max)
            && (self.keywords.is_empty() || self.keywords.contains(&name.keyword))
    }

    /// True when an event with this (EventHeader) name may be shown.
    pub fn event(&self, name: &[u8]) -> bool {
        self.events.is_empty() || self.events.iter().any(|e| e.as_bytes() == name)
    }

    /// True when an event with this activity id (`None`: it has none) may be shown.
    pub fn activity(&self, id: Option<&[u8; 16]>) -> bool {
        self.activities.is_empty() || id.is_some_and(|id| self.activities.contains(id))
    }

    /// True when an event with this PartA `ext_dt_traceId` (`None`: it has
    /// none) may be shown. Hex digits match in either case.
    pub fn trace(&self, trace_id: Option<&[u8]>) -> bool {
        self.traces.is_empty()
            || trace_id.is_some_and(|id| {
                self.traces
                    .iter()
                    .any(|t| t.as_bytes().eq_ignore_ascii_case(id))
            })
    }

    /// True when events of non-EventHeader tracepoints may be shown (a perf.data
    /// file may hold any tracepoint): only when nothing EventHeader-specific
    /// was asked for.
    pub fn any_tracepoint(&self) -> bool {
        self.providers.is_empty()
            && self.group.is_none()
            && self.max_level.is_none()
            && self.keywords.is_empty()
            && self.events.is_empty()
            && self.activities.is_empty()
            && self.traces.is_empty()
    }

    /// The (level, keyword) pairs whose tracepoints to register ahead of a
    /// provider's application: every level the filter allows (1 to 5 at
    /// most), with the keywords asked for, or else keyword 1 and the ones
    /// `seen` in that provider's tracepoints.
    pub fn to_register(&self, seen: impl IntoIterator<Item = u64>) -> Vec<(u8, u64)> {
        let keywords: BTreeSet<u64> = if self.keywords.is_empty() {
            seen.into_iter().chain([DEFAULT_KEYWORD]).collect()
        } else {
            self.keywords.iter().copied().collect()
        };
        let max_level = self.max_level.unwrap_or(VERBOSE).min(VERBOSE);
        keywords
            .into_iter()
            .flat_map(|k| (1..=max_level).map(move |l| (l, k)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> TracepointName<'_> {
        TracepointName::parse(s).unwrap()
    }

    #[test]
    fn filters_tracepoints() {
        let all = Filter {
            providers: vec!["P".into()],
            ..Filter::default()
        };
        assert!(all.tracepoint(&name("P_L5K1")));
        assert!(all.tracepoint(&name("P_L1K10Gg")));
        assert!(!all.tracepoint(&name("Q_L4K1")));
        assert!(!all.tracepoint(&name("PP_L4K1")));

        let some = Filter {
            providers: vec!["P".into()],
            max_level: Some(3),
            keywords: vec![0x10],
            ..Filter::default()
        };
        assert!(some.tracepoint(&name("P_L3K10")));
        assert!(some.tracepoint(&name("P_L1K10")));
        assert!(!some.tracepoint(&name("P_L4K10")));
        assert!(!some.tracepoint(&name("P_L3K1")));
        assert!(!some.tracepoint(&name("P_L3K11")));
    }

    #[test]
    fn filters_several_providers() {
        let several = Filter {
            providers: vec!["A".into(), "Bee".into(), "C".into()],
            ..Filter::default()
        };
        for shown in ["A_L4K1", "Bee_L1K10", "C_L5K1Gteam", "A_L1K1"] {
            assert!(several.tracepoint(&name(shown)), "{shown}");
        }
        // Not named: neither another provider nor one whose name starts or
        // ends like a named one's.
        for hidden in [
            "D_L4K1",
            "B_L4K1",
            "Be_L4K1",
            "Beee_L4K1",
            "AB_L4K1",
            "c_L4K1",
        ] {
            assert!(!several.tracepoint(&name(hidden)), "{hidden}");
        }
        assert!(!several.any_tracepoint());
        // The other filters apply to each of them.
        let filtered = Filter {
            providers: vec!["A".into(), "C".into()],
            group: Some("g".into()),
            max_level: Some(2),
            keywords: vec![1],
            ..Filter::default()
        };
        assert!(filtered.tracepoint(&name("A_L2K1Gg")));
        assert!(filtered.tracepoint(&name("C_L1K1Gg")));
        assert!(!filtered.tracepoint(&name("C_L1K1")));
        assert!(!filtered.tracepoint(&name("A_L3K1Gg")));
        assert!(!filtered.tracepoint(&name("C_L2K2Gg")));
        assert!(!filtered.tracepoint(&name("B_L1K1Gg")));
    }

    #[test]
    fn filters_provider_groups() {
        let grouped = Filter {
            providers: vec!["P".into()],
            group: Some("g1".into()),
            ..Filter::default()
        };
        assert!(grouped.tracepoint(&name("P_L4K1Gg1")));
        assert!(grouped.tracepoint(&name("P_L1K10Gg1")));
        assert!(!grouped.tracepoint(&name("P_L4K1")));
        assert!(!grouped.tracepoint(&name("P_L4K1Gg")));
        assert!(!grouped.tracepoint(&name("P_L4K1Gg12")));
        assert!(!grouped.tracepoint(&name("Q_L4K1Gg1")));
        let any_provider = Filter {
            group: Some("g1".into()),
            ..Filter::default()
        };
        assert!(any_provider.tracepoint(&name("Q_L4K1Gg1")));
        assert!(!any_provider.any_tracepoint());
    }

    #[test]
    fn filters_event_names() {
        let f = Filter {
            events: vec!["A".into(), "B".into()],
            ..Filter::default()
        };
        assert!(f.event(b"A") && f.event(b"B"));
        assert!(!f.event(b"C"));
        assert!(Filter::default().event(b"C"));
        assert!(!f.any_tracepoint());
        assert!(Filter::default().any_tracepoint());
    }

    #[test]
    fn filters_activities_and_traces() {
        let (a, b) = ([1u8; 16], [2u8; 16]);
        let f = Filter {
            activities: vec![a],
            ..Filter::default()
        };
        assert!(f.activity(Some(&a)));
        assert!(!f.activity(Some(&b)));
        assert!(!f.activity(None));
        assert!(Filter::default().activity(None));
        assert!(!f.any_tracepoint());

        let f = Filter {
            traces: vec!["4bf92f3577b34da6a3ce929d0e0e4736".into()],
            ..Filter::default()
        };
        assert!(f.trace(Some(b"4bf92f3577b34da6a3ce929d0e0e4736")));
        assert!(f.trace(Some(b"4BF92F3577B34DA6A3CE929D0E0E4736")));
        assert!(!f.trace(Some(b"4bf92f3577b34da6a3ce929d0e0e4737")));
        assert!(!f.trace(None));
        assert!(Filter::default().trace(None));
        assert!(!f.any_tracepoint());
    }

    #[test]
    fn registers_every_level_of_the_keywords() {
        let f = Filter::default();
        assert_eq!(f.to_register([]), [(1, 1), (2, 1), (3, 1), (4, 1), (5, 1)]);
        let f = Filter {
            max_level: Some(2),
            ..Filter::default()
        };
        assert_eq!(
            f.to_register([0x10, 1]),
            [(1, 1), (2, 1), (1, 0x10), (2, 0x10)]
        );
        let f = Filter {
            max_level: Some(9),
            keywords: vec![0x20],
            ..Filter::default()
        };
        assert_eq!(f.to_register([1]).len(), 5);
        assert!(f.to_register([1]).iter().all(|&(_, k)| k == 0x20));
    }
}
