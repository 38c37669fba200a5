//! Feature sections: a normal-mode file's, after its data, and a pipe-mode
//! file's `HEADER_FEATURE` and `HEADER_TRACING_DATA` records. The reader
//! takes the event names (`HEADER_EVENT_DESC`), the tracepoint formats
//! (`HEADER_TRACING_DATA`, each parsed inside `isolate` because
//! `tracepoint_decode` can panic on a made-up one) and the clock.

use std::io::{self, Read, Seek};

use tracepoint_decode::{PerfByteReader, PerfEventDesc, PerfEventFormat};
use tracepoint_perf::PerfHeaderIndex;

use otel_user_events_listen::isolate::isolate;

use super::bytes::{Cursor, latin1};
use super::header::{SECTION_SIZE, Section};
use super::problems::Problem;
use super::reader::{ATTR_SIZE_MAX, ATTR_SIZE_MIN, METADATA_MAX, PerfData};

/// The feature bitmap's bits.
const FEATURE_BITS: usize = 256;

impl<R: Read + Seek> PerfData<R> {
    // Normal mode: the feature sections.

    pub(super) fn load_features(&mut self, data: Section, flags: [u64; 4]) -> io::Result<()> {
        let table = data.end();
        let count = flags.iter().map(|f| f.count_ones() as u64).sum::<u64>();
        if count > 0 && table.saturating_add(count * SECTION_SIZE) > self.len {
            let present = self.len.saturating_sub(table);
            self.truncated(
                "the feature section table",
                table,
                count * SECTION_SIZE,
                present,
            );
        }
        let mut entry = 0u64;
        for bit in 0..FEATURE_BITS {
            if flags[bit / 64] & (1 << (bit % 64)) == 0 {
                continue;
            }
            let at = table.saturating_add(entry * SECTION_SIZE);
            entry += 1;
            let bytes = self.read_at(at, SECTION_SIZE)?;
            if (bytes.len() as u64) < SECTION_SIZE {
                break; // The table's truncation says so.
            }
            let section = Section {
                offset: self.u64_at(&bytes, 0).unwrap_or(0),
                size: self.u64_at(&bytes, 8).unwrap_or(0),
            };
            let name = match u8::try_from(bit).ok().map(PerfHeaderIndex) {
                Some(index) if index.0 < PerfHeaderIndex::LastFeature.0 => {
                    index.as_string().unwrap_or("?")
                }
                _ => "?",
            };
            let what = format!("feature section {bit} ({name})");
            let present = self.len.saturating_sub(section.offset).min(section.size);
            if present < section.size {
                self.truncated(&what, section.offset, section.size, present);
            }
            if !Feature::used(bit) {
                continue;
            }
            if section.size > METADATA_MAX {
                self.damaged(at, format!("{what} claims {} bytes: ignored", section.size));
                continue;
            }
            let bytes = self.read_at(section.offset, section.size)?;
            self.feature(bit as u64, &bytes, section.offset);
        }
        Ok(())
    }

    // Metadata, from feature sections or pipe-mode records.

    /// Takes in feature `index`'s data, found at file offset `offset`.
    pub(super) fn feature(&mut self, index: u64, data: &[u8], offset: u64) {
        match Feature::of(index) {
            Some(Feature::TracingData) => self.tracing_data(data, offset),
            Some(Feature::EventDesc) => self.event_desc(data, offset),
            Some(Feature::ClockId) => {
                if let Some(clock) = self.u64_at(data, 0) {
                    self.session.set_clock_id(clock as u32);
                }
            }
            Some(Feature::ClockData) => {
                let br = |at| self.u32_at(data, at);
                let wide = |at| self.u64_at(data, at);
                if let (Some(version), Some(clock), Some(wall), Some(time)) =
                    (br(0), br(4), wide(8), wide(16))
                    && version >= 1
                {
                    self.session.set_clock_data(clock, wall, time);
                }
            }
            None => {}
        }
    }

    /// `HEADER_TRACING_DATA`: the tracefs formats (parsed once, as
    /// `tracepoint_perf` does).
    pub(super) fn tracing_data(&mut self, data: &[u8], offset: u64) {
        const SIGNATURE: &[u8] = b"\x17\x08\x44tracing";
        if self.parsed_tracing_data {
            return;
        }
        if !data.starts_with(SIGNATURE) {
            self.damaged(
                offset,
                "the tracing data lacks its signature: no tracepoint format is known".into(),
            );
            return;
        }
        self.parsed_tracing_data = true;
        let mut c = Cursor {
            data,
            pos: SIGNATURE.len(),
            byte_reader: self.byte_reader,
        };
        if self.formats_of(&mut c, offset).is_none() {
            let at = offset + c.pos as u64;
            self.damaged(
                at,
                "the tracing data ends inside its list of formats: the formats after this \
                 point are missing"
                    .into(),
            );
        }
    }

    /// Parses the tracing data's formats, each in [`isolate`]; `None` when
    /// the data ends early.
    fn formats_of(&mut self, c: &mut Cursor<'_>, offset: u64) -> Option<()> {
        let _version = c.sz()?;
        let big_endian = c.u8()? != 0;
        let long_size = c.u8()?;
        let _page_size = c.u32()?;
        // Its own byte order from here on.
        c.byte_reader = PerfByteReader::new(big_endian);
        c.named_section64(b"header_page\0")?;
        c.named_section64(b"header_event\0")?;
        let ftraces = c.u32()?;
        for _ in 0..ftraces {
            c.section64()?;
        }
        let long_is_64 = long_size != 4;
        let systems = c.u32()?;
        for _ in 0..systems {
            let system = latin1(c.sz()?);
            let events = c.u32()?;
            for _ in 0..events {
                let at = offset + c.pos as u64 + 8;
                let text = latin1(c.section64()?);
                match isolate(|| PerfEventFormat::parse(long_is_64, &system, &text)) {
                    Ok(Some(format)) => self.add_format(format),
                    // Not a usable format (no name or id): as for tracepoint_perf.
                    Ok(None) => {}
                    Err(panic) => {
                        self.failed_formats += 1;
                        self.problems.push(Problem::FormatPanic {
                            offset: at,
                            system: system.clone(),
                            panic,
                        });
                    }
                }
            }
        }
        Some(())
    }

    /// `HEADER_EVENT_DESC`: the events' attributes, names and ids.
    fn event_desc(&mut self, data: &[u8], offset: u64) {
        if self.parsed_event_desc || data.len() < 8 {
            return;
        }
        self.parsed_event_desc = true;
        if self.event_descs(data).is_none() {
            self.damaged(
                offset,
                "the event descriptions (HEADER_EVENT_DESC) are damaged: some events have no name"
                    .into(),
            );
        }
    }

    fn event_descs(&mut self, data: &[u8]) -> Option<()> {
        let count = self.u32_at(data, 0)?;
        let attr_size = self.u32_at(data, 4)? as usize;
        if !(ATTR_SIZE_MIN..=0x10000).contains(&attr_size) {
            return None;
        }
        let mut pos = 8;
        for _ in 0..count {
            let attr_bytes = data.get(pos..pos + attr_size)?;
            pos += attr_size;
            let ids_count = self.u32_at(data, pos)? as usize;
            let name_size = self.u32_at(data, pos + 4)? as usize;
            pos += 8;
            if self.u32_at(attr_bytes, 4)? as usize != attr_size
                || ids_count > 0x10000
                || name_size > 0x10000
            {
                return None;
            }
            let name = data.get(pos..pos + name_size)?;
            pos += name_size;
            let name = &name[..name.iter().position(|&b| b == 0)?];
            let ids = self.ids(data.get(pos..pos + ids_count * 8)?);
            pos += ids_count * 8;
            let attr = self.attr(&attr_bytes[..attr_size.min(ATTR_SIZE_MAX)]);
            let name = latin1(name);
            // The attribute section has it already (without a name): name it.
            let known = ids
                .first()
                .and_then(|id| self.by_id.get(id))
                .copied()
                .filter(|&i| self.descs[i].ids() == ids.as_slice());
            match known {
                Some(i) => {
                    let old = &self.descs[i];
                    self.descs[i] =
                        PerfEventDesc::new(*old.attr(), name, old.format_arc(), old.ids().into());
                }
                None => self.add_attr(attr, name, ids),
            }
        }
        Some(())
    }
}

/// The feature sections the reader uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Feature {
    TracingData,
    EventDesc,
    ClockId,
    ClockData,
}

impl Feature {
    fn of(index: u64) -> Option<Self> {
        match u8::try_from(index).ok().map(PerfHeaderIndex) {
            Some(PerfHeaderIndex::TracingData) => Some(Feature::TracingData),
            Some(PerfHeaderIndex::EventDesc) => Some(Feature::EventDesc),
            Some(PerfHeaderIndex::ClockId) => Some(Feature::ClockId),
            Some(PerfHeaderIndex::ClockData) => Some(Feature::ClockData),
            _ => None,
        }
    }

    fn used(bit: usize) -> bool {
        Self::of(bit as u64).is_some()
    }
}
