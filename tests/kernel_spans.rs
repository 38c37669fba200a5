//! `UserEventsSpanProcessor` against a real kernel, side by side with
//! `opentelemetry_user_events_trace::Processor` 0.6 (the peer).
//!
//! Runs only inside the user_events VM: `scripts/kernel-test.sh cargo-test
//! --test kernel_spans`. Elsewhere each test prints a `skipped:` line.
//!
//! The differential test registers both processors under the same provider
//! name (the kernel lets two registrations share a tracepoint when their fields
//! match), ends the same spans through each (same ids from a sequential id
//! generator, explicit start and end times, same resource), captures the
//! events with perf and decodes them with `tracepoint_decode`: the JSON must be
//! identical byte for byte for every span of the types the peer encodes.
//!
//! Documented differences (asserted below, see the processor's docs):
//! - array attributes: the peer writes `""`, we write EventHeader arrays (with
//!   `with_typed_arrays(false)`, `""` as the peer);
//! - span events: the peer drops them, we write a `SpanEvent` event for each,
//!   before the span, with the span's activity id (`with_span_events(false)`:
//!   none, as the peer);
//! - live spans (`with_live_spans(true)`): an ActivityStart event at the start,
//!   and the ended span as the ActivityStop, both with the span's activity id.
//!
//! Also: registration of the one tracepoint and unregistration at shutdown, a
//! live span whose start, inner `ue_log!` events, log records, span events and
//! end share one activity id, and zero heap allocations per span written
//! (counting allocator).

use std::borrow::Cow;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _, Severity};
use opentelemetry::trace::{
    Event, Link, Span as _, SpanContext, SpanId, SpanKind, Status, TraceContextExt as _,
    TraceFlags, TraceId, TraceState, Tracer as _, TracerProvider as _,
};
use opentelemetry::{Array, Context, InstrumentationScope, KeyValue, Value};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use opentelemetry_sdk::trace::{
    SdkTracer, SdkTracerProvider, SpanData, SpanEvents, SpanLinks, SpanProcessor as _,
};
use otel_user_events::{
    Provider, activity::ActivityId, logs::UserEventsProcessor, trace::UserEventsSpanProcessor,
    trace::UserEventsSpanProcessorBuilder, ue_log,
};
use otel_user_events_test_support::alloc::{CountingAllocator, allocations_during};
use otel_user_events_test_support::ids::{SequentialIds, TRACE};
use otel_user_events_test_support::perf::{Listener, Sample};
use otel_user_events_test_support::{require_kernel, tracefs};

/// The tests share tracepoint names and the perf buffers: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());
const WAIT: Duration = Duration::from_secs(30);

const PROVIDER: &str = "OtelUeSpanDiff";

fn tracepoint(provider: &str) -> Vec<String> {
    vec![format!("{provider}_L4K1")]
}

fn resource() -> Resource {
    Resource::builder_empty()
        .with_service_name("myrolename")
        .with_attribute(KeyValue::new("service.instance.id", "myinstance123"))
        .with_attribute(KeyValue::new("deployment", "not-written"))
        .build()
}

fn tracer_provider(
    processor: impl opentelemetry_sdk::trace::SpanProcessor + 'static,
) -> SdkTracerProvider {
    SdkTracerProvider::builder()
        .with_id_generator(SequentialIds::default())
        .with_resource(resource())
        .with_span_processor(processor)
        .build()
}

/// The peer's tracer provider and ours (built by `ours`), same provider name.
fn providers(ours: UserEventsSpanProcessorBuilder) -> (SdkTracerProvider, SdkTracerProvider) {
    let peer = opentelemetry_user_events_trace::Processor::builder(PROVIDER)
        .build()
        .unwrap();
    let ours = ours.build().unwrap();
    assert!(ours.report().all_registered(), "{}", ours.report());
    (tracer_provider(peer), tracer_provider(ours))
}

/// 2024-01-01T12:34:56.789012Z plus `ms` milliseconds.
fn at(ms: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_micros(1_704_112_496_789_012 + ms * 1000)
}

fn decode(samples: Vec<Sample>) -> Vec<String> {
    samples
        .iter()
        .map(|s| s.json().unwrap_or_else(|e| panic!("{e}: {s:?}")))
        .collect()
}

/// A described way to make spans with a tracer.
type Spans = (&'static str, Box<dyn Fn(&SdkTracer)>);

/// Starts a span `name` of `kind` at `at(0)`, fills it, ends it at `at(1500)`.
fn span(
    tracer: &SdkTracer,
    name: &'static str,
    kind: SpanKind,
    cx: Option<&Context>,
    fill: impl FnOnce(&mut opentelemetry_sdk::trace::Span),
) {
    let builder = tracer
        .span_builder(name)
        .with_kind(kind)
        .with_start_time(at(0));
    let mut span = match cx {
        Some(cx) => builder.start_with_context(tracer, cx),
        None => builder.start(tracer),
    };
    fill(&mut span);
    span.end_with_timestamp(at(1500));
}

fn linked(trace: &str, span: &str) -> Link {
    Link::with_context(SpanContext::new(
        TraceId::from_hex(trace).unwrap(),
        SpanId::from_hex(span).unwrap(),
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    ))
}

/// Spans of everything the peer encodes: every scalar attribute type, the
/// semantic-convention attributes, every kind, every status, parents, links.
fn peer_supported_spans() -> Vec<Spans> {
    vec![
        (
            "the peer's integration span: semantic conventions and a PartC attribute",
            Box::new(|t: &SdkTracer| {
                span(t, "my-span-name", SpanKind::Internal, None, |s| {
                    for (key, value) in [
                        ("db.system.name", "postgresql"),
                        ("db.namespace", "inventory"),
                        ("db.query.text", "SELECT * FROM products WHERE price > 100"),
                        ("http.request.method", "GET"),
                        ("url.full", "https://api.example.com/products?min_price=100"),
                        ("messaging.system", "kafka"),
                        ("messaging.destination.name", "product-updates"),
                        ("messaging.url", "kafka://broker1.example.com:9092"),
                        ("rpc.system.name", "grpc"),
                    ] {
                        s.set_attribute(KeyValue::new(key, value));
                    }
                    s.set_attribute(KeyValue::new("http.response.status_code", 200));
                    s.set_attribute(KeyValue::new("rpc.response.status_code", 0));
                    s.set_attribute(KeyValue::new("my-key", "my-value"));
                })
            }),
        ),
        (
            "every scalar type, negative and large numbers, unicode; server, ok",
            Box::new(|t: &SdkTracer| {
                span(t, "scalars", SpanKind::Server, None, |s| {
                    s.set_attribute(KeyValue::new("bool", true));
                    s.set_attribute(KeyValue::new("min", i64::MIN));
                    s.set_attribute(KeyValue::new("pi", std::f64::consts::PI));
                    s.set_attribute(KeyValue::new("unicode", "grüße, 世界"));
                    s.set_attribute(KeyValue::new("empty", ""));
                    s.set_status(Status::Ok);
                })
            }),
        ),
        (
            "client, error with a message, two links",
            Box::new(|t: &SdkTracer| {
                let links = vec![
                    linked("0af7651916cd43dd8448eb211c80319c", "00f067aa0ba902b7"),
                    linked("ffffffffffffffffffffffffffffffff", "ffffffffffffffff"),
                ];
                let mut s = t
                    .span_builder("linked")
                    .with_kind(SpanKind::Client)
                    .with_start_time(at(0))
                    .with_links(links)
                    .start(t);
                s.set_status(Status::error("payment declined"));
                s.end_with_timestamp(at(1500));
            }),
        ),
        (
            "producer, error and an HTTP status code: no statusMessage",
            Box::new(|t: &SdkTracer| {
                span(t, "http", SpanKind::Producer, None, |s| {
                    s.set_attribute(KeyValue::new("http.response.status_code", 503));
                    s.set_status(Status::error("unavailable"));
                })
            }),
        ),
        (
            "consumer, error without a description",
            Box::new(|t: &SdkTracer| {
                span(t, "consume", SpanKind::Consumer, None, |s| {
                    s.set_status(Status::error(""));
                })
            }),
        ),
        (
            "a parent and its child (parentId), no attributes",
            Box::new(|t: &SdkTracer| {
                let parent = t.span_builder("parent").with_start_time(at(0)).start(t);
                let cx = Context::current_with_span(parent);
                span(t, "child", SpanKind::Internal, Some(&cx), |_| {});
                cx.span().end_with_timestamp(at(1500));
            }),
        ),
        (
            "a child of a remote parent",
            Box::new(|t: &SdkTracer| {
                let remote = SpanContext::new(
                    TraceId::from_hex(TRACE).unwrap(),
                    SpanId::from_hex("0102030405060708").unwrap(),
                    TraceFlags::SAMPLED,
                    true,
                    TraceState::default(),
                );
                let cx = Context::new().with_remote_span_context(remote);
                span(t, "remote-child", SpanKind::Server, Some(&cx), |_| {});
            }),
        ),
    ]
}

/// Runs `make` with `provider`'s tracer and returns the decoded events perf saw.
fn run(
    capture: &mut Listener,
    provider: &SdkTracerProvider,
    make: &dyn Fn(&SdkTracer),
) -> Vec<String> {
    let tracer = provider.tracer("diff");
    make(&tracer);
    decode(capture.drain())
}

/// The peer's and our decoded events for the spans `make` makes, ours built
/// by `ours`: both registered, then listened to, then shut down.
fn both(
    ours: UserEventsSpanProcessorBuilder,
    make: &dyn Fn(&SdkTracer),
) -> (Vec<String>, Vec<String>) {
    let (peer, ours) = providers(ours);
    let mut capture = Listener::start(&tracepoint(PROVIDER)).unwrap();
    let from_peer = run(&mut capture, &peer, make);
    let from_ours = run(&mut capture, &ours, make);
    assert_eq!(capture.lost(), 0);
    drop(capture);
    peer.shutdown().unwrap();
    ours.shutdown().unwrap();
    (from_peer, from_ours)
}

#[test]
fn same_json_as_the_peer_for_what_it_encodes() {
    require_kernel!();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (peer, ours) = providers(UserEventsSpanProcessor::builder(PROVIDER));
    let mut capture = Listener::start(&tracepoint(PROVIDER)).unwrap();
    for (what, make) in peer_supported_spans() {
        let from_peer = run(&mut capture, &peer, &*make);
        let from_ours = run(&mut capture, &ours, &*make);
        assert!(!from_peer.is_empty(), "{what}: the peer wrote nothing");
        assert_eq!(from_ours, from_peer, "{what}");
    }
    assert_eq!(capture.lost(), 0);
    drop(capture);
    peer.shutdown().unwrap();
    ours.shutdown().unwrap();
}

#[test]
fn the_peers_json_is_the_documented_layout() {
    require_kernel!();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (peer, ours) = providers(UserEventsSpanProcessor::builder(PROVIDER));
    let mut capture = Listener::start(&tracepoint(PROVIDER)).unwrap();
    let make = |t: &SdkTracer| {
        span(t, "charge", SpanKind::Client, None, |s| {
            s.set_attribute(KeyValue::new("http.request.method", "POST"));
            s.set_attribute(KeyValue::new("amount", 42));
            s.set_status(Status::error("declined"));
        })
    };
    let expected = concat!(
        r#"{"n":"OtelUeSpanDiff:Span","__csver__":1024,"PartA":{"time":"2024-01-01T12:34:58.289012Z","#,
        r#""ext_dt_traceId":"4bf92f3577b34da6a3ce929d0e0e4736","ext_dt_spanId":"0000000000000001","#,
        r#""ext_cloud_role":"myrolename","ext_cloud_roleInstance":"myinstance123"},"#,
        r#""PartB":{"_typeName":"Span","name":"charge","startTime":"2024-01-01T12:34:56.789012Z","#,
        r#""success":false,"kind":2,"httpMethod":"POST","statusMessage":"declined"},"#,
        r#""PartC":{"amount":42},"meta":{"level":4,"keyword":"0x1"}}"#
    );
    assert_eq!(run(&mut capture, &peer, &make), [expected]);
    assert_eq!(run(&mut capture, &ours, &make), [expected]);
    drop(capture);
    peer.shutdown().unwrap();
    ours.shutdown().unwrap();
}

fn arrays(t: &SdkTracer) {
    span(t, "arrays", SpanKind::Internal, None, |s| {
        s.set_attribute(KeyValue::new(
            "bools",
            Value::Array(Array::Bool(vec![true, false])),
        ));
        s.set_attribute(KeyValue::new("ints", Value::Array(Array::I64(vec![1, -2]))));
        s.set_attribute(KeyValue::new("floats", Value::Array(Array::F64(vec![0.5]))));
        s.set_attribute(KeyValue::new(
            "strings",
            Value::Array(Array::String(vec!["a".into(), "b".into()])),
        ));
        s.set_attribute(KeyValue::new("url.full", Value::Array(Array::I64(vec![7]))));
    })
}

/// The span of [`arrays`] with `url_full` as PartB's `httpUrl` and `part_c`.
fn arrays_json(url_full: &str, part_c: &str) -> String {
    format!(
        concat!(
            r#"{{"n":"OtelUeSpanDiff:Span","__csver__":1024,"PartA":{{"time":"2024-01-01T12:34:58.289012Z","#,
            r#""ext_dt_traceId":"4bf92f3577b34da6a3ce929d0e0e4736","ext_dt_spanId":"0000000000000001","#,
            r#""ext_cloud_role":"myrolename","ext_cloud_roleInstance":"myinstance123"}},"#,
            r#""PartB":{{"_typeName":"Span","name":"arrays","startTime":"2024-01-01T12:34:56.789012Z","#,
            r#""success":true,"kind":0,"httpUrl":{url_full}}},"PartC":{{{part_c}}},"meta":{{"level":4,"keyword":"0x1"}}}}"#
        ),
        url_full = url_full,
        part_c = part_c
    )
}

#[test]
fn documented_difference_arrays_are_typed_unless_asked_not_to() {
    require_kernel!();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (from_peer, from_ours) = both(UserEventsSpanProcessor::builder(PROVIDER), &arrays);
    assert_eq!(
        from_peer,
        [arrays_json(
            r#""""#,
            r#""bools":"","ints":"","floats":"","strings":"""#
        )]
    );
    assert_eq!(
        from_ours,
        [arrays_json(
            "[7]",
            r#""bools":[true,false],"ints":[1,-2],"floats":[0.5],"strings":["a","b"]"#
        )]
    );

    let (from_peer, from_ours) = both(
        UserEventsSpanProcessor::builder(PROVIDER).with_typed_arrays(false),
        &arrays,
    );
    assert_eq!(from_ours, from_peer);
}

fn with_events(t: &SdkTracer) {
    span(t, "evented", SpanKind::Internal, None, |s| {
        s.add_event_with_timestamp("cache miss", at(100), vec![KeyValue::new("key", "cart:7")]);
    })
}

#[test]
fn documented_difference_span_events_are_written_unless_asked_not_to() {
    require_kernel!();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (from_peer, from_ours) = both(UserEventsSpanProcessor::builder(PROVIDER), &with_events);
    assert_eq!(from_peer.len(), 1, "{from_peer:?}");
    let activity = ActivityId::from_span(
        TraceId::from_hex(TRACE).unwrap().to_bytes(),
        1u64.to_be_bytes(),
    );
    assert_eq!(
        from_ours,
        [
            format!(
                concat!(
                    r#"{{"n":"OtelUeSpanDiff:SpanEvent","__csver__":1024,"PartA":{{"time":"2024-01-01T12:34:56.889012Z","#,
                    r#""ext_dt_traceId":"4bf92f3577b34da6a3ce929d0e0e4736","ext_dt_spanId":"0000000000000001","#,
                    r#""ext_cloud_role":"myrolename","ext_cloud_roleInstance":"myinstance123"}},"#,
                    r#""PartB":{{"_typeName":"SpanEvent","name":"cache miss"}},"PartC":{{"key":"cart:7"}},"#,
                    r#""meta":{{"level":4,"keyword":"0x1","activity":"{activity}"}}}}"#
                ),
                activity = activity
            ),
            from_peer[0].clone(),
        ]
    );
    let (from_peer, from_ours) = both(
        UserEventsSpanProcessor::builder(PROVIDER).with_span_events(false),
        &with_events,
    );
    assert_eq!(from_ours, from_peer);
}

/// `"meta":{...}` of a decoded event.
fn meta(json: &str) -> &str {
    &json[json.find(r#""meta":"#).expect("meta")..]
}

#[test]
fn a_live_spans_start_inner_events_and_end_share_one_activity_id() {
    require_kernel!();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    const LOGS: &str = "OtelUeSpanLiveLogs";
    const MACROS: &str = "OtelUeSpanLiveMacros";
    let (peer, ours) = providers(UserEventsSpanProcessor::builder(PROVIDER).with_live_spans(true));
    let logs = SdkLoggerProvider::builder()
        .with_log_processor(UserEventsProcessor::builder(LOGS).build().unwrap())
        .build();
    let macros = Provider::builder(MACROS).build().unwrap();
    let mut names = tracepoint(PROVIDER);
    names.push(format!("{LOGS}_L3K1"));
    names.push(format!("{MACROS}_L4K1"));
    let mut capture = Listener::start(&names).unwrap();

    let logger = logs.logger("live");
    let tracer = ours.tracer("live");
    let parent = tracer
        .span_builder("request")
        .with_start_time(at(0))
        .start(&tracer);
    let cx = Context::current_with_span(parent);
    {
        let _current = cx.clone().attach();
        tracer.in_span("work", |cx| {
            ue_log!(info, "Step", n = 1);
            let mut record = logger.create_log_record();
            record.set_severity_number(Severity::Warn);
            record.set_body("inside".into());
            logger.emit(record);
            cx.span().add_event("checkpoint", vec![]);
        });
    }
    cx.span().end_with_timestamp(at(1500));
    let events = decode(capture.drain());

    let trace = TraceId::from_hex(TRACE).unwrap().to_bytes();
    let request = ActivityId::from_span(trace, 1u64.to_be_bytes()).to_string();
    let work = ActivityId::from_span(trace, 2u64.to_be_bytes()).to_string();
    let names: Vec<&str> = events
        .iter()
        .map(|e| &e[6..e.find(r#"","#).unwrap()])
        .collect();
    assert_eq!(
        names,
        [
            "OtelUeSpanDiff:Span",
            "OtelUeSpanDiff:Span",
            "OtelUeSpanLiveMacros:Step",
            "OtelUeSpanLiveLogs:Log",
            "OtelUeSpanDiff:SpanEvent",
            "OtelUeSpanDiff:Span",
            "OtelUeSpanDiff:Span",
        ],
        "{events:#?}"
    );
    let start = |id: &str, related: Option<&str>| match related {
        Some(r) => format!(
            r#""meta":{{"level":4,"keyword":"0x1","opcode":1,"activity":"{id}","relatedActivity":"{r}"}}}}"#
        ),
        None => format!(r#""meta":{{"level":4,"keyword":"0x1","opcode":1,"activity":"{id}"}}}}"#),
    };
    let stop = |id: &str| {
        format!(r#""meta":{{"level":4,"keyword":"0x1","opcode":2,"activity":"{id}"}}}}"#)
    };
    let inside =
        |level: u8| format!(r#""meta":{{"level":{level},"keyword":"0x1","activity":"{work}"}}}}"#);
    let metas: Vec<&str> = events.iter().map(|e| meta(e)).collect();
    assert_eq!(
        metas,
        [
            start(&request, None),
            start(&work, Some(&request)),
            inside(4),
            inside(3),
            inside(4),
            stop(&work),
            stop(&request),
        ]
    );
    // The events inside carry the span's trace context in PartA too.
    for event in &events[2..5] {
        assert!(
            event.contains(r#""ext_dt_traceId":"4bf92f3577b34da6a3ce929d0e0e4736","ext_dt_spanId":"0000000000000002""#),
            "{event}"
        );
    }
    drop(capture);
    macros.shutdown();
    logs.shutdown().unwrap();
    peer.shutdown().unwrap();
    ours.shutdown().unwrap();
}

#[test]
fn registers_five_levels_follows_listeners_and_unregisters_at_shutdown() {
    require_kernel!();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    const NAME: &str = "OtelUeSpanLife";
    let processor = UserEventsSpanProcessor::builder(NAME)
        .with_keyword(0x2a)
        .build()
        .unwrap();
    let handle = processor.handle();
    // Spans are written to level 4; every level of the keyword is
    // registered, so a collector subscribed to all five opens its session.
    let names: Vec<String> = (1..=5).map(|level| format!("{NAME}_L{level}K2a")).collect();
    assert_eq!(processor.report().tracepoints.len(), 5);
    let status = tracefs::user_events_status().unwrap();
    for name in &names {
        assert!(status.contains(name), "{name} not in {status:?}");
    }
    let provider = tracer_provider(processor);
    let tracer = provider.tracer("life");

    // Nobody listens: nothing written, nothing counted.
    tracer.in_span("unheard", |_| {});
    assert_eq!(handle.counters().written, 0);
    let mut capture = Listener::start(&names).unwrap();
    tracer.in_span("heard", |_| {});
    let samples = capture.drain();
    assert_eq!(samples.len(), 1);
    assert_eq!(samples[0].tracepoint, names[3]);
    let counters = handle.counters();
    assert_eq!((counters.written, counters.dropped()), (1, 0));
    drop(capture);

    provider.shutdown().unwrap();
    assert!(handle.is_shut_down());
    for name in &names {
        tracefs::wait_for_unregistered(name, WAIT).unwrap();
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// A span with every kind of value, as the SDK hands it to `on_end`.
fn span_data() -> SpanData {
    let trace_id = TraceId::from_hex(TRACE).unwrap();
    let event = Event::new(
        "checkpoint",
        at(100),
        vec![KeyValue::new("step", 3), KeyValue::new("where", "cart")],
        0,
    );
    SpanData {
        span_context: SpanContext::new(
            trace_id,
            SpanId::from(7),
            TraceFlags::SAMPLED,
            false,
            TraceState::default(),
        ),
        parent_span_id: SpanId::from(6),
        parent_span_is_remote: false,
        span_kind: SpanKind::Client,
        name: Cow::Owned("AllocCheck".repeat(10)),
        start_time: at(0),
        end_time: at(1500),
        attributes: vec![
            KeyValue::new("http.request.method", "GET"),
            KeyValue::new("http.response.status_code", 200),
            KeyValue::new("s", "short"),
            KeyValue::new("long", "L".repeat(300)),
            KeyValue::new("n", 42),
            KeyValue::new("f", 0.5),
            KeyValue::new("b", true),
            KeyValue::new("ints", Value::Array(Array::I64(vec![1, 2, 3]))),
            KeyValue::new(
                "strs",
                Value::Array(Array::String(vec!["a".into(), "b".repeat(100).into()])),
            ),
        ],
        dropped_attributes_count: 0,
        events: {
            let mut events = SpanEvents::default();
            events.events.push(event);
            events
        },
        links: {
            let mut links = SpanLinks::default();
            links.links.push(linked(
                "0af7651916cd43dd8448eb211c80319c",
                "00f067aa0ba902b7",
            ));
            links
        },
        status: Status::error("declined"),
        instrumentation_scope: InstrumentationScope::builder("alloc").build(),
    }
}

#[test]
fn writing_a_span_allocates_nothing() {
    require_kernel!();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    const NAME: &str = "OtelUeSpanAlloc";
    const SPANS: usize = 100;
    for live in [false, true] {
        let mut processor = UserEventsSpanProcessor::builder(NAME)
            .with_live_spans(live)
            .build()
            .unwrap();
        processor.set_resource(&resource());
        let handle = processor.handle();
        // The spans, built before counting; `on_end` takes each by value.
        let mut spans: Vec<SpanData> = (0..SPANS).map(|_| span_data()).collect();
        let mut capture = Listener::start(&tracepoint(NAME)).unwrap();

        // The counter sees allocations (so the zero below means something).
        assert_eq!(
            allocations_during(|| drop(std::hint::black_box(vec![1u8; 10]))),
            1
        );
        let allocations = allocations_during(|| {
            for span in spans.drain(..) {
                processor.on_end(span);
            }
        });
        assert_eq!(
            allocations, 0,
            "allocations while writing {SPANS} spans (live: {live})"
        );
        let samples = decode(capture.drain());
        // Each span: its span event, then itself.
        assert_eq!(samples.len(), 2 * SPANS);
        assert!(
            samples[1].starts_with(r#"{"n":"OtelUeSpanAlloc:Span","#),
            "{}",
            samples[1]
        );
        let counters = handle.counters();
        assert_eq!(
            (counters.written, counters.dropped()),
            (2 * SPANS as u64, 0)
        );
        drop(capture);
        processor.shutdown().unwrap();
        tracefs::wait_for_unregistered(&tracepoint(NAME)[0], WAIT).unwrap();
    }
}

/// A live span's start reads the span through `Span::exported_data`, a copy:
/// with a `&'static` name and no attributes at start it allocates nothing
/// (what a span with start attributes costs is in the processor's docs).
#[test]
fn a_live_spans_start_with_a_static_name_allocates_nothing() {
    require_kernel!();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    const NAME: &str = "OtelUeSpanAllocStart";
    let processor = UserEventsSpanProcessor::builder(NAME)
        .with_live_spans(true)
        .build()
        .unwrap();
    // The span comes from a provider without our processor; we call its
    // `on_start` ourselves, so only it is counted.
    let other = SdkTracerProvider::builder().build();
    let tracer = other.tracer("alloc");
    let mut span = tracer.span_builder("static-name").start(&tracer);
    let cx = Context::new();
    let mut capture = Listener::start(&tracepoint(NAME)).unwrap();
    processor.on_start(&mut span, &cx); // first use: lazy statics
    let allocations = allocations_during(|| {
        for _ in 0..100 {
            processor.on_start(&mut span, &cx);
        }
    });
    assert_eq!(allocations, 0, "allocations while writing 100 span starts");
    let samples = decode(capture.drain());
    assert_eq!(samples.len(), 101);
    assert!(
        meta(&samples[0]).contains(r#""opcode":1"#),
        "{}",
        samples[0]
    );
    drop(capture);
    span.end();
    processor.shutdown().unwrap();
    other.shutdown().unwrap();
}
