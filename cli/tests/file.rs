//! `ue-tail --file`: a perf.data file written with `tracepoint_perf` from the
//! exact bytes our macros write (no kernel needed), decoded to human lines and
//! JSON, with the filters.

mod support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _, Severity};
use opentelemetry_sdk::logs::SdkLoggerProvider;
use otel_user_events::testing::{Capture, CapturedEvent, sequential_activity_ids};
use otel_user_events::{Level, logs::UserEventsProcessor, otel_event, ue_log};
use otel_user_events_test_support::decode::mask_durations;
use support::{Event, eventheader_format, ue_tail, ue_tail_ok, write_perf_data};
use tracepoint_decode::PerfEventFormat;

/// 2026-11-24T10:00:00Z.
const WALL_SECS: u64 = 1_795_514_400;
/// The monotonic clock at that instant.
const MONOTONIC_AT_WALL: u64 = 5_000_000_000;

#[otel_event(ret)]
fn charge(amount: u64) -> u64 {
    amount * 2
}

/// The macro events, in order: Login, Upload, charge start, charge stop.
fn events() -> Vec<CapturedEvent> {
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(WALL_SECS);
    let ((), events) = sequential_activity_ids(|| {
        Capture::new("Shop").unwrap().at_time(time).run(|| {
            let user = "bob \"the builder\"";
            ue_log!(info, "Login", user, ok = true, ms = 12u32);
            let sizes = [1u16, 2, 3];
            ue_log!(
                Level::Error,
                "Upload",
                keyword = 0x10,
                sizes,
                body = "failed"
            );
            charge(5);
        })
    });
    assert_eq!(events.len(), 4, "{events:?}");
    events
}

/// A tracepoint without EventHeader, as a perf.data file may also hold.
fn plain_format() -> Arc<PerfEventFormat> {
    let text = "name: wakeup\nID: 77\nformat:\n\
        \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\
        \tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n\
        \tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n\
        \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n\
        \tfield:int target_pid;\toffset:8;\tsize:4;\tsigned:1;\n\n\
        print fmt: \"\"\n";
    Arc::new(PerfEventFormat::parse(true, "sched", text).unwrap())
}

/// Writes the events 1 ms apart (pid 100, tid 100 + i) and a plain event last.
fn perf_data(name: &str) -> PathBuf {
    perf_data_of(name, events())
}

/// Writes `events` 1 ms apart (pid 100, tid 100 + i) and a plain event last.
fn perf_data_of(name: &str, events: Vec<CapturedEvent>) -> PathBuf {
    let mut tracepoints: Vec<Arc<PerfEventFormat>> = Vec::new();
    for e in &events {
        if !tracepoints.iter().any(|f| f.name() == e.tracepoint) {
            tracepoints.push(eventheader_format(
                &e.tracepoint,
                1000 + tracepoints.len() as u32,
            ));
        }
    }
    tracepoints.push(plain_format());
    let plain_payload = 7i32.to_ne_bytes();
    let mut samples: Vec<Event> = events
        .iter()
        .enumerate()
        .map(|(i, e)| Event {
            tracepoint: &e.tracepoint,
            pid: 100,
            tid: 100 + i as u32,
            time: MONOTONIC_AT_WALL + (i as u64 + 1) * 1_000_000,
            cpu: 1,
            payload: &e.payload,
        })
        .collect();
    samples.push(Event {
        tracepoint: "wakeup",
        pid: 200,
        tid: 200,
        time: MONOTONIC_AT_WALL + 9_000_000,
        cpu: 0,
        payload: &plain_payload,
    });
    let path = std::env::temp_dir().join(format!("ue-tail-{name}-{}.data", std::process::id()));
    write_perf_data(
        &path,
        &tracepoints,
        &samples,
        (WALL_SECS * 1_000_000_000, MONOTONIC_AT_WALL),
    );
    path
}

#[test]
fn decodes_a_perf_data_file_for_people() {
    let path = perf_data("human");
    let out = mask_durations(&ue_tail_ok(&["--file", path.to_str().unwrap()]));
    assert_eq!(
        out,
        "2026-11-24T10:00:00.001000Z Shop:Login info pid=100 tid=100 \
         user=\"bob \\\"the builder\\\"\" ok=true ms=12\n\
         2026-11-24T10:00:00.002000Z Shop:Upload error pid=100 tid=101 \
         sizes=[1,2,3] body=\"failed\"\n\
         2026-11-24T10:00:00.003000Z Shop:charge info start pid=100 tid=102 \
         activity=00000000-0000-0000-0000-000000000001 amount=5\n\
         2026-11-24T10:00:00.004000Z Shop:charge info stop pid=100 tid=103 \
         activity=00000000-0000-0000-0000-000000000001 return=10 duration_ns=D\n\
         2026-11-24T10:00:00.009000Z sched:wakeup pid=200 tid=200 target_pid=7\n"
    );
    std::fs::remove_file(path).unwrap();
}

#[test]
fn decodes_a_perf_data_file_to_json() {
    let path = perf_data("json");
    let out = mask_durations(&ue_tail_ok(&["--json", "--file", path.to_str().unwrap()]));
    let lines: Vec<&str> = out.lines().collect();
    let part_a = r#""PartA":{"time":"2026-11-24T10:00:00Z"}"#;
    let activity = r#""activity":"00000000-0000-0000-0000-000000000001""#;
    assert_eq!(
        lines,
        [
            format!(
                r#"{{"n":"Shop:Login","__csver__":1024,{part_a},"PartC":{{"user":"bob \"the builder\"","ok":true,"ms":12}},"PartB":{{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"Login"}},"meta":{{"time":"2026-11-24T10:00:00.0010000Z","cpu":1,"pid":100,"level":4,"keyword":"0x1"}}}}"#
            ),
            format!(
                r#"{{"n":"Shop:Upload","__csver__":1024,{part_a},"PartC":{{"sizes":[1,2,3]}},"PartB":{{"_typeName":"Log","body":"failed","severityNumber":17,"severityText":"ERROR","name":"Upload"}},"meta":{{"time":"2026-11-24T10:00:00.0020000Z","cpu":1,"pid":100,"tid":101,"level":2,"keyword":"0x10"}}}}"#
            ),
            format!(
                r#"{{"n":"Shop:charge","__csver__":1024,{part_a},"PartC":{{"amount":5}},"PartB":{{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"charge"}},"meta":{{"time":"2026-11-24T10:00:00.0030000Z","cpu":1,"pid":100,"tid":102,"level":4,"keyword":"0x1","opcode":1,{activity}}}}}"#
            ),
            format!(
                r#"{{"n":"Shop:charge","__csver__":1024,{part_a},"PartC":{{"return":10,"duration_ns":D}},"PartB":{{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"charge"}},"meta":{{"time":"2026-11-24T10:00:00.0040000Z","cpu":1,"pid":100,"tid":103,"level":4,"keyword":"0x1","opcode":2,{activity}}}}}"#
            ),
            r#"{"n":"sched:wakeup","target_pid":7,"meta":{"time":"2026-11-24T10:00:00.0090000Z","cpu":0,"pid":200}}"#.to_owned(),
        ]
    );
    std::fs::remove_file(path).unwrap();
}

#[test]
fn filters_apply_to_files() {
    let path = perf_data("filters");
    let file = path.to_str().unwrap();
    let names = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--file", file];
        all.extend_from_slice(args);
        ue_tail_ok(&all)
            .lines()
            .map(|l| l.split(' ').nth(1).unwrap().to_owned())
            .collect()
    };
    let all_macro = ["Shop:Login", "Shop:Upload", "Shop:charge", "Shop:charge"];
    assert_eq!(names(&["Shop"]), all_macro);
    assert!(names(&["Other"]).is_empty());
    assert_eq!(names(&["--level", "error"]), ["Shop:Upload"]);
    assert_eq!(names(&["--keyword", "0x10"]), ["Shop:Upload"]);
    assert_eq!(names(&["-k", "1", "-e", "charge"]), ["Shop:charge"; 2]);
    assert_eq!(names(&["--event", "Login", "-e", "Upload"]), all_macro[..2]);
    assert_eq!(names(&["--count", "2"]), all_macro[..2]);
    std::fs::remove_file(path).unwrap();
}

const TRACE_1: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const TRACE_2: &str = "0af7651916cd43dd8448eb211c80319c";

/// `ue_log!` inside a span of trace 1, inside one of trace 2, outside any,
/// and an `#[otel_event]` activity (id `...0001`).
fn span_events() -> Vec<CapturedEvent> {
    use opentelemetry::trace::{
        SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState,
    };
    let in_span = |trace: &str, span: &str, f: &dyn Fn()| {
        let sc = SpanContext::new(
            TraceId::from_hex(trace).unwrap(),
            SpanId::from_hex(span).unwrap(),
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        );
        let _guard = opentelemetry::Context::current()
            .with_remote_span_context(sc)
            .attach();
        f();
    };
    let ((), events) = sequential_activity_ids(|| {
        Capture::new("Shop").unwrap().run(|| {
            in_span(TRACE_1, "00f067aa0ba902b7", &|| ue_log!(info, "InSpan"));
            in_span(TRACE_2, "b7ad6b7169203331", &|| ue_log!(info, "OtherTrace"));
            ue_log!(info, "Plain");
            charge(5);
        })
    });
    assert_eq!(events.len(), 5, "{events:?}");
    events
}

#[test]
fn activity_and_trace_filters_pick_a_spans_events() {
    let path = perf_data_of("spans", span_events());
    let file = path.to_str().unwrap();
    let names = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--file", file];
        all.extend_from_slice(args);
        ue_tail_ok(&all)
            .lines()
            .map(|l| l.split(' ').nth(1).unwrap().to_owned())
            .collect()
    };
    // The span's activity id: trace 1's first 16 hex digits, then the span id.
    assert_eq!(
        names(&["--activity", "4bf92f35-77b3-4da6-00f0-67aa0ba902b7"]),
        ["Shop:InSpan"]
    );
    assert_eq!(
        names(&["-a", "4bf92f3577b34da600f067aa0ba902b7"]),
        ["Shop:InSpan"]
    );
    assert_eq!(
        names(&["--activity", "00000000-0000-0000-0000-000000000001"]),
        ["Shop:charge"; 2]
    );
    assert!(names(&["--activity", "00000000-0000-0000-0000-000000000009"]).is_empty());
    assert_eq!(names(&["--trace", TRACE_1]), ["Shop:InSpan"]);
    assert_eq!(
        names(&["--trace", &TRACE_2.to_uppercase(), "-t", TRACE_1]),
        ["Shop:InSpan", "Shop:OtherTrace"]
    );
    // With another filter, and with the JSON output.
    assert!(names(&["--trace", TRACE_1, "-e", "Plain"]).is_empty());
    let json = ue_tail_ok(&["--file", file, "--json", "--trace", TRACE_2]);
    assert_eq!(json.lines().count(), 1, "{json}");
    assert!(json.contains(r#""n":"Shop:OtherTrace""#), "{json}");
    std::fs::remove_file(path).unwrap();
}

/// A record of processor `Shop` in `group` (or none), with body `body`, as captured.
fn grouped_record(group: Option<&str>, body: &'static str) -> CapturedEvent {
    let builder = UserEventsProcessor::builder("Shop");
    let processor = match group {
        Some(group) => builder.with_provider_group(group),
        None => builder,
    }
    .build()
    .unwrap();
    let logger = SdkLoggerProvider::builder()
        .with_log_processor(processor)
        .build()
        .logger("test");
    let ((), mut events) = Capture::new("Unused").unwrap().run(|| {
        let mut record = logger.create_log_record();
        record.set_severity_number(Severity::Info);
        record.set_body(body.into());
        logger.emit(record);
    });
    assert_eq!(events.len(), 1, "{events:?}");
    events.remove(0)
}

#[test]
fn files_filter_by_provider_group() {
    let events = [
        grouped_record(Some("team7"), "in team7"),
        grouped_record(Some("other"), "in other"),
        grouped_record(None, "in none"),
    ];
    let tracepoints: Vec<String> = events.iter().map(|e| e.tracepoint.clone()).collect();
    assert_eq!(
        tracepoints,
        ["Shop_L4K1Gteam7", "Shop_L4K1Gother", "Shop_L4K1"]
    );
    let formats: Vec<_> = tracepoints
        .iter()
        .enumerate()
        .map(|(i, t)| eventheader_format(t, 2000 + i as u32))
        .collect();
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
    let path = std::env::temp_dir().join(format!("ue-tail-group-{}.data", std::process::id()));
    write_perf_data(
        &path,
        &formats,
        &samples,
        (WALL_SECS * 1_000_000_000, MONOTONIC_AT_WALL),
    );
    let file = path.to_str().unwrap();
    let bodies = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--json", "--file", file];
        all.extend_from_slice(args);
        ue_tail_ok(&all)
            .lines()
            .map(|l| {
                let json: serde_json::Value = serde_json::from_str(l).unwrap();
                assert_eq!(json["n"], "Shop:Log", "{l}");
                json["PartB"]["body"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    assert_eq!(bodies(&["Shop"]), ["in team7", "in other", "in none"]);
    assert_eq!(bodies(&["--group", "team7"]), ["in team7"]);
    assert_eq!(bodies(&["--group", "team7", "Shop"]), ["in team7"]);
    assert_eq!(bodies(&["-g", "other", "Shop"]), ["in other"]);
    assert!(bodies(&["--group", "team7", "Other"]).is_empty());
    assert!(bodies(&["--group", "team"]).is_empty());
    std::fs::remove_file(path).unwrap();
}

/// A `ue_log!` event named `Hello` of provider `provider`, as captured.
fn hello_of(provider: &str) -> CapturedEvent {
    let ((), mut events) = Capture::new(provider)
        .unwrap()
        .run(|| ue_log!(info, "Hello", n = 1u32));
    assert_eq!(events.len(), 1, "{events:?}");
    events.remove(0)
}

#[test]
fn files_filter_by_several_providers() {
    let path = perf_data_of("several", ["Shop", "Billing", "Stock"].map(hello_of).into());
    let file = path.to_str().unwrap();
    let shown = |json: bool, providers: &[&str]| -> Vec<String> {
        let mut args = vec!["--file", file];
        if json {
            args.push("--json");
        }
        args.extend_from_slice(providers);
        let stdout = ue_tail_ok(&args);
        let names = stdout.lines().map(|line| {
            if json {
                let event: serde_json::Value = serde_json::from_str(line).unwrap();
                event["n"].as_str().unwrap().to_owned()
            } else {
                line.split(' ').nth(1).unwrap().to_owned()
            }
        });
        names.collect()
    };
    for json in [false, true] {
        // In the file's order, each under its own provider.
        assert_eq!(
            shown(json, &[]),
            ["Shop:Hello", "Billing:Hello", "Stock:Hello", "sched:wakeup"]
        );
        assert_eq!(
            shown(json, &["Stock", "Shop"]),
            ["Shop:Hello", "Stock:Hello"]
        );
        assert_eq!(shown(json, &["Billing", "Other"]), ["Billing:Hello"]);
        assert!(shown(json, &["Shops", "Bill", "Other"]).is_empty());
    }
    let twice = ue_tail(&["--file", file, "Shop", "Stock", "Shop"]);
    assert_eq!(twice.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&twice.stderr);
    assert!(
        stderr.contains("the provider Shop is named twice: name each provider once"),
        "{stderr}"
    );
    std::fs::remove_file(path).unwrap();
}

#[test]
fn a_bad_group_is_a_usage_error() {
    let output = ue_tail(&["--group", "Team_7", "Shop"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "'T' is not allowed in a provider group (only lowercase ASCII letters and digits)"
        ),
        "{stderr}"
    );
    let long = "P".repeat(230);
    let output = ue_tail(&["--group", "team", &long]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("provider group is 4 bytes long; the limit is 3 bytes"),
        "{stderr}"
    );
}

#[test]
fn a_missing_or_bad_file_is_an_error() {
    let output = ue_tail(&["--file", "/nonexistent/perf.data"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "ue-tail: error: cannot decode /nonexistent/perf.data: No such file or directory (os error 2)\n"
    );

    let path = std::env::temp_dir().join(format!("ue-tail-bad-{}.data", std::process::id()));
    std::fs::write(&path, b"not a perf.data file").unwrap();
    let output = ue_tail(&["--file", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "ue-tail: error: cannot decode {}: ",
            path.display()
        )),
        "{stderr}"
    );
    std::fs::remove_file(path).unwrap();
}

#[test]
fn an_empty_or_text_file_is_not_perf_data() {
    let hint = "; `perf record` writes one, e.g. `sudo perf record -k monotonic -e \
                user_events:MyService_L4K1 -- ./app`\n";
    for (name, content, what) in [
        ("empty", &b""[..], "it is empty"),
        (
            "text",
            &b"hello, this is text\n"[..],
            "it does not start with perf's PERFILE2 header",
        ),
        (
            "short",
            &b"PERF"[..],
            "it does not start with perf's PERFILE2 header",
        ),
    ] {
        let path = std::env::temp_dir().join(format!("ue-tail-{name}-{}.data", std::process::id()));
        std::fs::write(&path, content).unwrap();
        let output = ue_tail(&["--file", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(1), "{name}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            format!(
                "ue-tail: error: cannot decode {}: it is not a perf.data file ({what}){hint}",
                path.display()
            ),
            "{name}"
        );
        std::fs::remove_file(path).unwrap();
    }
}

#[test]
fn usage_errors_name_the_rule() {
    let output = ue_tail(&["My-Service"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("'-' is not allowed in a provider name"),
        "{stderr}"
    );
}

#[test]
fn levels_outside_1_to_5_are_usage_errors() {
    for level in ["0", "6", "255"] {
        let output = ue_tail(&["--level", level, "MyService"]);
        assert_eq!(output.status.code(), Some(2), "--level {level}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!(
                "level {level} is not an EventHeader level: use critical (1), error (2), \
                 warning (3), info (4) or verbose (5)"
            )),
            "{stderr}"
        );
    }
    let output = ue_tail(&["--level", "loud", "MyService"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("unknown level \"loud\": use critical (1)"),
        "{:?}",
        output.stderr
    );
}
