//! Decoding a perf.data file (`perf record -e user_events:...`) to the same
//! lines as the live view, in time order.
//!
//! The file may come from anywhere: it is read with [`PerfData`], which
//! reads every whole record up to where a short file ends and parses each
//! tracepoint format in `isolate`, and [`Output`] decodes each record in
//! `isolate`: a record (or format) that makes `tracepoint_decode` panic is
//! reported with its file offset and skipped.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, Write};
use std::path::Path;

use otel_user_events_listen::isolate::Panic;
use tracepoint_decode::{PerfEventAttrType, PerfEventDecodingStyle};

use crate::error::{Error, NotPerfData};
use crate::output::Output;
use crate::perf_data::{OpenError, PerfData, Problem, SampleError, Truncation};

/// What decoding a file met besides the events shown.
#[derive(Debug, Default)]
pub struct Summary {
    /// Sample records read.
    pub samples: u64,
    /// Records that could not be decoded (each warned about, or its cause).
    pub undecodable: u64,
    /// Panics caught, with the file offset of the record or format.
    pub panics: Vec<(u64, Panic)>,
    /// Where the file ends early, if it does.
    pub truncation: Option<Truncation>,
}

/// Why [`decode`] stopped.
#[derive(Debug)]
pub enum DecodeError {
    /// The file could not be opened as a perf.data file.
    Open(OpenError),
    /// Reading it failed.
    Read(io::Error),
    /// Writing the events failed.
    Output(io::Error),
}

/// Shows the file's tracepoint events on `out`; other records (mmaps, comms,
/// ...) and samples of other events are skipped.
pub fn run<W: Write>(path: &Path, out: &mut Output<W>) -> Result<Summary, Error> {
    let file_error = |source| Error::File {
        path: path.to_owned(),
        source,
    };
    // Said before anything is read, the way people know it.
    if let Some(content) = not_perf_data(path).map_err(file_error)? {
        return Err(Error::NotPerfData {
            path: path.to_owned(),
            content,
        });
    }
    let file = File::open(path).map_err(file_error)?;
    decode(BufReader::new(file), out).map_err(|e| match e {
        DecodeError::Open(OpenError::Io(e)) | DecodeError::Read(e) => file_error(e),
        DecodeError::Open(OpenError::NotPerfData) => Error::NotPerfData {
            path: path.to_owned(),
            content: NotPerfData::OtherData,
        },
        DecodeError::Open(e @ OpenError::BadHeaderSize(_)) => {
            file_error(io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
        }
        DecodeError::Output(e) => Error::Output(e),
    })
}

/// Decodes the perf.data file that `source` holds onto `out`, warning there
/// about what cannot be decoded; the library entry of `ue-tail --file` (the
/// `perf_data_file` fuzz target calls it).
pub fn decode<R: Read + Seek, W: Write>(
    source: R,
    out: &mut Output<W>,
) -> Result<Summary, DecodeError> {
    let mut reader = PerfData::open(source).map_err(DecodeError::Open)?;
    let mut summary = Summary::default();
    let undecodable_before = out.undecodable();
    out.take_panics();
    // Each cause of undecodable records is said once, at its first record.
    let mut said = HashSet::new();
    while !out.done() {
        problems(&mut reader, out, &mut summary);
        let Some(record) = reader.next_sample().map_err(DecodeError::Read)? else {
            break;
        };
        // What reading its round met (pipe mode: formats) comes before it.
        problems(&mut reader, out, &mut summary);
        summary.samples += 1;
        let offset = record.offset;
        let info = match reader.sample_info(&record) {
            Ok(info) => info,
            Err(e) => {
                out.count_undecodable();
                if said.insert(Cause::Sample(e)) {
                    out.warn(format_args!(
                        "the record at offset {offset} cannot be decoded: {e} \
                         (said once for all such records)"
                    ));
                }
                continue;
            }
        };
        let attr = info.event_desc.attr();
        let Some(format) = info.format() else {
            // Other events (cycles, ...) are not ue-tail's to show.
            if attr.attr_type == PerfEventAttrType::Tracepoint {
                out.count_undecodable();
                let id = attr.config;
                if said.insert(Cause::NoFormat(id)) {
                    let why = if reader.failed_formats() > 0 {
                        "is not in the file, or could not be parsed (see above)"
                    } else {
                        "is not in the file"
                    };
                    out.warn(format_args!(
                        "the record at offset {offset} cannot be decoded: it is an event of \
                         tracepoint id {id}, whose format {why} (said once for this tracepoint)"
                    ));
                }
            }
            continue;
        };
        out.set_record(Some(offset));
        let shown = match format.decoding_style() {
            PerfEventDecodingStyle::EventHeader => {
                out.eventheader(format.name(), info.user_data(), &info)
            }
            PerfEventDecodingStyle::TraceEventFormat => out.plain(&info, format),
        };
        out.set_record(None);
        shown.map_err(DecodeError::Output)?;
    }
    problems(&mut reader, out, &mut summary);
    if let Some(truncation) = reader.truncation() {
        let lost = if reader.lost_metadata() {
            "; a perf.data file keeps its event descriptions and formats after its data, \
             so they are lost"
        } else {
            ""
        };
        out.warn(format_args!(
            "{truncation}{lost}; the whole records before it were read"
        ));
        summary.truncation = Some(truncation.clone());
    }
    summary.undecodable = out.undecodable() - undecodable_before;
    summary.panics.extend(
        out.take_panics()
            .into_iter()
            .map(|(at, p)| (at.unwrap_or(0), p)),
    );
    Ok(summary)
}

/// A reason records cannot be decoded, said once.
#[derive(Debug, PartialEq, Eq, Hash)]
enum Cause {
    Sample(SampleError),
    NoFormat(u64),
}

/// Warns about what the reader found wrong so far.
fn problems<R: Read + Seek, W: Write>(
    reader: &mut PerfData<R>,
    out: &mut Output<W>,
    summary: &mut Summary,
) {
    for problem in reader.take_problems() {
        out.warn(format_args!("{problem}"));
        if let Problem::FormatPanic { offset, panic, .. } = problem {
            summary.panics.push((offset, panic));
        }
    }
}

/// What the file holds instead of a perf.data header, or `None` when it
/// starts with one (`PERFILE2`, in either byte order).
fn not_perf_data(path: &Path) -> io::Result<Option<NotPerfData>> {
    let mut magic = [0u8; 8];
    let mut read = 0;
    let mut file = File::open(path)?;
    while read < magic.len() {
        match file.read(&mut magic[read..])? {
            0 => break,
            n => read += n,
        }
    }
    let magic_ok = read == magic.len()
        && [
            tracepoint_perf::PerfDataFileReader::PERFILE2_MAGIC_HOST_ENDIAN,
            tracepoint_perf::PerfDataFileReader::PERFILE2_MAGIC_SWAP_ENDIAN,
        ]
        .contains(&u64::from_ne_bytes(magic));
    Ok(match (read, magic_ok) {
        (0, _) => Some(NotPerfData::Empty),
        (_, false) => Some(NotPerfData::OtherData),
        (_, true) => None,
    })
}
