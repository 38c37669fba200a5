//! The reader's state, shared by every part: the source and its length,
//! the session, the event descriptions and formats found so far, the
//! position in the data, and what was found wrong; its public accessors, and
//! the source reads (fewer bytes where the file ends, never a read past it;
//! integers at an offset in the file's byte order).

use std::collections::HashMap;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

use tracepoint_decode::{
    PerfByteReader, PerfEventAttr, PerfEventDesc, PerfEventFormat, PerfSessionInfo,
};

use super::problems::{Problem, Truncation};
use super::record::{IdPosition, Record};

/// `perf_event_header`: type, misc, size.
pub(super) const RECORD_HEADER_SIZE: usize = 8;
/// The first `perf_event_attr` (`PERF_ATTR_SIZE_VER0`).
pub(super) const ATTR_SIZE_MIN: usize = 64;
/// The `perf_event_attr` that `tracepoint_decode` knows.
pub(super) const ATTR_SIZE_MAX: usize = std::mem::size_of::<PerfEventAttr>();
/// The largest piece of metadata read whole (a feature section, the tracing
/// data of a pipe-mode file), as `tracepoint_perf` allows.
pub(super) const METADATA_MAX: u64 = 0x8000_0000;

/// Reads a perf.data file; see the module's documentation.
pub struct PerfData<R> {
    pub(super) source: R,
    /// Where `source` is, if known.
    pub(super) source_pos: Option<u64>,
    pub(super) len: u64,
    pub(super) byte_reader: PerfByteReader,
    pub(super) session: PerfSessionInfo,
    pub(super) descs: Vec<PerfEventDesc>,
    pub(super) by_id: HashMap<u64, usize>,
    /// Tracepoint events' descriptions by tracepoint id.
    pub(super) by_tracepoint: HashMap<u32, Vec<usize>>,
    pub(super) formats: HashMap<u32, Arc<PerfEventFormat>>,
    /// Set by the first attribute; samples of attributes that disagree
    /// cannot be told apart, as for `tracepoint_perf`.
    pub(super) id_position: Option<IdPosition>,
    pub(super) parsed_tracing_data: bool,
    pub(super) parsed_event_desc: bool,
    /// Id bytes that attributes may still read: an honest file stores each
    /// id once, so no more than the file's size.
    pub(super) ids_budget: u64,
    /// The next record.
    pub(super) pos: u64,
    /// The end of the data section (pipe mode: `u64::MAX`).
    pub(super) data_end: u64,
    /// The current round, sorted latest first (popped from the end).
    pub(super) round: Vec<Record>,
    pub(super) sequence: u64,
    pub(super) ended: bool,
    pub(super) problems: Vec<Problem>,
    pub(super) truncations: Vec<Truncation>,
    pub(super) failed_formats: usize,
}

impl<R: Read + Seek> PerfData<R> {
    /// What the reader found wrong since the last call.
    pub fn take_problems(&mut self) -> Vec<Problem> {
        std::mem::take(&mut self.problems)
    }

    /// How many tracepoint formats could not be parsed (they panicked).
    pub fn failed_formats(&self) -> usize {
        self.failed_formats
    }

    /// True for a normal-mode file cut inside its data section: the event
    /// descriptions and formats, which such a file keeps after its data,
    /// are lost.
    pub fn lost_metadata(&self) -> bool {
        self.data_end != u64::MAX && self.data_end > self.len
    }

    /// Where the file ends early, if it does: the cut part that contains the
    /// file's end (else the first one missing).
    pub fn truncation(&self) -> Option<&Truncation> {
        self.truncations
            .iter()
            .filter(|t| t.present > 0)
            .max_by_key(|t| t.offset)
            .or_else(|| self.truncations.iter().min_by_key(|t| t.offset))
    }

    // What every part reports into: where the file ends early, what is
    // damaged.

    pub(super) fn truncated(&mut self, what: &str, offset: u64, expected: u64, present: u64) {
        self.truncations.push(Truncation {
            file_len: self.len,
            what: what.to_owned(),
            offset,
            expected,
            present,
        });
    }

    pub(super) fn damaged(&mut self, offset: impl Into<Option<u64>>, what: String) {
        self.problems.push(Problem::Damaged {
            offset: offset.into(),
            what,
        });
    }
}

impl<R: Read + Seek> PerfData<R> {
    // Reading the source.

    /// Up to `size` bytes at `offset`: fewer where the file ends.
    pub(super) fn read_at(&mut self, offset: u64, size: u64) -> io::Result<Vec<u8>> {
        let size = size.min(self.len.saturating_sub(offset));
        if size == 0 {
            return Ok(Vec::new());
        }
        if self.source_pos != Some(offset) {
            self.source.seek(SeekFrom::Start(offset))?;
        }
        self.source_pos = None;
        let mut bytes = Vec::with_capacity(size as usize);
        (&mut self.source).take(size).read_to_end(&mut bytes)?;
        self.source_pos = Some(offset + bytes.len() as u64);
        Ok(bytes)
    }

    pub(super) fn u64_at(&self, bytes: &[u8], at: usize) -> Option<u64> {
        let b = bytes.get(at..at.checked_add(8)?)?;
        Some(
            self.byte_reader
                .fix_u64(u64::from_ne_bytes(b.try_into().ok()?)),
        )
    }

    pub(super) fn u32_at(&self, bytes: &[u8], at: usize) -> Option<u32> {
        let b = bytes.get(at..at.checked_add(4)?)?;
        Some(
            self.byte_reader
                .fix_u32(u32::from_ne_bytes(b.try_into().ok()?)),
        )
    }

    pub(super) fn u16_at(&self, bytes: &[u8], at: usize) -> Option<u16> {
        let b = bytes.get(at..at.checked_add(2)?)?;
        Some(
            self.byte_reader
                .fix_u16(u16::from_ne_bytes(b.try_into().ok()?)),
        )
    }
}
