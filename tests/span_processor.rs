//! `UserEventsSpanProcessor` events captured without a kernel (the exact bytes
//! it would write) and decoded with Microsoft's `tracepoint_decode`, compared
//! with hand-written JSON: the layout of `opentelemetry-user-events-trace` 0.6
//! (read from its source), live spans, span events, typed arrays, limits,
//! counting, and the ids `ue_log!` and `UserEventsProcessor` events carry
//! inside a span.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _, Severity};
use opentelemetry::trace::{
    Span as _, SpanContext, SpanId, SpanKind, Status, TraceContextExt as _, TraceFlags, TraceId,
    TraceState, Tracer as _, TracerProvider as _,
};
use opentelemetry::{Array, Context, KeyValue, Value};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use otel_user_events::testing::{Capture, CapturedEvent, sequential_activity_ids};
use otel_user_events::{
    activity::ActivityId, logs::UserEventsProcessor, otel_event, output::BuildError,
    provider::ProviderNameError, trace::UserEventsSpanProcessor,
    trace::UserEventsSpanProcessorBuilder, ue_log,
};
use otel_user_events_test_support::decode::decode_json;
use otel_user_events_test_support::ids::{SequentialIds, TRACE};

/// A capture sets the capture bit of every processor and call site in the
/// process: the tests take turns.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// 2024-01-01T12:34:56.789Z, and the same plus `ms` milliseconds.
fn at(ms: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(1_704_112_496_789 + ms)
}

fn tracer(
    builder: UserEventsSpanProcessorBuilder,
    resource: Resource,
) -> (SdkTracerProvider, SdkTracer) {
    let provider = SdkTracerProvider::builder()
        .with_id_generator(SequentialIds::default())
        .with_resource(resource)
        .with_span_processor(builder.build().unwrap())
        .build();
    let tracer = provider.tracer("test");
    (provider, tracer)
}

fn plain(builder: UserEventsSpanProcessorBuilder) -> (SdkTracerProvider, SdkTracer) {
    tracer(builder, Resource::builder_empty().build())
}

fn capture(f: impl FnOnce()) -> Vec<CapturedEvent> {
    let _serial = serial();
    Capture::new("Unused").unwrap().run(f).1
}

fn json(events: &[CapturedEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e.tracepoint,
                decode_json(&e.tracepoint, &e.payload).unwrap()
            )
        })
        .collect()
}

/// A span started at [`at`]`(0)` and ended at `at(1500)`, filled by `fill`.
fn span(
    tracer: &SdkTracer,
    name: &'static str,
    fill: impl FnOnce(&mut opentelemetry_sdk::trace::Span),
) {
    let mut span = tracer
        .span_builder(name)
        .with_start_time(at(0))
        .start(tracer);
    fill(&mut span);
    span.end_with_timestamp(at(1500));
}

const TIMES: (&str, &str) = ("2024-01-01T12:34:58.289Z", "2024-01-01T12:34:56.789Z");

#[test]
fn a_span_is_written_as_the_peer_writes_it() {
    let (_provider, tracer) = tracer(
        UserEventsSpanProcessor::builder("SpanProc"),
        Resource::builder_empty()
            .with_service_name("myrolename")
            .with_attribute(KeyValue::new("service.instance.id", "myinstance123"))
            .build(),
    );
    // The peer's integration test span: every semantic-convention attribute, one for PartC.
    let events = capture(|| {
        span(&tracer, "my-span-name", |span| {
            span.set_attribute(KeyValue::new("db.system.name", "postgresql"));
            span.set_attribute(KeyValue::new("db.namespace", "inventory"));
            span.set_attribute(KeyValue::new("db.query.text", "SELECT 1"));
            span.set_attribute(KeyValue::new("http.request.method", "GET"));
            span.set_attribute(KeyValue::new("url.full", "https://api.example.com/p"));
            span.set_attribute(KeyValue::new("http.response.status_code", 200));
            span.set_attribute(KeyValue::new("messaging.system", "kafka"));
            span.set_attribute(KeyValue::new("messaging.destination.name", "updates"));
            span.set_attribute(KeyValue::new("messaging.url", "kafka://b:9092"));
            span.set_attribute(KeyValue::new("rpc.system.name", "grpc"));
            span.set_attribute(KeyValue::new("rpc.response.status_code", 0));
            span.set_attribute(KeyValue::new("my-key", "my-value"));
            // An error with http.response.status_code: no statusMessage.
            span.set_status(Status::error("boom"));
        });
    });
    assert_eq!(
        json(&events),
        [format!(
            concat!(
                r#"SpanProc_L4K1 {{"n":"SpanProc:Span","__csver__":1024,"PartA":{{"time":"{end}","#,
                r#""ext_dt_traceId":"{TRACE}","ext_dt_spanId":"0000000000000001","#,
                r#""ext_cloud_role":"myrolename","ext_cloud_roleInstance":"myinstance123"}},"#,
                r#""PartB":{{"_typeName":"Span","name":"my-span-name","startTime":"{start}","success":false,"kind":0,"#,
                r#""dbSystem":"postgresql","dbName":"inventory","dbStatement":"SELECT 1","httpMethod":"GET","#,
                r#""httpUrl":"https://api.example.com/p","httpStatusCode":200,"messagingSystem":"kafka","#,
                r#""messagingDestination":"updates","messagingUrl":"kafka://b:9092","rpcSystem":"grpc","rpcGrpcStatusCode":0}},"#,
                r#""PartC":{{"my-key":"my-value"}},"meta":{{"level":4,"keyword":"0x1"}}}}"#
            ),
            end = TIMES.0,
            start = TIMES.1,
            TRACE = TRACE
        )]
    );
}

#[test]
fn status_kind_parent_and_links_as_the_peer_writes_them() {
    let (_provider, tracer) = plain(UserEventsSpanProcessor::builder("SpanProc"));
    let linked = SpanContext::new(
        TraceId::from_hex("0af7651916cd43dd8448eb211c80319c").unwrap(),
        SpanId::from_hex("00f067aa0ba902b7").unwrap(),
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    );
    let events = capture(|| {
        let parent = tracer
            .span_builder("parent")
            .with_start_time(at(0))
            .start(&tracer);
        let cx = Context::current_with_span(parent);
        let mut child = tracer
            .span_builder("child")
            .with_kind(SpanKind::Client)
            .with_start_time(at(0))
            .with_links(vec![opentelemetry::trace::Link::with_context(
                linked.clone(),
            )])
            .start_with_context(&tracer, &cx);
        child.set_status(Status::error("payment declined"));
        child.end_with_timestamp(at(1500));
        let parent = cx.span();
        parent.set_status(Status::Ok);
        parent.end_with_timestamp(at(1500));
    });
    let head = |span: &str| {
        format!(
            r#"{{"n":"SpanProc:Span","__csver__":1024,"PartA":{{"time":"{}","ext_dt_traceId":"{TRACE}","ext_dt_spanId":"{span}"}},"#,
            TIMES.0
        )
    };
    let decoded = json(&events);
    // README's "What a span becomes" shows the child, as `tracepoint_decode` prints it.
    let child = decoded[0].strip_prefix("SpanProc_L4K1 ").unwrap();
    assert!(
        include_str!("../README.md").contains(&format!("\n{child}\n")),
        "README does not show {child}"
    );
    assert_eq!(
        decoded,
        [
            format!(
                concat!(
                    r#"SpanProc_L4K1 {head}"PartB":{{"_typeName":"Span","name":"child","startTime":"{start}","#,
                    r#""success":false,"kind":2,"parentId":"0000000000000001","#,
                    r#""links":"[{{\"toTraceId\":\"0af7651916cd43dd8448eb211c80319c\",\"toSpanId\":\"00f067aa0ba902b7\"}}]","#,
                    r#""statusMessage":"payment declined"}},"meta":{{"level":4,"keyword":"0x1"}}}}"#
                ),
                head = head("0000000000000002"),
                start = TIMES.1
            ),
            format!(
                concat!(
                    r#"SpanProc_L4K1 {head}"PartB":{{"_typeName":"Span","name":"parent","startTime":"{start}","#,
                    r#""success":true,"kind":0}},"meta":{{"level":4,"keyword":"0x1"}}}}"#
                ),
                head = head("0000000000000001"),
                start = TIMES.1
            ),
        ]
    );
}

#[test]
fn every_kind_has_the_peers_number_and_unset_is_a_success() {
    let (_provider, tracer) = plain(UserEventsSpanProcessor::builder("SpanProc"));
    let kinds = [
        (SpanKind::Internal, 0),
        (SpanKind::Server, 1),
        (SpanKind::Client, 2),
        (SpanKind::Producer, 3),
        (SpanKind::Consumer, 4),
    ];
    let events = capture(|| {
        for (kind, _) in &kinds {
            let span = tracer
                .span_builder("k")
                .with_kind(kind.clone())
                .start(&tracer);
            drop(span); // ends it, status Unset
        }
    });
    let decoded = json(&events);
    assert_eq!(decoded.len(), 5);
    for (json, (_, number)) in decoded.iter().zip(kinds) {
        assert!(
            json.contains(&format!(r#""success":true,"kind":{number}}}"#)),
            "{json}"
        );
    }
}

#[test]
fn arrays_are_typed_by_default_and_empty_strings_as_the_peer_on_request() {
    let attributes = || {
        vec![
            KeyValue::new("b", true),
            KeyValue::new("i", -7),
            KeyValue::new("f", 0.5),
            KeyValue::new("s", "text"),
            KeyValue::new("bools", Value::Array(Array::Bool(vec![true, false]))),
            KeyValue::new("ints", Value::Array(Array::I64(vec![1, -2]))),
            KeyValue::new("floats", Value::Array(Array::F64(vec![1.5]))),
            KeyValue::new(
                "strings",
                Value::Array(Array::String(vec!["a".into(), "b".into()])),
            ),
            KeyValue::new("none", Value::Array(Array::I64(vec![]))),
        ]
    };
    let part_c = |builder: UserEventsSpanProcessorBuilder| {
        let (_provider, tracer) = plain(builder);
        let events = capture(|| span(&tracer, "s", |span| span.set_attributes(attributes())));
        let json = json(&events).remove(0);
        let start = json.find(r#""PartC":"#).unwrap();
        json[start..json.find(r#","meta""#).unwrap()].to_owned()
    };
    assert_eq!(
        part_c(UserEventsSpanProcessor::builder("SpanProc")),
        concat!(
            r#""PartC":{"b":true,"i":-7,"f":0.5,"s":"text","bools":[true,false],"ints":[1,-2],"#,
            r#""floats":[1.5],"strings":["a","b"],"none":[]}"#
        )
    );
    assert_eq!(
        part_c(UserEventsSpanProcessor::builder("SpanProc").with_typed_arrays(false)),
        concat!(
            r#""PartC":{"b":true,"i":-7,"f":0.5,"s":"text","bools":"","ints":"","#,
            r#""floats":"","strings":"","none":""}"#
        )
    );
}

/// The activity id of span number `n` of [`SequentialIds`]' trace, as decoders show it.
fn activity(n: u64) -> String {
    let trace = TraceId::from_hex(TRACE).unwrap().to_bytes();
    ActivityId::from_span(trace, n.to_be_bytes()).to_string()
}

#[test]
fn live_spans_are_activities_whose_start_has_the_parent_as_related_id() {
    let (_provider, tracer) = plain(
        UserEventsSpanProcessor::builder("SpanProc")
            .with_live_spans(true)
            .with_span_events(false),
    );
    let events = capture(|| {
        let parent = tracer
            .span_builder("parent")
            .with_start_time(at(0))
            .with_attributes([KeyValue::new("at_start", 1)])
            .start(&tracer);
        let cx = Context::current_with_span(parent);
        let mut child = tracer
            .span_builder("child")
            .with_start_time(at(0))
            .start_with_context(&tracer, &cx);
        child.set_attribute(KeyValue::new("later", "x"));
        child.end_with_timestamp(at(1500));
        cx.span().end_with_timestamp(at(1500));
    });
    let (a1, a2) = (activity(1), activity(2));
    assert_eq!(a1, "4bf92f35-77b3-4da6-0000-000000000001");
    let head = |time: &str, span: &str| {
        format!(
            r#"{{"n":"SpanProc:Span","__csver__":1024,"PartA":{{"time":"{time}","ext_dt_traceId":"{TRACE}","ext_dt_spanId":"{span}"}},"#
        )
    };
    let start = TIMES.1;
    assert_eq!(
        json(&events),
        [
            format!(
                concat!(
                    r#"SpanProc_L4K1 {head}"PartB":{{"_typeName":"Span","name":"parent","startTime":"{start}","kind":0}},"#,
                    r#""PartC":{{"at_start":1}},"meta":{{"level":4,"keyword":"0x1","opcode":1,"activity":"{a1}"}}}}"#
                ),
                head = head(start, "0000000000000001"),
                start = start,
                a1 = a1,
            ),
            format!(
                concat!(
                    r#"SpanProc_L4K1 {head}"PartB":{{"_typeName":"Span","name":"child","startTime":"{start}","kind":0,"#,
                    r#""parentId":"0000000000000001"}},"meta":{{"level":4,"keyword":"0x1","opcode":1,"#,
                    r#""activity":"{a2}","relatedActivity":"{a1}"}}}}"#
                ),
                head = head(start, "0000000000000002"),
                start = start,
                a1 = a1,
                a2 = a2,
            ),
            format!(
                concat!(
                    r#"SpanProc_L4K1 {head}"PartB":{{"_typeName":"Span","name":"child","startTime":"{start}","success":true,"kind":0,"#,
                    r#""parentId":"0000000000000001"}},"PartC":{{"later":"x"}},"#,
                    r#""meta":{{"level":4,"keyword":"0x1","opcode":2,"activity":"{a2}"}}}}"#
                ),
                head = head(TIMES.0, "0000000000000002"),
                start = start,
                a2 = a2,
            ),
            format!(
                concat!(
                    r#"SpanProc_L4K1 {head}"PartB":{{"_typeName":"Span","name":"parent","startTime":"{start}","success":true,"kind":0}},"#,
                    r#""PartC":{{"at_start":1}},"meta":{{"level":4,"keyword":"0x1","opcode":2,"activity":"{a1}"}}}}"#
                ),
                head = head(TIMES.0, "0000000000000001"),
                start = start,
                a1 = a1,
            ),
        ]
    );
}

#[test]
fn span_events_come_before_their_span_with_its_activity_id() {
    let (_provider, tracer) = plain(UserEventsSpanProcessor::builder("SpanProc"));
    let events = capture(|| {
        span(&tracer, "checkout", |span| {
            span.add_event_with_timestamp(
                "cache miss",
                at(100),
                vec![
                    KeyValue::new("key", "cart:7"),
                    KeyValue::new("tries", Value::Array(Array::I64(vec![1, 2]))),
                ],
            );
            span.add_event_with_timestamp("done", at(200), vec![]);
        });
    });
    let a1 = activity(1);
    let event = |time: &str, name: &str, part_c: &str| {
        format!(
            concat!(
                r#"SpanProc_L4K1 {{"n":"SpanProc:SpanEvent","__csver__":1024,"PartA":{{"time":"{time}","#,
                r#""ext_dt_traceId":"{TRACE}","ext_dt_spanId":"0000000000000001"}},"#,
                r#""PartB":{{"_typeName":"SpanEvent","name":"{name}"}},{part_c}"#,
                r#""meta":{{"level":4,"keyword":"0x1","activity":"{a1}"}}}}"#
            ),
            time = time,
            TRACE = TRACE,
            name = name,
            part_c = part_c,
            a1 = a1
        )
    };
    let decoded = json(&events);
    assert_eq!(decoded.len(), 3, "{decoded:?}");
    assert_eq!(
        decoded[..2],
        [
            event(
                "2024-01-01T12:34:56.889Z",
                "cache miss",
                r#""PartC":{"key":"cart:7","tries":[1,2]},"#
            ),
            event("2024-01-01T12:34:56.989Z", "done", ""),
        ]
    );
    // The span itself is still the peer's plain event: no activity id.
    assert!(
        decoded[2].contains(r#""n":"SpanProc:Span""#),
        "{}",
        decoded[2]
    );
    assert!(
        decoded[2].ends_with(r#""meta":{"level":4,"keyword":"0x1"}}"#),
        "{}",
        decoded[2]
    );

    // Off: the span alone, as the peer writes.
    let (_provider, tracer) =
        plain(UserEventsSpanProcessor::builder("SpanProc").with_span_events(false));
    let events = capture(|| {
        span(&tracer, "checkout", |span| {
            span.add_event("dropped", vec![])
        })
    });
    assert_eq!(events.len(), 1);
}

#[test]
fn keyword_group_and_event_name_are_configurable() {
    let (_provider, tracer) = plain(
        UserEventsSpanProcessor::builder("SpanProc")
            .with_keyword(0x2a)
            .with_provider_group("teama")
            .with_event_name("Operation"),
    );
    let events = capture(|| span(&tracer, "op", |_| {}));
    let decoded = json(&events);
    assert_eq!(decoded.len(), 1);
    assert!(
        decoded[0].starts_with(r#"SpanProc_L4K2aGteama {"n":"SpanProc:Operation","#),
        "{}",
        decoded[0]
    );
    assert!(
        decoded[0].contains(r#""_typeName":"Span","name":"op""#),
        "{}",
        decoded[0]
    );
    assert!(
        decoded[0].ends_with(r#""meta":{"level":4,"keyword":"0x2A"}}"#),
        "{}",
        decoded[0]
    );

    assert_eq!(
        UserEventsSpanProcessor::builder("bad-name")
            .build()
            .unwrap_err(),
        BuildError::InvalidName(ProviderNameError::InvalidChar { ch: '-', index: 3 })
    );
}

#[test]
fn more_than_127_attributes_keep_the_first_127_and_count_the_rest() {
    let processor = UserEventsSpanProcessor::builder("SpanProc")
        .build()
        .unwrap();
    let handle = processor.handle();
    let provider = SdkTracerProvider::builder()
        .with_span_limits(opentelemetry_sdk::trace::SpanLimits {
            max_attributes_per_span: 200,
            ..Default::default()
        })
        .with_span_processor(processor)
        .build();
    let tracer = provider.tracer("limits");
    let events = capture(|| {
        let mut span = tracer.start("many");
        for i in 0..130 {
            span.set_attribute(KeyValue::new(format!("a{i}"), i));
        }
        span.end();
    });
    assert_eq!(events.len(), 1);
    assert!(events[0].truncated);
    let json = json(&events).remove(0);
    assert!(json.contains(r#""a126":126}"#), "{json}");
    assert!(!json.contains(r#""a127""#), "{json}");
    let counters = handle.counters();
    assert_eq!(
        (
            counters.written,
            counters.attributes_dropped,
            counters.truncated
        ),
        (1, 3, 1)
    );
}

#[test]
fn a_100_kb_attribute_is_truncated_to_fit_64_kb_and_counted() {
    let processor = UserEventsSpanProcessor::builder("SpanProc")
        .build()
        .unwrap();
    let handle = processor.handle();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(processor)
        .build();
    let tracer = provider.tracer("limits");
    let big = "x".repeat(100_000);
    let events = capture(|| {
        let mut span = tracer.start("big");
        span.set_attribute(KeyValue::new("big", big.clone()));
        span.set_attribute(KeyValue::new("after", 1));
        span.end();
    });
    assert_eq!(events.len(), 1);
    assert!(events[0].truncated);
    assert!(events[0].payload.len() <= 65_536);
    let json = json(&events).remove(0);
    assert!(json.contains(r#""after":1"#), "{json}");
    let counters = handle.counters();
    assert_eq!(
        (counters.written, counters.truncated, counters.dropped()),
        (1, 1, 0)
    );
}

#[test]
fn the_report_names_all_five_levels_of_the_keyword_and_says_why_nothing_is_written() {
    let processor = UserEventsSpanProcessor::builder("SpanProcReport")
        .build()
        .unwrap();
    let report = processor.report();
    // Spans are written at level 4, as the peer writes them; all five levels
    // are registered, as by every output, so a collector's list opens.
    let names: Vec<&str> = report.tracepoints.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "SpanProcReport_L1K1",
            "SpanProcReport_L2K1",
            "SpanProcReport_L3K1",
            "SpanProcReport_L4K1",
            "SpanProcReport_L5K1"
        ]
    );
    let text = report.to_string();
    assert!(
        text.starts_with(r#"otel-user-events SpanProcessor "SpanProcReport" (keyword 0x1):"#),
        "{text}"
    );
    if !report.all_registered() {
        // No user_events here: every span is dropped and counted.
        assert!(
            text.contains("spans are dropped and counted (dropped_unavailable)"),
            "{text}"
        );
        let handle = processor.handle();
        let provider = SdkTracerProvider::builder()
            .with_span_processor(processor)
            .build();
        let tracer = provider.tracer("unavailable");
        let _serial = serial(); // no capture running: the word says UNAVAILABLE only
        let mut span = tracer.start("lost");
        span.add_event("also lost", vec![]);
        span.end();
        let counters = handle.counters();
        assert_eq!((counters.written, counters.dropped_unavailable), (0, 2));
    }
}

#[test]
fn ue_log_and_log_records_inside_a_span_carry_its_activity_id() {
    let (_provider, tracer) =
        plain(UserEventsSpanProcessor::builder("SpanProc").with_live_spans(true));
    let logs = SdkLoggerProvider::builder()
        .with_log_processor(
            UserEventsProcessor::builder("SpanProcLogs")
                .build()
                .unwrap(),
        )
        .build();
    let logger = logs.logger("in-span");
    let events = capture(|| {
        tracer.in_span("work", |_cx| {
            ue_log!(info, "Inside", n = 1);
            let mut record = logger.create_log_record();
            record.set_severity_number(Severity::Warn);
            logger.emit(record);
        });
        ue_log!(info, "Outside");
    });
    let decoded = json(&events);
    assert_eq!(decoded.len(), 5, "{decoded:?}");
    let a1 = activity(1);
    let meta_of = |json: &str| json[json.find(r#""meta":"#).unwrap()..].to_owned();
    assert_eq!(
        meta_of(&decoded[0]),
        format!(r#""meta":{{"level":4,"keyword":"0x1","opcode":1,"activity":"{a1}"}}}}"#)
    );
    assert!(decoded[1].starts_with("Unused_L4K1 "), "{}", decoded[1]);
    assert_eq!(
        meta_of(&decoded[1]),
        format!(r#""meta":{{"level":4,"keyword":"0x1","activity":"{a1}"}}}}"#)
    );
    assert!(decoded[1].contains(&format!(
        r#""ext_dt_traceId":"{TRACE}","ext_dt_spanId":"0000000000000001""#
    )));
    assert!(
        decoded[2].starts_with("SpanProcLogs_L3K1 "),
        "{}",
        decoded[2]
    );
    assert_eq!(
        meta_of(&decoded[2]),
        format!(r#""meta":{{"level":3,"keyword":"0x1","activity":"{a1}"}}}}"#)
    );
    assert_eq!(
        meta_of(&decoded[3]),
        format!(r#""meta":{{"level":4,"keyword":"0x1","opcode":2,"activity":"{a1}"}}}}"#)
    );
    // Outside the span: no activity, no trace ids.
    assert_eq!(
        meta_of(&decoded[4]),
        r#""meta":{"level":4,"keyword":"0x1"}}"#
    );
    assert!(!decoded[4].contains("ext_dt_traceId"), "{}", decoded[4]);
}

#[test]
fn links_beyond_the_buffers_keep_the_first_ones_whole_and_count_the_event_truncated() {
    let processor = UserEventsSpanProcessor::builder("SpanProc")
        .build()
        .unwrap();
    let handle = processor.handle();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(processor)
        .build();
    let tracer = provider.tracer("links");
    let links: Vec<_> = (1..=128u64)
        .map(|i| {
            opentelemetry::trace::Link::with_context(SpanContext::new(
                TraceId::from(i as u128),
                SpanId::from(i),
                TraceFlags::SAMPLED,
                true,
                TraceState::default(),
            ))
        })
        .collect();
    let events = capture(|| {
        tracer
            .span_builder("linked")
            .with_links(links)
            .start(&tracer)
            .end();
    });
    assert_eq!(events.len(), 1);
    assert!(events[0].truncated);
    let json: serde_json::Value =
        serde_json::from_str(&decode_json(&events[0].tracepoint, &events[0].payload).unwrap())
            .unwrap();
    // The links text is valid JSON: whole links, in order, from the first.
    let kept: Vec<serde_json::Value> =
        serde_json::from_str(json["PartB"]["links"].as_str().unwrap()).unwrap();
    assert!((80..128).contains(&kept.len()), "{} links kept", kept.len());
    for (i, link) in kept.iter().enumerate() {
        let n = i as u64 + 1;
        assert_eq!(link["toTraceId"], format!("{n:032x}"));
        assert_eq!(link["toSpanId"], format!("{n:016x}"));
    }
    let counters = handle.counters();
    assert_eq!((counters.written, counters.truncated), (1, 1));
}

#[otel_event(duration)]
fn step() {
    ue_log!(info, "InStep");
}

#[test]
fn an_otel_event_activity_inside_a_span_has_the_span_as_parent() {
    let (_provider, tracer) = plain(UserEventsSpanProcessor::builder("SpanProc"));
    let events = capture(|| {
        sequential_activity_ids(|| {
            tracer.in_span("outer", |_cx| {
                step();
                ue_log!(info, "AfterStep");
            })
        })
    });
    let decoded = json(&events);
    let meta_of = |json: &str| json[json.find(r#""meta":"#).unwrap()..].to_owned();
    let metas: Vec<String> = decoded.iter().map(|e| meta_of(e)).collect();
    let (span, own) = (activity(1), "00000000-0000-0000-0000-000000000001");
    assert_eq!(
        metas,
        [
            // step's start: its own id, the span as parent.
            format!(
                r#""meta":{{"level":4,"keyword":"0x1","opcode":1,"activity":"{own}","relatedActivity":"{span}"}}}}"#
            ),
            // Inside step: step's id wins over the span's.
            format!(r#""meta":{{"level":4,"keyword":"0x1","activity":"{own}"}}}}"#),
            format!(r#""meta":{{"level":4,"keyword":"0x1","opcode":2,"activity":"{own}"}}}}"#),
            // Back in the span only.
            format!(r#""meta":{{"level":4,"keyword":"0x1","activity":"{span}"}}}}"#),
            // The span itself (not live): the peer's plain event.
            r#""meta":{"level":4,"keyword":"0x1"}}"#.to_owned(),
        ]
    );
}

#[test]
fn in_the_scalar_profile_a_record_in_a_span_repeats_its_activity_id_in_part_b() {
    let (_provider, tracer) = plain(UserEventsSpanProcessor::builder("SpanProc"));
    let logs = SdkLoggerProvider::builder()
        .with_log_processor(
            UserEventsProcessor::builder("SpanProcScalars")
                .with_encoding_profile(otel_user_events::output::EncodingProfile::Scalars)
                .build()
                .unwrap(),
        )
        .build();
    let logger = logs.logger("in-span");
    let events = capture(|| {
        tracer.in_span("work", |_cx| {
            let mut record = logger.create_log_record();
            record.set_severity_number(Severity::Info);
            logger.emit(record);
        });
        let mut record = logger.create_log_record();
        record.set_severity_number(Severity::Info);
        logger.emit(record);
    });
    let decoded = json(&events);
    assert_eq!(decoded.len(), 3, "{decoded:?}");
    let a1 = activity(1);
    assert!(
        decoded[0].contains(&format!(r#""activityId":"{a1}""#))
            && decoded[0].ends_with(&format!(
                r#""meta":{{"level":4,"keyword":"0x1","activity":"{a1}"}}}}"#
            )),
        "{}",
        decoded[0]
    );
    // Outside the span: no activity anywhere.
    assert!(!decoded[1].contains("activity"), "{}", decoded[1]);
}

/// `EncodingProfile::Scalars`: array attributes are JSON text (typed or not),
/// and a live span's and its span events' activity fields are repeated in
/// PartB, so a collector that reads only scalars loses nothing.
#[test]
fn the_scalar_profile_writes_arrays_as_json_and_activity_fields_in_part_b() {
    let (_provider, tracer) = plain(
        UserEventsSpanProcessor::builder("SpanScalar")
            .with_encoding_profile(otel_user_events::output::EncodingProfile::Scalars)
            .with_live_spans(true),
    );
    let events = capture(|| {
        span(&tracer, "s", |span| {
            span.set_attribute(KeyValue::new("ints", Value::Array(Array::I64(vec![1, -2]))));
            span.set_attribute(KeyValue::new(
                "strings",
                Value::Array(Array::String(vec!["a\"".into()])),
            ));
            span.set_attribute(KeyValue::new(
                "floats",
                Value::Array(Array::F64(vec![0.5, f64::NAN])),
            ));
            span.add_event(
                "step",
                vec![KeyValue::new(
                    "flags",
                    Value::Array(Array::Bool(vec![true])),
                )],
            );
        })
    });
    let a1 = activity(1);
    let json = json(&events);
    assert_eq!(json.len(), 3, "{json:#?}");
    let part = |j: &str, from: &str, to: &str| {
        let start = j.find(from).unwrap();
        j[start..start + j[start..].find(to).unwrap()].to_owned()
    };
    // The live start: no attributes yet (set after it), the activity in PartB.
    assert_eq!(
        part(&json[0], r#""PartB":"#, r#","meta""#),
        format!(
            r#""PartB":{{"_typeName":"Span","name":"s","startTime":"{}","kind":0,"activityId":"{a1}","opcode":1}}"#,
            TIMES.1
        )
    );
    // The span event: its attribute array as JSON text, the span's activity id.
    assert_eq!(
        part(&json[1], r#""PartB":"#, r#","meta""#),
        format!(
            r#""PartB":{{"_typeName":"SpanEvent","name":"step","activityId":"{a1}"}},"PartC":{{"flags":"[true]"}}"#
        )
    );
    // The stop: arrays as JSON text, the activity and its opcode in PartB.
    assert_eq!(
        part(&json[2], r#""PartB":"#, r#","meta""#),
        format!(
            concat!(
                r#""PartB":{{"_typeName":"Span","name":"s","startTime":"{}","success":true,"kind":0,"#,
                r#""activityId":"{}","opcode":2}},"PartC":{{"ints":"[1,-2]","strings":"[\"a\\\"\"]","floats":"[0.5,null]"}}"#
            ),
            TIMES.1, a1
        )
    );
}
