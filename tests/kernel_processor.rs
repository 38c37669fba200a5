//! `UserEventsProcessor` against a real kernel, side by side with the seed crate
//! (`opentelemetry_user_events_logs::Processor` 0.18).
//!
//! Runs only inside the user_events VM: `scripts/kernel-test.sh cargo-test
//! --test kernel_processor`. Elsewhere each test prints a `skipped:` line.
//!
//! The differential test registers both processors under the same provider
//! name (the kernel lets two registrations share a tracepoint when their fields
//! match), sends the same records through each, captures the events with perf
//! and decodes them with `tracepoint_decode`. Records carry explicit
//! timestamps, so the JSON must be identical byte for byte; only for the
//! records logged through `tracing` (timestamped by the SDK when emitted) is the
//! PartA time masked.
//!
//! Also: registration, per-level enablement and unregistration (at shutdown and
//! at drop), zero heap allocations per written record in the processor, and the
//! exact count on the whole SDK and appender paths (counting allocator).
//!
//! Documented differences (asserted below, see the processor's module docs):
//! - bytes, lists and maps: the seed writes `""`, we write hex bytes, EventHeader
//!   arrays, or JSON text;
//! - a record without severity: the seed drops it, we write it at `Info`;
//! - a record with a trace context: we also write its span's activity id
//!   (`ActivityId::from_span`) in the EventHeader header, which decoders show
//!   in `meta` (`"activity"`); the seed writes none.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _, LoggerProvider as _, Severity};
use opentelemetry::trace::{SpanId, TraceFlags, TraceId};
use opentelemetry::{Key, KeyValue};
use opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::{LogProcessor as _, SdkLogRecord, SdkLoggerProvider};
use otel_user_events::logs::UserEventsProcessor;
use otel_user_events_test_support::alloc::{CountingAllocator, allocations_during};
use otel_user_events_test_support::perf::{Listener, Sample};
use otel_user_events_test_support::{require_kernel, tracefs};
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::SubscriberExt as _;

/// The tests share tracepoint names and the perf buffers: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());
const WAIT: Duration = Duration::from_secs(30);

const PROVIDER: &str = "OtelUeDiff";

fn tracepoints(provider: &str) -> Vec<String> {
    (1..=5).map(|l| format!("{provider}_L{l}K1")).collect()
}

fn resource() -> Resource {
    Resource::builder_empty()
        .with_service_name("myrolename")
        .with_attribute(KeyValue::new("service.instance.id", "myinstance123"))
        .with_attribute(KeyValue::new("resource_attribute1", "v1"))
        .with_attribute(KeyValue::new("resource_attribute3", "v3"))
        .build()
}

/// The seed's and our logger providers, same provider name, same settings.
fn providers() -> (SdkLoggerProvider, SdkLoggerProvider) {
    let seed = opentelemetry_user_events_logs::Processor::builder(PROVIDER)
        .with_resource_attributes(["resource_attribute1"])
        .build()
        .unwrap();
    let ours = UserEventsProcessor::builder(PROVIDER)
        .with_resource_attributes(["resource_attribute1"])
        .build()
        .unwrap();
    assert!(ours.report().all_registered(), "{}", ours.report());
    (
        SdkLoggerProvider::builder()
            .with_resource(resource())
            .with_log_processor(seed)
            .build(),
        SdkLoggerProvider::builder()
            .with_resource(resource())
            .with_log_processor(ours)
            .build(),
    )
}

/// 2024-01-01T12:34:56.789012Z
fn fixed_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_micros(1_704_112_496_789_012)
}

/// Emits one record through `provider` and returns the decoded events perf saw.
fn emit_one(
    capture: &mut Listener,
    provider: &SdkLoggerProvider,
    fill: &dyn Fn(&mut SdkLogRecord),
) -> Vec<String> {
    let logger = provider.logger("diff");
    let mut record = logger.create_log_record();
    record.set_timestamp(fixed_time());
    fill(&mut record);
    logger.emit(record);
    decode(capture.drain())
}

fn decode(samples: Vec<Sample>) -> Vec<String> {
    samples
        .iter()
        .map(|s| s.json().unwrap_or_else(|e| panic!("{e}: {s:?}")))
        .collect()
}

fn list(items: Vec<AnyValue>) -> AnyValue {
    AnyValue::ListAny(Box::new(items))
}

/// Records of the value types the seed encodes: the JSON must be identical.
/// A described way to fill a record.
type Filler = (&'static str, Box<dyn Fn(&mut SdkLogRecord)>);

fn seed_supported_records() -> Vec<Filler> {
    vec![
        (
            "the seed's integration record",
            Box::new(|r: &mut SdkLogRecord| {
                r.set_severity_number(Severity::Error);
                r.set_severity_text("ERROR");
                r.set_event_name("my-event-name");
                r.set_body("This is a test message".into());
                r.add_attribute("event_id", 20);
                r.add_attribute("bool_field", true);
                r.add_attribute("double_field", 1.0);
                r.add_attribute("resource_attribute1", "event-level-value");
                r.add_attribute("user_name", "otel user");
                r.add_attribute("user_email", "otel.user@opentelemetry.com");
            }),
        ),
        (
            "integer body, trace context, negative and large numbers",
            Box::new(|r: &mut SdkLogRecord| {
                r.set_severity_number(Severity::Warn3);
                r.set_body(AnyValue::Int(-12));
                r.set_trace_context(
                    TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
                    SpanId::from_hex("00f067aa0ba902b7").unwrap(),
                    Some(TraceFlags::SAMPLED),
                );
                r.add_attribute("min", i64::MIN);
                r.add_attribute("pi", std::f64::consts::PI);
                r.add_attribute("unicode", "grüße, 世界");
                r.add_attribute("empty", "");
            }),
        ),
        (
            "boolean body, info, event_id that is not an integer",
            Box::new(|r: &mut SdkLogRecord| {
                r.set_severity_number(Severity::Info);
                r.set_body(AnyValue::Boolean(false));
                r.add_attribute("event_id", "not-an-int");
            }),
        ),
        (
            "double body, fatal, blank event name, no attributes",
            Box::new(|r: &mut SdkLogRecord| {
                r.set_severity_number(Severity::Fatal);
                r.set_severity_text("FATAL");
                r.set_event_name("   ");
                r.set_body(AnyValue::Double(0.1));
            }),
        ),
        (
            "trace severity, no body",
            Box::new(|r: &mut SdkLogRecord| {
                r.set_severity_number(Severity::Trace);
                r.add_attribute("n", 1);
            }),
        ),
    ]
}

#[test]
fn same_json_as_the_seed_for_the_types_it_supports() {
    require_kernel!();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (seed, ours) = providers();
    let mut capture = Listener::start(&tracepoints(PROVIDER)).unwrap();
    for (what, fill) in seed_supported_records() {
        let from_seed = emit_one(&mut capture, &seed, &*fill);
        let from_ours = emit_one(&mut capture, &ours, &*fill);
        assert_eq!(from_seed.len(), 1, "{what}: seed wrote {from_seed:?}");
        assert_eq!(from_ours, [with_span_activity(&from_seed[0])], "{what}");
    }
    assert_eq!(capture.lost(), 0);
    drop(capture);
    seed.shutdown().unwrap();
    ours.shutdown().unwrap();
}

#[test]
fn same_json_as_the_seed_through_the_tracing_appender() {
    require_kernel!();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (seed, ours) = providers();
    let mut capture = Listener::start(&tracepoints(PROVIDER)).unwrap();
    let mut outputs = Vec::new();
    for provider in [&seed, &ours] {
        // Only this test's event: not the SDK's own internal logs.
        let bridge = OpenTelemetryTracingBridge::new(provider)
            .with_filter(filter_fn(|meta| meta.target() == "my-system"));
        let subscriber = tracing_subscriber::registry().with(bridge);
        tracing::subscriber::with_default(subscriber, || {
            tracing::error!(
                name: "CheckoutFailed",
                target: "my-system",
                event_id = 20,
                user_name = "otel user",
                user_email = "otel.user@opentelemetry.com",
                attempts = 3,
                ratio = 0.5,
                retry = true,
                message = "This is an example message"
            );
        });
        let events = decode(capture.drain());
        assert_eq!(events.len(), 1, "{events:?}");
        outputs.push(mask_time(&events[0]));
    }
    assert_eq!(outputs[1], outputs[0]);
    assert!(
        outputs[0].contains(r#""PartC":{"resource_attribute1":"v1","user_name":"otel user""#),
        "{}",
        outputs[0]
    );
    drop(capture);
    seed.shutdown().unwrap();
    ours.shutdown().unwrap();
}

/// The seed's JSON of a record as ours is: the same, plus, for a record with a
/// trace context, the activity id of its span in `meta` (the trace id's first
/// 16 hex digits, then the span id's 16, in GUID form).
fn with_span_activity(seed: &str) -> String {
    let value = |key: &str| {
        let start = seed.find(&format!(r#""{key}":""#))? + key.len() + 4;
        Some(&seed[start..start + seed[start..].find('"')?])
    };
    let (Some(trace), Some(span)) = (value("ext_dt_traceId"), value("ext_dt_spanId")) else {
        return seed.to_owned();
    };
    let activity = format!(
        "{}-{}-{}-{}-{}",
        &trace[..8],
        &trace[8..12],
        &trace[12..16],
        &span[..4],
        &span[4..]
    );
    let meta_end = seed.rfind("}}").expect("end of meta");
    format!(
        r#"{},"activity":"{activity}"{}"#,
        &seed[..meta_end],
        &seed[meta_end..]
    )
}

/// Replaces PartA's time with `T`.
fn mask_time(json: &str) -> String {
    let start = json.find(r#""time":""#).expect("PartA time") + 8;
    let end = start + json[start..].find('"').expect("end of time");
    format!("{}T{}", &json[..start], &json[end..])
}

#[test]
fn documented_differences_for_bytes_lists_maps_and_missing_severity() {
    require_kernel!();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (seed, ours) = providers();
    let mut capture = Listener::start(&tracepoints(PROVIDER)).unwrap();

    let improved = |r: &mut SdkLogRecord| {
        r.set_severity_number(Severity::Warn);
        r.set_body(list(vec![1.into(), 2.into()]));
        r.add_attribute("bytes", AnyValue::Bytes(Box::new(vec![0xde, 0xad])));
        r.add_attribute("ints", list(vec![1.into(), 2.into()]));
        r.add_attribute("strings", list(vec!["a".into(), "b".into()]));
        r.add_attribute("mixed", list(vec![1.into(), "x".into()]));
        let mut map = std::collections::HashMap::new();
        map.insert(Key::from("k"), AnyValue::Int(1));
        r.add_attribute("map", AnyValue::Map(Box::new(map)));
    };
    let from_seed = emit_one(&mut capture, &seed, &improved);
    let from_ours = emit_one(&mut capture, &ours, &improved);
    let part_a = concat!(
        r#""__csver__":1024,"PartA":{"time":"2024-01-01T12:34:56.789012Z","#,
        r#""ext_cloud_role":"myrolename","ext_cloud_roleInstance":"myinstance123"}"#
    );
    assert_eq!(
        from_seed,
        [format!(
            concat!(
                r#"{{"n":"OtelUeDiff:Log",{part_a},"PartC":{{"resource_attribute1":"v1","#,
                r#""bytes":"","ints":"","strings":"","mixed":"","map":""}},"#,
                r#""PartB":{{"_typeName":"Log","body":"","severityNumber":13}},"#,
                r#""meta":{{"level":3,"keyword":"0x1"}}}}"#
            ),
            part_a = part_a
        )]
    );
    assert_eq!(
        from_ours,
        [format!(
            concat!(
                r#"{{"n":"OtelUeDiff:Log",{part_a},"PartC":{{"resource_attribute1":"v1","#,
                r#""bytes":"DE AD","ints":[1,2],"strings":["a","b"],"mixed":"[1,\"x\"]","map":"{{\"k\":1}}"}},"#,
                r#""PartB":{{"_typeName":"Log","body":[1,2],"severityNumber":13}},"#,
                r#""meta":{{"level":3,"keyword":"0x1"}}}}"#
            ),
            part_a = part_a
        )]
    );

    // No severity: the seed drops the record; we write it at Info.
    let no_severity = |r: &mut SdkLogRecord| r.set_body("no severity".into());
    assert_eq!(
        emit_one(&mut capture, &seed, &no_severity),
        Vec::<String>::new()
    );
    assert_eq!(
        emit_one(&mut capture, &ours, &no_severity),
        [format!(
            r#"{{"n":"OtelUeDiff:Log",{part_a},"PartC":{{"resource_attribute1":"v1"}},"PartB":{{"_typeName":"Log","body":"no severity","severityNumber":9}},"meta":{{"level":4,"keyword":"0x1"}}}}"#
        )]
    );
    drop(capture);
    seed.shutdown().unwrap();
    ours.shutdown().unwrap();
}

#[test]
fn registers_five_tracepoints_follows_listeners_and_unregisters_at_shutdown() {
    require_kernel!();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    const NAME: &str = "OtelUeProcLife";
    let processor = UserEventsProcessor::builder(NAME)
        .with_keyword(0x2a)
        .build()
        .unwrap();
    let handle = processor.handle();
    let names: Vec<String> = (1..=5).map(|l| format!("{NAME}_L{l}K2a")).collect();
    let status = tracefs::user_events_status().unwrap();
    for name in &names {
        assert!(status.contains(name), "{name} missing from {status:?}");
    }

    // Nobody listens: disabled. perf on the error level enables exactly it.
    assert!(!processor.event_enabled(Severity::Error, "t", None));
    let mut capture = Listener::start(&names[1..2]).unwrap();
    assert!(processor.event_enabled(Severity::Error, "t", None));
    assert!(!processor.event_enabled(Severity::Warn, "t", None));

    let provider = SdkLoggerProvider::builder()
        .with_resource(Resource::builder_empty().build())
        .with_log_processor(processor)
        .build();
    let logger = provider.logger("life");
    for severity in [Severity::Error, Severity::Info] {
        let mut record = logger.create_log_record();
        record.set_severity_number(severity);
        record.set_timestamp(fixed_time());
        logger.emit(record);
    }
    let events = decode(capture.drain());
    assert_eq!(
        events,
        [concat!(
            r#"{"n":"OtelUeProcLife:Log","__csver__":1024,"PartA":{"time":"2024-01-01T12:34:56.789012Z"},"#,
            r#""PartB":{"_typeName":"Log","severityNumber":17},"meta":{"level":2,"keyword":"0x2A"}}"#
        )]
    );
    let counters = handle.counters();
    assert_eq!((counters.written, counters.dropped()), (1, 0));

    // Detaching perf disables the level again at once.
    drop(capture);
    let mut record = logger.create_log_record();
    record.set_severity_number(Severity::Error);
    logger.emit(record);
    assert_eq!(handle.counters().written, 1);

    provider.shutdown().unwrap();
    assert!(handle.is_shut_down());
    for name in &names {
        tracefs::wait_for_unregistered(name, WAIT).unwrap();
    }
}

#[test]
fn dropping_without_shutdown_unregisters_too() {
    require_kernel!();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    const NAME: &str = "OtelUeProcDrop";
    let processor = UserEventsProcessor::builder(NAME).build().unwrap();
    assert!(
        processor.report().all_registered(),
        "{}",
        processor.report()
    );
    let names = tracepoints(NAME);
    let status = tracefs::user_events_status().unwrap();
    assert!(names.iter().all(|n| status.contains(n)), "{status:?}");
    drop(processor);
    for name in &names {
        tracefs::wait_for_unregistered(name, WAIT).unwrap();
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

#[test]
fn writing_a_record_allocates_nothing() {
    require_kernel!();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    const NAME: &str = "OtelUeProcAlloc";
    let mut processor = UserEventsProcessor::builder(NAME)
        .with_resource_attributes(["deployment"])
        .with_record_event_name()
        .build()
        .unwrap();
    processor.set_resource(
        &Resource::builder_empty()
            .with_service_name("alloc-test")
            .with_attribute(KeyValue::new("deployment", "prod"))
            .build(),
    );
    let handle = processor.handle();

    // A record with every kind of value, built before counting.
    let provider = SdkLoggerProvider::builder().build();
    let logger = provider.logger("alloc");
    let mut record = logger.create_log_record();
    record.set_timestamp(fixed_time());
    record.set_severity_number(Severity::Error);
    record.set_severity_text("ERROR");
    record.set_event_name("AllocCheck");
    record.set_trace_context(
        TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
        SpanId::from_hex("00f067aa0ba902b7").unwrap(),
        None,
    );
    let mut map = std::collections::HashMap::new();
    map.insert(Key::from("nested"), list(vec![1.into(), "x".into()]));
    map.insert(Key::from("f"), AnyValue::Double(0.5));
    record.set_body(AnyValue::Map(Box::new(map)));
    record.add_attribute("event_id", 5);
    record.add_attribute("s", "short");
    record.add_attribute("long", "L".repeat(300));
    record.add_attribute("n", 42);
    record.add_attribute("b", AnyValue::Bytes(Box::new(vec![1, 2, 3])));
    record.add_attribute("ints", list(vec![1.into(), 2.into()]));
    record.add_attribute("strs", list(vec!["a".into(), "b".repeat(100).into()]));
    let scope = opentelemetry::InstrumentationScope::builder("alloc").build();

    // The counter sees allocations (so the zero below means something).
    assert_eq!(
        allocations_during(|| drop(std::hint::black_box(vec![1u8; 10]))),
        1
    );
    let mut capture = Listener::start(&tracepoints(NAME)).unwrap();
    let allocations = allocations_during(|| {
        for _ in 0..100 {
            processor.emit(&mut record, &scope);
        }
    });
    assert_eq!(allocations, 0, "allocations while writing 100 records");
    let samples = decode(capture.drain());
    assert_eq!(samples.len(), 100);
    assert!(
        samples[0].starts_with(r#"{"n":"OtelUeProcAlloc:AllocCheck","#),
        "{}",
        samples[0]
    );
    let counters = handle.counters();
    assert_eq!((counters.written, counters.dropped()), (100, 0));
    drop(capture);
    processor.shutdown().unwrap();
}

/// Heap allocations per record on the whole LogProcessor path, written to the
/// kernel with a listener attached: our processor allocates nothing (above);
/// what a record costs is the SDK's and the appender's. The numbers are exact
/// for the locked versions (opentelemetry_sdk / -appender-tracing 0.33) and
/// printed, so a change shows up here.
#[test]
fn allocations_per_record_on_the_sdk_and_appender_paths() {
    require_kernel!();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    const NAME: &str = "OtelUeProcAllocSdk";
    const RECORDS: u64 = 100;
    let processor = UserEventsProcessor::builder(NAME).build().unwrap();
    let handle = processor.handle();
    let provider = SdkLoggerProvider::builder()
        .with_resource(Resource::builder_empty().build())
        .with_log_processor(processor)
        .build();
    let mut capture = Listener::start(&tracepoints(NAME)).unwrap();

    // Logs API: create the record, 4 attributes, emit (SDK -> our processor).
    let logger = provider.logger("alloc");
    let api_record = |i: u64| {
        let mut record = logger.create_log_record();
        record.set_severity_number(Severity::Error);
        record.set_severity_text("ERROR");
        record.set_body(AnyValue::from("checkout failed"));
        record.add_attribute("user_name", "otel user");
        record.add_attribute("attempts", i as i64);
        record.add_attribute("ratio", 0.5);
        record.add_attribute("retry", true);
        logger.emit(record);
    };
    api_record(0); // first use: lazy statics
    let api = allocations_during(|| (1..=RECORDS).for_each(api_record));

    // tracing::error! with 4 attributes -> appender -> SDK -> our processor (P1's path).
    let bridge = OpenTelemetryTracingBridge::new(&provider)
        .with_filter(filter_fn(|meta| meta.target() == "my-system"));
    let subscriber = tracing_subscriber::registry().with(bridge);
    let appender = tracing::subscriber::with_default(subscriber, || {
        let event = |i: u64| {
            tracing::error!(
                target: "my-system",
                user_name = "otel user",
                attempts = i,
                ratio = 0.5,
                retry = true,
                "checkout failed"
            )
        };
        event(0);
        allocations_during(|| (1..=RECORDS).for_each(event))
    });

    let samples = decode(capture.drain());
    assert_eq!(samples.len() as u64, 2 * (RECORDS + 1));
    assert_eq!(handle.counters().written, 2 * (RECORDS + 1));
    println!(
        "heap allocations per record: Logs API + SDK + UserEventsProcessor {}, \
         tracing::error! + appender + SDK + UserEventsProcessor {} (processor alone: 0)",
        api as f64 / RECORDS as f64,
        appender as f64 / RECORDS as f64
    );
    assert_eq!(api % RECORDS, 0, "the same number for every record: {api}");
    assert_eq!(
        appender % RECORDS,
        0,
        "the same number for every record: {appender}"
    );
    assert_eq!(
        (api / RECORDS, appender / RECORDS),
        (API_ALLOCS, APPENDER_ALLOCS)
    );
    drop(capture);
    provider.shutdown().unwrap();
}

/// Per record through the Logs API (record with 4 attributes and a `&'static`
/// body, SDK, our processor): none. See
/// [`allocations_per_record_on_the_sdk_and_appender_paths`].
const API_ALLOCS: u64 = 0;
/// Per `tracing::error!` with 4 attributes through the appender, the SDK and
/// our processor: 2, both the appender's (owned copies of the message and of
/// the string attribute).
const APPENDER_ALLOCS: u64 = 2;

#[test]
fn failed_writes_are_counted_by_errno() {
    require_kernel!();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    const NAME: &str = "OtelUeProcErr";
    let processor = UserEventsProcessor::builder(NAME).build().unwrap();
    let handle = processor.handle();
    let capture = Listener::start(&tracepoints(NAME)[1..2]).unwrap();
    let provider = SdkLoggerProvider::builder()
        .with_resource(Resource::builder_empty().build())
        .with_log_processor(processor)
        .build();
    let logger = provider.logger("errors");
    let emit = || {
        let mut record = logger.create_log_record();
        record.set_severity_number(Severity::Error);
        logger.emit(record);
    };
    emit();
    assert_eq!(handle.counters().written, 1);

    // Swap every user_events_data descriptor of the process for a fresh file:
    // our registrations (and write indexes) mean nothing there, while perf
    // still listens, so the next write reaches the kernel and fails.
    assert!(tracefs::release_user_events_data_files().unwrap() >= 1);
    emit();
    let counters = handle.counters();
    assert_eq!(counters.written, 1);
    assert_eq!(counters.write_errors.len(), 1, "{counters:?}");
    let (errno, count) = counters.write_errors[0];
    assert_eq!(count, 1);
    // The kernel finds no registration for the write index on the new file.
    assert_eq!(errno.name(), "ENOENT", "{errno}");
    assert_eq!(counters.dropped(), 1);
    drop(capture);
    provider.shutdown().unwrap();
}
