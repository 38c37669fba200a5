//! `UserEventsProcessor` events captured without a kernel (the exact bytes it
//! would write) and decoded with Microsoft's `tracepoint_decode`, compared with
//! hand-written JSON.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _, LoggerProvider as _, Severity};
use opentelemetry::trace::{SpanId, TraceFlags, TraceId};
use opentelemetry::{Key, KeyValue};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::{LogProcessor as _, SdkLogRecord, SdkLoggerProvider};
use otel_user_events::testing::{Capture, CapturedEvent};
use otel_user_events::{
    logs::UserEventsProcessor, output::BuildError, output::CounterSnapshot,
    provider::ProviderNameError,
};
use otel_user_events_test_support::decode::decode_json;

/// 2024-01-01T12:34:56.789Z
fn fixed_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(1_704_112_496_789)
}

const HEAD: &str = r#""__csver__":1024,"PartA":{"time":"2024-01-01T12:34:56.789Z"}"#;

/// A logger provider whose only processor is `processor`.
fn provider(processor: UserEventsProcessor, resource: Option<Resource>) -> SdkLoggerProvider {
    let builder = SdkLoggerProvider::builder().with_log_processor(processor);
    match resource {
        Some(resource) => builder.with_resource(resource),
        None => builder.with_resource(Resource::builder_empty().build()),
    }
    .build()
}

/// A running capture sets the capture bit of every processor in the process, so
/// a test that asserts "disabled" must not overlap one: captures hold this.
static CAPTURES: Mutex<()> = Mutex::new(());

fn capture_lock() -> MutexGuard<'static, ()> {
    CAPTURES.lock().unwrap_or_else(|e| e.into_inner())
}

/// Emits one record (built by `fill`, timestamped [`fixed_time`]) and returns
/// the captured events.
fn emit(provider: &SdkLoggerProvider, fill: impl FnOnce(&mut SdkLogRecord)) -> Vec<CapturedEvent> {
    let logger = provider.logger("test");
    let _captures = capture_lock();
    Capture::new("Unused")
        .unwrap()
        .run(|| {
            let mut record = logger.create_log_record();
            record.set_timestamp(fixed_time());
            fill(&mut record);
            logger.emit(record);
        })
        .1
}

fn json(events: &[CapturedEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| decode_json(&e.tracepoint, &e.payload).unwrap())
        .collect()
}

fn one(events: &[CapturedEvent]) -> String {
    assert_eq!(events.len(), 1, "{events:?}");
    json(events).remove(0)
}

fn error_record(record: &mut SdkLogRecord) {
    record.set_severity_number(Severity::Error);
    record.set_severity_text("ERROR");
}

#[test]
fn the_seed_crates_integration_record_decodes_to_its_json() {
    let processor = UserEventsProcessor::builder("myprovider")
        .with_resource_attributes(["resource_attribute1", "resource_attribute2"])
        .build()
        .unwrap();
    let provider = provider(
        processor,
        Some(
            Resource::builder_empty()
                .with_service_name("myrolename")
                .with_attribute(KeyValue::new("service.instance.id", "myinstance123"))
                .with_attribute(KeyValue::new("resource_attribute1", "v1"))
                .with_attribute(KeyValue::new("resource_attribute2", "v2"))
                .with_attribute(KeyValue::new("resource_attribute3", "v3"))
                .build(),
        ),
    );
    let events = emit(&provider, |r| {
        error_record(r);
        r.set_event_name("my-event-name");
        r.set_target("my-target");
        r.set_body("This is a test message".into());
        r.add_attribute("event_id", 20);
        r.add_attribute("bool_field", true);
        r.add_attribute("double_field", 1.0);
        r.add_attribute("resource_attribute1", "event-level-value");
        r.add_attribute("user_name", "otel user");
        r.add_attribute("user_email", "otel.user@opentelemetry.com");
    });
    assert_eq!(events[0].tracepoint, "myprovider_L2K1");
    assert!(!events[0].truncated);
    assert_eq!(
        one(&events),
        concat!(
            r#"{"n":"myprovider:Log","__csver__":1024,"#,
            r#""PartA":{"time":"2024-01-01T12:34:56.789Z","ext_cloud_role":"myrolename","ext_cloud_roleInstance":"myinstance123"},"#,
            r#""PartC":{"resource_attribute1":"v1","resource_attribute2":"v2","bool_field":true,"double_field":1,"#,
            r#""resource_attribute1":"event-level-value","user_name":"otel user","user_email":"otel.user@opentelemetry.com"},"#,
            r#""PartB":{"_typeName":"Log","body":"This is a test message","severityNumber":17,"severityText":"ERROR","eventId":20,"name":"my-event-name"},"#,
            r#""meta":{"level":2,"keyword":"0x1"}}"#
        )
    );
}

#[test]
fn every_any_value_variant_has_a_real_encoding() {
    let provider = provider(
        UserEventsProcessor::builder("TestProc").build().unwrap(),
        None,
    );
    let list = |items: Vec<AnyValue>| AnyValue::ListAny(Box::new(items));
    let mut inner = HashMap::new();
    inner.insert(Key::from("zeta"), AnyValue::Double(-0.25));
    inner.insert(
        Key::from("alpha"),
        list(vec![AnyValue::Int(1), "two".into()]),
    );
    let mut map = HashMap::new();
    map.insert(Key::from("text"), AnyValue::String("say \"hi\"\n".into()));
    map.insert(Key::from("nested"), AnyValue::Map(Box::new(inner)));
    map.insert(
        Key::from("raw"),
        AnyValue::Bytes(Box::new(vec![0xca, 0xfe])),
    );
    map.insert(Key::from("ok"), AnyValue::Boolean(false));

    let events = emit(&provider, |r| {
        error_record(r);
        r.add_attribute("int", -42);
        r.add_attribute("double", 2.5);
        r.add_attribute("string", "héllo");
        r.add_attribute("bool", false);
        r.add_attribute(
            "bytes",
            AnyValue::Bytes(Box::new(vec![0xde, 0xad, 0xbe, 0xef])),
        );
        r.add_attribute("ints", list(vec![1.into(), (-2).into(), 3.into()]));
        r.add_attribute("doubles", list(vec![0.5.into(), (-1.5).into()]));
        r.add_attribute("bools", list(vec![true.into(), false.into()]));
        r.add_attribute("strings", list(vec!["a".into(), "b c".into()]));
        r.add_attribute(
            "blobs",
            list(vec![
                AnyValue::Bytes(Box::new(vec![1, 2])),
                AnyValue::Bytes(Box::default()),
            ]),
        );
        r.add_attribute("mixed", list(vec![1.into(), "x".into(), true.into()]));
        r.add_attribute("empty", list(vec![]));
        r.add_attribute(
            "nested_list",
            list(vec![list(vec![1.into()]), list(vec![])]),
        );
        r.add_attribute("map", AnyValue::Map(Box::new(map)));
    });
    assert_eq!(
        one(&events),
        format!(
            concat!(
                r#"{{"n":"TestProc:Log",{head},"PartC":{{"#,
                r#""int":-42,"double":2.5,"string":"héllo","bool":false,"bytes":"DE AD BE EF","#,
                r#""ints":[1,-2,3],"doubles":[0.5,-1.5],"bools":[true,false],"strings":["a","b c"],"#,
                r#""blobs":["01 02",""],"#,
                r#""mixed":"[1,\"x\",true]","empty":"[]","nested_list":"[[1],[]]","#,
                r#""map":"{{\"nested\":{{\"alpha\":[1,\"two\"],\"zeta\":-0.25}},\"ok\":false,\"raw\":\"cafe\",\"text\":\"say \\\"hi\\\"\\n\"}}""#,
                r#"}},"PartB":{{"_typeName":"Log","severityNumber":17,"severityText":"ERROR"}},"#,
                r#""meta":{{"level":2,"keyword":"0x1"}}}}"#
            ),
            head = HEAD
        )
    );
}

#[test]
fn bodies_of_every_type() {
    let provider = provider(
        UserEventsProcessor::builder("TestProc").build().unwrap(),
        None,
    );
    let mut map = HashMap::new();
    map.insert(Key::from("k"), AnyValue::Int(1));
    let bodies: Vec<(AnyValue, &str)> = vec![
        ("text".into(), r#""text""#),
        (AnyValue::Int(-7), "-7"),
        (AnyValue::Boolean(true), "true"),
        (AnyValue::Double(1.25), "1.25"),
        (AnyValue::Bytes(Box::new(vec![0, 255])), r#""00 FF""#),
        (
            AnyValue::ListAny(Box::new(vec!["a".into(), "b".into()])),
            r#"["a","b"]"#,
        ),
        (AnyValue::Map(Box::new(map)), r#""{\"k\":1}""#),
    ];
    for (body, expected) in bodies {
        let events = emit(&provider, |r| {
            r.set_severity_number(Severity::Warn);
            r.set_body(body.clone());
        });
        assert_eq!(
            one(&events),
            format!(
                r#"{{"n":"TestProc:Log",{HEAD},"PartB":{{"_typeName":"Log","body":{expected},"severityNumber":13}},"meta":{{"level":3,"keyword":"0x1"}}}}"#
            ),
            "body {body:?}"
        );
    }
}

/// The record's trace context goes to PartA, and its span's activity id
/// (`ActivityId::from_span`) to the EventHeader activity extension.
#[test]
fn trace_context_goes_to_part_a() {
    let provider = provider(
        UserEventsProcessor::builder("TestProc").build().unwrap(),
        None,
    );
    let trace_id = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
    let span_id = SpanId::from_hex("00f067aa0ba902b7").unwrap();
    let events = emit(&provider, |r| {
        r.set_severity_number(Severity::Info);
        r.set_trace_context(trace_id, span_id, Some(TraceFlags::SAMPLED));
    });
    assert_eq!(
        one(&events),
        concat!(
            r#"{"n":"TestProc:Log","__csver__":1024,"PartA":{"time":"2024-01-01T12:34:56.789Z","#,
            r#""ext_dt_traceId":"4bf92f3577b34da6a3ce929d0e0e4736","ext_dt_spanId":"00f067aa0ba902b7"},"#,
            r#""PartB":{"_typeName":"Log","severityNumber":9},"#,
            r#""meta":{"level":4,"keyword":"0x1","activity":"4bf92f35-77b3-4da6-00f0-67aa0ba902b7"}}"#
        )
    );
}

#[test]
fn event_id_moves_to_part_b_only_when_it_is_an_integer() {
    let provider = provider(
        UserEventsProcessor::builder("TestProc").build().unwrap(),
        None,
    );
    let events = emit(&provider, |r| {
        r.set_severity_number(Severity::Debug);
        r.add_attribute("event_id", 7);
    });
    assert_eq!(
        one(&events),
        format!(
            r#"{{"n":"TestProc:Log",{HEAD},"PartB":{{"_typeName":"Log","severityNumber":5,"eventId":7}},"meta":{{"level":5,"keyword":"0x1"}}}}"#
        )
    );
    let events = emit(&provider, |r| {
        r.set_severity_number(Severity::Debug);
        r.add_attribute("event_id", "seven");
    });
    assert_eq!(
        one(&events),
        format!(
            r#"{{"n":"TestProc:Log",{HEAD},"PartC":{{"event_id":"seven"}},"PartB":{{"_typeName":"Log","severityNumber":5}},"meta":{{"level":5,"keyword":"0x1"}}}}"#
        )
    );
}

#[test]
fn a_record_without_severity_is_written_at_the_default_severity() {
    let provider_info = provider(
        UserEventsProcessor::builder("TestProc").build().unwrap(),
        None,
    );
    let events = emit(&provider_info, |r| r.set_body("no severity".into()));
    assert_eq!(events[0].tracepoint, "TestProc_L4K1");
    assert_eq!(
        one(&events),
        format!(
            r#"{{"n":"TestProc:Log",{HEAD},"PartB":{{"_typeName":"Log","body":"no severity","severityNumber":9}},"meta":{{"level":4,"keyword":"0x1"}}}}"#
        )
    );

    let provider_warn = provider(
        UserEventsProcessor::builder("TestProc")
            .with_default_severity(Severity::Warn)
            .build()
            .unwrap(),
        None,
    );
    let events = emit(&provider_warn, |_| {});
    assert_eq!(events[0].tracepoint, "TestProc_L3K1");
    assert_eq!(
        one(&events),
        format!(
            r#"{{"n":"TestProc:Log",{HEAD},"PartB":{{"_typeName":"Log","severityNumber":13}},"meta":{{"level":3,"keyword":"0x1"}}}}"#
        )
    );
}

#[test]
fn severities_map_to_levels_like_the_seed_crate() {
    let provider = provider(
        UserEventsProcessor::builder("TestProc").build().unwrap(),
        None,
    );
    let cases = [
        (Severity::Trace, "TestProc_L5K1", 1),
        (Severity::Debug4, "TestProc_L5K1", 8),
        (Severity::Info, "TestProc_L4K1", 9),
        (Severity::Warn2, "TestProc_L3K1", 14),
        (Severity::Error, "TestProc_L2K1", 17),
        (Severity::Fatal, "TestProc_L1K1", 21),
    ];
    for (severity, tracepoint, number) in cases {
        let events = emit(&provider, |r| r.set_severity_number(severity));
        assert_eq!(events[0].tracepoint, tracepoint);
        assert!(
            one(&events).contains(&format!(r#""severityNumber":{number}}}"#)),
            "{severity:?}"
        );
    }
}

#[test]
fn more_than_127_attributes_keep_the_first_127_and_count_the_rest() {
    let processor = UserEventsProcessor::builder("TestProc").build().unwrap();
    let handle = processor.handle();
    let provider = provider(processor, None);
    let events = emit(&provider, |r| {
        r.set_severity_number(Severity::Info);
        for i in 0..130 {
            r.add_attribute(format!("a{i:03}"), i);
        }
        // Not a PartC member: still found after the limit.
        r.add_attribute("event_id", 99);
    });
    assert!(events[0].truncated);
    let part_c: Vec<String> = (0..127).map(|i| format!(r#""a{i:03}":{i}"#)).collect();
    assert_eq!(
        one(&events),
        format!(
            r#"{{"n":"TestProc:Log",{HEAD},"PartC":{{{}}},"PartB":{{"_typeName":"Log","severityNumber":9,"eventId":99}},"meta":{{"level":4,"keyword":"0x1"}}}}"#,
            part_c.join(",")
        )
    );
    let counters = handle.counters();
    assert_eq!(
        counters,
        CounterSnapshot {
            written: 1,
            truncated: 1,
            attributes_dropped: 3,
            ..CounterSnapshot::default()
        }
    );
}

#[test]
fn attributes_beyond_the_stack_buffers_are_left_out_and_counted() {
    let processor = UserEventsProcessor::builder("TestProc").build().unwrap();
    let handle = processor.handle();
    let provider = provider(processor, None);
    // 120 names of 40 bytes: 5 KB of metadata, more than the writer's 2 KB.
    let events = emit(&provider, |r| {
        r.set_severity_number(Severity::Info);
        for i in 0..120 {
            r.add_attribute(format!("{i:040}"), true);
        }
        r.set_body("still here".into());
    });
    let json = one(&events);
    assert!(json.ends_with(r#""PartB":{"_typeName":"Log","body":"still here","severityNumber":9},"meta":{"level":4,"keyword":"0x1"}}"#), "{json}");
    let kept = json.matches(":true").count() as u64;
    assert!((30..120).contains(&kept), "kept {kept}");
    let counters = handle.counters();
    assert_eq!(counters.attributes_dropped, 120 - kept);
    assert_eq!((counters.written, counters.truncated), (1, 1));
}

#[test]
fn a_100_kb_string_is_truncated_to_fit_64_kb_and_counted() {
    let processor = UserEventsProcessor::builder("TestProc").build().unwrap();
    let handle = processor.handle();
    let provider = provider(processor, None);
    let record = |value: String| {
        move |r: &mut SdkLogRecord| {
            r.set_severity_number(Severity::Info);
            r.add_attribute("big", value);
            r.add_attribute("after", 1);
        }
    };
    // The same event with an empty string: everything but the string's content.
    let empty = emit(&provider, record(String::new()));
    let overhead = empty[0].payload.len();

    let events = emit(&provider, record("x".repeat(100_000)));
    assert!(events[0].truncated);
    assert_eq!(events[0].payload.len(), 65_535, "the largest event");
    let kept = 65_535 - overhead;
    assert_eq!(
        one(&events),
        format!(
            r#"{{"n":"TestProc:Log",{HEAD},"PartC":{{"big":"{}","after":1}},"PartB":{{"_typeName":"Log","severityNumber":9}},"meta":{{"level":4,"keyword":"0x1"}}}}"#,
            "x".repeat(kept)
        )
    );
    let counters = handle.counters();
    assert_eq!((counters.written, counters.truncated), (2, 1));
    assert_eq!(counters.dropped(), 0);
}

/// Names cannot be shortened: an attribute whose name alone would take the
/// event past 64 KB is left out and counted, and the rest of the record is
/// written (found by the fuzz target `processor_any_value`: the whole record
/// used to be dropped as too large).
#[test]
fn attributes_with_names_too_long_for_an_event_are_left_out_and_counted() {
    let processor = UserEventsProcessor::builder("TestProc").build().unwrap();
    let handle = processor.handle();
    let provider = provider(processor, None);
    let huge_name = "n".repeat(70_000);
    let long_name = "m".repeat(40_000);
    let events = emit(&provider, |r| {
        r.set_severity_number(Severity::Info);
        r.add_attribute("before", 1);
        r.add_attribute(huge_name.clone(), true);
        r.add_attribute(long_name.clone(), 2);
        // Fits on its own, not after the 40 KB name.
        r.add_attribute("o".repeat(30_000), 3);
        r.add_attribute("after", "x".repeat(100));
    });
    assert!(events[0].truncated);
    assert!(events[0].payload.len() <= 65_535);
    assert_eq!(
        one(&events),
        format!(
            r#"{{"n":"TestProc:Log",{HEAD},"PartC":{{"before":1,"{long_name}":2,"after":"{}"}},"PartB":{{"_typeName":"Log","severityNumber":9}},"meta":{{"level":4,"keyword":"0x1"}}}}"#,
            "x".repeat(100)
        )
    );
    let counters = handle.counters();
    assert_eq!(
        (
            counters.written,
            counters.truncated,
            counters.attributes_dropped
        ),
        (1, 1, 2)
    );
    assert_eq!(counters.dropped(), 0);
}

#[test]
fn resource_arrays_and_allow_list_order() {
    let processor = UserEventsProcessor::builder("TestProc")
        .with_resource_attributes(["zones", "deployment", "service.name", "absent"])
        .build()
        .unwrap();
    let provider = provider(
        processor,
        Some(
            Resource::builder_empty()
                .with_service_name("checkout")
                .with_attribute(KeyValue::new("deployment", "prod"))
                .with_attribute(KeyValue::new(
                    "zones",
                    opentelemetry::Value::Array(vec![1i64, 2].into()),
                ))
                .build(),
        ),
    );
    let events = emit(&provider, |r| {
        r.set_severity_number(Severity::Info);
        r.add_attribute("k", 1);
    });
    assert_eq!(
        one(&events),
        concat!(
            r#"{"n":"TestProc:Log","__csver__":1024,"PartA":{"time":"2024-01-01T12:34:56.789Z","ext_cloud_role":"checkout"},"#,
            r#""PartC":{"zones":[1,2],"deployment":"prod","k":1},"#,
            r#""PartB":{"_typeName":"Log","severityNumber":9},"meta":{"level":4,"keyword":"0x1"}}"#
        )
    );
}

#[test]
fn event_name_policies_and_keyword() {
    let fixed = provider(
        UserEventsProcessor::builder("TestProc")
            .with_event_name("OrderLog")
            .with_keyword(0x10)
            .build()
            .unwrap(),
        None,
    );
    let events = emit(&fixed, |r| {
        r.set_severity_number(Severity::Info);
        r.set_event_name("ignored");
    });
    assert_eq!(events[0].tracepoint, "TestProc_L4K10");
    assert_eq!(
        one(&events),
        format!(
            r#"{{"n":"TestProc:OrderLog",{HEAD},"PartB":{{"_typeName":"Log","severityNumber":9,"name":"ignored"}},"meta":{{"level":4,"keyword":"0x10"}}}}"#
        )
    );

    let from_record = provider(
        UserEventsProcessor::builder("TestProc")
            .with_record_event_name()
            .build()
            .unwrap(),
        None,
    );
    let names: Vec<String> = [Some("Checkout"), Some("  "), None]
        .into_iter()
        .map(|name| {
            let events = emit(&from_record, |r| {
                r.set_severity_number(Severity::Info);
                if let Some(name) = name {
                    r.set_event_name(name);
                }
            });
            one(&events).split('"').nth(3).unwrap().to_owned()
        })
        .collect();
    assert_eq!(names, ["TestProc:Checkout", "TestProc:Log", "TestProc:Log"]);

    let callback = provider(
        UserEventsProcessor::builder("TestProc")
            .with_event_name_callback(|r| match r.severity_number() {
                Some(s) if s >= Severity::Error => "Failure",
                _ => "Note",
            })
            .build()
            .unwrap(),
        None,
    );
    let events = emit(&callback, |r| r.set_severity_number(Severity::Error));
    assert!(one(&events).starts_with(r#"{"n":"TestProc:Failure","#));
    let events = emit(&callback, |r| r.set_severity_number(Severity::Info));
    assert!(one(&events).starts_with(r#"{"n":"TestProc:Note","#));
}

#[test]
fn a_callback_that_logs_does_not_panic() {
    // The event-name callback logs through the same logger, re-entering the
    // processor while it handles the outer record.
    use std::cell::Cell;
    use std::sync::{Arc, OnceLock};
    thread_local! { static DEPTH: Cell<u32> = const { Cell::new(0) }; }
    let slot: Arc<OnceLock<SdkLoggerProvider>> = Arc::new(OnceLock::new());
    let inner = Arc::clone(&slot);
    let processor = UserEventsProcessor::builder("TestProc")
        .with_event_name_callback(move |_| {
            if DEPTH.with(|d| d.replace(d.get() + 1)) == 0
                && let Some(provider) = inner.get()
            {
                let logger = provider.logger("inner");
                let mut record = logger.create_log_record();
                record.set_severity_number(Severity::Info);
                record.set_timestamp(fixed_time());
                record.set_body("from the callback".into());
                logger.emit(record);
            }
            DEPTH.with(|d| d.set(d.get() - 1));
            "Outer"
        })
        .build()
        .unwrap();
    let provider = slot.get_or_init(|| provider_for_reentrancy(processor));
    let events = emit(provider, |r| {
        r.set_severity_number(Severity::Warn);
        r.set_body("outer".into());
    });
    let json = json(&events);
    assert_eq!(json.len(), 2, "{json:?}");
    assert!(
        json[0].contains(r#""body":"from the callback""#),
        "{}",
        json[0]
    );
    assert!(json[1].contains(r#""body":"outer""#), "{}", json[1]);
}

fn provider_for_reentrancy(processor: UserEventsProcessor) -> SdkLoggerProvider {
    provider(processor, None)
}

#[test]
fn enabled_only_while_someone_listens_and_nothing_after_shutdown() {
    let processor = UserEventsProcessor::builder("TestProcShutdown")
        .build()
        .unwrap();
    let handle = processor.handle();
    {
        let _captures = capture_lock();
        // No listener: disabled (one load). Where the tracepoints could not
        // register (no user_events here), enabled instead, so that records
        // reach the processor and are counted as dropped_unavailable.
        assert_eq!(
            processor.event_enabled(Severity::Error, "t", None),
            !processor.report().all_registered()
        );
        // A capture counts as a listener.
        let (enabled, _) = Capture::new("Unused")
            .unwrap()
            .run(|| processor.event_enabled(Severity::Error, "t", None));
        assert!(enabled);
    }

    let provider = provider(processor, None);
    assert_eq!(
        emit(&provider, |r| r.set_severity_number(Severity::Info)).len(),
        1
    );
    provider.shutdown().unwrap();
    assert!(handle.is_shut_down());
    let logger = provider.logger("after");
    let _captures = capture_lock();
    let (_, events) = Capture::new("Unused").unwrap().run(|| {
        let mut record = logger.create_log_record();
        record.set_severity_number(Severity::Info);
        logger.emit(record);
    });
    assert!(events.is_empty());
}

#[test]
fn shutdown_is_idempotent_and_drop_after_shutdown_is_fine() {
    let processor = UserEventsProcessor::builder("TestProcTwice")
        .build()
        .unwrap();
    let handle = processor.handle();
    assert!(processor.shutdown().is_ok());
    assert!(processor.shutdown().is_ok());
    assert!(!processor.event_enabled(Severity::Fatal, "t", None));
    drop(processor);
    assert!(handle.is_shut_down());

    let dropped = UserEventsProcessor::builder("TestProcDrop")
        .build()
        .unwrap();
    let handle = dropped.handle();
    drop(dropped);
    assert!(handle.is_shut_down(), "drop without shutdown releases too");
}

#[test]
fn provider_names_are_checked_with_typed_errors() {
    assert_eq!(
        UserEventsProcessor::builder("my-provider")
            .build()
            .unwrap_err(),
        BuildError::InvalidName(ProviderNameError::InvalidChar { ch: '-', index: 2 })
    );
    assert_eq!(
        UserEventsProcessor::builder("").build().unwrap_err(),
        BuildError::InvalidName(ProviderNameError::Empty)
    );
    assert_eq!(
        UserEventsProcessor::builder(&"a".repeat(234))
            .build()
            .unwrap_err(),
        BuildError::InvalidName(ProviderNameError::TooLong { len: 234 })
    );
}

#[test]
fn the_report_names_every_tracepoint_and_explains_a_missing_kernel() {
    let processor = UserEventsProcessor::builder("TestProcReport")
        .with_keyword(0x2a)
        .build()
        .unwrap();
    let report = processor.report();
    let names: Vec<&str> = report.tracepoints.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "TestProcReport_L1K2a",
            "TestProcReport_L2K2a",
            "TestProcReport_L3K2a",
            "TestProcReport_L4K2a",
            "TestProcReport_L5K2a"
        ]
    );
    if report.data_file.is_ok() {
        // A kernel with user_events (the test VM): everything registers.
        assert!(report.all_registered(), "{report}");
    } else {
        assert!(!report.all_registered());
        let text = report.to_string();
        assert!(
            text.contains("this kernel has no user_events") || text.contains("EACCES"),
            "{text}"
        );
    }
}

#[test]
fn json_too_long_for_the_stack_buffer_is_cut_and_counted() {
    let processor = UserEventsProcessor::builder("TestProc").build().unwrap();
    let handle = processor.handle();
    let provider = provider(processor, None);
    let map: HashMap<Key, AnyValue> = (0..500)
        .map(|i| {
            (
                Key::from(format!("key{i:04}")),
                AnyValue::from(format!("value {i:04}")),
            )
        })
        .collect();
    let entry = |i: usize| format!(r#""key{i:04}":"value {i:04}""#);
    let value = AnyValue::Map(Box::new(map));
    let events = emit(&provider, |r| {
        r.set_severity_number(Severity::Info);
        r.add_attribute("big", value.clone());
        r.add_attribute("after", 7);
    });
    assert!(events[0].truncated);
    let json = one(&events);
    let prefix = format!(r#"{{"n":"TestProc:Log",{HEAD},"PartC":{{"big":""#);
    let suffix = r#"","after":7},"PartB":{"_typeName":"Log","severityNumber":9},"meta":{"level":4,"keyword":"0x1"}}"#;
    assert!(
        json.starts_with(&prefix) && json.ends_with(suffix),
        "{json}"
    );
    let kept = json[prefix.len()..json.len() - suffix.len()].replace(r#"\""#, "\"");
    // The JSON text (about 12 KB whole) is cut at the room left in the 8 KB
    // stack buffer, never garbled: whole entries of the map, each once (in
    // the map's order, which depends on its hasher), then the start of one.
    assert!(kept.len() > 4_000, "{}", kept.len());
    let pieces: Vec<&str> = kept.strip_prefix('{').unwrap().split(',').collect();
    let (whole, cut) = pieces.split_at(pieces.len() - 1);
    let mut seen = std::collections::BTreeSet::new();
    for piece in whole {
        let i = (0..500).find(|&i| entry(i) == *piece);
        let i = i.unwrap_or_else(|| panic!("not an entry of the map: {piece}"));
        assert!(seen.insert(i), "entry {i} written twice");
    }
    assert!(seen.len() < 500);
    assert!(
        (0..500).any(|i| !seen.contains(&i) && entry(i).starts_with(cut[0])),
        "cut inside no other entry: {}",
        cut[0]
    );
    let counters = handle.counters();
    assert_eq!((counters.written, counters.truncated), (1, 1));
}

#[test]
fn without_user_events_records_are_dropped_counted_and_the_report_says_so() {
    let processor = UserEventsProcessor::builder("TestProcUnavailable")
        .build()
        .unwrap();
    if processor.report().data_file.is_ok() {
        eprintln!(
            "skipped: without_user_events_records_are_dropped_counted_and_the_report_says_so \
             describes a kernel without user_events"
        );
        return;
    }
    let handle = processor.handle();
    let text = handle.report().to_string();
    assert!(
        text.contains("; records are dropped and counted (dropped_unavailable)\n"),
        "{text}"
    );
    let provider = provider(processor, None);
    let logger = provider.logger("test");
    let emit_one = || {
        let mut record = logger.create_log_record();
        record.set_severity_number(Severity::Warn);
        record.set_body("lost".into());
        logger.emit(record);
    };
    {
        let _captures = capture_lock();
        emit_one();
    }
    let counters = handle.counters();
    assert_eq!(counters.dropped_unavailable, 1);
    assert_eq!(counters.dropped(), 1);
    assert_eq!(counters.written, 0);
    // Shut down, it takes nothing more.
    provider.shutdown().unwrap();
    emit_one();
    assert_eq!(handle.counters().dropped_unavailable, 1);
}
