//! Output modes against a real kernel with user_events: `Both` writes each event
//! to the tracepoint and to OpenTelemetry, `Auto` picks user_events, and
//! `OpenTelemetry` leaves the kernel alone.
//!
//! Runs only inside the user_events VM: `scripts/kernel-test.sh cargo-test
//! --test kernel_fallback`. Elsewhere each test prints a `skipped:` line (the
//! same modes without user_events are tested in `tests/fallback.rs`).
//!
//! Only one provider can be active per process, so the tests take turns.

use opentelemetry::logs::{AnyValue, Severity};
use opentelemetry_sdk::Resource;
use otel_user_events::{Provider, provider::ActiveOutputs, provider::OutputMode, ue_log};
use otel_user_events_test_support::perf::Listener;
use otel_user_events_test_support::{require_kernel, tracefs};

mod fixture;
use fixture::{in_memory, records, serial};

/// Replaces PartA's time, which is the real clock here, with `T`.
fn mask_time(json: &str) -> String {
    let start = json.find(r#""time":""#).expect("PartA has a time") + 8;
    let end = start + json[start..].find('"').unwrap();
    format!("{}T{}", &json[..start], &json[end..])
}

/// The call sites of this test binary: L4K1 and L2K1.
fn shipped(order_id: u64) {
    ue_log!(info, "Shipped", order_id, carrier = "post");
}

fn lost(order_id: u64) {
    ue_log!(error, "Lost", order_id, body = "parcel lost");
}

#[test]
fn both_writes_each_event_to_the_tracepoint_and_to_opentelemetry() {
    require_kernel!();
    let _serial = serial();
    let (logger_provider, exporter) = in_memory();
    let provider = Provider::builder("KFallbackBoth")
        .with_output(OutputMode::Both)
        .with_logger_provider(logger_provider.clone())
        .with_resource(Resource::builder().with_service_name("shop").build())
        .build()
        .unwrap();
    let report = provider.report();
    assert_eq!(
        report.active,
        ActiveOutputs {
            user_events: true,
            opentelemetry: true
        },
        "{report}"
    );
    assert_eq!(
        report.reason,
        "both outputs were requested and every tracepoint registered with user_events (5)"
    );
    assert!(tracefs::is_registered("KFallbackBoth_L4K1").unwrap());
    assert!(tracefs::is_registered("KFallbackBoth_L2K1").unwrap());

    let mut capture = Listener::start(&["KFallbackBoth_L4K1"]).unwrap();
    shipped(7);
    // No listener on L2K1: that event goes to OpenTelemetry only.
    lost(8);
    let json: Vec<String> = capture
        .drain()
        .iter()
        .map(|s| mask_time(&s.json().unwrap()))
        .collect();
    assert_eq!(
        json,
        [
            r#"{"n":"KFallbackBoth:Shipped","__csver__":1024,"PartA":{"time":"T","ext_cloud_role":"shop"},"PartC":{"order_id":7,"carrier":"post"},"PartB":{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"Shipped"},"meta":{"level":4,"keyword":"0x1"}}"#
        ]
    );
    assert_eq!(capture.lost(), 0);
    drop(capture);

    let got = records(&exporter);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].event_name(), Some("Shipped"));
    assert_eq!(got[0].severity_number(), Some(Severity::Info));
    let attributes: Vec<(String, AnyValue)> = got[0]
        .attributes_iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
        .collect();
    assert_eq!(
        attributes,
        [
            ("order_id".to_owned(), AnyValue::Int(7)),
            ("carrier".to_owned(), AnyValue::String("post".into())),
        ]
    );
    assert_eq!(got[1].event_name(), Some("Lost"));
    assert_eq!(got[1].body(), Some(&AnyValue::String("parcel lost".into())));

    let counters = provider.counters();
    assert_eq!(
        (
            counters.written,
            counters.handed_to_opentelemetry,
            counters.dropped()
        ),
        (1, 2, 0),
        "{counters:?}"
    );
    provider.shutdown();
    tracefs::wait_for_unregistered("KFallbackBoth_L4K1", std::time::Duration::from_secs(30))
        .unwrap();
    logger_provider.shutdown().unwrap();
}

#[test]
fn auto_picks_user_events_when_every_tracepoint_registers() {
    require_kernel!();
    let _serial = serial();
    let (logger_provider, exporter) = in_memory();
    let provider = Provider::builder("KFallbackAuto")
        .with_logger_provider(logger_provider.clone())
        .build()
        .unwrap();
    let report = provider.report();
    assert_eq!(
        report.active,
        ActiveOutputs {
            user_events: true,
            opentelemetry: false
        },
        "{report}"
    );
    assert_eq!(
        report.reason,
        "every tracepoint registered with user_events (5); the OpenTelemetry logger provider \
         is not used"
    );
    assert!(provider.logger_provider().is_none());
    assert_eq!(report.opentelemetry, None);

    let mut capture = Listener::start(&["KFallbackAuto_L4K1"]).unwrap();
    shipped(1);
    lost(2); // nobody listens: not evaluated, not written anywhere
    assert_eq!(capture.drain().len(), 1);
    drop(capture);
    assert!(records(&exporter).is_empty());
    let counters = provider.counters();
    assert_eq!(
        (counters.written, counters.handed_to_opentelemetry),
        (1, 0),
        "{counters:?}"
    );
    provider.shutdown();
    logger_provider.shutdown().unwrap();
}

#[test]
fn opentelemetry_mode_registers_nothing_with_the_kernel() {
    require_kernel!();
    let _serial = serial();
    let (logger_provider, exporter) = in_memory();
    let provider = Provider::builder("KFallbackOtel")
        .with_output(OutputMode::OpenTelemetry)
        .with_logger_provider(logger_provider.clone())
        .build()
        .unwrap();
    assert!(!tracefs::is_registered("KFallbackOtel_L4K1").unwrap());
    assert!(!tracefs::is_registered("KFallbackOtel_L2K1").unwrap());
    shipped(3);
    assert_eq!(records(&exporter).len(), 1);
    assert_eq!(provider.counters().written, 0);
    provider.shutdown();
    logger_provider.shutdown().unwrap();
}
