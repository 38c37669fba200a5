//! `UserEventsLayer` (the `tracing` layer) against a real kernel: events and
//! spans captured with perf and decoded with `tracepoint_decode`, compared with
//! exact JSON (PartA time and `duration_ns` masked); nesting, async spans,
//! composition with `tracing_subscriber::fmt`, listeners attaching and
//! detaching, registration and unregistration, and heap allocations (counting
//! allocator).
//!
//! Runs only inside the user_events VM: `scripts/kernel-test.sh cargo-test
//! --test kernel_layer`. Elsewhere each test prints a `skipped:` line.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use otel_user_events::testing::sequential_activity_ids;
use otel_user_events::tracing::UserEventsLayer;
use otel_user_events_test_support::alloc::{CountingAllocator, allocations_during};
use otel_user_events_test_support::decode::mask_durations;
use otel_user_events_test_support::perf::{Listener, Sample};
use otel_user_events_test_support::{require_kernel, tracefs};
use tracing::Instrument as _;
use tracing_subscriber::layer::SubscriberExt as _;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// The tests share the perf buffers and the allocation counter: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());
const WAIT: Duration = Duration::from_secs(30);

const A1: &str = "00000000-0000-0000-0000-000000000001";
const A2: &str = "00000000-0000-0000-0000-000000000002";

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn tracepoints(provider: &str) -> Vec<String> {
    (1..=5).map(|l| format!("{provider}_L{l}K1")).collect()
}

fn layer(provider: &str) -> UserEventsLayer {
    let layer = UserEventsLayer::builder(provider).build().unwrap();
    assert!(layer.report().all_registered(), "{}", layer.report());
    layer
}

/// Each sample as JSON, PartA's time as `T` and `duration_ns` as `D`.
fn decode(samples: Vec<Sample>) -> Vec<String> {
    samples
        .iter()
        .map(|s| {
            let json = s.json().unwrap_or_else(|e| panic!("{e}: {s:?}"));
            mask_durations(&mask_time(&json))
        })
        .collect()
}

fn mask_time(json: &str) -> String {
    let start = json.find(r#""time":""#).expect("PartA time") + 8;
    let end = start + json[start..].find('"').expect("end of time");
    format!("{}T{}", &json[..start], &json[end..])
}

/// The JSON of an INFO event of provider `p` named `name` with PartC members
/// `part_c` (or none), `body` and EventHeader `meta` after level and keyword.
fn info(p: &str, name: &str, part_c: &str, body: Option<&str>, meta: &str) -> String {
    let part_c = if part_c.is_empty() {
        String::new()
    } else {
        format!(",\"PartC\":{{{part_c}}}")
    };
    let body = body
        .map(|b| format!(",\"body\":\"{b}\""))
        .unwrap_or_default();
    let meta = if meta.is_empty() {
        String::new()
    } else {
        format!(",{meta}")
    };
    format!(
        "{{\"n\":\"{p}:{name}\",\"__csver__\":1024,\"PartA\":{{\"time\":\"T\"}}{part_c},\
         \"PartB\":{{\"_typeName\":\"Log\"{body},\"severityNumber\":9,\"severityText\":\"INFO\",\"name\":\"{name}\"}},\
         \"meta\":{{\"level\":4,\"keyword\":\"0x1\"{meta}}}}}"
    )
}

fn start(p: &str, name: &str, part_c: &str, id: &str, related: Option<&str>) -> String {
    let related = related
        .map(|r| format!(",\"relatedActivity\":\"{r}\""))
        .unwrap_or_default();
    info(
        p,
        name,
        part_c,
        None,
        &format!("\"opcode\":1,\"activity\":\"{id}\"{related}"),
    )
}

fn stop(p: &str, name: &str, part_c: &str, id: &str) -> String {
    let part_c = if part_c.is_empty() {
        "\"duration_ns\":D".to_owned()
    } else {
        format!("{part_c},\"duration_ns\":D")
    };
    info(
        p,
        name,
        &part_c,
        None,
        &format!("\"opcode\":2,\"activity\":\"{id}\""),
    )
}

fn in_activity(p: &str, name: &str, body: &str, id: &str) -> String {
    info(p, name, "", Some(body), &format!("\"activity\":\"{id}\""))
}

#[test]
fn events_and_spans_decode_to_exact_json() {
    require_kernel!();
    let _serial = serial();
    const P: &str = "KLayerJson";
    let layer = layer(P);
    let handle = layer.handle();
    let mut capture = Listener::start(&tracepoints(P)).unwrap();
    let subscriber = tracing_subscriber::registry().with(layer.filtered());
    tracing::subscriber::with_default(subscriber, || {
        sequential_activity_ids(|| {
            let (id, customer) = (42u64, "ada");
            tracing::info!(name: "OrderPlaced", order_id = id, customer, amount = 9.99, express = true, "order placed");
            let outer = tracing::info_span!("checkout", cart = 3u64, user = tracing::field::Empty);
            let entered = outer.enter();
            outer.record("user", "ada");
            tracing::info!(name: "Inside", "in checkout");
            {
                let _inner = tracing::info_span!("pay").entered();
                tracing::info!(name: "Paying", "paying");
            }
            drop(entered);
            drop(outer);
        })
    });
    let events = decode(capture.drain());
    assert_eq!(
        events,
        [
            info(
                P,
                "OrderPlaced",
                r#""order_id":42,"customer":"ada","amount":9.99,"express":true"#,
                Some("order placed"),
                ""
            ),
            start(P, "checkout", r#""cart":3"#, A1, None),
            in_activity(P, "Inside", "in checkout", A1),
            start(P, "pay", "", A2, Some(A1)),
            in_activity(P, "Paying", "paying", A2),
            stop(P, "pay", "", A2),
            stop(P, "checkout", r#""user":"ada""#, A1),
        ]
    );
    let counters = handle.counters();
    assert_eq!((counters.written, counters.dropped()), (7, 0));
}

#[test]
fn an_instrumented_future_keeps_its_span_across_await() {
    require_kernel!();
    let _serial = serial();
    const P: &str = "KLayerAsync";
    let layer = layer(P);
    let mut capture = Listener::start(&tracepoints(P)).unwrap();
    let subscriber = tracing_subscriber::registry().with(layer.filtered());
    tracing::subscriber::with_default(subscriber, || {
        sequential_activity_ids(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            runtime.block_on(async {
                let work = async {
                    tracing::info!(name: "Before", "before");
                    tokio::task::yield_now().await;
                    tracing::info!(name: "AfterAwait", "after");
                }
                .instrument(tracing::info_span!("job"));
                let other = async { tracing::info!(name: "Other", "other") };
                tokio::join!(work, other);
            });
        })
    });
    assert_eq!(
        decode(capture.drain()),
        [
            start(P, "job", "", A1, None),
            in_activity(P, "Before", "before", A1),
            info(P, "Other", "", Some("other"), ""),
            in_activity(P, "AfterAwait", "after", A1),
            stop(P, "job", "", A1),
        ]
    );
}

/// A value that counts how often it is formatted.
struct Watched<'a>(&'a AtomicUsize);

impl fmt::Debug for Watched<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fetch_add(1, Ordering::Relaxed);
        f.write_str("watched")
    }
}

/// A `MakeWriter` into a shared buffer, for `fmt`.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn follows_listeners_attaching_and_detaching_beside_fmt() {
    require_kernel!();
    let _serial = serial();
    const P: &str = "KLayerLive";
    let layer = layer(P);
    let handle = layer.handle();
    let names = tracepoints(P);
    let status = tracefs::user_events_status().unwrap();
    for name in &names {
        assert!(status.contains(name), "{name} missing from {status:?}");
    }
    let out = Buffer::default();
    let writer = out.clone();
    let subscriber = tracing_subscriber::registry().with(layer.filtered()).with(
        tracing_subscriber::fmt::layer()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .without_time(),
    );
    let visits = AtomicUsize::new(0);
    let events = tracing::subscriber::with_default(subscriber, || {
        let event = |n: u64| {
            tracing::warn!(name: "Live", n, value = ?Watched(&visits));
            tracing::info!(name: "LiveInfo", n);
        };
        // Nobody listens: fmt gets both events, the layer writes nothing.
        event(1);
        // perf on the warn level: the layer writes the warning only.
        let mut capture = Listener::start(&names[2..3]).unwrap();
        event(2);
        let events = decode(capture.drain());
        // perf gone: nothing written again.
        drop(capture);
        event(3);
        events
    });
    assert_eq!(
        events,
        [concat!(
            r#"{"n":"KLayerLive:Live","__csver__":1024,"PartA":{"time":"T"},"PartC":{"n":2,"value":"watched"},"#,
            r#""PartB":{"_typeName":"Log","severityNumber":13,"severityText":"WARN","name":"Live"},"#,
            r#""meta":{"level":3,"keyword":"0x1"}}"#
        )]
    );
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    assert_eq!(text.lines().count(), 6, "fmt saw every event:\n{text}");
    // fmt formats the value each time; the layer only while perf listened.
    assert_eq!(visits.load(Ordering::Relaxed), 3 + 1);
    let counters = handle.counters();
    assert_eq!((counters.written, counters.dropped()), (1, 0));

    handle.shutdown();
    assert!(handle.is_shut_down());
    for name in &names {
        tracefs::wait_for_unregistered(name, WAIT).unwrap();
    }
}

#[test]
fn dropping_the_subscriber_unregisters_every_keyword() {
    require_kernel!();
    let _serial = serial();
    const P: &str = "KLayerDrop";
    let layer = UserEventsLayer::builder(P)
        .with_target_keyword("db", 0x10)
        .build()
        .unwrap();
    assert!(layer.report().all_registered(), "{}", layer.report());
    let names: Vec<String> = [1u64, 0x10]
        .iter()
        .flat_map(|k| (1..=5).map(move |l| format!("{P}_L{l}K{k:x}")))
        .collect();
    let status = tracefs::user_events_status().unwrap();
    assert!(names.iter().all(|n| status.contains(n)), "{status:?}");
    let subscriber = tracing_subscriber::registry().with(layer.filtered());
    drop(subscriber);
    for name in &names {
        tracefs::wait_for_unregistered(name, WAIT).unwrap();
    }
}

#[test]
fn an_event_allocates_nothing_and_a_span_once() {
    require_kernel!();
    let _serial = serial();
    const P: &str = "KLayerAlloc";
    let layer = layer(P);
    let handle = layer.handle();
    let mut capture = Listener::start(&tracepoints(P)).unwrap();
    let subscriber = tracing_subscriber::registry().with(layer.filtered());
    let long = "x".repeat(1000);
    let err = std::fmt::Error;
    let event = |i: u64| {
        tracing::info!(i, name = long.as_str(), amount = 1.5, ok = true, %err, "no heap");
    };
    let span = || {
        let span = tracing::info_span!("work", n = 1u64);
        let _entered = span.enter();
    };
    let (events, spans) = tracing::subscriber::with_default(subscriber, || {
        // First use: the call sites' PartC layouts, the thread's locals.
        for i in 0..3 {
            event(i);
            span();
        }
        // The counter sees allocations (so the zero below means something).
        assert_eq!(
            allocations_during(|| drop(std::hint::black_box(vec![1u8; 10]))),
            1
        );
        let events = allocations_during(|| (1..=1000).for_each(event));
        let spans = allocations_during(|| (0..100).for_each(|_| span()));
        (events, spans)
    });
    println!("allocations: {events} for 1000 events, {spans} for 100 spans");
    assert_eq!(events, 0, "heap allocations for 1000 events");
    // The registry boxes the layer's span data: one allocation per span.
    assert_eq!(spans, 100, "heap allocations for 100 spans");
    let samples = capture.drain();
    assert_eq!(samples.len(), 3 * 3 + 1000 + 2 * 100);
    let counters = handle.counters();
    assert_eq!((counters.written, counters.dropped()), (1209, 0));
}
