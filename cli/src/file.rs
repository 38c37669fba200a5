//! Decoding a perf.data file (`perf record -e user_events:...`) to the same
//! lines as the live view, in time order.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use tracepoint_decode::{PerfEventDecodingStyle, PerfEventHeaderType};
use tracepoint_perf::{PerfDataFileEventOrder, PerfDataFileReader};

use crate::error::{Error, NotPerfData};
use crate::output::Output;

/// Shows the file's tracepoint events on `out`; other records (mmaps, comms,
/// ...) and samples without a tracefs format are skipped.
pub fn run<W: Write>(path: &Path, out: &mut Output<W>) -> Result<(), Error> {
    let file_error = |source| Error::File {
        path: path.to_owned(),
        source,
    };
    let name = path.to_str().ok_or_else(|| {
        file_error(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path is not valid UTF-8",
        ))
    })?;
    // The reader would only say "failed to fill whole buffer" or "invalid data".
    if let Some(content) = not_perf_data(path).map_err(file_error)? {
        return Err(Error::NotPerfData {
            path: path.to_owned(),
            content,
        });
    }
    let mut reader = PerfDataFileReader::new();
    reader
        .open_file(name, PerfDataFileEventOrder::Time)
        .map_err(file_error)?;
    while !out.done() {
        if !reader.move_next_event().map_err(file_error)? {
            break;
        }
        let event = reader.current_event();
        if event.header.ty != PerfEventHeaderType::Sample {
            continue;
        }
        let Ok(sample) = reader.get_sample_event_info(&event) else {
            continue;
        };
        let Some(format) = sample.format() else {
            continue;
        };
        match format.decoding_style() {
            PerfEventDecodingStyle::EventHeader => {
                out.eventheader(format.name(), sample.user_data(), &sample)
            }
            PerfEventDecodingStyle::TraceEventFormat => out.plain(&sample, format),
        }
        .map_err(Error::Output)?;
    }
    Ok(())
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
            PerfDataFileReader::PERFILE2_MAGIC_HOST_ENDIAN,
            PerfDataFileReader::PERFILE2_MAGIC_SWAP_ENDIAN,
        ]
        .contains(&u64::from_ne_bytes(magic));
    Ok(match (read, magic_ok) {
        (0, _) => Some(NotPerfData::Empty),
        (_, false) => Some(NotPerfData::OtherData),
        (_, true) => None,
    })
}
