//! `ue-tail --file` on damaged perf.data files: decoding never panics or
//! stops at a bad record, and a file that ends early shows every whole
//! record before the cut and then says where it ends.
//!
//! `tests/data/panic-*.data` are the smallest files we found that make
//! `tracepoint_decode` 0.5 panic (some only with debug assertions, as in
//! `cargo test`), each between records that decode; they are made by
//! [`fixtures`] (`UE_TAIL_BLESS=1 cargo test -p ue-tail --test damaged`
//! rewrites them, and the fuzz seeds made from them and from a capture).

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use otel_user_events::testing::{Capture, CapturedEvent};
use otel_user_events::ue_log;
use support::{
    Event, PipeFile, RawSample, eventheader_format, pipe_perf_data, to_pipe_mode, ue_tail,
    ue_tail_ok, write_perf_data,
};
use tracepoint_decode::PerfEventFormat;

/// A plain tracepoint that decodes: `s:ok`, one `int v`.
const OK: (&str, u32, &[u8]) = (
    "s",
    1,
    b"name:ok\nID:1\nformat:\n\nfield:int v;offset:0;size:4;signed:1;\n",
);

/// An EventHeader tracepoint (its first field is `eventheader_flags`).
const EVENTHEADER: (&str, u32, &[u8]) = (
    "user_events",
    1,
    b"name:P_L4K1\nID:1\nformat:\n\nfield:u8 eventheader_flags;offset:0;size:1;signed:0;\n",
);

/// An EventHeader event `E` without fields: flags (64-bit, little-endian,
/// extension), version, id, tag, opcode, level 4; a metadata extension of 2
/// bytes: the name.
const EVENT_E: &[u8] = &[7, 0, 0, 0, 0, 0, 0, 4, 2, 0, 1, 0, b'E', 0];

/// Event `E` with a field `f` whose encoding is 0x62: `Value8` with both
/// the constant- and the variable-length array flag (a reserved encoding),
/// one element.
const EVENT_ARRAY_FLAGS: &[u8] = &[
    7, 0, 0, 0, 0, 0, 0, 4, 5, 0, 1, 0, b'E', 0, b'f', 0, 0x62, 1, 0, 0,
];

/// Event `E` with a field `f` that is a variable-length array (one
/// element) of structs (encoding 0x41) of no fields (no format byte).
const EVENT_STRUCT_ARRAY: &[u8] = &[
    7, 0, 0, 0, 0, 0, 0, 4, 5, 0, 1, 0, b'E', 0, b'f', 0, 0x41, 1, 0,
];

/// Event `E` with a field `a`: an empty variable-length array (encoding
/// 0xC1) of structs of 127 fields, whose first two fields are structs of
/// 127 fields: skipping that metadata adds up field counts past 255.
const EVENT_STRUCT_COUNT: &[u8] = &[
    7, 0, 0, 0, 0, 0, 0, 4, 14, 0, 1, 0, b'E', 0, b'a', 0, 0xC1, 0x7F, b'b', 0, 0x81, 0x7F, b'c',
    0, 0x81, 0x7F, 0, 0,
];

/// Three events of `format`: `first`, `bad`, `first` again, 1, 2 and 3 µs
/// into the trace, pid 10.
fn three(format: (&str, u32, &[u8]), first: &[u8], bad: &[u8]) -> PipeFile {
    let sample = |raw, time| RawSample {
        format: 0,
        pid: 10,
        time,
        raw,
    };
    pipe_perf_data(
        &[format],
        &[
            sample(first, 1_000),
            sample(bad, 2_000),
            sample(first, 3_000),
        ],
    )
}

/// `OK` (v=7), then the `bad` tracepoint's event, then `OK` (v=8): 1, 2 and
/// 3 µs into the trace, pid 10.
fn around(bad: (&str, u32, &[u8]), bad_raw: &[u8]) -> PipeFile {
    pipe_perf_data(
        &[OK, bad],
        &[
            RawSample {
                format: 0,
                pid: 10,
                time: 1_000,
                raw: &7i32.to_le_bytes(),
            },
            RawSample {
                format: 1,
                pid: 10,
                time: 2_000,
                raw: bad_raw,
            },
            RawSample {
                format: 0,
                pid: 10,
                time: 3_000,
                raw: &8i32.to_le_bytes(),
            },
        ],
    )
}

/// The fixtures, by file name.
fn fixtures() -> Vec<(&'static str, PipeFile)> {
    vec![
        // A field whose type is the Latin-1 byte 0xE9: the tokenizer takes
        // one byte of the two-byte 'é' and slices inside it.
        (
            "panic-field-char-boundary.data",
            around(("s", 2, b"format:\nfield:\xe9;offset:0;size:1;"), &[0]),
        ),
        // Two `format:` sections: the second empties the field list but not
        // the count of common fields.
        (
            "panic-format-twice.data",
            around(
                (
                    "s",
                    2,
                    b"ID:2\nname:b\nformat:\nfield:a;offset:0;size:1;\n\n\nformat:",
                ),
                &[0],
            ),
        ),
        // An ID above u32::MAX: the parser's arithmetic overflows (debug).
        (
            "panic-id-overflow.data",
            around(("s", 2, b"ID:4294967296\n"), &[0]),
        ),
        // A `__data_loc char[]` string (as sched_process_exec's filename):
        // its element size is 0, and `0 - 1` overflows (debug).
        (
            "panic-data-loc-string.data",
            around(
                (
                    "s",
                    2,
                    b"name:d\nID:2\nformat:\n\nfield:__data_loc char[] f;offset:0;size:4;signed:0;\n",
                ),
                // data_loc: length 3 << 16 | offset 4; then "hi\0".
                &[4, 0, 3, 0, b'h', b'i', 0],
            ),
        ),
        // An EventHeader field encoding with both array flags: a debug
        // assertion of the item metadata.
        (
            "panic-eventheader-array-flags.data",
            three(EVENTHEADER, EVENT_E, EVENT_ARRAY_FLAGS),
        ),
        // An EventHeader array of structs of no fields: a debug assertion
        // of the item metadata (a struct has fields).
        (
            "panic-eventheader-struct-array.data",
            three(EVENTHEADER, EVENT_E, EVENT_STRUCT_ARRAY),
        ),
        // Nested struct field counts that add up past 255 (u8): an
        // overflow (debug).
        (
            "panic-eventheader-struct-count.data",
            three(EVENTHEADER, EVENT_E, EVENT_STRUCT_COUNT),
        ),
        // A sample whose raw data ends before its field: the field's value
        // is empty, and showing it trips a debug assertion.
        (
            "panic-short-raw.data",
            three(OK, &7i32.to_le_bytes(), &[]),
        ),
    ]
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn bless() -> bool {
    std::env::var_os("UE_TAIL_BLESS").is_some()
}

/// The fixture `name` as committed, and where its parts are.
fn fixture(name: &str) -> (String, PipeFile) {
    let (_, file) = fixtures().into_iter().find(|(n, _)| *n == name).unwrap();
    (data_dir().join(name).to_str().unwrap().to_owned(), file)
}

#[test]
fn fixtures_are_made_by_their_recipes() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/perf_data_file");
    for (name, file) in fixtures() {
        let path = data_dir().join(name);
        if bless() {
            std::fs::create_dir_all(data_dir()).unwrap();
            std::fs::write(&path, &file.bytes).unwrap();
            std::fs::create_dir_all(&fuzz).unwrap();
            std::fs::write(fuzz.join(format!("seed-{name}")), &file.bytes).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == file.bytes,
            "{} differs from its recipe: UE_TAIL_BLESS=1 cargo test -p ue-tail --test damaged",
            path.display()
        );
    }
}

/// Runs `ue-tail --file <path>` (and `args`): exit code, stdout, stderr.
fn run(path: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["--file", path];
    all.extend_from_slice(args);
    let output = ue_tail(&all);
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

const OK_LINES: &str = "0.000001 s:ok pid=10 tid=10 v=7\n0.000003 s:ok pid=10 tid=10 v=8\n";

/// What ue-tail says about the events of a tracepoint whose format panicked.
fn format_failed(file: &PipeFile) -> String {
    format!(
        "ue-tail: warning: the record at offset {} cannot be decoded: it is an event of \
         tracepoint id 2, whose format is not in the file, or could not be parsed (see above) \
         (said once for this tracepoint)\n\
         ue-tail: 1 records could not be decoded (see the warnings above)\n",
        file.samples[1]
    )
}

/// The warning about a format that panicked at `location`, with `message`.
fn format_panicked(file: &PipeFile, location: &str, message: &str) -> String {
    format!(
        "ue-tail: warning: the s tracepoint format at offset {} could not be parsed \
         (tracepoint_decode panicked at tracepoint_decode-0.5.0/src/{location}: {message}): \
         that tracepoint's events cannot be decoded\n",
        file.formats[1]
    )
}

#[test]
fn a_format_cut_inside_a_character_costs_only_its_events() {
    let (path, file) = fixture("panic-field-char-boundary.data");
    let (code, stdout, stderr) = run(&path, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stdout, OK_LINES);
    let panicked = format_panicked(
        &file,
        "perf_field_format.rs:141:37",
        "end byte index 1 is not a char boundary; it is inside 'é' (bytes 0..2) of `é`",
    );
    assert_eq!(stderr, panicked + &format_failed(&file));
}

#[test]
fn a_format_with_two_field_lists_costs_only_its_events() {
    let (path, file) = fixture("panic-format-twice.data");
    let (code, stdout, stderr) = run(&path, &["--json"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        stdout,
        "{\"n\":\"s:ok\",\"v\":7,\"meta\":{\"time\":1e-6,\"pid\":10}}\n\
         {\"n\":\"s:ok\",\"v\":8,\"meta\":{\"time\":3e-6,\"pid\":10}}\n"
    );
    let panicked = format_panicked(
        &file,
        "perf_event_format.rs:213:52",
        "index out of bounds: the len is 0 but the index is 0",
    );
    assert_eq!(stderr, panicked + &format_failed(&file));
}

#[test]
fn a_format_id_above_u32_is_not_a_format() {
    let (path, file) = fixture("panic-id-overflow.data");
    let (code, stdout, stderr) = run(&path, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stdout, OK_LINES);
    if cfg!(debug_assertions) {
        let panicked = format_panicked(
            &file,
            "perf_field_format.rs:1088:29",
            "attempt to add with overflow",
        );
        assert_eq!(stderr, panicked + &format_failed(&file));
    } else {
        // Without overflow checks the id wraps; the format has no name.
        assert!(
            stderr.contains("whose format is not in the file (said once"),
            "{stderr}"
        );
    }
}

#[test]
fn a_data_loc_string_that_panics_costs_only_its_record() {
    let (path, file) = fixture("panic-data-loc-string.data");
    let (code, stdout, stderr) = run(&path, &[]);
    if cfg!(debug_assertions) {
        assert_eq!(code, Some(1), "{stderr}");
        assert_eq!(stdout, OK_LINES);
        assert_eq!(
            stderr,
            format!(
                "ue-tail: warning: the record at offset {} (an event of s:d from pid 10) cannot \
                 be decoded: the decoder panicked at \
                 tracepoint_decode-0.5.0/src/perf_field_format.rs:942:20: attempt to subtract \
                 with overflow\n\
                 ue-tail: 1 records could not be decoded (see the warnings above)\n",
                file.samples[1]
            )
        );
    } else {
        assert_eq!(code, Some(0), "{stderr}");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 3, "{stdout}");
        assert!(
            lines[1].starts_with("0.000002 s:d pid=10 tid=10 f="),
            "{stdout}"
        );
    }
}

#[test]
fn an_eventheader_field_with_both_array_flags_costs_only_its_record() {
    an_eventheader_field_costs_only_its_record(
        "panic-eventheader-array-flags.data",
        "tracepoint_decode-0.5.0/src/perf_item.rs:412:9: assertion failed: \
         encoding_and_array_flag.array_flags() != FieldEncoding::ArrayFlagMask",
        "f=[0]",
    );
}

#[test]
fn an_eventheader_array_of_empty_structs_costs_only_its_record() {
    an_eventheader_field_costs_only_its_record(
        "panic-eventheader-struct-array.data",
        "tracepoint_decode-0.5.0/src/perf_item.rs:429:13: assertion failed: \
         format.as_int() != 0",
        "f=[{}]",
    );
}

/// The fixture `name` of [`three`] EventHeader events, whose middle one
/// panics at `location` with debug assertions and shows `release` without.
fn an_eventheader_field_costs_only_its_record(name: &str, location: &str, release: &str) {
    let (path, file) = fixture(name);
    let ok = "0.000001 P:E info pid=10 tid=10\n0.000003 P:E info pid=10 tid=10\n";
    let (code, stdout, stderr) = run(&path, &[]);
    let (json_code, json, json_stderr) = run(&path, &["--json"]);
    if cfg!(debug_assertions) {
        assert_eq!(code, Some(1), "{stderr}");
        assert_eq!(stdout, ok);
        let subject = format!(
            "the record at offset {} (an event of P_L4K1 from pid 10)",
            file.samples[1]
        );
        let counted = "ue-tail: 1 records could not be decoded (see the warnings above)\n";
        assert_eq!(
            stderr,
            format!(
                "ue-tail: warning: {subject} cannot be decoded: the decoder panicked at \
                 {location}\n{counted}"
            )
        );
        // The JSON decoder (otel-user-events-listen's) catches it itself.
        assert_eq!(json_code, Some(1), "{json_stderr}");
        assert_eq!(json.lines().count(), 2, "{json}");
        assert_eq!(
            json_stderr,
            format!(
                "ue-tail: warning: cannot decode {subject}: the decoder panicked at \
                 {location}\n{counted}"
            )
        );
    } else {
        assert_eq!(code, Some(0), "{stderr}");
        let middle = format!("0.000002 P:E info pid=10 tid=10 {release}");
        assert_eq!(stdout.lines().nth(1), Some(middle.as_str()));
        assert_eq!(json_code, Some(0), "{json_stderr}");
    }
}

#[test]
fn eventheader_struct_field_counts_past_255_cost_only_their_record() {
    an_eventheader_field_costs_only_its_record(
        "panic-eventheader-struct-count.data",
        "tracepoint_decode-0.5.0/src/enumerator.rs:1468:17: attempt to add with overflow",
        "a=[]",
    );
}

#[test]
fn a_sample_shorter_than_its_fields_costs_only_its_record() {
    let (path, file) = fixture("panic-short-raw.data");
    let (code, stdout, stderr) = run(&path, &[]);
    if cfg!(debug_assertions) {
        assert_eq!(code, Some(1), "{stderr}");
        assert_eq!(
            stdout,
            "0.000001 s:ok pid=10 tid=10 v=7\n0.000003 s:ok pid=10 tid=10 v=7\n"
        );
        assert_eq!(
            stderr,
            format!(
                "ue-tail: warning: the record at offset {} (an event of s:ok from pid 10) \
                 cannot be decoded: the decoder panicked at \
                 tracepoint_decode-0.5.0/src/perf_item.rs:1428:9: assertion failed: \
                 self.metadata.type_size != 0\n\
                 ue-tail: 1 records could not be decoded (see the warnings above)\n",
                file.samples[1]
            )
        );
    } else {
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(stdout.lines().count(), 3, "{stdout}");
    }
}

/// 2026-11-24T10:00:00Z.
const WALL_SECS: u64 = 1_795_514_400;
/// The monotonic clock at that instant.
const MONOTONIC_AT_WALL: u64 = 5_000_000_000;

/// Three `ue_log!` events (no durations: the bytes are the same each run).
fn captured() -> Vec<CapturedEvent> {
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(WALL_SECS);
    let ((), events) = Capture::new("Shop").unwrap().at_time(time).run(|| {
        ue_log!(info, "Login", user = "bob", ok = true);
        ue_log!(
            error,
            "Upload",
            keyword = 0x10,
            size = 7u32,
            body = "failed"
        );
        ue_log!(info, "Logout", user = "bob");
    });
    assert_eq!(events.len(), 3, "{events:?}");
    events
}

/// The captured events as a normal-mode perf.data (`perf record`'s), 1 ms
/// apart; its bytes.
fn capture_file(name: &str) -> (PathBuf, Vec<u8>) {
    let events = captured();
    let mut formats: Vec<Arc<PerfEventFormat>> = Vec::new();
    for e in &events {
        if !formats.iter().any(|f| f.name() == e.tracepoint) {
            formats.push(eventheader_format(
                &e.tracepoint,
                1000 + formats.len() as u32,
            ));
        }
    }
    let samples: Vec<Event> = events
        .iter()
        .enumerate()
        .map(|(i, e)| Event {
            tracepoint: &e.tracepoint,
            pid: 100,
            tid: 100,
            time: MONOTONIC_AT_WALL + (i as u64 + 1) * 1_000_000,
            cpu: 0,
            payload: &e.payload,
        })
        .collect();
    let path = temp(name);
    write_perf_data(
        &path,
        &formats,
        &samples,
        (WALL_SECS * 1_000_000_000, MONOTONIC_AT_WALL),
    );
    let bytes = std::fs::read(&path).unwrap();
    (path, bytes)
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "ue-tail-damaged-{name}-{}.data",
        std::process::id()
    ))
}

/// Writes `bytes` to a temporary file, runs ue-tail on it, removes it.
fn run_bytes(name: &str, bytes: &[u8], args: &[&str]) -> (Option<i32>, String, String) {
    let path = temp(name);
    std::fs::write(&path, bytes).unwrap();
    let result = run(path.to_str().unwrap(), args);
    std::fs::remove_file(path).unwrap();
    result
}

/// (offset, type, size) of each record of a pipe-mode file.
fn pipe_records(bytes: &[u8]) -> Vec<(usize, u32, usize)> {
    let mut records = Vec::new();
    let mut at = 16;
    while at < bytes.len() {
        let ty = u32::from_ne_bytes(bytes[at..at + 4].try_into().unwrap());
        let size = u16::from_ne_bytes(bytes[at + 6..at + 8].try_into().unwrap()) as usize;
        records.push((at, ty, size));
        at += size;
        if ty == 66 {
            // The tracing data follows its record.
            at += u32::from_ne_bytes(bytes[at - size + 8..at - size + 12].try_into().unwrap())
                as usize;
        }
    }
    records
}

#[test]
fn a_file_missing_its_last_byte_shows_every_record() {
    let (path, bytes) = capture_file("whole");
    let whole = ue_tail_ok(&["--file", path.to_str().unwrap()]);
    assert_eq!(whole.lines().count(), 3, "{whole}");
    assert!(
        whole.starts_with("2026-11-24T10:00:00.001000Z Shop:Login info"),
        "{whole}"
    );
    std::fs::remove_file(path).unwrap();

    // The last bytes are the id of the last attribute (tracepoint_perf's
    // writer puts the attributes last); the event descriptions have it too.
    let len = bytes.len() - 1;
    let (code, stdout, stderr) = run_bytes("last-byte", &bytes[..len], &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stdout, whole);
    assert_eq!(
        stderr,
        format!(
            "ue-tail: warning: the file ends early, at offset {len}: the ids of attribute 1 at \
             offset {} needs 8 bytes, 7 are present; the whole records before it were read\n",
            len - 7
        )
    );
}

#[test]
fn a_pipe_file_cut_inside_a_record_shows_the_records_before_it() {
    let (path, normal) = capture_file("pipe");
    let whole = ue_tail_ok(&["--file", path.to_str().unwrap()]);
    let pipe = to_pipe_mode(&path);
    std::fs::remove_file(path).unwrap();
    assert_ne!(pipe, normal);
    // The same events, read from the other layout.
    let (code, stdout, stderr) = run_bytes("pipe-whole", &pipe, &[]);
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (Some(0), whole.as_str(), "")
    );

    let samples: Vec<_> = pipe_records(&pipe)
        .into_iter()
        .filter(|&(_, ty, _)| ty == 9)
        .collect();
    assert_eq!(samples.len(), 3);
    let (at, _, size) = samples[2];
    let cut = at + size / 2;
    let (code, stdout, stderr) = run_bytes("pipe-cut", &pipe[..cut], &[]);
    assert_eq!(code, Some(1), "{stderr}");
    let first_two: String = whole.lines().take(2).map(|l| format!("{l}\n")).collect();
    assert_eq!(stdout, first_two);
    assert_eq!(
        stderr,
        format!(
            "ue-tail: warning: the file ends early, at offset {cut}: the record at offset {at} \
             needs {size} bytes, {} are present; the whole records before it were read\n",
            size / 2
        )
    );
}

#[test]
fn a_normal_file_cut_inside_its_data_says_what_is_lost() {
    let (path, bytes) = capture_file("cut");
    std::fs::remove_file(path).unwrap();
    // The data section starts after the 104-byte header: FINISHED_INIT (8
    // bytes), then the samples; cut inside the second one.
    let first = 104 + 8;
    let size = u16::from_ne_bytes(bytes[first + 6..first + 8].try_into().unwrap()) as usize;
    let second = first + size;
    let cut = second + 20;
    let (code, stdout, stderr) = run_bytes("data-cut", &bytes[..cut], &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stdout, "");
    let second_size = u16::from_ne_bytes(bytes[second + 6..second + 8].try_into().unwrap());
    assert_eq!(
        stderr,
        format!(
            "ue-tail: warning: the record at offset {first} cannot be decoded: the file \
             describes no events: its attributes (perf_event_attr) are missing (said once for \
             all such records)\n\
             ue-tail: warning: the file ends early, at offset {cut}: the record at offset \
             {second} needs {second_size} bytes, 20 are present; a perf.data file keeps its \
             event descriptions and formats after its data, so they are lost; the whole \
             records before it were read\n\
             ue-tail: 1 records could not be decoded (see the warnings above)\n"
        )
    );

    // Inside the header: nothing to read.
    let (code, stdout, stderr) = run_bytes("header-cut", &bytes[..50], &[]);
    assert_eq!((code, stdout.as_str()), (Some(1), ""));
    assert_eq!(
        stderr,
        "ue-tail: warning: the file ends early, at offset 50: the file header at offset 0 \
         needs 104 bytes, 50 are present; the whole records before it were read\n"
    );
}

/// Writes the fuzz seeds made from a capture (with `UE_TAIL_BLESS`): the
/// normal- and pipe-mode files for `perf_data_file`, and each event's
/// payload (after the selector byte of its tracepoint name, see
/// fuzz/src/lib.rs) for `eventheader_payload`.
#[test]
fn fuzz_seeds_from_a_capture() {
    if !bless() {
        return;
    }
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    let (path, normal) = capture_file("seeds");
    let pipe = to_pipe_mode(&path);
    std::fs::remove_file(path).unwrap();
    let files = corpus.join("perf_data_file");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(files.join("seed-capture-normal.data"), normal).unwrap();
    std::fs::write(files.join("seed-capture-pipe.data"), pipe).unwrap();
    let payloads = corpus.join("eventheader_payload");
    std::fs::create_dir_all(&payloads).unwrap();
    // fuzz/src/lib.rs's TRACEPOINTS.
    const TRACEPOINTS: [&str; 4] = ["P_L4K1", "Shop_L4K1", "Shop_L2K10", "P_L4K1Gteam"];
    for (i, e) in captured().iter().enumerate() {
        let selector = TRACEPOINTS
            .iter()
            .position(|t| *t == e.tracepoint)
            .unwrap_or(0);
        let mut seed = vec![selector as u8];
        seed.extend_from_slice(&e.payload);
        std::fs::write(payloads.join(format!("seed-capture-{i}")), seed).unwrap();
    }
    for (name, payload) in [
        ("seed-array-flags", EVENT_ARRAY_FLAGS),
        ("seed-struct-array", EVENT_STRUCT_ARRAY),
        ("seed-struct-count", EVENT_STRUCT_COUNT),
    ] {
        let mut seed = vec![0];
        seed.extend_from_slice(payload);
        std::fs::write(payloads.join(name), seed).unwrap();
    }
}
