//! A bounded struct: the members of one EventHeader struct (a log record's
//! or a span's PartC, a span's PartB) written one by one, at most 127 of
//! them, each only if its name and value fit the room the event's limit
//! leaves; what is left out is counted and marks the event truncated.
//!
//! One metadata-room rule for every writer of such a struct ([`meta_limit`]):
//! names cannot be shortened, so a member whose name would take the
//! metadata past what fitting can never make room for is left out.

use otel_user_events_abi::MAX_STRUCT_MEMBERS;

use super::header::PREFIX_MAX;
use super::writer::{EventWriter, Room};

/// The most metadata an event may have: its limit, less what fitting the
/// event can never shorten besides the metadata itself: the largest header
/// (activity extension included), and the data copied into the writer's
/// scratch (at most the room free there now).
pub(crate) fn meta_limit(w: &EventWriter<'_>) -> usize {
    w.limit()
        .saturating_sub(PREFIX_MAX)
        .saturating_sub(w.data.room().bytes)
}

/// A struct whose members are bounded (see the module docs).
pub(crate) struct Members {
    name: &'static str,
    /// Where the member count goes: `None` until the struct is opened (a
    /// struct opened at its first member is left out when it has none).
    count_at: Option<Option<usize>>,
    count: u8,
    dropped: u64,
    meta_limit: usize,
}

impl Members {
    /// The struct `name`, opened now (written even if it gets no member).
    pub(crate) fn open(w: &mut EventWriter<'_>, name: &'static str) -> Members {
        let meta_limit = meta_limit(w);
        Members {
            name,
            count_at: Some(w.meta.structure_counted_later(name)),
            count: 0,
            dropped: 0,
            meta_limit,
        }
    }

    /// The struct `name`, opened at its first member (none without members).
    pub(crate) fn later(w: &EventWriter<'_>, name: &'static str) -> Members {
        Members {
            name,
            count_at: None,
            count: 0,
            dropped: 0,
            meta_limit: meta_limit(w),
        }
    }

    /// Whether a member `name` may be added, keeping `reserve` for what the
    /// event writes after it: the struct has room for one more member, the
    /// name fits the metadata room, and `fits` says the value fits (given the
    /// reserve the struct's own header adds). On yes the struct is opened (if
    /// it was not) and the member counted: write it next. On no it is
    /// counted as left out.
    #[inline(always)]
    pub(crate) fn admit(
        &mut self,
        w: &mut EventWriter<'_>,
        name: &str,
        reserve: Room,
        fits: impl FnOnce(&EventWriter<'_>, Room) -> bool,
    ) -> bool {
        let reserve = match self.count_at {
            Some(_) => reserve,
            // The struct's own header: its name, NUL, encoding, count.
            None => Room {
                bytes: reserve.bytes + self.name.len() + 4,
                segments: reserve.segments + 1,
            },
        };
        if self.count == MAX_STRUCT_MEMBERS
            || w.meta.len() + reserve.bytes + name.len() + 3 > self.meta_limit
            || !fits(w, reserve)
        {
            self.dropped += 1;
            return false;
        }
        if self.count_at.is_none() {
            self.count_at = Some(w.meta.structure_counted_later(self.name));
        }
        self.count += 1;
        true
    }

    /// Counts `n` members written directly (fixed members the writer knows
    /// fit).
    pub(crate) fn wrote(&mut self, n: u8) {
        self.count += n;
    }

    /// Writes the member count, marks the event truncated when members were
    /// left out, and returns how many were.
    pub(crate) fn finish(self, w: &mut EventWriter<'_>) -> u64 {
        if let Some(at) = self.count_at {
            w.meta.set_count(at, self.count);
        }
        if self.dropped > 0 {
            w.data.mark_truncated();
        }
        self.dropped
    }
}
