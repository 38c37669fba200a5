//! Shared by ue-tail's tests: writing perf.data files with `tracepoint_perf`,
//! running the `ue-tail` binary, and running the quickstart in a child process;
//! in the modules, a `ue-tail` in the background ([`tail`]), its output masked
//! ([`masked`]), and the quickstart recorded to perf.data files ([`record`]).

#![allow(dead_code)] // each test binary uses part of it

pub mod masked;
pub mod record;
pub mod tail;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use otel_user_events_listen::perf::tracepoint_attr;
use otel_user_events_test_support::child;
use tracepoint_decode::{
    PerfByteReader, PerfEventAttrSampleType, PerfEventFormat, PerfSessionInfo,
};
use tracepoint_perf::PerfDataFileWriter;

/// The `format` file of an EventHeader user_events tracepoint, as Linux 6.12
/// writes it.
pub fn eventheader_format(name: &str, id: u32) -> Arc<PerfEventFormat> {
    let text = format!(
        "name: {name}\nID: {id}\nformat:\n\
         \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\
         \tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n\
         \tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n\
         \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n\
         \tfield:u8 eventheader_flags;\toffset:8;\tsize:1;\tsigned:0;\n\
         \tfield:u8 version;\toffset:9;\tsize:1;\tsigned:0;\n\
         \tfield:u16 id;\toffset:10;\tsize:2;\tsigned:0;\n\
         \tfield:u16 tag;\toffset:12;\tsize:2;\tsigned:0;\n\
         \tfield:u8 opcode;\toffset:14;\tsize:1;\tsigned:0;\n\
         \tfield:u8 level;\toffset:15;\tsize:1;\tsigned:0;\n\n\
         print fmt: \"\"\n"
    );
    Arc::new(PerfEventFormat::parse(true, "user_events", &text).expect("valid format"))
}

/// One tracepoint hit, for [`write_perf_data`].
pub struct Event<'a> {
    /// Which of the file's tracepoints (its format's `name`).
    pub tracepoint: &'a str,
    /// Writer's process and thread.
    pub pid: u32,
    /// Writer's thread.
    pub tid: u32,
    /// Timestamp of the trace clock (`CLOCK_MONOTONIC`), nanoseconds.
    pub time: u64,
    /// CPU.
    pub cpu: u32,
    /// What follows the common fields (for EventHeader: the EventHeader).
    pub payload: &'a [u8],
}

/// Writes a perf.data file with samples of `events` on the `tracepoints`
/// (tracefs formats), as `perf record -k monotonic` would: the trace clock is
/// `CLOCK_MONOTONIC` and `clock` is (wall time, monotonic time) at one instant.
pub fn write_perf_data(
    path: &Path,
    tracepoints: &[Arc<PerfEventFormat>],
    events: &[Event],
    clock: (u64, u64),
) {
    let mut writer = PerfDataFileWriter::new();
    writer.create_file(path.to_str().unwrap()).unwrap();
    let sample_type = |id| {
        let mut attr = tracepoint_attr(id, false, Some(libc::CLOCK_MONOTONIC));
        attr.sample_type = attr.sample_type.or(PerfEventAttrSampleType::Identifier);
        attr
    };
    for (i, format) in tracepoints.iter().enumerate() {
        let name = format!("{}:{}", format.system_name(), format.name());
        let added = writer.add_tracepoint_event_desc(
            &[i as u64 + 1],
            &sample_type(format.id()),
            &name,
            format,
        );
        assert!(added, "{name}");
    }
    let mut session = PerfSessionInfo::new(PerfByteReader::new(false));
    session.set_clock_data(libc::CLOCK_MONOTONIC as u32, clock.0, clock.1);
    writer.set_session_info_headers(&session);
    writer.set_tracing_data_required(8, 4096);
    writer.write_finished_init().unwrap();
    for event in events {
        let (index, format) = tracepoints
            .iter()
            .enumerate()
            .find(|(_, f)| f.name() == event.tracepoint)
            .expect("the event's tracepoint is in the file");
        // raw: common_type, common_flags, common_preempt_count, common_pid, payload;
        // padded so that the record stays 8-aligned (u32 size + raw).
        let mut raw = Vec::new();
        raw.extend_from_slice(&(format.id() as u16).to_ne_bytes());
        raw.extend_from_slice(&[0, 0]);
        raw.extend_from_slice(&event.pid.to_ne_bytes());
        raw.extend_from_slice(event.payload);
        while (raw.len() + 4) % 8 != 0 {
            raw.push(0);
        }
        // PERF_RECORD_SAMPLE: header; identifier; pid, tid; time; cpu, res; size; raw.
        let size = 8 + 8 + 8 + 8 + 8 + 4 + raw.len();
        let mut record = Vec::with_capacity(size);
        record.extend_from_slice(&9u32.to_ne_bytes());
        record.extend_from_slice(&0u16.to_ne_bytes());
        record.extend_from_slice(&(size as u16).to_ne_bytes());
        record.extend_from_slice(&(index as u64 + 1).to_ne_bytes());
        record.extend_from_slice(&event.pid.to_ne_bytes());
        record.extend_from_slice(&event.tid.to_ne_bytes());
        record.extend_from_slice(&event.time.to_ne_bytes());
        record.extend_from_slice(&event.cpu.to_ne_bytes());
        record.extend_from_slice(&0u32.to_ne_bytes());
        record.extend_from_slice(&(raw.len() as u32).to_ne_bytes());
        record.extend_from_slice(&raw);
        writer.write_event_data(&record).unwrap();
    }
    writer.finalize_and_close().unwrap();
}

/// Runs the `ue-tail` binary of this build and waits for it.
pub fn ue_tail(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ue-tail"))
        .args(args)
        .output()
        .expect("run ue-tail")
}

/// Its standard output, asserting that it succeeded.
pub fn ue_tail_ok(args: &[&str]) -> String {
    let output = ue_tail(args);
    assert!(
        output.status.success(),
        "ue-tail {args:?}: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The command that runs this test binary's ignored `quickstart_child` test,
/// which runs the quickstart example when its child variable is set (the
/// test binaries that use this define that test).
pub fn quickstart_command() -> Vec<String> {
    let exe = std::env::current_exe().unwrap();
    std::iter::once(exe.to_str().unwrap())
        .chain(child::test_args("quickstart_child"))
        .map(str::to_owned)
        .collect()
}

/// Runs the quickstart in a child process (see [`quickstart_command`], with
/// `child_var` set), checks that it succeeded and returns its process id.
pub fn run_quickstart(child_var: &str) -> u32 {
    let command = quickstart_command();
    let child = Command::new(&command[0])
        .args(&command[1..])
        .env(child_var, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "quickstart: {}\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    pid
}

/// `perf_event_attr.sample_type` of [`pipe_perf_data`]'s events:
/// `IDENTIFIER | TID | TIME | RAW`.
const PIPE_SAMPLE_TYPE: u64 = (1 << 16) | (1 << 1) | (1 << 2) | (1 << 10);

/// One sample of [`pipe_perf_data`]: of the tracepoint at `format` in its list.
pub struct RawSample<'a> {
    /// Index of its tracepoint in the format list.
    pub format: usize,
    /// Process (and thread) id.
    pub pid: u32,
    /// Trace clock, nanoseconds.
    pub time: u64,
    /// The raw data (common fields, if its format has them, then the fields).
    pub raw: &'a [u8],
}

/// A pipe-mode perf.data file (as `perf record -o -` writes them) made by
/// hand, byte by byte, so that a format's text can be anything: the 16-byte
/// header; a `PERF_RECORD_HEADER_ATTR` for each format `i` (tracepoint id
/// `ids[i]`, sample id `i + 1`, [`PIPE_SAMPLE_TYPE`]); one
/// `PERF_RECORD_HEADER_TRACING_DATA` whose tracing data lists the format
/// texts (each as a system of its own, `systems[i]`) as they are; then the
/// samples. No clock data: times show as seconds of the trace clock.
pub fn pipe_perf_data(formats: &[(&str, u32, &[u8])], samples: &[RawSample]) -> PipeFile {
    fn record(out: &mut Vec<u8>, ty: u32, body: &[u8]) {
        out.extend_from_slice(&ty.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&((8 + body.len()) as u16).to_le_bytes());
        out.extend_from_slice(body);
    }
    let mut out = Vec::new();
    out.extend_from_slice(b"PERFILE2");
    out.extend_from_slice(&16u64.to_le_bytes());
    for (i, (_, id, _)) in formats.iter().enumerate() {
        // perf_event_attr (PERF_ATTR_SIZE_VER0, 64 bytes), then the ids.
        let mut body = Vec::new();
        body.extend_from_slice(&2u32.to_le_bytes()); // PERF_TYPE_TRACEPOINT
        body.extend_from_slice(&64u32.to_le_bytes()); // size
        body.extend_from_slice(&u64::from(*id).to_le_bytes()); // config
        body.extend_from_slice(&1u64.to_le_bytes()); // sample_period
        body.extend_from_slice(&PIPE_SAMPLE_TYPE.to_le_bytes());
        body.resize(64, 0); // read_format, options, ..., config1
        body.extend_from_slice(&(i as u64 + 1).to_le_bytes());
        record(&mut out, 64, &body); // PERF_RECORD_HEADER_ATTR
    }
    let mut tracing = Vec::new();
    tracing.extend_from_slice(b"\x17\x08\x44tracing0.6\0");
    tracing.extend_from_slice(&[0, 8]); // little-endian, 8-byte longs
    tracing.extend_from_slice(&4096u32.to_le_bytes());
    tracing.extend_from_slice(b"header_page\0");
    tracing.extend_from_slice(&0u64.to_le_bytes());
    tracing.extend_from_slice(b"header_event\0");
    tracing.extend_from_slice(&0u64.to_le_bytes());
    tracing.extend_from_slice(&0u32.to_le_bytes()); // ftraces
    tracing.extend_from_slice(&(formats.len() as u32).to_le_bytes());
    let mut format_offsets = Vec::new();
    // The tracing data follows its 16-byte record.
    let tracing_at = out.len() as u64 + 16;
    for (system, _, text) in formats {
        tracing.extend_from_slice(system.as_bytes());
        tracing.push(0);
        tracing.extend_from_slice(&1u32.to_le_bytes());
        tracing.extend_from_slice(&(text.len() as u64).to_le_bytes());
        format_offsets.push(tracing_at + tracing.len() as u64);
        tracing.extend_from_slice(text);
    }
    tracing.resize(tracing.len().next_multiple_of(8), 0);
    let mut size = (tracing.len() as u32).to_le_bytes().to_vec();
    size.extend_from_slice(&[0; 4]);
    record(&mut out, 66, &size); // PERF_RECORD_HEADER_TRACING_DATA
    out.extend_from_slice(&tracing);
    let mut sample_offsets = Vec::new();
    for sample in samples {
        sample_offsets.push(out.len() as u64);
        let mut body = Vec::new();
        body.extend_from_slice(&(sample.format as u64 + 1).to_le_bytes());
        body.extend_from_slice(&sample.pid.to_le_bytes());
        body.extend_from_slice(&sample.pid.to_le_bytes());
        body.extend_from_slice(&sample.time.to_le_bytes());
        body.extend_from_slice(&(sample.raw.len() as u32).to_le_bytes());
        body.extend_from_slice(sample.raw);
        body.resize((body.len() + 8).next_multiple_of(8) - 8, 0);
        record(&mut out, 9, &body); // PERF_RECORD_SAMPLE
    }
    PipeFile {
        bytes: out,
        formats: format_offsets,
        samples: sample_offsets,
    }
}

/// A file of [`pipe_perf_data`] and where its parts are.
pub struct PipeFile {
    /// The file.
    pub bytes: Vec<u8>,
    /// The file offset of each format's text.
    pub formats: Vec<u64>,
    /// The file offset of each sample record.
    pub samples: Vec<u64>,
}

/// The normal-mode file at `path` (from [`write_perf_data`]) as a pipe-mode
/// file, the way `perf record -o -` lays one out: attributes, tracing data,
/// clock data and event descriptions first, as records, then the records of
/// its data section as they are.
pub fn to_pipe_mode(path: &Path) -> Vec<u8> {
    use tracepoint_perf::{PerfDataFileEventOrder, PerfDataFileReader, PerfHeaderIndex};
    fn record(out: &mut Vec<u8>, ty: u32, body: &[u8]) {
        out.extend_from_slice(&ty.to_ne_bytes());
        out.extend_from_slice(&0u16.to_ne_bytes());
        out.extend_from_slice(&((8 + body.len()) as u16).to_ne_bytes());
        out.extend_from_slice(body);
    }
    let mut reader = PerfDataFileReader::new();
    reader
        .open_file(path.to_str().unwrap(), PerfDataFileEventOrder::File)
        .unwrap();
    let mut out = Vec::new();
    out.extend_from_slice(b"PERFILE2");
    out.extend_from_slice(&16u64.to_ne_bytes());
    // HEADER_EVENT_DESC: count, attr size, then attr, ids count, name size,
    // name, ids; an attribute record each.
    let desc = reader.header(PerfHeaderIndex::EventDesc).to_vec();
    let u32_at = |at: usize| u32::from_ne_bytes(desc[at..at + 4].try_into().unwrap()) as usize;
    let (count, attr_size) = (u32_at(0), u32_at(4));
    let mut pos = 8;
    for _ in 0..count {
        let attr = &desc[pos..pos + attr_size];
        let (ids, name) = (u32_at(pos + attr_size), u32_at(pos + attr_size + 4));
        let ids_at = pos + attr_size + 8 + name;
        let mut body = attr.to_vec();
        body.extend_from_slice(&desc[ids_at..ids_at + 8 * ids]);
        record(&mut out, 64, &body); // PERF_RECORD_HEADER_ATTR
        pos = ids_at + 8 * ids;
    }
    let mut tracing = reader.header(PerfHeaderIndex::TracingData).to_vec();
    tracing.resize(tracing.len().next_multiple_of(8), 0);
    let mut size = (tracing.len() as u32).to_ne_bytes().to_vec();
    size.extend_from_slice(&[0; 4]);
    record(&mut out, 66, &size); // PERF_RECORD_HEADER_TRACING_DATA
    out.extend_from_slice(&tracing);
    for index in [
        PerfHeaderIndex::ClockId,
        PerfHeaderIndex::ClockData,
        PerfHeaderIndex::EventDesc,
    ] {
        let mut body = u64::from(index.0).to_ne_bytes().to_vec();
        body.extend_from_slice(reader.header(index));
        body.resize(body.len().next_multiple_of(8), 0);
        record(&mut out, 80, &body); // PERF_RECORD_HEADER_FEATURE
    }
    while reader.move_next_event().unwrap() {
        out.extend_from_slice(reader.current_event().data);
    }
    out
}
