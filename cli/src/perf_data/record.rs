//! What the other parts pass around: a sample record as the file has it,
//! and where a sample keeps its id. Plain data, used by the reader's state
//! and by every part that reads samples.

use tracepoint_decode::PerfEventAttrSampleType as SampleType;

/// A sample record, as the file has it (header included).
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// Where it starts in the file.
    pub offset: u64,
    pub(super) bytes: Vec<u8>,
    pub(super) time: u64,
    pub(super) sequence: u64,
}

impl Record {
    /// Its bytes, `perf_event_header` first.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// Where a sample has its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum IdPosition {
    /// At this offset from the record's start.
    At(usize),
    /// Nowhere (neither `PERF_SAMPLE_ID` nor `PERF_SAMPLE_IDENTIFIER`).
    None,
}

impl IdPosition {
    pub(super) fn of(sample_type: SampleType) -> Self {
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
