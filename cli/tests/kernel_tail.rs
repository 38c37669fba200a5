//! `ue-tail` against a real kernel: the quickstart example runs while ue-tail
//! watches, and its events must come out decoded, with all fields; perf.data
//! files of the same run, one from `perf record` (when a perf runs here: Debian's
//! linux-perf) and one written with `tracepoint_perf` from a capture, must decode
//! to the same events.
//!
//! Runs only inside the VM: `scripts/kernel-test.sh cargo-test -p ue-tail --test
//! kernel_tail`. Elsewhere each test prints a `skipped:` line.

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

use eventheader_dynamic::{EventBuilder, FieldFormat, Level, Provider};
use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _, Severity};
use opentelemetry_sdk::logs::SdkLoggerProvider;
use otel_user_events::{logs::UserEventsProcessor, provider::OutputMode, ue_log};
use otel_user_events_listen::tracefs::Tracefs;
use otel_user_events_test_support::perf::Listener;
use otel_user_events_test_support::require_kernel;
use support::masked::{mask, masked_json, masked_lines};
use support::record::{capture_to_file, find_perf, perf_record};
use support::tail::Tail;
use support::{run_quickstart, ue_tail, ue_tail_ok};

/// The example, run by [`quickstart_child`] in a process of its own.
#[path = "../../examples/quickstart.rs"]
mod quickstart;

/// Set in the environment of the process that runs the quickstart.
const CHILD: &str = "OTEL_UE_TAIL_QUICKSTART_CHILD";

/// Every test watches the provider MyService or runs the quickstart: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
#[ignore = "the quickstart example; the other tests run it in a child process"]
fn quickstart_child() {
    if std::env::var_os(CHILD).is_some() {
        quickstart::main();
    }
}

/// The quickstart's two events as `ue-tail --json` shows them, with times,
/// cpu and tid masked and the writer's pid as `PID`.
fn expected_json() -> [&'static str; 2] {
    [
        r#"{"n":"MyService:OrderPlaced","__csver__":1024,"PartA":{"time":X},"PartC":{"order_id":42,"customer":"ada","amount":9.99,"express":true},"PartB":{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"OrderPlaced"},"meta":{"time":X,"cpu":X,"pid":PID,"tid":X,"level":4,"keyword":"0x1"}}"#,
        r#"{"n":"MyService:Retry","__csver__":1024,"PartA":{"time":X},"PartC":{"attempt":2,"error":"timed out"},"PartB":{"_typeName":"Log","body":"retrying","severityNumber":13,"severityText":"WARN","name":"Retry"},"meta":{"time":X,"cpu":X,"pid":PID,"tid":X,"level":3,"keyword":"0x10"}}"#,
    ]
}

/// The quickstart's events as ue-tail shows them to people, after the time.
fn expected_lines() -> [&'static str; 2] {
    [
        r#"MyService:OrderPlaced info pid=PID tid=X order_id=42 customer="ada" amount=9.99 express=true"#,
        r#"MyService:Retry warning pid=PID tid=X attempt=2 error="timed out" body="retrying""#,
    ]
}

const QUICKSTART_KEYWORDS: [&str; 4] = ["--keyword", "1", "--keyword", "0x10"];

/// Runs the quickstart while `ue-tail ARGS --keyword 1 --keyword 0x10
/// MyService` watches; returns ue-tail's output, its stderr's "watching" line
/// and the quickstart's pid.
fn tail_quickstart(args: &[&str]) -> (String, String, u32) {
    let mut all = args.to_vec();
    all.extend(QUICKSTART_KEYWORDS);
    all.push("MyService");
    let tail = Tail::start(&all);
    let watching = tail.stderr_seen().last().unwrap().clone();
    let pid = run_quickstart(CHILD);
    let (status, stdout, stderr) = tail.finish();
    assert!(status.success(), "{status}: {stderr}");
    assert!(!stderr.contains("lost"), "{stderr}");
    (stdout, watching, pid)
}

#[test]
fn tails_the_quickstart_as_json() {
    require_kernel!();
    let _serial = serial();
    let (stdout, watching, pid) = tail_quickstart(&["--json", "--count", "2"]);
    // Registered ahead of the quickstart: every level of both keywords.
    for level in 1..=5 {
        for keyword in [1, 0x10] {
            let name = format!("MyService_L{level}K{keyword:x}");
            assert!(watching.contains(&name), "{name} not in {watching:?}");
        }
    }
    assert_eq!(masked_json(&stdout, pid), expected_json(), "{stdout}");
}

#[test]
fn tails_the_quickstart_for_people() {
    require_kernel!();
    let _serial = serial();
    let (stdout, _, pid) = tail_quickstart(&["-n", "2"]);
    assert_eq!(masked_lines(&stdout, pid), expected_lines(), "{stdout}");
}

#[test]
fn level_and_event_filters_pick_events() {
    require_kernel!();
    let _serial = serial();
    // Retry is the only warning; OrderPlaced the only event of that name.
    for (filter, expected) in [
        (["--level", "warning"], &expected_lines()[1]),
        (["--event", "OrderPlaced"], &expected_lines()[0]),
    ] {
        let mut args = vec!["--count", "1"];
        args.extend(filter);
        let (stdout, _, pid) = tail_quickstart(&args);
        assert_eq!(
            masked_lines(&stdout, pid),
            [expected.to_owned()],
            "{filter:?}"
        );
    }
}

#[test]
fn follows_tracepoints_registered_while_it_runs() {
    require_kernel!();
    let _serial = serial();
    let mut tail = Tail::start(&["--json", "--count", "1", "UeTailLate"]);
    // A keyword nobody registered ahead: ue-tail must notice it in
    // user_events_status and attach.
    let mut provider = Provider::new("UeTailLate", &Provider::new_options());
    let set = provider.register_set(Level::Informational, 0x20);
    assert_eq!(set.errno(), 0);
    // ... and register the other levels of that keyword ahead, as for keyword 1.
    let line = tail.wait_for_stderr("ue-tail: watching UeTailLate_L1K20");
    assert_eq!(
        line,
        "ue-tail: watching UeTailLate_L1K20 UeTailLate_L2K20 UeTailLate_L3K20 \
         UeTailLate_L4K20 UeTailLate_L5K20 too"
    );
    assert!(
        set.enabled(),
        "ue-tail attached, so the tracepoint is enabled"
    );
    let written = EventBuilder::new()
        .reset("Late", 0)
        .add_value("n", 7u32, FieldFormat::Default, 0)
        .write(&set, None, None);
    assert_eq!(written, 0);
    let (status, stdout, stderr) = tail.finish();
    assert!(status.success(), "{status}: {stderr}");
    let line = ["time", "cpu", "tid"]
        .iter()
        .fold(stdout.trim_end().to_owned(), |l, key| mask(&l, key));
    assert_eq!(
        line,
        format!(
            r#"{{"n":"UeTailLate:Late","n":7,"meta":{{"time":X,"cpu":X,"pid":{},"tid":X,"level":4,"keyword":"0x20"}}}}"#,
            std::process::id()
        )
    );
}

/// The registered tracepoints whose name starts with `prefix`, sorted.
fn registered_with_prefix(prefix: &str) -> Vec<String> {
    let status = Tracefs::find().unwrap().user_events_status().unwrap();
    let mut names: Vec<String> = status
        .entries
        .into_iter()
        .map(|e| e.name)
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    names
}

#[test]
fn watches_a_processor_in_a_provider_group() {
    require_kernel!();
    let _serial = serial();
    let tail = Tail::start(&["--json", "--count", "1", "--group", "team7", "UeTailGroup"]);
    // Registered ahead with the group, so the processor's first record is seen.
    assert_eq!(
        tail.stderr_seen().last().unwrap(),
        "ue-tail: watching UeTailGroup_L1K1Gteam7 UeTailGroup_L2K1Gteam7 \
         UeTailGroup_L3K1Gteam7 UeTailGroup_L4K1Gteam7 UeTailGroup_L5K1Gteam7 (Ctrl-C to stop)"
    );
    let processor = UserEventsProcessor::builder("UeTailGroup")
        .with_provider_group("team7")
        .build()
        .unwrap();
    let report = processor.report().clone();
    assert!(report.all_registered(), "{report}");
    let names: Vec<&str> = report.tracepoints.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "UeTailGroup_L1K1Gteam7",
            "UeTailGroup_L2K1Gteam7",
            "UeTailGroup_L3K1Gteam7",
            "UeTailGroup_L4K1Gteam7",
            "UeTailGroup_L5K1Gteam7"
        ]
    );
    assert_eq!(registered_with_prefix("UeTailGroup_"), names);
    let logger_provider = SdkLoggerProvider::builder()
        .with_log_processor(processor)
        .build();
    let logger = logger_provider.logger("kernel_tail");
    let mut record = logger.create_log_record();
    record.set_severity_number(Severity::Info);
    record.set_body("grouped".into());
    logger.emit(record);
    let (status, stdout, stderr) = tail.finish();
    assert!(status.success(), "{status}: {stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let event: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(event["n"], "UeTailGroup:Log", "{event}");
    assert_eq!(event["PartB"]["body"], "grouped", "{event}");
    assert_eq!(event["PartB"]["severityNumber"], 9, "{event}");
    assert_eq!(event["meta"]["level"], 4, "{event}");
    assert_eq!(event["meta"]["keyword"], "0x1", "{event}");
    assert_eq!(
        event["meta"]["pid"].as_u64(),
        Some(u64::from(std::process::id())),
        "{event}"
    );
    let _ = logger_provider.shutdown();
}

#[test]
fn watches_a_provider_in_a_provider_group() {
    require_kernel!();
    let _serial = serial();
    let tail = Tail::start(&["--count", "1", "--group", "team7", "UeTailGroupMacro"]);
    let provider = otel_user_events::Provider::builder("UeTailGroupMacro")
        .with_provider_group("team7")
        .with_output(OutputMode::UserEvents)
        .build()
        .unwrap();
    let reported: Vec<&str> = provider
        .report()
        .tracepoints
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert!(
        reported.contains(&"UeTailGroupMacro_L4K1Gteam7"),
        "{reported:?}"
    );
    assert!(
        reported.iter().all(|n| n.ends_with("Gteam7")),
        "{reported:?}"
    );
    let registered = registered_with_prefix("UeTailGroupMacro_");
    assert!(
        registered.contains(&"UeTailGroupMacro_L4K1Gteam7".to_owned()),
        "{registered:?}"
    );
    assert!(
        registered.iter().all(|n| n.ends_with("Gteam7")),
        "{registered:?}"
    );
    ue_log!(info, "Grouped", n = 7u32);
    let (status, stdout, stderr) = tail.finish();
    provider.shutdown();
    assert!(status.success(), "{status}: {stderr}");
    let (_time, rest) = stdout.trim_end().split_once(' ').unwrap();
    let tid_start = rest.find(" tid=").unwrap() + " tid=".len();
    let tid_end = tid_start + rest[tid_start..].find(' ').unwrap();
    assert_eq!(
        format!("{}X{}", &rest[..tid_start], &rest[tid_end..]),
        format!(
            "UeTailGroupMacro:Grouped info pid={} tid=X n=7",
            std::process::id()
        )
    );
}

/// The providers [`watches_several_providers_in_one_session`] names, the
/// keyword each one's application writes with, and the value it writes.
const SEVERAL: [(&str, u64, u32); 3] = [
    ("UeTailSeveralA", 1, 1),
    ("UeTailSeveralB", 0x20, 2),
    ("UeTailSeveralC", 1, 3),
];

#[test]
fn watches_several_providers_in_one_session() {
    require_kernel!();
    let _serial = serial();
    let options = Provider::new_options();
    // Registered before ue-tail starts: B's keyword 0x20 (which ue-tail then
    // registers ahead for B only) and a provider not named, whose event ue-tail
    // must not show.
    let mut writers: Vec<Provider> = SEVERAL
        .iter()
        .map(|(name, _, _)| Provider::new(name, &options))
        .collect();
    let b_0x20 = writers[1].register_set(Level::Informational, 0x20);
    assert_eq!(b_0x20.errno(), 0);
    let mut unnamed = Provider::new("UeTailSeveralX", &options);
    let unnamed_set = unnamed.register_set(Level::Informational, 1);
    assert_eq!(unnamed_set.errno(), 0);

    let names: Vec<&str> = SEVERAL.iter().map(|(name, _, _)| *name).collect();
    let mut ahead: Vec<String> = [
        (names[0], 1),
        (names[1], 1),
        (names[1], 0x20),
        (names[2], 1),
    ]
    .iter()
    .flat_map(|(name, k)| (1..=5).map(move |level| format!("{name}_L{level}K{k:x}")))
    .collect();
    ahead.sort();
    let watching = format!("ue-tail: watching {} (Ctrl-C to stop)", ahead.join(" "));
    // Two sessions at once, for JSON and for people: each event reaches both.
    let mut args = vec!["--json", "--count", "3"];
    args.extend(&names);
    let json = Tail::start(&args);
    assert_eq!(json.stderr_seen().last().unwrap(), &watching);
    let people = Tail::start(&args[1..]);
    assert_eq!(people.stderr_seen().last().unwrap(), &watching);

    let write = |set: &eventheader_dynamic::EventSet, value: u32| {
        let written = EventBuilder::new()
            .reset("Hello", 0)
            .add_value("value", value, FieldFormat::Default, 0)
            .write(set, None, None);
        assert_eq!(written, 0);
    };
    // Not attached to the provider not named (else its tracepoint would be
    // enabled). Another listener is, so its event is written, and first: shown,
    // it would take one of the three lines.
    assert!(!unnamed_set.enabled());
    let mut other = Listener::start(&["UeTailSeveralX_L4K1"]).unwrap();
    write(&unnamed_set, 9);
    assert_eq!(other.drain().len(), 1);
    for (writer, &(_, keyword, value)) in writers.iter_mut().zip(&SEVERAL) {
        let set = writer.register_set(Level::Informational, keyword);
        assert!(
            set.enabled(),
            "ue-tail attached, so the tracepoint is enabled"
        );
        write(&set, value);
    }

    let pid = std::process::id();
    let mut expected: Vec<String> = SEVERAL
        .iter()
        .map(|(name, keyword, value)| format!("{name}:Hello {value} {keyword:#x}"))
        .collect();
    expected.sort();
    let (status, stdout, stderr) = json.finish();
    assert!(status.success(), "{status}: {stderr}");
    let mut shown: Vec<String> = stdout
        .lines()
        .map(|line| {
            let event: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(
                event["meta"]["pid"].as_u64(),
                Some(u64::from(pid)),
                "{line}"
            );
            let (n, value) = (event["n"].as_str().unwrap(), &event["value"]);
            format!("{n} {value} {}", event["meta"]["keyword"].as_str().unwrap())
        })
        .collect();
    // One ring a CPU: the test checks which events, not their order.
    shown.sort();
    assert_eq!(shown, expected, "{stdout}");
    let (status, stdout, stderr) = people.finish();
    assert!(status.success(), "{status}: {stderr}");
    let mut shown = masked_lines(&stdout, pid);
    shown.sort();
    let expected: Vec<String> = (SEVERAL.iter())
        .map(|(name, _, value)| format!("{name}:Hello info pid=PID tid=X value={value}"))
        .collect();
    assert_eq!(shown, expected, "{stdout}");

    // --no-wait names each provider without tracepoints, and only those.
    let output = ue_tail(&[
        "--no-wait",
        "UeTailSeveralNoA",
        "UeTailSeveralX",
        "UeTailSeveralNoB",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "ue-tail: error: no tracepoints of providers UeTailSeveralNoA and UeTailSeveralNoB \
         are registered: are their applications running? (without --no-wait, ue-tail \
         registers them and waits for them)\n"
    );
}

#[test]
fn ctrl_c_stops_it_cleanly() {
    require_kernel!();
    let _serial = serial();
    let tail = Tail::start(&["MyService"]);
    tail.interrupt();
    let (status, stdout, stderr) = tail.finish();
    assert!(status.success(), "{status}: {stderr}");
    assert_eq!(stdout, "");
}

#[test]
fn an_unknown_provider_with_no_wait_is_an_error() {
    require_kernel!();
    let _serial = serial();
    let output = ue_tail(&["--no-wait", "NoSuchProvider"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "ue-tail: error: no tracepoints of provider NoSuchProvider are registered: is the \
         application running? (without --no-wait, ue-tail registers them and waits for it)\n"
    );
}

#[test]
fn a_user_without_tracefs_access_is_told_so() {
    use std::os::unix::process::CommandExt;
    require_kernel!();
    // Serial like every test that starts a process: a fork on another test
    // thread while the copy below is open for writing makes exec fail, and
    // a fork makes this process's pages copy-on-write (see kernel_ue_log).
    let _serial = serial();
    // A copy that any user may run, wherever the build tree is.
    let exe = std::env::temp_dir().join(format!("ue-tail-{}", std::process::id()));
    std::fs::copy(env!("CARGO_BIN_EXE_ue-tail"), &exe).unwrap();
    // Another test thread forking while the copy was open for writing leaves a
    // child holding it until that child execs: exec fails with ETXTBSY
    // meanwhile. Retry, briefly.
    let mut tries = 0;
    let output = loop {
        match Command::new(&exe)
            .arg("MyService")
            .uid(65534)
            .gid(65534)
            .output()
        {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 100 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            result => break result.unwrap(),
        }
    };
    std::fs::remove_file(&exe).unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "ue-tail: error: cannot read /sys/kernel/tracing/user_events_status: permission \
         denied (run as root, or with CAP_DAC_READ_SEARCH, or grant your user read access to \
         tracefs)\n"
    );
}

/// Checks that `ue-tail --file` shows the quickstart's events from `file`;
/// `pid` is the quickstart's, or `None` to take it from the first event.
fn assert_decodes_the_quickstart(file: &Path, pid: Option<u32>) {
    let file = file.to_str().unwrap();
    let json = ue_tail_ok(&["--json", "--file", file]);
    let pid = pid.unwrap_or_else(|| {
        let first: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
        first["meta"]["pid"].as_u64().unwrap() as u32
    });
    assert_eq!(masked_json(&json, pid), expected_json(), "{json}");
    let lines = ue_tail_ok(&["--file", file]);
    assert_eq!(masked_lines(&lines, pid), expected_lines(), "{lines}");
}

/// Starts a `ue-tail` that registers the quickstart's tracepoints ahead of it
/// (perf and the capture need them to exist) and watches too.
fn holder() -> Tail {
    let mut args = QUICKSTART_KEYWORDS.to_vec();
    args.push("MyService");
    Tail::start(&args)
}

/// Stops the holder with Ctrl-C; it saw the quickstart's two events as well.
fn release(holder: Tail) {
    holder.interrupt();
    let (status, held, stderr) = holder.finish();
    assert!(status.success(), "{status}: {stderr}");
    assert_eq!(held.lines().count(), 2, "the watching ue-tail saw: {held}");
}

#[test]
fn decodes_a_perf_record_of_the_quickstart() {
    require_kernel!();
    let _serial = serial();
    let Some(perf) = find_perf() else {
        eprintln!("skipped: no perf that runs on this kernel (Debian package linux-perf)");
        return;
    };
    let holder = holder();
    let file = std::env::temp_dir().join(format!("ue-tail-perf-{}.data", std::process::id()));
    perf_record(&perf, &file, CHILD);
    release(holder);
    // The pid perf saw is the quickstart's: taken from the first event.
    assert_decodes_the_quickstart(&file, None);
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn decodes_a_perf_data_written_from_a_capture() {
    require_kernel!();
    let _serial = serial();
    let holder = holder();
    let file = std::env::temp_dir().join(format!("ue-tail-capture-{}.data", std::process::id()));
    let pid = capture_to_file(&file, CHILD);
    release(holder);
    assert_decodes_the_quickstart(&file, Some(pid));
    std::fs::remove_file(&file).unwrap();
}
