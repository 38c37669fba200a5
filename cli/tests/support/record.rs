//! The quickstart's two events recorded to perf.data files, two ways: by
//! `perf record` (when a perf runs on this kernel) and by a capture written
//! with `tracepoint_perf`. For the kernel tests, which decode both.

use std::path::{Path, PathBuf};
use std::process::Command;

use otel_user_events_test_support::perf::{Listener, ListenerOptions};

use super::{Event, quickstart_command, run_quickstart, write_perf_data};

/// The quickstart's tracepoints: OrderPlaced (info, keyword 1) and Retry
/// (warning, keyword 0x10).
const QUICKSTART_TRACEPOINTS: [&str; 2] = ["MyService_L4K1", "MyService_L3K10"];

/// A perf that runs on this kernel: Debian's versioned binaries first (the
/// `perf` wrapper refuses kernels it was not built for), then `perf`.
pub fn find_perf() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/bin")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_prefix("perf_"))
                .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        })
        .collect();
    candidates.sort();
    candidates.reverse();
    candidates.push("perf".into());
    candidates.into_iter().find(|perf| {
        Command::new(perf)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Records the quickstart's two tracepoints with `perf record` while it runs
/// (in a child process with `child_var` set: see [`quickstart_command`]).
pub fn perf_record(perf: &Path, file: &Path, child_var: &str) {
    let mut command = Command::new(perf);
    command.args(["record", "-q", "-k", "monotonic", "-o"]);
    command.arg(file);
    for tracepoint in QUICKSTART_TRACEPOINTS {
        command.args(["-e", &format!("user_events:{tracepoint}")]);
    }
    command
        .arg("--")
        .args(quickstart_command())
        .env(child_var, "1");
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "perf record: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Captures the quickstart's events (run as [`run_quickstart`] does, with
/// `child_var`) and writes them to a perf.data file with `tracepoint_perf`;
/// returns the quickstart's pid.
pub fn capture_to_file(file: &Path, child_var: &str) -> u32 {
    let tracepoints = QUICKSTART_TRACEPOINTS;
    let options = ListenerOptions {
        clock_id: Some(libc::CLOCK_MONOTONIC),
        ..ListenerOptions::default()
    };
    let mut capture = Listener::start_with(&tracepoints, &options).unwrap();
    let pid = run_quickstart(child_var);
    let samples = capture.drain();
    assert_eq!(samples.len(), 2, "{samples:?}");
    let formats: Vec<_> = tracepoints
        .iter()
        .map(|t| capture.format(t).unwrap().clone())
        .collect();
    let events: Vec<Event> = samples
        .iter()
        .map(|s| Event {
            tracepoint: &s.tracepoint,
            pid: s.pid,
            tid: s.tid,
            time: s.time,
            cpu: s.cpu,
            payload: &s.event_data,
        })
        .collect();
    let clock = |id| {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: ts is a valid timespec.
        unsafe { libc::clock_gettime(id, &mut ts) };
        ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
    };
    let (monotonic, wall) = (clock(libc::CLOCK_MONOTONIC), clock(libc::CLOCK_REALTIME));
    write_perf_data(file, &formats, &events, (wall, monotonic));
    pid
}
