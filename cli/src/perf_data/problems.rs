//! What can go wrong with a file: why it could not be read at all
//! ([`OpenError`]), why one sample could not be ([`SampleError`]), and what
//! the reader found wrong and went on from ([`Problem`], [`Truncation`]).
//! These are the reader's public face beside its records: kept together so a
//! caller sees every way a file can fail in one place.

use std::fmt;
use std::io;

use otel_user_events_listen::isolate::Panic;

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
