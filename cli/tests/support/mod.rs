//! Shared by ue-tail's tests: writing perf.data files with `tracepoint_perf`,
//! running the `ue-tail` binary, and running the quickstart in a child process.

#![allow(dead_code)] // each test binary uses part of it

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use otel_user_events_listen::perf::tracepoint_attr;
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
    [
        exe.to_str().unwrap(),
        "quickstart_child",
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]
    .map(str::to_owned)
    .to_vec()
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
