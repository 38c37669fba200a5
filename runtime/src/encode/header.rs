//! The bytes in front of an event's metadata: the write index, the EventHeader and
//! its extension headers.

use eventheader_types::{ExtensionKind, HeaderFlags, Opcode};

/// Space for write index (4), EventHeader (8), activity extension (4 + 32),
/// metadata extension header (4).
pub(crate) const HEADER_MAX: usize = 4 + 8 + 4 + 32 + 4;

/// The most bytes an event has in front of its metadata, after the write
/// index: the EventHeader, the activity extension, the metadata extension's
/// header.
pub(crate) const PREFIX_MAX: usize = HEADER_MAX - 4;

pub(crate) use otel_user_events_abi::opcode::{
    ACTIVITY_START as OPCODE_ACTIVITY_START, ACTIVITY_STOP as OPCODE_ACTIVITY_STOP,
    INFO as OPCODE_INFO,
};

// The opcodes this project writes are EventHeader's.
const _: () = assert!(
    OPCODE_INFO == Opcode::Info.as_int()
        && OPCODE_ACTIVITY_START == Opcode::ActivityStart.as_int()
        && OPCODE_ACTIVITY_STOP == Opcode::ActivityStop.as_int()
);

/// Size of the EventHeader itself.
pub(crate) const EVENT_HEADER_SIZE: usize = 8;

/// The header block of one event. Its first 4 bytes are the write index, filled
/// in just before the `writev`.
pub(crate) struct Header {
    bytes: [u8; HEADER_MAX],
    len: usize,
}

/// The ids an event's activity extension carries: its activity's, and (on
/// an activity's start) the related activity's, its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActivityIds<'a> {
    /// The activity the event belongs to.
    pub id: &'a [u8; 16],
    /// The parent activity (an activity's start only).
    pub related: Option<&'a [u8; 16]>,
}

impl<'a> ActivityIds<'a> {
    /// An event of activity `id`, no related id.
    #[inline(always)]
    pub const fn of(id: &'a [u8; 16]) -> ActivityIds<'a> {
        ActivityIds { id, related: None }
    }

    /// An activity's start: `id`, whose parent is `related` (if any).
    #[inline(always)]
    pub const fn start(id: &'a [u8; 16], related: Option<&'a [u8; 16]>) -> ActivityIds<'a> {
        ActivityIds { id, related }
    }
}

/// The EventHeader fields this project sets (id, version and tag stay 0).
#[derive(Debug, Clone, Copy)]
pub(crate) struct HeaderFields<'a> {
    /// EventHeader level, 1 to 5.
    pub level: u8,
    /// EventHeader opcode (0 info, 1 activity start, 2 activity stop).
    pub opcode: u8,
    /// Activity id and, optionally, its parent's (related) id.
    pub activity: Option<ActivityIds<'a>>,
}

impl Header {
    /// Size of the header without the write index (what the event's payload
    /// starts with), known before the metadata length is.
    pub(crate) fn payload_prefix_len(fields: &HeaderFields<'_>) -> usize {
        let activity = match fields.activity {
            Some(ActivityIds {
                related: Some(_), ..
            }) => 4 + 32,
            Some(ActivityIds { related: None, .. }) => 4 + 16,
            None => 0,
        };
        EVENT_HEADER_SIZE + activity + 4
    }

    /// Builds the header for an event with `meta_len` bytes of metadata.
    pub(crate) fn new(fields: &HeaderFields<'_>, meta_len: u16) -> Header {
        let mut bytes = [0; HEADER_MAX];
        let len = lay_out(&mut bytes, 0, fields, meta_len);
        Header { bytes, len }
    }

    /// The header with the write index filled in.
    pub(crate) fn with_write_index(&mut self, write_index: u32) -> &[u8] {
        self.bytes[..4].copy_from_slice(&write_index.to_ne_bytes());
        &self.bytes[..self.len]
    }

    /// The header without the write index: what a tracepoint's payload starts with.
    pub(crate) fn payload_prefix(&self) -> &[u8] {
        &self.bytes[4..self.len]
    }
}

/// Writes the write index and the header for an event with `meta_len` bytes
/// of metadata at the start of `out`; returns its length (16, 36 or 52).
/// Stores whole words at fixed offsets: it runs for every event.
#[inline(always)]
pub(crate) fn lay_out(
    out: &mut [u8; HEADER_MAX],
    write_index: u32,
    fields: &HeaderFields<'_>,
    meta_len: u16,
) -> usize {
    let word = |out: &mut [u8; HEADER_MAX], at: usize, size: u16, kind: u16| {
        out[at..at + 2].copy_from_slice(&size.to_ne_bytes());
        out[at + 2..at + 4].copy_from_slice(&kind.to_ne_bytes());
    };
    out[..4].copy_from_slice(&write_index.to_ne_bytes());
    out[4..12].copy_from_slice(&[
        HeaderFlags::DefaultWithExtension.as_int(),
        0, // version
        0,
        0, // id
        0,
        0, // tag
        fields.opcode,
        fields.level,
    ]);
    let end = match fields.activity {
        None => 12,
        Some(ActivityIds { id, related }) => {
            let chained = ExtensionKind::ActivityId.as_int() | ExtensionKind::ChainFlag;
            out[16..32].copy_from_slice(id);
            match related {
                None => {
                    word(out, 12, 16, chained);
                    32
                }
                Some(related) => {
                    word(out, 12, 32, chained);
                    out[32..48].copy_from_slice(related);
                    48
                }
            }
        }
    };
    word(out, end, meta_len, ExtensionKind::Metadata.as_int());
    end + 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_predicted_length_is_the_built_length() {
        let (a, r) = ([1u8; 16], [2u8; 16]);
        for activity in [
            None,
            Some(ActivityIds::of(&a)),
            Some(ActivityIds::start(&a, Some(&r))),
        ] {
            let fields = HeaderFields {
                level: 4,
                opcode: 1,
                activity,
            };
            let header = Header::new(&fields, 123);
            assert_eq!(
                Header::payload_prefix_len(&fields),
                header.payload_prefix().len()
            );
        }
    }
}
