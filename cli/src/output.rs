//! [`Output`]: decodes the events that pass the filter, writes one line each
//! (human or JSON), and counts toward `--count`.

use std::fmt;
use std::io::{self, Write};

use otel_user_events_listen::isolate::{Panic, isolate};
use otel_user_events_listen::names::TracepointName;
use tracepoint_decode::{
    EventHeaderEnumerator, EventHeaderEnumeratorContext, EventHeaderEnumeratorState,
    PerfEventFormat, PerfSampleEventInfo,
};

use crate::filter::Filter;
use crate::{human, json};

/// Where decoded events go.
pub struct Output<W: Write> {
    out: W,
    json: bool,
    filter: Filter,
    context: EventHeaderEnumeratorContext,
    line: String,
    shown: u64,
    limit: Option<u64>,
    undecodable: u64,
    warnings: Box<dyn Write>,
    /// The file offset of the record being shown (perf.data files).
    record: Option<u64>,
    panics: Vec<(Option<u64>, Panic)>,
}

impl<W: Write> Output<W> {
    /// Lines go to `out`, as JSON or for people; at most `limit` of them.
    pub fn new(out: W, json: bool, filter: Filter, limit: Option<u64>) -> Self {
        Self {
            out,
            json,
            filter,
            context: EventHeaderEnumeratorContext::new(),
            line: String::new(),
            shown: 0,
            limit,
            undecodable: 0,
            warnings: Box::new(io::stderr()),
            record: None,
            panics: Vec::new(),
        }
    }

    /// Warnings go to `warnings` instead of stderr (the fuzz targets drop them).
    pub fn with_warnings(mut self, warnings: Box<dyn Write>) -> Self {
        self.warnings = warnings;
        self
    }

    /// The filter events pass through.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// The events shown next come from the record at this file offset (for
    /// the warnings).
    pub fn set_record(&mut self, offset: Option<u64>) {
        self.record = offset;
    }

    /// Writes `ue-tail: warning: <message>` after the lines shown so far.
    pub fn warn(&mut self, message: fmt::Arguments<'_>) {
        // The lines before it first, so that a terminal shows it in place;
        // a failed flush shows up at the next write of a line.
        let _ = self.out.flush();
        let _ = writeln!(self.warnings, "ue-tail: warning: {message}");
    }

    /// Counts an event that could not be decoded (the caller warned).
    pub fn count_undecodable(&mut self) {
        self.undecodable += 1;
    }

    /// The decoder's panics caught so far, with the file offset of their
    /// record (perf.data files).
    pub fn take_panics(&mut self) -> Vec<(Option<u64>, Panic)> {
        std::mem::take(&mut self.panics)
    }

    /// Shows an event of user_events tracepoint `tracepoint` whose payload,
    /// `event_data`, starts with an EventHeader; `sample` has its time, pid, ...
    /// A panic of the decoder is caught, warned about and counted.
    pub fn eventheader(
        &mut self,
        tracepoint: &str,
        event_data: &[u8],
        sample: &PerfSampleEventInfo,
    ) -> io::Result<()> {
        match isolate(|| self.eventheader_unisolated(tracepoint, event_data, sample)) {
            Ok(shown) => shown,
            Err(panic) => {
                self.decoder_panicked(tracepoint, sample.pid, panic);
                Ok(())
            }
        }
    }

    fn eventheader_unisolated(
        &mut self,
        tracepoint: &str,
        event_data: &[u8],
        sample: &PerfSampleEventInfo,
    ) -> io::Result<()> {
        if self.done()
            || !TracepointName::parse(tracepoint).is_some_and(|n| self.filter.tracepoint(&n))
        {
            return Ok(());
        }
        let mut event = match self.context.enumerate_with_name_and_data(
            tracepoint,
            event_data,
            EventHeaderEnumeratorContext::MOVE_NEXT_LIMIT_DEFAULT,
        ) {
            Ok(event) => event,
            Err(e) => {
                self.undecodable += 1;
                let subject = self.subject(tracepoint, sample.pid);
                self.warn(format_args!(
                    "{subject} is not a valid EventHeader event ({e:?})"
                ));
                return Ok(());
            }
        };
        let info = event.event_info();
        if !self.filter.event(info.name_bytes()) || !self.filter.activity(info.activity_id()) {
            return Ok(());
        }
        if !self.filter.traces.is_empty() {
            let trace_id = part_a_trace_id(&mut event);
            event.reset();
            if !self.filter.trace(trace_id) {
                return Ok(());
            }
        }
        self.line.clear();
        if self.json {
            if let Err(e) = json::eventheader(&mut self.line, tracepoint, event_data, sample) {
                self.undecodable += 1;
                let subject = self.subject(tracepoint, sample.pid);
                self.warn(format_args!("cannot decode {subject}: {e}"));
                return Ok(());
            }
        } else {
            human::eventheader(&mut self.line, &mut event, sample);
        }
        self.emit()
    }

    /// Shows a tracepoint event that has no EventHeader, decoded with its
    /// tracefs `format` (a perf.data file may hold any tracepoint). A panic of
    /// the decoder is caught, warned about and counted.
    pub fn plain(
        &mut self,
        sample: &PerfSampleEventInfo,
        format: &PerfEventFormat,
    ) -> io::Result<()> {
        if self.done() || !self.filter.any_tracepoint() {
            return Ok(());
        }
        let shown = isolate(|| {
            self.line.clear();
            if self.json {
                json::plain(&mut self.line, sample, format);
            } else {
                human::plain(&mut self.line, sample, format);
            }
            self.emit()
        });
        match shown {
            Ok(shown) => shown,
            Err(panic) => {
                let name = format!("{}:{}", format.system_name(), format.name());
                self.decoder_panicked(&name, sample.pid, panic);
                Ok(())
            }
        }
    }

    /// "an event of T from pid P", with the record's offset in a file.
    fn subject(&self, tracepoint: &str, pid: u32) -> String {
        match self.record {
            Some(offset) => {
                format!("the record at offset {offset} (an event of {tracepoint} from pid {pid})")
            }
            None => format!("an event of {tracepoint} from pid {pid}"),
        }
    }

    fn decoder_panicked(&mut self, tracepoint: &str, pid: u32, panic: Panic) {
        self.undecodable += 1;
        let subject = self.subject(tracepoint, pid);
        self.warn(format_args!(
            "{subject} cannot be decoded: the decoder {panic}"
        ));
        self.panics.push((self.record, panic));
    }

    fn emit(&mut self) -> io::Result<()> {
        self.line.push('\n');
        self.out.write_all(self.line.as_bytes())?;
        self.shown += 1;
        Ok(())
    }

    /// True once `limit` events were shown.
    pub fn done(&self) -> bool {
        self.limit.is_some_and(|limit| self.shown >= limit)
    }

    /// How many events could not be decoded (and were reported on stderr).
    pub fn undecodable(&self) -> u64 {
        self.undecodable
    }

    /// Writes out what is buffered.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The value of the event's PartA `ext_dt_traceId` (Common Schema: the trace
/// id as hex), if it has one. Leaves the enumerator anywhere: reset it.
fn part_a_trace_id<'dat>(event: &mut EventHeaderEnumerator<'_, '_, 'dat>) -> Option<&'dat [u8]> {
    // Depth of the struct we are in; PartA is a struct at the top.
    let (mut depth, mut in_part_a) = (0u32, false);
    while event.move_next() {
        match event.state() {
            EventHeaderEnumeratorState::StructBegin => {
                depth += 1;
                if depth == 1 {
                    in_part_a = event.item_info().name_bytes() == b"PartA";
                }
            }
            EventHeaderEnumeratorState::StructEnd => {
                depth = depth.saturating_sub(1);
                if depth == 0 && in_part_a {
                    return None;
                }
            }
            EventHeaderEnumeratorState::Value
                if depth == 1
                    && in_part_a
                    && event.item_info().name_bytes() == b"ext_dt_traceId" =>
            {
                return Some(event.item_info().value().bytes());
            }
            _ => {}
        }
    }
    None
}
