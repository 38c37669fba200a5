//! Runs every example as a user would (`cargo run --example NAME`) and checks
//! that it exits 0 and prints what README says it prints.
//!
//! The examples are built once, by a nested `cargo build --examples` of this
//! package: a test cannot name an example's executable otherwise
//! (`CARGO_BIN_EXE_*` exists for `[[bin]]` targets only, and `cargo test`
//! builds examples only when no target is selected). Each executable is then
//! run directly. On a host without user_events (CI) the examples fall back or
//! say why nothing was written; with user_events nobody listens, so nothing is
//! written either: the checks branch on what the example's report says.
//!
//! `examples/otlp.rs` is not run here: it needs a collector.
//! `tests/fallback.rs` compiles it in and runs it against a local OTLP receiver
//! (`the_otlp_example_sends_its_events_to_a_collector`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime};

use opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use otel_user_events::logs::UserEventsProcessor;
use otel_user_events::testing::{Capture, CapturedEvent, sequential_activity_ids};
use otel_user_events_test_support::decode::decode_json;
use tracing_subscriber::layer::SubscriberExt as _;

/// `examples/tracing_bridge.rs`, compiled in to drive its setup under a capture.
#[path = "../examples/tracing_bridge.rs"]
#[allow(dead_code)] // its `main`
mod tracing_bridge;

/// `examples/function_events.rs`, compiled in to capture the events it writes.
#[path = "../examples/function_events.rs"]
#[allow(dead_code)] // its `main`
mod function_events;

/// `examples/tracing_layer.rs`, compiled in to capture the events it writes.
#[path = "../examples/tracing_layer.rs"]
#[allow(dead_code)] // its `main`
mod tracing_layer;

/// `examples/processor.rs`, compiled in to capture the events it would write.
#[path = "../examples/processor.rs"]
#[allow(dead_code)] // its `main`
mod processor;

/// `examples/spans.rs`, compiled in to capture the events it would write.
#[path = "../examples/spans.rs"]
#[allow(dead_code)] // its `main`
mod spans;

/// Every example's executable, built on first use.
fn examples() -> &'static HashMap<String, PathBuf> {
    static EXAMPLES: OnceLock<HashMap<String, PathBuf>> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        let mut build = Command::new(env!("CARGO"));
        build
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["build", "--package", env!("CARGO_PKG_NAME"), "--examples"])
            .arg("--message-format=json-render-diagnostics");
        if !cfg!(debug_assertions) {
            build.arg("--release");
        }
        let output = build.output().expect("cargo runs");
        assert!(
            output.status.success(),
            "building the examples failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mut examples = HashMap::new();
        for line in String::from_utf8(output.stdout).unwrap().lines() {
            let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let target = &message["target"];
            let is_example = target["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|k| k == "example"));
            if let (true, Some(name), Some(executable)) = (
                is_example,
                target["name"].as_str(),
                message["executable"].as_str(),
            ) {
                examples.insert(name.to_owned(), PathBuf::from(executable));
            }
        }
        examples
    })
}

/// Runs example `name` with `args`; it must exit 0. Returns its stdout and stderr.
fn run(name: &str, args: &[&str]) -> (String, String) {
    let executable = examples()
        .get(name)
        .unwrap_or_else(|| panic!("no example {name} in {:?}", examples().keys()));
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(executable)
        .args(args)
        .output()
        .expect("the example starts");
    let (stdout, stderr) = (
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    );
    assert!(
        status.success(),
        "{name} exited with {status}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (stdout, stderr)
}

/// Asserts that `text` has every one of `lines` as a line of its own, in order.
#[track_caller]
fn assert_lines_in_order(text: &str, lines: &[&str]) {
    let mut rest = text.lines();
    for line in lines {
        assert!(
            rest.any(|l| l == *line),
            "missing line (or out of order): {line}\nin:\n{text}"
        );
    }
}

/// A capture makes every processor of the process capture: one at a time.
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// The first line of a provider's report: `"otel-user-events provider "NAME":
/// output OUTPUT (requested Auto)"`; returns OUTPUT.
fn provider_output<'a>(stdout: &'a str, name: &str) -> &'a str {
    let first = stdout.lines().next().unwrap_or("");
    let prefix = format!("otel-user-events provider {name:?}: output ");
    first
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix(" (requested Auto)"))
        .unwrap_or_else(|| panic!("not a report line: {first}\nin:\n{stdout}"))
}

/// The `counters: CounterSnapshot { .. }` line.
fn counters_line(stdout: &str) -> &str {
    stdout
        .lines()
        .find(|l| l.starts_with("counters: CounterSnapshot { "))
        .unwrap_or_else(|| panic!("no counters line in:\n{stdout}"))
}

// ---------------------------------------------------------------------------
// quickstart (README "Quickstart")
// ---------------------------------------------------------------------------

#[test]
fn quickstart_reports_and_writes_or_falls_back() {
    let (stdout, _) = run("quickstart", &[]);
    match provider_output(&stdout, "MyService") {
        "OpenTelemetry" => {
            // No user_events: both events printed by the stdout exporter.
            assert!(
                stdout.contains("\n  why: user_events is unavailable ("),
                "{stdout}"
            );
            assert_lines_in_order(
                &stdout,
                &[
                    "  OpenTelemetry: stdout (opentelemetry-stdout), 2 of 2 call sites enabled",
                    "\t EventName: \"OrderPlaced\"",
                    "\t\t ->  order_id: Int(42)",
                    "\t\t ->  customer: String(Owned(\"ada\"))",
                    "\t EventName: \"Retry\"",
                    "\t Body: String(Owned(\"retrying\"))",
                    "\t\t ->  error: String(Owned(\"timed out\"))",
                    "\t\t ->  keyword: Int(16)",
                ],
            );
            assert!(
                counters_line(&stdout).contains(" handed_to_opentelemetry: 2,"),
                "{stdout}"
            );
        }
        "user_events" => {
            // Nobody listens: nothing written, nothing lost.
            let counters = counters_line(&stdout);
            assert!(counters.contains(" dropped_unavailable: 0,"), "{counters}");
        }
        other => panic!("unexpected output {other}:\n{stdout}"),
    }
}

// ---------------------------------------------------------------------------
// function_events (README "`#[otel_event]`")
// ---------------------------------------------------------------------------

#[test]
fn function_events_runs_plain_events_and_activities() {
    let (stdout, _) = run("function_events", &[]);
    let output = provider_output(&stdout, "Shop");
    // The functions' results, whatever the output.
    assert_lines_in_order(
        &stdout,
        &["charge: Ok(1262)", "charge: Err(Declined)", "restocked: 24"],
    );
    match output {
        "OpenTelemetry" => {
            // The fallback records: a plain event, then the Charge activity's
            // start, the nested fee activity (related to Charge) and the stops.
            assert_lines_in_order(
                &stdout,
                &[
                    "\t EventName: \"shop_opened\"",
                    "\t\t ->  port: Int(8443)",
                    "\t EventName: \"Charge\"",
                    "\t SeverityText: \"WARN\"",
                    "\t\t ->  customer: String(Owned(\"ada\"))",
                    "\t\t ->  region: String(Owned(\"eu-west\"))",
                    "\t\t ->  opcode: String(Static(\"ActivityStart\"))",
                    "\t EventName: \"fee\"",
                    "\t\t ->  opcode: String(Static(\"ActivityStart\"))",
                    "\t EventName: \"fee\"",
                    "\t\t ->  return: Int(12)",
                    "\t\t ->  opcode: String(Static(\"ActivityStop\"))",
                    "\t EventName: \"Charge\"",
                    "\t\t ->  return: Int(1262)",
                    "\t\t ->  opcode: String(Static(\"ActivityStop\"))",
                    "charge: Ok(1262)",
                ],
            );
            assert!(stdout.contains("\t\t ->  related_activity_id: Bytes(["));
            assert!(stdout.contains("\t\t ->  error: String(Owned(\"the card was declined\"))"));
            assert!(stdout.contains("\t\t ->  duration_ns: Int("));
            // shop_opened 1, two charges with their fee 4 + 4, restock 2.
            assert!(
                counters_line(&stdout).contains(" handed_to_opentelemetry: 11,"),
                "{stdout}"
            );
        }
        "user_events" => {
            let counters = counters_line(&stdout);
            assert!(counters.contains(" dropped_unavailable: 0,"), "{counters}");
        }
        other => panic!("unexpected output {other}:\n{stdout}"),
    }
}

/// Replaces the digits of every `"duration_ns":123` with `D`.
fn mask_durations(json: &str) -> String {
    const KEY: &str = "\"duration_ns\":";
    let mut out = String::new();
    let mut rest = json;
    while let Some(i) = rest.find(KEY) {
        out.push_str(&rest[..i + KEY.len()]);
        rest = &rest[i + KEY.len()..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        out.push('D');
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

#[test]
fn function_events_write_the_activities_in_readme() {
    let _serial = serial();
    // 2024-01-01T12:34:56.789Z
    let time = SystemTime::UNIX_EPOCH + Duration::from_millis(1_704_112_496_789);
    let payments = function_events::Payments { region: "eu-west" };
    let card = function_events::Card { last4: 4242 };
    let (result, events) = sequential_activity_ids(|| {
        Capture::new("Shop").unwrap().at_time(time).run(|| {
            function_events::shop_opened(8443, true);
            payments.charge("ada", 1_250, &card)
        })
    });
    assert_eq!(result.unwrap(), 1262);
    let decoded: Vec<String> = events
        .iter()
        .map(|e| {
            let json = decode_json(&e.tracepoint, &e.payload).unwrap();
            format!("{} {}", e.tracepoint, mask_durations(&json))
        })
        .collect();
    let expected = [
        concat!(
            r#"Shop_L4K1 {"n":"Shop:shop_opened","__csver__":1024,"PartA":{"time":"2024-01-01T12:34:56.789Z"},"#,
            r#""PartC":{"port":8443,"tls":true},"#,
            r#""PartB":{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"shop_opened"},"#,
            r#""meta":{"level":4,"keyword":"0x1"}}"#
        ),
        concat!(
            r#"Shop_L3K1 {"n":"Shop:Charge","__csver__":1024,"PartA":{"time":"2024-01-01T12:34:56.789Z"},"#,
            r#""PartC":{"customer":"ada","amount":1250,"region":"eu-west","last4":4242},"#,
            r#""PartB":{"_typeName":"Log","severityNumber":13,"severityText":"WARN","name":"Charge"},"#,
            r#""meta":{"level":3,"keyword":"0x1","opcode":1,"activity":"00000000-0000-0000-0000-000000000001"}}"#
        ),
        concat!(
            r#"Shop_L4K1 {"n":"Shop:fee","__csver__":1024,"PartA":{"time":"2024-01-01T12:34:56.789Z"},"#,
            r#""PartC":{"amount":1250},"#,
            r#""PartB":{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"fee"},"#,
            r#""meta":{"level":4,"keyword":"0x1","opcode":1,"activity":"00000000-0000-0000-0000-000000000002","relatedActivity":"00000000-0000-0000-0000-000000000001"}}"#
        ),
        concat!(
            r#"Shop_L4K1 {"n":"Shop:fee","__csver__":1024,"PartA":{"time":"2024-01-01T12:34:56.789Z"},"#,
            r#""PartC":{"return":12,"duration_ns":D},"#,
            r#""PartB":{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"fee"},"#,
            r#""meta":{"level":4,"keyword":"0x1","opcode":2,"activity":"00000000-0000-0000-0000-000000000002"}}"#
        ),
        concat!(
            r#"Shop_L3K1 {"n":"Shop:Charge","__csver__":1024,"PartA":{"time":"2024-01-01T12:34:56.789Z"},"#,
            r#""PartC":{"return":1262,"duration_ns":D},"#,
            r#""PartB":{"_typeName":"Log","severityNumber":13,"severityText":"WARN","name":"Charge"},"#,
            r#""meta":{"level":3,"keyword":"0x1","opcode":2,"activity":"00000000-0000-0000-0000-000000000001"}}"#
        ),
    ];
    assert_eq!(decoded, expected);
    // README's `#[otel_event]` section shows the activity's four events
    // (durations vary: compared masked).
    let readme: Vec<String> = include_str!("../README.md")
        .lines()
        .map(mask_durations)
        .collect();
    for line in &expected[1..] {
        let json = line.split_once(' ').unwrap().1;
        assert!(
            readme.iter().any(|l| l == json),
            "README does not show {json}"
        );
    }
}

// ---------------------------------------------------------------------------
// processor (README "`UserEventsProcessor`")
// ---------------------------------------------------------------------------

#[test]
fn processor_runs_and_says_what_became_of_the_records() {
    let (stdout, _) = run("processor", &[]);
    assert!(
        stdout.starts_with("otel-user-events LogProcessor \"Shop\" (keyword 0x1):\n"),
        "{stdout}"
    );
    let counters = counters_line(&stdout);
    let last = stdout.lines().last().unwrap();
    if stdout.contains("records are dropped and counted (dropped_unavailable)") {
        assert!(counters.contains(" written: 0,"), "{counters}");
        assert!(counters.contains(" dropped_unavailable: 3,"), "{counters}");
        assert_eq!(
            last,
            "nothing was written: user_events is unavailable here (see the report above); \
             the 3 records were dropped and counted as dropped_unavailable"
        );
    } else {
        assert!(counters.contains(" dropped_unavailable: 0,"), "{counters}");
        assert!(
            last.starts_with("nothing was written: nobody listened")
                || last.starts_with("written: "),
            "{last}"
        );
    }
}

#[test]
fn processor_events_decode_to_the_json_in_readme() {
    let _serial = serial();
    let provider = processor::logger_provider(processor::processor().unwrap());
    let logger = opentelemetry::logs::LoggerProvider::logger(&provider, "shop");
    // 2024-01-01T12:34:56.789Z
    let time = SystemTime::UNIX_EPOCH + Duration::from_millis(1_704_112_496_789);
    let (_, events) = Capture::new("Unused")
        .unwrap()
        .at_time(time)
        .run(|| processor::emit_records(&logger));
    provider.shutdown().unwrap();
    let tracepoints: Vec<&str> = events.iter().map(|e| e.tracepoint.as_str()).collect();
    assert_eq!(tracepoints, ["Shop_L4K1", "Shop_L3K1", "Shop_L4K1"]);
    let decoded: Vec<String> = events
        .iter()
        .map(|e| decode_json(&e.tracepoint, &e.payload).unwrap())
        .collect();
    let order_placed = concat!(
        r#"{"n":"Shop:OrderPlaced","__csver__":1024,"#,
        r#""PartA":{"time":"2024-01-01T12:34:56.789Z","ext_cloud_role":"shop"},"#,
        r#""PartC":{"deployment.environment":"dev","order_id":42,"amount":9.99,"items":["tea","cups"]},"#,
        r#""PartB":{"_typeName":"Log","body":"order placed","severityNumber":9,"severityText":"INFO","eventId":20,"name":"OrderPlaced"},"#,
        r#""meta":{"level":4,"keyword":"0x1"}}"#
    );
    assert_eq!(
        decoded,
        [
            order_placed,
            concat!(
                r#"{"n":"Shop:PaymentSlow","__csver__":1024,"#,
                r#""PartA":{"time":"2024-01-01T12:34:56.789Z","ext_cloud_role":"shop"},"#,
                r#""PartC":{"deployment.environment":"dev","took_ms":1250},"#,
                r#""PartB":{"_typeName":"Log","severityNumber":13,"severityText":"WARN","name":"PaymentSlow"},"#,
                r#""meta":{"level":3,"keyword":"0x1"}}"#
            ),
            // No severity: Info, the default; no event name: "Log"; no severity text.
            concat!(
                r#"{"n":"Shop:Log","__csver__":1024,"#,
                r#""PartA":{"time":"2024-01-01T12:34:56.789Z","ext_cloud_role":"shop"},"#,
                r#""PartC":{"deployment.environment":"dev"},"#,
                r#""PartB":{"_typeName":"Log","body":"a record without severity","severityNumber":9},"#,
                r#""meta":{"level":4,"keyword":"0x1"}}"#
            ),
        ]
    );
    // README's wire layout shows this event, as `tracepoint_decode` prints it.
    assert!(
        include_str!("../README.md").contains(&format!("\n{order_placed}\n")),
        "README does not show {order_placed}"
    );
}

// ---------------------------------------------------------------------------
// tracing_bridge
// ---------------------------------------------------------------------------

#[test]
fn tracing_bridge_runs_and_counts_only_the_applications_events() {
    let (stdout, stderr) = run("tracing_bridge", &["2"]);
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with("otel-user-events LogProcessor \"tracing_bridge\" (keyword 0x1):\n"),
        "{stderr}"
    );
    let last = stderr.lines().last().unwrap();
    if stderr.contains("records are dropped and counted (dropped_unavailable)") {
        // No user_events: every record is counted, 4 a round for 2 rounds, and
        // none of the SDK's own logs (its shutdown log would make it 9).
        assert_eq!(
            last,
            "final counters: CounterSnapshot { written: 0, handed_to_opentelemetry: 0, \
             dropped_disabled_race: 0, dropped_too_large: 0, dropped_unavailable: 8, \
             truncated: 0, attributes_dropped: 0, call_sites_uncached: 0, write_errors: [] }"
        );
    } else {
        // user_events, nobody listening: nothing written, nothing lost.
        assert!(
            last.starts_with("final counters: CounterSnapshot { "),
            "{last}"
        );
        assert!(last.contains(" dropped_unavailable: 0,"), "{last}");
    }
}

/// The PartB `name` (the record's event name) of each captured event.
fn event_names(events: &[CapturedEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            let json = decode_json(&e.tracepoint, &e.payload).unwrap();
            let event: serde_json::Value = serde_json::from_str(&json).unwrap();
            event["PartB"]["name"].as_str().unwrap_or("").to_owned()
        })
        .collect()
}

/// Logs one round and shuts the logger provider down through `layer`, under a
/// capture; returns the names of the events the processor wrote.
fn capture_through<L>(provider: SdkLoggerProvider, layer: L) -> Vec<String>
where
    L: tracing_subscriber::Layer<tracing_subscriber::Registry> + Send + Sync + 'static,
{
    let _serial = serial();
    let subscriber = tracing_subscriber::registry().with(layer);
    let (_, events) = tracing::subscriber::with_default(subscriber, || {
        Capture::new("Unused").unwrap().run(|| {
            tracing_bridge::log_round(7);
            provider.shutdown().unwrap();
        })
    });
    event_names(&events)
}

fn bridge_provider() -> SdkLoggerProvider {
    let processor = UserEventsProcessor::builder("tracing_bridge")
        .build()
        .unwrap();
    SdkLoggerProvider::builder()
        .with_log_processor(processor)
        .build()
}

#[test]
fn tracing_bridge_forwards_no_log_of_the_opentelemetry_crates() {
    let provider = bridge_provider();
    let layer = tracing_bridge::appender_layer(&provider);
    assert_eq!(
        capture_through(provider, layer),
        ["CheckoutFailed", "SlowRequest", "OrderPlaced", "CacheMiss"]
    );
}

#[test]
fn without_the_filter_the_sdks_shutdown_log_becomes_an_event() {
    // What the filter of `appender_layer` prevents (so the test above can fail).
    let provider = bridge_provider();
    let layer = OpenTelemetryTracingBridge::new(&provider);
    let names = capture_through(provider, layer);
    assert_eq!(
        names[..4],
        ["CheckoutFailed", "SlowRequest", "OrderPlaced", "CacheMiss"]
    );
    assert!(
        names[4..].contains(&"LoggerProvider.ShutdownInvokedByUser".to_owned()),
        "{names:?}"
    );
}

// ---------------------------------------------------------------------------
// spans (README "OpenTelemetry spans: `UserEventsSpanProcessor`")
// ---------------------------------------------------------------------------

#[test]
fn spans_runs_and_says_what_became_of_the_spans() {
    let (stdout, _) = run("spans", &[]);
    assert!(
        stdout.starts_with("otel-user-events SpanProcessor \"Shop\" (keyword 0x1):\n"),
        "{stdout}"
    );
    let last = stdout.lines().last().unwrap();
    if stdout.contains("spans are dropped and counted (dropped_unavailable)") {
        // Three spans (start and end each) and one span event.
        assert!(stdout.contains(" written: 0,"), "{stdout}");
        assert!(stdout.contains(" dropped_unavailable: 7,"), "{stdout}");
        assert_eq!(
            last,
            "nothing was written: user_events is unavailable here (see the report above); \
             the 7 span events were dropped and counted as dropped_unavailable"
        );
    } else {
        assert!(stdout.contains(" dropped_unavailable: 0,"), "{stdout}");
        assert!(
            last.starts_with("nothing was written: nobody listened")
                || last.starts_with("written: "),
            "{last}"
        );
    }
}

// ---------------------------------------------------------------------------
// metrics (README "OpenTelemetry metrics: `UserEventsMetricExporter`")
// ---------------------------------------------------------------------------

#[test]
fn metrics_runs_and_says_what_became_of_the_data_points() {
    let (stdout, _) = run("metrics", &[]);
    assert!(
        stdout.starts_with("otel-user-events metric exporter \"otlp_metrics\":\n"),
        "{stdout}"
    );
    let last = stdout.lines().last().unwrap();
    if stdout.contains("data points are dropped and counted (dropped_unavailable)") {
        // Two order counts (north, south) and one histogram.
        assert!(stdout.contains(" written: 0,"), "{stdout}");
        assert!(stdout.contains(" dropped_unavailable: 3,"), "{stdout}");
        assert_eq!(
            last,
            "nothing was written: user_events is unavailable here (see the report above); \
             the 3 data points were dropped and counted as dropped_unavailable"
        );
    } else {
        assert!(stdout.contains(" dropped_unavailable: 0,"), "{stdout}");
        assert!(
            last == "nothing was written: nobody listened to otlp_metrics"
                || last.starts_with("written: "),
            "{last}"
        );
    }
}

/// `"activity":"..."` and `"relatedActivity":"..."` of a decoded event's meta.
fn activities(json: &str) -> (Option<&str>, Option<&str>) {
    let value = |key: &str| {
        let start = json.find(&format!(r#""{key}":""#))? + key.len() + 4;
        Some(&json[start..start + json[start..].find('"')?])
    };
    (value("activity"), value("relatedActivity"))
}

#[test]
fn spans_events_group_by_activity_as_readme_says() {
    let _serial = serial();
    let provider = spans::tracer_provider(spans::span_processor().unwrap());
    let tracer = opentelemetry::trace::TracerProvider::tracer(&provider, "shop");
    let (_, events) = Capture::new("Shop")
        .unwrap()
        .run(|| spans::checkout(&tracer));
    provider.shutdown().unwrap();
    let decoded: Vec<String> = events
        .iter()
        .map(|e| decode_json(&e.tracepoint, &e.payload).unwrap())
        .collect();
    let names: Vec<&str> = decoded
        .iter()
        .map(|e| &e[6..e.find(r#"","#).unwrap()])
        .collect();
    assert_eq!(
        names,
        [
            "Shop:Span",        // checkout starts
            "Shop:CartLoaded",  // inside checkout
            "Shop:Span",        // charge starts
            "Shop:PaymentSlow", // inside charge
            "Shop:SpanEvent",   // charge's span event
            "Shop:Span",        // charge ends
            "Shop:Span",        // checkout ends
        ],
        "{decoded:#?}"
    );
    let ids: Vec<_> = decoded.iter().map(|e| activities(e)).collect();
    let (checkout, charge) = (ids[0].0.unwrap(), ids[2].0.unwrap());
    assert_ne!(checkout, charge);
    assert_eq!(
        ids,
        [
            (Some(checkout), None),
            (Some(checkout), None),
            (Some(charge), Some(checkout)),
            (Some(charge), None),
            (Some(charge), None),
            (Some(charge), None),
            (Some(checkout), None),
        ]
    );
    // The ended charge span: an error, a client span, its parent, and its attribute.
    assert!(
        decoded[5].contains(r#""success":false,"kind":2,"parentId":""#)
            && decoded[5].contains(
                r#""statusMessage":"insufficient funds"},"PartC":{"payment.provider":"acme"}"#
            ),
        "{}",
        decoded[5]
    );
    // The ended checkout span: its semantic-convention attributes in PartB.
    assert!(
        decoded[6].contains(
            r#""kind":1,"httpMethod":"POST","httpStatusCode":402},"PartC":{"cart.items":3}"#
        ),
        "{}",
        decoded[6]
    );
}

#[test]
fn spans_tracing_span_is_a_live_span_with_its_events_inside() {
    let _serial = serial();
    let provider = spans::tracer_provider(spans::span_processor().unwrap());
    let (_, events) = Capture::new("Shop")
        .unwrap()
        .run(|| spans::ship_with_tracing(&provider));
    provider.shutdown().unwrap();
    let decoded: Vec<String> = events
        .iter()
        .map(|e| decode_json(&e.tracepoint, &e.payload).unwrap())
        .collect();
    let names: Vec<&str> = decoded
        .iter()
        .map(|e| &e[6..e.find(r#"","#).unwrap()])
        .collect();
    assert_eq!(
        names,
        ["Shop:Span", "Shop:Shipped", "Shop:Span"],
        "{decoded:#?}"
    );
    let ids: Vec<_> = decoded.iter().map(|e| activities(e)).collect();
    let ship = ids[0].0.expect("the start's activity id");
    assert_eq!(ids, [(Some(ship), None); 3]);
    assert!(decoded[0].contains(r#""name":"ship""#), "{}", decoded[0]);
    assert!(
        decoded[1].contains(r#""PartC":{"carrier":"post"}"#),
        "{}",
        decoded[1]
    );
}

// ---------------------------------------------------------------------------
// tracing_layer
// ---------------------------------------------------------------------------

#[test]
fn tracing_layer_runs_beside_fmt_and_counts_every_event() {
    let (stdout, stderr) = run("tracing_layer", &["2"]);
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with(
            "otel-user-events tracing layer \"tracing_layer\" (keywords 0x1, 0x10):\n"
        ),
        "{stderr}"
    );
    // fmt printed each checkout's warning.
    assert_eq!(
        stderr.matches("payment took 1250 ms").count(),
        2,
        "{stderr}"
    );
    let last = stderr.lines().last().unwrap();
    if stderr.contains("events are dropped and counted (dropped_unavailable)") {
        // No user_events: 7 events a checkout (two spans' start and stop, three
        // events), for 2 checkouts, all counted.
        assert_eq!(
            last,
            "final counters: CounterSnapshot { written: 0, handed_to_opentelemetry: 0, \
             dropped_disabled_race: 0, dropped_too_large: 0, dropped_unavailable: 14, \
             truncated: 0, attributes_dropped: 0, call_sites_uncached: 0, write_errors: [] }"
        );
    } else {
        // user_events, nobody listening: nothing written, nothing lost.
        assert!(last.contains(" written: 0,"), "{last}");
        assert!(last.contains(" dropped_unavailable: 0,"), "{last}");
    }
}

#[test]
fn tracing_layer_writes_a_checkout_as_two_activities() {
    let layer = tracing_layer::build_layer().unwrap();
    let subscriber = tracing_subscriber::registry().with(layer.filtered());
    let _serial = serial();
    let (_, events) = tracing::subscriber::with_default(subscriber, || {
        sequential_activity_ids(|| {
            Capture::new("Unused")
                .unwrap()
                .run(|| tracing_layer::checkout(7))
        })
    });
    let summary: Vec<String> = events
        .iter()
        .map(|e| {
            let json = decode_json(&e.tracepoint, &e.payload).unwrap();
            let event: serde_json::Value = serde_json::from_str(&json).unwrap();
            let meta = &event["meta"];
            format!(
                "{} {} opcode={} activity={} related={} PartC={}",
                e.tracepoint,
                event["PartB"]["name"].as_str().unwrap(),
                meta["opcode"].as_u64().unwrap_or(0),
                meta["activity"]
                    .as_str()
                    .unwrap_or("-")
                    .trim_start_matches("00000000-0000-0000-0000-"),
                meta["relatedActivity"]
                    .as_str()
                    .unwrap_or("-")
                    .trim_start_matches("00000000-0000-0000-0000-"),
                serde_json::to_string(&event["PartC"]).unwrap(),
            )
        })
        .map(|line| {
            // duration_ns differs from run to run.
            match line.find("\"duration_ns\":") {
                Some(at) => {
                    let end = at + line[at..].find('}').unwrap();
                    format!("{}\"duration_ns\":D{}", &line[..at], &line[end..])
                }
                None => line,
            }
        })
        .collect();
    assert_eq!(
        summary,
        [
            r#"tracing_layer_L4K1 checkout opcode=1 activity=000000000001 related=- PartC={"order":7,"customer":"ada"}"#,
            r#"tracing_layer_L4K1 CartLoaded opcode=0 activity=000000000001 related=- PartC={"items":3}"#,
            r#"tracing_layer_L5K10 query opcode=1 activity=000000000002 related=000000000001 PartC={"sql":"SELECT * FROM carts WHERE order = ?"}"#,
            r#"tracing_layer_L5K10 Rows opcode=0 activity=000000000002 related=- PartC={"rows":1}"#,
            r#"tracing_layer_L5K10 query opcode=2 activity=000000000002 related=- PartC={"duration_ns":D}"#,
            r#"tracing_layer_L3K1 SlowPayment opcode=0 activity=000000000001 related=- PartC={"elapsed_ms":1250}"#,
            r#"tracing_layer_L4K1 checkout opcode=2 activity=000000000001 related=- PartC={"total":29.97,"duration_ns":D}"#,
        ]
    );
}

// ---------------------------------------------------------------------------
// library_providers (README "Library providers")
// ---------------------------------------------------------------------------

#[test]
fn library_providers_runs_three_providers_each_counting_its_own_events() {
    let (stdout, _) = run("library_providers", &[]);
    // AcmeShop: OrderPlaced; AcmeDb: Connected, the query's start, RowsRead
    // (the stop of an activity that did not start is not written);
    // AcmeHttp: Request, NotFound.
    for (name, events) in [("AcmeShop", 1), ("AcmeDb", 3), ("AcmeHttp", 2)] {
        let report = format!("otel-user-events provider {name:?}: output ");
        let output = stdout
            .lines()
            .find_map(|line| line.strip_prefix(&report))
            .unwrap_or_else(|| panic!("no report of {name}:\n{stdout}"));
        // Without user_events each event is its own provider's drop; with it,
        // nobody listens and nothing is written or dropped.
        let dropped = if output.starts_with("none ") {
            events
        } else {
            0
        };
        assert_lines_in_order(&stdout, &[&format!("{name}: 0 written, {dropped} dropped")]);
    }
}
