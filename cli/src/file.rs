//! Decoding a perf.data file (`perf record -e user_events:...`) to the same
//! lines as the live view, in time order.

use std::io::{self, Write};
use std::path::Path;

use tracepoint_decode::{PerfEventDecodingStyle, PerfEventHeaderType};
use tracepoint_perf::{PerfDataFileEventOrder, PerfDataFileReader};

use crate::error::Error;
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
