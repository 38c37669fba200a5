//! Opening a file: its `perf_file_header` (magic and byte order, pipe or
//! normal mode, where the attribute, data and feature sections are) and the
//! `perf_file_section` that places them. A normal-mode file's attributes and
//! feature sections are loaded on opening (`events.rs`, `features.rs`); a
//! pipe-mode file's come later, as records (`records.rs`).

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};

use tracepoint_decode::{PerfByteReader, PerfSessionInfo};
use tracepoint_perf::PerfDataFileReader;

use super::problems::OpenError;
use super::reader::PerfData;

/// `perf_file_header` of a pipe-mode file: magic and size.
const PIPE_HEADER_SIZE: u64 = 16;
/// `perf_file_header` of a normal-mode file.
const FILE_HEADER_SIZE: u64 = 104;
/// `perf_file_section`: offset and size.
pub(super) const SECTION_SIZE: u64 = 16;

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
}

/// `perf_file_section`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Section {
    pub(super) offset: u64,
    pub(super) size: u64,
}

impl Section {
    pub(super) fn end(self) -> u64 {
        self.offset.saturating_add(self.size)
    }
}
