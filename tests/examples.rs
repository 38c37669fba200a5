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

use opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use otel_user_events::UserEventsProcessor;
use otel_user_events::testing::{Capture, CapturedEvent};
use otel_user_events_test_support::decode::decode_json;
use tracing_subscriber::layer::SubscriberExt as _;

/// `examples/tracing_bridge.rs`, compiled in to drive its setup under a capture.
#[path = "../examples/tracing_bridge.rs"]
#[allow(dead_code)] // its `main`
mod tracing_bridge;

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

/// A capture makes every processor of the process capture: one at a time.
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
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
             truncated: 0, attributes_dropped: 0, write_errors: [] }"
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
