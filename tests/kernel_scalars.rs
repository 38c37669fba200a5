//! The scalar encoding profile against a real kernel with user_events (runs in
//! the VM of `scripts/kernel-test.sh`; elsewhere each test prints that it was
//! skipped): events written by a provider and a processor built with
//! `EncodingProfile::Scalars`, read back with perf and decoded, exact JSON.
//!
//! Only one provider can be active per process, so the tests take turns.

use std::net::Ipv6Addr;
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _, LoggerProvider as _, Severity};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use otel_user_events::testing::sequential_activity_ids;
use otel_user_events::{
    Provider, logs::UserEventsProcessor, otel_event, output::EncodingProfile, ue_log,
};
use otel_user_events_test_support::decode::mask_durations;
use otel_user_events_test_support::perf::Listener;
use otel_user_events_test_support::require_kernel;

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Replaces PartA's time, which is the real clock here, with `T`.
fn mask_time(json: &str) -> String {
    let start = json.find(r#""time":""#).expect("PartA has a time") + 8;
    let end = start + json[start..].find('"').unwrap();
    format!("{}T{}", &json[..start], &json[end..])
}

fn shipped(weights: &[u32], blob: &[u8], big: u64, peer: Ipv6Addr, note: Option<&str>) {
    ue_log!(
        info,
        "Shipped",
        weights,
        blob,
        big,
        small = 7u64,
        peer,
        note,
        tags = ["a", "b\"c"]
    );
}

#[otel_event(ret)]
fn pack(items: u32) -> u32 {
    items + 1
}

#[test]
fn a_scalar_provider_writes_only_scalars_to_the_kernel() {
    require_kernel!();
    let _serial = serial();
    let provider = Provider::builder("KScalar")
        .with_encoding_profile(EncodingProfile::Scalars)
        .build()
        .unwrap();
    let mut capture = Listener::start(&["KScalar_L4K1"]).unwrap();

    shipped(&[1, 2], &[0xAB, 0x01], u64::MAX, Ipv6Addr::LOCALHOST, None);
    shipped(&[], &[], 1, Ipv6Addr::UNSPECIFIED, Some("fragile"));
    assert_eq!(sequential_activity_ids(|| pack(2)), 3);

    // A stop's duration varies: `D`.
    let json: Vec<String> = capture
        .drain()
        .iter()
        .map(|s| mask_durations(&mask_time(&s.json().unwrap())))
        .collect();
    const A1: &str = "00000000-0000-0000-0000-000000000001";
    let b = r#""_typeName":"Log","severityNumber":9,"severityText":"INFO""#;
    assert_eq!(
        json,
        [
            format!(
                r#"{{"n":"KScalar:Shipped","__csver__":1024,"PartA":{{"time":"T"}},"PartC":{{"weights":"[1,2]","blob":"ab01","big":"18446744073709551615","small":7,"peer":"::1","tags":"[\"a\",\"b\\\"c\"]"}},"PartB":{{{b},"name":"Shipped"}},"meta":{{"level":4,"keyword":"0x1"}}}}"#
            ),
            format!(
                r#"{{"n":"KScalar:Shipped","__csver__":1024,"PartA":{{"time":"T"}},"PartC":{{"weights":"[]","blob":"","big":1,"small":7,"peer":"::","note":"fragile","tags":"[\"a\",\"b\\\"c\"]"}},"PartB":{{{b},"name":"Shipped"}},"meta":{{"level":4,"keyword":"0x1"}}}}"#
            ),
            format!(
                r#"{{"n":"KScalar:pack","__csver__":1024,"PartA":{{"time":"T"}},"PartC":{{"items":2}},"PartB":{{{b},"name":"pack","activityId":"{A1}","opcode":1}},"meta":{{"level":4,"keyword":"0x1","opcode":1,"activity":"{A1}"}}}}"#
            ),
            format!(
                r#"{{"n":"KScalar:pack","__csver__":1024,"PartA":{{"time":"T"}},"PartC":{{"return":3,"duration_ns":D}},"PartB":{{{b},"name":"pack","activityId":"{A1}","opcode":2}},"meta":{{"level":4,"keyword":"0x1","opcode":2,"activity":"{A1}"}}}}"#
            ),
        ]
    );
    assert_eq!(capture.lost(), 0);
    drop(capture);
    assert_eq!(provider.counters().written, 4);
    provider.shutdown();
}

#[test]
fn a_scalar_processor_writes_lists_as_json_and_bytes_as_hex_text() {
    require_kernel!();
    let _serial = serial();
    let processor = UserEventsProcessor::builder("KScalarProc")
        .with_encoding_profile(EncodingProfile::Scalars)
        .build()
        .unwrap();
    let report = processor.report().clone();
    assert!(report.all_registered(), "{report}");
    let logger_provider = SdkLoggerProvider::builder()
        .with_resource(Resource::builder().with_service_name("svc").build())
        .with_log_processor(processor)
        .build();
    let logger = logger_provider.logger("kernel_scalars");
    let mut capture = Listener::start(&["KScalarProc_L3K1"]).unwrap();

    let mut record = logger.create_log_record();
    record.set_severity_number(Severity::Warn);
    record.set_timestamp(SystemTime::UNIX_EPOCH);
    record.set_body("low disk".into());
    record.add_attribute(
        "free",
        AnyValue::ListAny(Box::new(vec![AnyValue::Double(0.5), AnyValue::Double(2.0)])),
    );
    record.add_attribute("digest", AnyValue::Bytes(Box::new(vec![0xDE, 0xAD])));
    logger.emit(record);

    let json: Vec<String> = capture.drain().iter().map(|s| s.json().unwrap()).collect();
    assert_eq!(
        json,
        [concat!(
            r#"{"n":"KScalarProc:Log","__csver__":1024,"PartA":{"time":"1970-01-01T00:00:00Z","#,
            r#""ext_cloud_role":"svc"},"PartC":{"free":"[0.5,2]","digest":"dead"},"#,
            r#""PartB":{"_typeName":"Log","body":"low disk","severityNumber":13},"#,
            r#""meta":{"level":3,"keyword":"0x1"}}"#
        )]
    );
    drop(capture);
    logger_provider.shutdown().unwrap();
}
