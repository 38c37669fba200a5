//! The data section's records, one at a time: each bounds-checked against
//! both the data section and the file's end (a record cut by the end is
//! reported, not read), metadata records (pipe mode) taken in on the way,
//! and each round's samples sorted by time as `perf` and `tracepoint_perf`
//! sort them.

use std::io::{self, Read, Seek};

use tracepoint_decode::{PerfEventAttrSampleType as SampleType, PerfEventHeaderType as RecordType};

use super::reader::{ATTR_SIZE_MAX, ATTR_SIZE_MIN, METADATA_MAX, PerfData, RECORD_HEADER_SIZE};
use super::record::Record;

impl<R: Read + Seek> PerfData<R> {
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
