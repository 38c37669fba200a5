//! [`Output`]: decodes the events that pass the filter, writes one line each
//! (human or JSON), and counts toward `--count`.

use std::io::{self, Write};

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
        }
    }

    /// The filter events pass through.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// Shows an event of user_events tracepoint `tracepoint` whose payload,
    /// `event_data`, starts with an EventHeader; `sample` has its time, pid, ...
    pub fn eventheader(
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
                eprintln!(
                    "ue-tail: warning: an event of {tracepoint} from pid {} is not a valid \
                     EventHeader event ({e:?})",
                    sample.pid
                );
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
                eprintln!(
                    "ue-tail: warning: cannot decode an event of {tracepoint} from pid {}: {e}",
                    sample.pid
                );
                return Ok(());
            }
        } else {
            human::eventheader(&mut self.line, &mut event, sample);
        }
        self.emit()
    }

    /// Shows a tracepoint event that has no EventHeader, decoded with its
    /// tracefs `format` (a perf.data file may hold any tracepoint).
    pub fn plain(
        &mut self,
        sample: &PerfSampleEventInfo,
        format: &PerfEventFormat,
    ) -> io::Result<()> {
        if self.done() || !self.filter.any_tracepoint() {
            return Ok(());
        }
        self.line.clear();
        if self.json {
            json::plain(&mut self.line, sample, format);
        } else {
            human::plain(&mut self.line, sample, format);
        }
        self.emit()
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
