//! A perf.data reader for files from anywhere: damaged, cut short or made
//! up.
//!
//! It reads what `tracepoint_perf`'s `PerfDataFileReader` reads (normal and
//! pipe mode, either byte order, attributes, `HEADER_EVENT_DESC` names,
//! `HEADER_TRACING_DATA` formats, clock data, samples in time order within
//! each round) and hands out `tracepoint_decode`'s
//! [`PerfSampleEventInfo`] (on `perf record` files the same samples, in the
//! same order), but:
//!
//! - every read is bounds-checked: bad sizes and offsets make a [`Problem`]
//!   or end the reading, never a panic;
//! - a file that ends early is read up to where it ends: the whole records
//!   before that point come out, and [`PerfData::truncation`] says where the
//!   file ends and what it cut (offset, expected and present bytes);
//! - each tracepoint format is parsed inside [`isolate`]: one that makes
//!   `tracepoint_decode` panic is reported ([`Problem::FormatPanic`]) and
//!   its events are left without a format, the others are used;
//! - a file of one event whose samples carry no id (`perf record -e` of a
//!   single tracepoint) is read; `PerfDataFileReader` gives no sample info
//!   for it (`NoData`).
//!
//! A normal-mode file keeps its formats and event names in feature sections
//! after the data: a file cut inside its data section has lost them, and its
//! samples come out without a format. A pipe-mode file (`perf record -o -`)
//! has them first.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

use tracepoint_decode::{
    PerfByteReader, PerfEventAttr, PerfEventAttrOptions, PerfEventAttrReadFormat as ReadFormat,
    PerfEventAttrSampleType as SampleType, PerfEventAttrSize, PerfEventAttrType, PerfEventDesc,
    PerfEventFormat, PerfEventHeaderType as RecordType, PerfSampleEventInfo, PerfSessionInfo,
};
use tracepoint_perf::{PerfDataFileReader, PerfHeaderIndex};

use otel_user_events_listen::isolate::{Panic, isolate};

/// `perf_file_header` of a pipe-mode file: magic and size.
const PIPE_HEADER_SIZE: u64 = 16;
/// `perf_file_header` of a normal-mode file.
const FILE_HEADER_SIZE: u64 = 104;
/// `perf_file_section`: offset and size.
const SECTION_SIZE: u64 = 16;
/// `perf_event_header`: type, misc, size.
const RECORD_HEADER_SIZE: usize = 8;
/// The first `perf_event_attr` (`PERF_ATTR_SIZE_VER0`).
const ATTR_SIZE_MIN: usize = 64;
/// The `perf_event_attr` that `tracepoint_decode` knows.
const ATTR_SIZE_MAX: usize = std::mem::size_of::<PerfEventAttr>();
/// The largest piece of metadata read whole (a feature section, the tracing
/// data of a pipe-mode file), as `tracepoint_perf` allows.
const METADATA_MAX: u64 = 0x8000_0000;
/// The feature bitmap's bits.
const FEATURE_BITS: usize = 256;

/// Why a file could not be read at all.
#[derive(Debug)]
pub enum OpenError {
    /// Reading failed (not: the file is short).
    Io(io::Error),
    /// It does not start with a perf.data header (`PERFILE2`).
    NotPerfData,
    /// Its header's size is neither a pipe-mode nor a normal-mode header.
    BadHeaderSize(u64),
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::Io(e) => write!(f, "{e}"),
            OpenError::NotPerfData => f.write_str("it does not start with perf's PERFILE2 header"),
            OpenError::BadHeaderSize(size) => write!(
                f,
                "its header says it is {size} bytes long: a perf.data header is 16 bytes \
                 (pipe mode) or at least 104"
            ),
        }
    }
}

/// Where a file that ends early ends, and what it cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truncation {
    /// The file's length: where it ends.
    pub file_len: u64,
    /// What the end cut: "the data section", "the record", ...
    pub what: String,
    /// Where that starts.
    pub offset: u64,
    /// Its size.
    pub expected: u64,
    /// How many of its bytes the file has.
    pub present: u64,
}

impl fmt::Display for Truncation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the file ends early, at offset {}: {} at offset {} needs {} bytes, {} are present",
            self.file_len, self.what, self.offset, self.expected, self.present
        )
    }
}

/// Something the reader found wrong and went on from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// `tracepoint_decode` panicked parsing the tracepoint format at file
    /// offset `offset` (of system `system`); that tracepoint has no format.
    FormatPanic {
        /// Where the format's text starts in the file.
        offset: u64,
        /// The tracefs system it belongs to (`user_events`).
        system: String,
        /// The panic.
        panic: Panic,
    },
    /// The file is damaged at `offset`: what could not be used, and what
    /// that costs.
    Damaged {
        /// Where, when it is one place.
        offset: Option<u64>,
        /// What.
        what: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::FormatPanic {
                offset,
                system,
                panic,
            } => write!(
                f,
                "the {system} tracepoint format at offset {offset} could not be parsed \
                 (tracepoint_decode {panic}): that tracepoint's events cannot be decoded"
            ),
            Problem::Damaged {
                offset: Some(offset),
                what,
            } => write!(f, "at offset {offset}: {what}"),
            Problem::Damaged { offset: None, what } => f.write_str(what),
        }
    }
}

/// Why a sample record could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SampleError {
    /// It is shorter than the fields its event's `sample_type` lists.
    Short,
    /// Its sample id belongs to no event of the file.
    UnknownId(u64),
    /// It has no sample id and the file has several events.
    NoId,
    /// The file describes no events (its attributes are missing).
    NoEvents,
    /// Its `read_format` has flags this reader does not know.
    ReadFormat(u64),
}

impl fmt::Display for SampleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SampleError::Short => f.write_str("it is shorter than the fields its event lists"),
            SampleError::UnknownId(id) => {
                write!(f, "its sample id {id} belongs to no event of the file")
            }
            SampleError::NoId => {
                f.write_str("it has no sample id, and the file has several events")
            }
            SampleError::NoEvents => f.write_str(
                "the file describes no events: its attributes (perf_event_attr) are missing",
            ),
            SampleError::ReadFormat(flags) => {
                write!(f, "its read_format {flags:#x} is not supported")
            }
        }
    }
}

/// A sample record, as the file has it (header included).
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// Where it starts in the file.
    pub offset: u64,
    bytes: Vec<u8>,
    time: u64,
    sequence: u64,
}

impl Record {
    /// Its bytes, `perf_event_header` first.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// Where a sample has its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdPosition {
    /// At this offset from the record's start.
    At(usize),
    /// Nowhere (neither `PERF_SAMPLE_ID` nor `PERF_SAMPLE_IDENTIFIER`).
    None,
}

impl IdPosition {
    fn of(sample_type: SampleType) -> Self {
        let has = |flag| sample_type.has_flag(flag) as usize;
        if sample_type.has_flag(SampleType::Identifier) {
            IdPosition::At(8)
        } else if sample_type.has_flag(SampleType::Id) {
            IdPosition::At(
                8 * (1
                    + has(SampleType::IP)
                    + has(SampleType::Tid)
                    + has(SampleType::Time)
                    + has(SampleType::Addr)),
            )
        } else {
            IdPosition::None
        }
    }
}

/// Reads a perf.data file; see the module's documentation.
pub struct PerfData<R> {
    source: R,
    /// Where `source` is, if known.
    source_pos: Option<u64>,
    len: u64,
    byte_reader: PerfByteReader,
    session: PerfSessionInfo,
    descs: Vec<PerfEventDesc>,
    by_id: HashMap<u64, usize>,
    /// Tracepoint events' descriptions by tracepoint id.
    by_tracepoint: HashMap<u32, Vec<usize>>,
    formats: HashMap<u32, Arc<PerfEventFormat>>,
    /// Set by the first attribute; samples of attributes that disagree
    /// cannot be told apart, as for `tracepoint_perf`.
    id_position: Option<IdPosition>,
    parsed_tracing_data: bool,
    parsed_event_desc: bool,
    /// Id bytes that attributes may still read: an honest file stores each
    /// id once, so no more than the file's size.
    ids_budget: u64,
    /// The next record.
    pos: u64,
    /// The end of the data section (pipe mode: `u64::MAX`).
    data_end: u64,
    /// The current round, sorted latest first (popped from the end).
    round: Vec<Record>,
    sequence: u64,
    ended: bool,
    problems: Vec<Problem>,
    truncations: Vec<Truncation>,
    failed_formats: usize,
}

impl<R: Read + Seek> PerfData<R> {
    /// Reads the file's header and, in normal mode, its attributes and
    /// feature sections; the records come from [`Self::next_sample`].
    pub fn open(mut source: R) -> Result<Self, OpenError> {
        let len = source.seek(SeekFrom::End(0)).map_err(OpenError::Io)?;
        let mut reader = Self {
            source,
            source_pos: None,
            len,
            byte_reader: PerfByteReader::new(false),
            session: PerfSessionInfo::new(PerfByteReader::new(false)),
            descs: Vec::new(),
            by_id: HashMap::new(),
            by_tracepoint: HashMap::new(),
            formats: HashMap::new(),
            id_position: None,
            parsed_tracing_data: false,
            parsed_event_desc: false,
            ids_budget: len,
            pos: 0,
            data_end: 0,
            round: Vec::new(),
            sequence: 0,
            ended: false,
            problems: Vec::new(),
            truncations: Vec::new(),
            failed_formats: 0,
        };
        let header = reader.read_at(0, FILE_HEADER_SIZE).map_err(OpenError::Io)?;
        let Some(magic) = header.get(..8) else {
            return Err(OpenError::NotPerfData);
        };
        let magic = u64::from_ne_bytes(magic.try_into().expect("8 bytes"));
        let big_endian = cfg!(target_endian = "big");
        reader.byte_reader = if magic == PerfDataFileReader::PERFILE2_MAGIC_HOST_ENDIAN {
            PerfByteReader::new(big_endian)
        } else if magic == PerfDataFileReader::PERFILE2_MAGIC_SWAP_ENDIAN {
            PerfByteReader::new(!big_endian)
        } else {
            return Err(OpenError::NotPerfData);
        };
        reader.session = PerfSessionInfo::new(reader.byte_reader);
        let Some(header_size) = reader.u64_at(&header, 8) else {
            reader.truncated("the file header", 0, PIPE_HEADER_SIZE, header.len() as u64);
            reader.ended = true;
            return Ok(reader);
        };
        if header_size == PIPE_HEADER_SIZE {
            reader.pos = PIPE_HEADER_SIZE;
            reader.data_end = u64::MAX;
            return Ok(reader);
        }
        if header_size < FILE_HEADER_SIZE {
            return Err(OpenError::BadHeaderSize(header_size));
        }
        if (header.len() as u64) < FILE_HEADER_SIZE {
            reader.truncated("the file header", 0, FILE_HEADER_SIZE, header.len() as u64);
            reader.ended = true;
            return Ok(reader);
        }
        let section = |at| Section {
            offset: reader.u64_at(&header, at).unwrap_or(0),
            size: reader.u64_at(&header, at + 8).unwrap_or(0),
        };
        let attr_size = reader.u64_at(&header, 16).unwrap_or(0);
        let (attrs, data) = (section(24), section(40));
        let flags: [u64; 4] =
            std::array::from_fn(|i| reader.u64_at(&header, 72 + 8 * i).unwrap_or(0));
        reader.load_attrs(attrs, attr_size).map_err(OpenError::Io)?;
        reader.load_features(data, flags).map_err(OpenError::Io)?;
        reader.pos = data.offset;
        reader.data_end = data.end();
        if reader.data_end > len {
            let present = len.saturating_sub(data.offset);
            reader.truncated("the data section", data.offset, data.size, present);
        }
        Ok(reader)
    }

    /// The next sample record, in time order within its round (as `perf`
    /// and `tracepoint_perf` order them); `None` at the end of the data.
    /// Metadata records met on the way (pipe mode) are taken in.
    pub fn next_sample(&mut self) -> io::Result<Option<Record>> {
        loop {
            if let Some(record) = self.round.pop() {
                return Ok(Some(record));
            }
            if self.ended {
                return Ok(None);
            }
            self.read_round()?;
        }
    }

    /// The sample's fields, with its event's description (attribute, name,
    /// format) and the session (clock offset).
    pub fn sample_info<'a>(
        &'a self,
        record: &'a Record,
    ) -> Result<PerfSampleEventInfo<'a>, SampleError> {
        let bytes = record.bytes.as_slice();
        let (index, id) = self.desc_of(bytes)?;
        let desc = &self.descs[index];
        let sample_type = desc.attr().sample_type;
        let has = |flag| sample_type.has_flag(flag);
        let mut info = PerfSampleEventInfo::new(bytes, &self.session, desc);
        info.id = id;
        let mut fields = Fields {
            bytes,
            pos: RECORD_HEADER_SIZE,
            byte_reader: self.byte_reader,
        };
        if has(SampleType::Identifier) {
            fields.u64()?;
        }
        if has(SampleType::IP) {
            info.ip = fields.u64()?;
        }
        if has(SampleType::Tid) {
            info.pid = fields.u32()?;
            info.tid = fields.u32()?;
        }
        if has(SampleType::Time) {
            info.time = fields.u64()?;
        }
        if has(SampleType::Addr) {
            info.addr = fields.u64()?;
        }
        if has(SampleType::Id) {
            fields.u64()?;
        }
        if has(SampleType::StreamId) {
            info.stream_id = fields.u64()?;
        }
        if has(SampleType::Cpu) {
            info.cpu = fields.u32()?;
            info.cpu_reserved = fields.u32()?;
        }
        if has(SampleType::Period) {
            info.period = fields.u64()?;
        }
        if has(SampleType::Read) {
            let read_format = desc.attr().read_format;
            const KNOWN: u64 = ReadFormat::TotalTimeEnabled.0
                | ReadFormat::TotalTimeRunning.0
                | ReadFormat::Id.0
                | ReadFormat::Group.0
                | ReadFormat::Lost.0;
            if read_format.0 & !KNOWN != 0 {
                return Err(SampleError::ReadFormat(read_format.0));
            }
            let flag = |f| read_format.has_flag(f) as usize;
            let times = flag(ReadFormat::TotalTimeEnabled) + flag(ReadFormat::TotalTimeRunning);
            let per_value = 1 + flag(ReadFormat::Id) + flag(ReadFormat::Lost);
            let start = fields.pos;
            let words = if read_format.has_flag(ReadFormat::Group) {
                let nr = fields.u64()?;
                // At most a record's worth.
                let nr = usize::try_from(nr)
                    .map_err(|_| SampleError::Short)?
                    .min(0x10000);
                times + nr * per_value
            } else {
                times + per_value
            };
            fields.skip(words * 8)?;
            info.read_range = fields.range(start)?;
        }
        if has(SampleType::Callchain) {
            let start = fields.pos;
            let nr = fields.u64()?;
            let nr = usize::try_from(nr)
                .map_err(|_| SampleError::Short)?
                .min(0x10000);
            fields.skip(nr * 8)?;
            info.callchain_range = fields.range(start)?;
        }
        if has(SampleType::Raw) {
            let size = fields.u32()? as usize;
            let start = fields.pos;
            fields.skip(size)?;
            info.raw_range = fields.range(start)?;
        }
        Ok(info)
    }

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

    /// The description of the sample's event and the sample's id.
    fn desc_of(&self, bytes: &[u8]) -> Result<(usize, u64), SampleError> {
        if self.descs.is_empty() {
            return Err(SampleError::NoEvents);
        }
        match self.id_position {
            Some(IdPosition::At(at)) => {
                let id = self.u64_at(bytes, at).ok_or(SampleError::Short)?;
                let index = *self.by_id.get(&id).ok_or(SampleError::UnknownId(id))?;
                Ok((index, id))
            }
            // A file of one event needs no ids.
            _ if self.descs.len() == 1 => Ok((0, 0)),
            _ => Err(SampleError::NoId),
        }
    }

    // Reading the source.

    /// Up to `size` bytes at `offset`: fewer where the file ends.
    fn read_at(&mut self, offset: u64, size: u64) -> io::Result<Vec<u8>> {
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

    fn u64_at(&self, bytes: &[u8], at: usize) -> Option<u64> {
        let b = bytes.get(at..at.checked_add(8)?)?;
        Some(
            self.byte_reader
                .fix_u64(u64::from_ne_bytes(b.try_into().ok()?)),
        )
    }

    fn u32_at(&self, bytes: &[u8], at: usize) -> Option<u32> {
        let b = bytes.get(at..at.checked_add(4)?)?;
        Some(
            self.byte_reader
                .fix_u32(u32::from_ne_bytes(b.try_into().ok()?)),
        )
    }

    fn u16_at(&self, bytes: &[u8], at: usize) -> Option<u16> {
        let b = bytes.get(at..at.checked_add(2)?)?;
        Some(
            self.byte_reader
                .fix_u16(u16::from_ne_bytes(b.try_into().ok()?)),
        )
    }

    fn truncated(&mut self, what: &str, offset: u64, expected: u64, present: u64) {
        self.truncations.push(Truncation {
            file_len: self.len,
            what: what.to_owned(),
            offset,
            expected,
            present,
        });
    }

    fn damaged(&mut self, offset: impl Into<Option<u64>>, what: String) {
        self.problems.push(Problem::Damaged {
            offset: offset.into(),
            what,
        });
    }

    // Normal mode: the attribute and feature sections.

    fn load_attrs(&mut self, attrs: Section, entry_size: u64) -> io::Result<()> {
        if attrs.size == 0 {
            return Ok(());
        }
        let min = (ATTR_SIZE_MIN as u64) + SECTION_SIZE;
        if !(min..=0x10000).contains(&entry_size) {
            self.damaged(
                16u64,
                format!(
                    "the attribute entries' size, {entry_size}, is not between {min} and 65536: \
                     no event can be decoded"
                ),
            );
            return Ok(());
        }
        if attrs.end() > self.len {
            let present = self.len.saturating_sub(attrs.offset);
            self.truncated("the attribute section", attrs.offset, attrs.size, present);
        }
        let attr_size = (entry_size - SECTION_SIZE) as usize;
        for i in 0..attrs.size / entry_size {
            let at = attrs.offset.saturating_add(i * entry_size);
            let entry = self.read_at(at, entry_size)?;
            if (entry.len() as u64) < entry_size {
                break; // The section's truncation says so.
            }
            let attr = self.attr(&entry[..attr_size.min(ATTR_SIZE_MAX)]);
            let ids = Section {
                offset: self.u64_at(&entry, attr_size).unwrap_or(0),
                size: self.u64_at(&entry, attr_size + 8).unwrap_or(0),
            };
            if !ids.size.is_multiple_of(8) || ids.size > self.ids_budget {
                self.damaged(
                    at,
                    format!(
                        "attribute {i}'s ids ({} bytes at offset {}) are not a whole number \
                         of ids or overlap others: its events cannot be decoded",
                        ids.size, ids.offset
                    ),
                );
                continue;
            }
            self.ids_budget -= ids.size;
            let bytes = self.read_at(ids.offset, ids.size)?;
            if (bytes.len() as u64) < ids.size {
                let what = format!("the ids of attribute {i}");
                self.truncated(&what, ids.offset, ids.size, bytes.len() as u64);
            }
            let ids = self.ids(&bytes);
            self.add_attr(attr, String::new(), ids);
        }
        Ok(())
    }

    fn load_features(&mut self, data: Section, flags: [u64; 4]) -> io::Result<()> {
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
    fn feature(&mut self, index: u64, data: &[u8], offset: u64) {
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
    fn tracing_data(&mut self, data: &[u8], offset: u64) {
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

    fn ids(&self, bytes: &[u8]) -> Vec<u64> {
        bytes
            .chunks_exact(8)
            .map(|id| self.u64_at(id, 0).unwrap_or(0))
            .collect()
    }

    /// A `perf_event_attr` of `bytes.len()` bytes (at most the known size),
    /// as the file has it.
    fn attr(&self, bytes: &[u8]) -> PerfEventAttr {
        let wide = |at| self.u64_at(bytes, at).unwrap_or(0);
        let narrow = |at| self.u32_at(bytes, at).unwrap_or(0);
        // A bit-field: its bits keep their place in each byte's order.
        let options = match bytes.get(40..48) {
            Some(b) => {
                let raw = u64::from_ne_bytes(b.try_into().expect("8 bytes"));
                if self.byte_reader.byte_swap_needed() {
                    raw.reverse_bits().swap_bytes()
                } else {
                    raw
                }
            }
            None => 0,
        };
        PerfEventAttr {
            attr_type: PerfEventAttrType(narrow(0)),
            size: PerfEventAttrSize(bytes.len() as u32),
            config: wide(8),
            sample_time: wide(16),
            sample_type: SampleType(wide(24)),
            read_format: ReadFormat(wide(32)),
            options: PerfEventAttrOptions(options),
            wakeup_value: narrow(48),
            bp_type: narrow(52),
            config1: wide(56),
            config2: wide(64),
            branch_sample_type: wide(72),
            sample_regs_user: wide(80),
            sample_stack_user: narrow(88),
            clockid: narrow(92),
            sample_regs_intr: wide(96),
            aux_watermark: narrow(104),
            sample_max_stack: self.u16_at(bytes, 108).unwrap_or(0),
            aux_sample_size: narrow(112),
            sig_data: wide(120),
            ..PerfEventAttr::default()
        }
    }

    fn add_attr(&mut self, attr: PerfEventAttr, name: String, ids: Vec<u64>) {
        let position = IdPosition::of(attr.sample_type);
        match self.id_position {
            None => self.id_position = Some(position),
            Some(known) if known != position => {
                self.damaged(
                    None,
                    format!(
                        "event {name:?} (config {:#x}) places its sample ids elsewhere than the \
                         file's first event: its events cannot be decoded",
                        attr.config
                    ),
                );
                return;
            }
            Some(_) => {}
        }
        let tracepoint =
            (attr.attr_type == PerfEventAttrType::Tracepoint).then_some(attr.config as u32);
        let format = tracepoint.and_then(|id| self.formats.get(&id));
        let index = self.descs.len();
        self.descs.push(PerfEventDesc::new(
            attr,
            name,
            format,
            ids.into_boxed_slice(),
        ));
        for &id in self.descs[index].ids() {
            self.by_id.insert(id, index);
        }
        if let Some(id) = tracepoint {
            self.by_tracepoint.entry(id).or_default().push(index);
        }
    }

    fn add_format(&mut self, format: PerfEventFormat) {
        let id = format.id();
        let format = Arc::new(format);
        for &i in self.by_tracepoint.get(&id).map_or(&[][..], Vec::as_slice) {
            if self.descs[i].format().is_none() {
                self.descs[i].set_format(&format);
            }
        }
        self.formats.insert(id, format);
    }

    // The records.

    /// Reads records up to the end of a round (`FINISHED_ROUND`,
    /// `FINISHED_INIT`) or of the data, and sorts the round's samples.
    fn read_round(&mut self) -> io::Result<()> {
        loop {
            match self.read_record()? {
                Step::Sample(record) => self.round.push(record),
                Step::RoundEnd => break,
                Step::Other => {}
                Step::End => {
                    self.ended = true;
                    break;
                }
            }
        }
        // Latest first: `next_sample` pops from the end.
        self.round
            .sort_unstable_by_key(|r| std::cmp::Reverse((r.time, r.sequence)));
        Ok(())
    }

    fn read_record(&mut self) -> io::Result<Step> {
        let at = self.pos;
        if at >= self.data_end || at >= self.len {
            return Ok(Step::End); // A short data section is the section's truncation.
        }
        let header = self.read_at(at, RECORD_HEADER_SIZE as u64)?;
        let room = self.data_end - at;
        if room < RECORD_HEADER_SIZE as u64 {
            self.damaged(
                at,
                format!("the data section ends {room} bytes into a record header"),
            );
            return Ok(Step::End);
        }
        if header.len() < RECORD_HEADER_SIZE {
            self.truncated(
                "the record",
                at,
                RECORD_HEADER_SIZE as u64,
                header.len() as u64,
            );
            return Ok(Step::End);
        }
        let ty = RecordType(self.u32_at(&header, 0).unwrap_or(0));
        let size = self.u16_at(&header, 6).unwrap_or(0) as u64;
        if size < RECORD_HEADER_SIZE as u64 {
            self.damaged(
                at,
                format!(
                    "a record says it is {size} bytes long, less than its header: \
                     the records after it cannot be found"
                ),
            );
            return Ok(Step::End);
        }
        if size > room {
            self.damaged(
                at,
                format!(
                    "a record of {size} bytes runs past the end of the data section \
                     (offset {}): it and what follows are not read",
                    self.data_end
                ),
            );
            return Ok(Step::End);
        }
        let bytes = self.read_at(at, size)?;
        if (bytes.len() as u64) < size {
            self.truncated("the record", at, size, bytes.len() as u64);
            return Ok(Step::End);
        }
        let mut next = at + size;
        // Records followed by data that their size does not count.
        let after = match ty {
            RecordType::HeaderTracingData => Some(self.u32_at(&bytes, 8).map(u64::from)),
            RecordType::Auxtrace => Some(self.u64_at(&bytes, 8)),
            _ => None,
        };
        let mut after_bytes = Vec::new();
        if let Some(after) = after {
            let Some(after) = after.filter(|&n| n.is_multiple_of(8) && n < METADATA_MAX) else {
                self.damaged(
                    at,
                    "a record's trailing data has a bad size: the records after it cannot be \
                     found"
                        .into(),
                );
                return Ok(Step::End);
            };
            if after > self.data_end - next {
                self.damaged(
                    at,
                    "a record's trailing data runs past the end of the data section".into(),
                );
                return Ok(Step::End);
            }
            if ty == RecordType::HeaderTracingData {
                after_bytes = self.read_at(next, after)?;
            }
            let present = self.len.saturating_sub(next).min(after);
            if present < after {
                self.truncated("the data after the record", next, after, present);
                self.pos = next;
                return Ok(Step::End);
            }
            next += after;
        }
        self.pos = next;
        let data = &bytes[RECORD_HEADER_SIZE..];
        Ok(match ty {
            RecordType::Sample => {
                let record = Record {
                    offset: at,
                    time: 0,
                    sequence: self.sequence,
                    bytes,
                };
                self.sequence += 1;
                let time = self
                    .sample_info(&record)
                    .ok()
                    .filter(|info| info.sample_type().has_flag(SampleType::Time))
                    .map_or(0, |info| info.time);
                Step::Sample(Record { time, ..record })
            }
            RecordType::HeaderAttr => {
                let attr_size = self.u32_at(data, 4).unwrap_or(0) as usize;
                if data.len() >= ATTR_SIZE_MIN
                    && attr_size >= ATTR_SIZE_MIN
                    && attr_size < data.len()
                {
                    let attr = self.attr(&data[..attr_size.min(ATTR_SIZE_MAX)]);
                    let ids = self.ids(&data[attr_size..]);
                    self.add_attr(attr, String::new(), ids);
                }
                Step::Other
            }
            RecordType::HeaderTracingData => {
                self.tracing_data(&after_bytes, at + size);
                Step::Other
            }
            RecordType::HeaderFeature => {
                if let Some(index) = self.u64_at(data, 0) {
                    self.feature(index, &data[8..], at + RECORD_HEADER_SIZE as u64 + 8);
                }
                Step::Other
            }
            RecordType::FinishedRound | RecordType::FinishedInit => Step::RoundEnd,
            _ => Step::Other,
        })
    }
}

/// What reading one record gave.
enum Step {
    Sample(Record),
    RoundEnd,
    Other,
    End,
}

/// `perf_file_section`.
#[derive(Debug, Clone, Copy)]
struct Section {
    offset: u64,
    size: u64,
}

impl Section {
    fn end(self) -> u64 {
        self.offset.saturating_add(self.size)
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

/// Reading a sample's fields in order.
struct Fields<'a> {
    bytes: &'a [u8],
    pos: usize,
    byte_reader: PerfByteReader,
}

impl Fields<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], SampleError> {
        let end = self.pos.checked_add(n).ok_or(SampleError::Short)?;
        let b = self.bytes.get(self.pos..end).ok_or(SampleError::Short)?;
        self.pos = end;
        Ok(b)
    }

    fn skip(&mut self, n: usize) -> Result<(), SampleError> {
        self.take(n).map(|_| ())
    }

    fn u64(&mut self) -> Result<u64, SampleError> {
        let byte_reader = self.byte_reader;
        let b = self.take(8)?;
        Ok(byte_reader.fix_u64(u64::from_ne_bytes(b.try_into().expect("8 bytes"))))
    }

    fn u32(&mut self) -> Result<u32, SampleError> {
        let byte_reader = self.byte_reader;
        let b = self.take(4)?;
        Ok(byte_reader.fix_u32(u32::from_ne_bytes(b.try_into().expect("4 bytes"))))
    }

    /// `start..pos` as the `u16` range `PerfSampleEventInfo` keeps (a
    /// record is at most 65,535 bytes).
    fn range(&self, start: usize) -> Result<std::ops::Range<u16>, SampleError> {
        let start = u16::try_from(start).map_err(|_| SampleError::Short)?;
        let end = u16::try_from(self.pos).map_err(|_| SampleError::Short)?;
        Ok(start..end)
    }
}

/// Reading the tracing data.
struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    byte_reader: PerfByteReader,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let b = self.data.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(b)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u32(&mut self) -> Option<u32> {
        let b = self.take(4)?;
        Some(
            self.byte_reader
                .fix_u32(u32::from_ne_bytes(b.try_into().ok()?)),
        )
    }

    fn u64(&mut self) -> Option<u64> {
        let b = self.take(8)?;
        Some(
            self.byte_reader
                .fix_u64(u64::from_ne_bytes(b.try_into().ok()?)),
        )
    }

    /// A nul-terminated string (without its nul).
    fn sz(&mut self) -> Option<&'a [u8]> {
        let rest = self.data.get(self.pos..)?;
        let len = rest.iter().position(|&b| b == 0)?;
        self.pos += len + 1;
        Some(&rest[..len])
    }

    /// A u64 size and that many bytes.
    fn section64(&mut self) -> Option<&'a [u8]> {
        let size = usize::try_from(self.u64()?).ok()?;
        self.take(size)
    }

    /// `name` (with its nul) and a [`Self::section64`], if `name` is there.
    fn named_section64(&mut self, name: &[u8]) -> Option<()> {
        if self.data.get(self.pos..)?.starts_with(name) {
            self.pos += name.len();
            self.section64()?;
        }
        Some(())
    }
}

/// Bytes as Latin-1 text, as `tracepoint_perf` reads names and formats.
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| b as char).collect()
}
