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

// Named by the documentation above.
#[cfg(doc)]
use otel_user_events_listen::isolate::isolate;
#[cfg(doc)]
use tracepoint_decode::PerfSampleEventInfo;

// One file a part of the reading. The state they share is `PerfData`
// (`reader.rs`); this file only names the parts, which use each other
// directly, never through it.
mod bytes; // cursors over a sample and over the tracing data
mod events; // attributes become event descriptions, with ids and formats
mod features; // feature sections: event names, tracepoint formats, clock
mod header; // opening a file: its header and the sections it places
mod problems; // the public types of what can go wrong
mod reader; // the reader's state, its accessors, bounds-checked source reads
mod record; // a sample record; where a sample keeps its id
mod rounds; // the data section's records, a round at a time, in time order
mod sample; // a sample's event and its fields

pub use problems::{OpenError, Problem, SampleError, Truncation};
pub use reader::PerfData;
pub use record::Record;
