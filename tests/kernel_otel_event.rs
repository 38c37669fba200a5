//! `#[otel_event]` against a real kernel with user_events (runs in the VM of
//! `scripts/kernel-test.sh cargo-test --test kernel_otel_event`; elsewhere each
//! test prints that it was skipped).
//!
//! perf captures the events; `tracepoint_decode` decodes them. The tests
//! match every ActivityStart with exactly one ActivityStop by activity id and
//! check the related (parent) ids of nested calls, on several threads and in
//! async code, the exact JSON of one activity, that `ue_log!` events inside an
//! activity carry its id, and that activities (sync and async) write to the
//! kernel without a heap allocation.
//!
//! Only one provider can be active per process, so the tests take turns.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::panic::catch_unwind;
use std::pin::pin;
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use otel_user_events::testing::sequential_activity_ids;
use otel_user_events::{Provider, otel_event, provider::OutputMode, ue_log};
use otel_user_events_test_support::alloc::{CountingAllocator, allocations_during};
use otel_user_events_test_support::decode::mask_durations;
use otel_user_events_test_support::perf::{Listener, Sample};
use otel_user_events_test_support::{require_kernel, tracefs};

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

const WAIT: Duration = Duration::from_secs(30);

#[otel_event(ret, duration)]
fn checkout(cart: u32) -> u32 {
    let a = price(cart).unwrap_or(0);
    let b = price(cart + 1).unwrap_or(0);
    audit(cart);
    a + b
}

/// An error whose Display is formatted only when the stop event is written
/// (no allocation).
#[derive(Debug, PartialEq)]
struct OutOfStock(u32);

impl std::fmt::Display for OutOfStock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "item {} is out of stock", self.0)
    }
}

#[otel_event(ret, err)]
fn price(item: u32) -> Result<u32, OutOfStock> {
    if item.is_multiple_of(5) {
        return Err(OutOfStock(item));
    }
    Ok(item * 100)
}

#[otel_event(level = "warn")]
fn audit(cart: u32) {}

#[otel_event(ret)]
fn explode(n: u32) -> u32 {
    if n > 0 {
        panic!("boom");
    }
    n
}

#[otel_event(ret)]
async fn fetch(id: u32) -> u32 {
    tokio::task::yield_now().await;
    let value = load(id).await;
    tokio::task::yield_now().await;
    value + 1
}

#[otel_event(ret)]
async fn load(id: u32) -> u32 {
    tokio::task::yield_now().await;
    id * 10
}

/// One decoded event.
#[derive(Debug, Clone)]
struct Decoded {
    name: String,
    opcode: u8,
    activity: String,
    related: String,
    part_c: String,
    tid: u32,
}

fn field(json: &str, key: &str, end: char) -> String {
    json.find(key)
        .map(|i| {
            let rest = &json[i + key.len()..];
            rest[..rest.find(end).unwrap()].to_owned()
        })
        .unwrap_or_default()
}

fn decode(sample: &Sample) -> Decoded {
    let json = sample.json().unwrap();
    let meta = &json[json.find("\"meta\":").unwrap()..];
    Decoded {
        name: field(&json, "\"n\":\"OtelUeAct:", '"'),
        opcode: field(meta, "\"opcode\":", ',').parse().unwrap_or(0),
        activity: field(meta, "\"activity\":\"", '"'),
        related: field(meta, "\"relatedActivity\":\"", '"'),
        part_c: field(&json, "\"PartC\":{", '}'),
        tid: sample.tid,
    }
}

const TRACEPOINTS: [&str; 2] = ["OtelUeAct_L4K1", "OtelUeAct_L3K1"];

fn start_provider() -> Provider {
    let provider = Provider::builder("OtelUeAct")
        .with_output(OutputMode::UserEvents)
        .build()
        .unwrap();
    let report = provider.report();
    assert!(report.active.user_events, "{report}");
    assert!(
        report.tracepoints.iter().all(|t| t.result.is_ok()),
        "{report}"
    );
    let with_call_sites: BTreeSet<&str> = report
        .tracepoints
        .iter()
        .filter(|t| t.call_sites > 0)
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(with_call_sites, BTreeSet::from(TRACEPOINTS));
    // Every level of keyword 1 is registered, with or without a call site.
    let reported: BTreeSet<String> = report.tracepoints.iter().map(|t| t.name.clone()).collect();
    let every_level: BTreeSet<String> = (1..=5).map(|l| format!("OtelUeAct_L{l}K1")).collect();
    assert_eq!(reported, every_level);
    for tp in TRACEPOINTS {
        tracefs::wait_for_tracepoint(tp, WAIT).unwrap();
    }
    provider
}

/// Checks that every start has exactly one stop after it, with the same id;
/// returns the starts by activity id.
fn match_pairs(events: &[Decoded]) -> BTreeMap<String, (Decoded, Decoded)> {
    let mut pairs = BTreeMap::new();
    for (i, start) in events.iter().enumerate().filter(|(_, e)| e.opcode == 1) {
        assert_eq!(start.activity.len(), 36, "a GUID: {start:?}");
        let stops: Vec<&Decoded> = events
            .iter()
            .filter(|e| e.opcode == 2 && e.activity == start.activity)
            .collect();
        assert_eq!(stops.len(), 1, "one stop for {start:?}: {stops:?}");
        let stop_index = events
            .iter()
            .position(|e| e.opcode == 2 && e.activity == start.activity)
            .unwrap();
        assert!(stop_index > i, "stop after start: {start:?}");
        assert_eq!(stops[0].name, start.name);
        assert_eq!(stops[0].related, "", "stops carry no related id");
        let previous = pairs.insert(start.activity.clone(), (start.clone(), stops[0].clone()));
        assert!(previous.is_none(), "activity ids are unique: {start:?}");
    }
    let stops = events.iter().filter(|e| e.opcode == 2).count();
    assert_eq!(stops, pairs.len(), "no stop without a start");
    pairs
}

#[test]
fn one_activity_exactly() {
    require_kernel!();
    let _serial = serial();
    let provider = start_provider();
    let mut capture = Listener::start(&TRACEPOINTS).unwrap();
    assert_eq!(sequential_activity_ids(|| price(3)), Ok(300));
    assert_eq!(sequential_activity_ids(|| price(10)), Err(OutOfStock(10)));
    let samples = capture.drain();
    assert_eq!(capture.lost(), 0);
    drop(capture);
    assert!(samples.iter().all(|s| s.pid == std::process::id()));
    let json: Vec<String> = samples
        .iter()
        .map(|s| mask_durations(&mask_time(&s.json().unwrap())))
        .collect();
    let event = |part_c: &str, meta: &str| {
        format!(
            "{{\"n\":\"OtelUeAct:price\",\"__csver__\":1024,\"PartA\":{{\"time\":\"T\"}},\"PartC\":{{{part_c}}},\
             \"PartB\":{{\"_typeName\":\"Log\",\"severityNumber\":9,\"severityText\":\"INFO\",\"name\":\"price\"}},\
             \"meta\":{{\"level\":4,\"keyword\":\"0x1\",{meta}}}}}"
        )
    };
    let id = "00000000-0000-0000-0000-000000000001";
    assert_eq!(
        json,
        [
            event("\"item\":3", &format!("\"opcode\":1,\"activity\":\"{id}\"")),
            event(
                "\"return\":300,\"duration_ns\":D",
                &format!("\"opcode\":2,\"activity\":\"{id}\"")
            ),
            event(
                "\"item\":10",
                &format!("\"opcode\":1,\"activity\":\"{id}\"")
            ),
            event(
                "\"error\":\"item 10 is out of stock\",\"duration_ns\":D",
                &format!("\"opcode\":2,\"activity\":\"{id}\"")
            ),
        ]
    );
    assert_eq!(provider.counters().written, 4);
    provider.shutdown();
}

/// A stop event's fields without the `duration_ns` that every stop event ends
/// with (checked to be there, a number).
fn without_duration(part_c: &str) -> &str {
    let (fields, ns) = part_c
        .rsplit_once("\"duration_ns\":")
        .unwrap_or_else(|| panic!("no duration_ns in {part_c}"));
    assert!(
        !ns.is_empty() && ns.bytes().all(|b| b.is_ascii_digit()),
        "duration_ns is not a number in {part_c}"
    );
    fields.strip_suffix(',').unwrap_or(fields)
}

/// Replaces PartA's time, which is the real clock here, with `T`.
fn mask_time(json: &str) -> String {
    let start = json.find(r#""time":""#).expect("PartA has a time") + 8;
    let end = start + json[start..].find('"').unwrap();
    format!("{}T{}", &json[..start], &json[end..])
}

#[test]
fn activity_pairs_on_threads_match_with_their_parents() {
    require_kernel!();
    let _serial = serial();
    let provider = start_provider();
    let mut capture = Listener::start(&TRACEPOINTS).unwrap();

    const THREADS: u32 = 4;
    const CALLS: u32 = 25;
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..CALLS {
                    let cart = t * 1000 + i;
                    checkout(cart);
                }
                // A panic unwinding through an activity stops it too.
                let result = catch_unwind(|| explode(1));
                assert!(result.is_err());
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let samples = capture.drain();
    assert_eq!(capture.lost(), 0);
    drop(capture);

    let events: Vec<Decoded> = samples.iter().map(decode).collect();
    // Per checkout: start, 2 x (price start, stop), audit, stop = 7 events;
    // per thread one explode start and stop.
    assert_eq!(
        events.len() as u32,
        THREADS * (CALLS * 7 + 2),
        "{events:#?}"
    );
    let pairs = match_pairs(&events);
    assert_eq!(pairs.len() as u32, THREADS * (CALLS * 3 + 1));

    for (start, stop) in pairs.values() {
        match start.name.as_str() {
            "checkout" => {
                assert_eq!(start.related, "");
                let cart: u32 = start.part_c["\"cart\":".len()..].parse().unwrap();
                let prices: Vec<&(Decoded, Decoded)> = pairs
                    .values()
                    .filter(|(s, _)| s.name == "price" && s.related == start.activity)
                    .collect();
                assert_eq!(prices.len(), 2, "two nested prices for {start:?}");
                for (s, _) in &prices {
                    assert_eq!(s.tid, start.tid, "nested on the same thread");
                }
                let audit: Vec<&Decoded> = events
                    .iter()
                    .filter(|e| e.name == "audit" && e.activity == start.activity)
                    .collect();
                assert_eq!(audit.len(), 1, "the plain event carries its caller's id");
                assert_eq!(audit[0].part_c, format!("\"cart\":{cart}"));
                let expected: u32 = [cart, cart + 1]
                    .iter()
                    .map(|&i| if i % 5 == 0 { 0 } else { i * 100 })
                    .sum();
                assert!(
                    stop.part_c
                        .starts_with(&format!("\"return\":{expected},\"duration_ns\":")),
                    "{stop:?}"
                );
            }
            "price" => {
                assert_ne!(start.related, "", "price always runs inside checkout");
                let item: u32 = start.part_c["\"item\":".len()..].parse().unwrap();
                let expected = if item.is_multiple_of(5) {
                    format!("\"error\":\"item {item} is out of stock\"")
                } else {
                    format!("\"return\":{}", item * 100)
                };
                assert_eq!(without_duration(&stop.part_c), expected);
            }
            "explode" => {
                assert_eq!(start.related, "");
                assert_eq!(without_duration(&stop.part_c), "\"panicked\":true");
            }
            other => panic!("unexpected activity {other}"),
        }
    }
    assert_eq!(
        provider.counters().written,
        u64::from(THREADS * (CALLS * 7 + 2))
    );
    provider.shutdown();
}

#[test]
fn async_activity_pairs_follow_their_futures() {
    require_kernel!();
    let _serial = serial();
    let provider = start_provider();
    let mut capture = Listener::start(&TRACEPOINTS).unwrap();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let results = runtime.block_on(async { tokio::join!(fetch(1), fetch(2), fetch(3)) });
    assert_eq!(results, (11, 21, 31));
    let samples = capture.drain();
    drop(capture);

    let events: Vec<Decoded> = samples.iter().map(decode).collect();
    assert_eq!(events.len(), 12, "{events:#?}");
    let pairs = match_pairs(&events);
    for id in 1..=3 {
        let arg = format!("\"id\":{id}");
        let (fetch_start, fetch_stop) = pairs
            .values()
            .find(|(s, _)| s.name == "fetch" && s.part_c == arg)
            .unwrap();
        let (load_start, load_stop) = pairs
            .values()
            .find(|(s, _)| s.name == "load" && s.part_c == arg)
            .unwrap();
        assert_eq!(fetch_start.related, "");
        assert_eq!(
            load_start.related, fetch_start.activity,
            "load's parent is its fetch"
        );
        assert_eq!(
            without_duration(&fetch_stop.part_c),
            format!("\"return\":{}", id * 10 + 1)
        );
        assert_eq!(
            without_duration(&load_stop.part_c),
            format!("\"return\":{}", id * 10)
        );
    }
    // Interleaved: the three fetches all started before any activity stopped.
    let first_stop = events.iter().position(|e| e.opcode == 2).unwrap();
    assert_eq!(
        events[..first_stop]
            .iter()
            .filter(|e| e.name == "fetch")
            .count(),
        3
    );
    provider.shutdown();
}

#[otel_event(ret)]
fn ship(order: u32) -> u32 {
    ue_log!(info, "Packed", order);
    ue_log!(warn, "Late", order);
    order + 1
}

#[otel_event(ret)]
async fn ship_async(order: u32) -> u32 {
    tokio::task::yield_now().await;
    ue_log!(info, "PackedAsync", order);
    order + 2
}

#[test]
fn ue_log_inside_an_activity_shares_its_id() {
    require_kernel!();
    let _serial = serial();
    let provider = start_provider();
    let mut capture = Listener::start(&TRACEPOINTS).unwrap();
    assert_eq!(ship(7), 8);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let results = runtime.block_on(async { tokio::join!(ship_async(1), ship_async(2)) });
    assert_eq!(results, (3, 4));
    ue_log!(info, "Outside", order = 0u32);
    let samples = capture.drain();
    assert_eq!(capture.lost(), 0);
    drop(capture);

    let events: Vec<Decoded> = samples.iter().map(decode).collect();
    assert_eq!(events.len(), 4 + 2 * 3 + 1, "{events:#?}");
    let pairs = match_pairs(&events);
    assert_eq!(pairs.len(), 3);
    let (start, stop) = pairs.values().find(|(s, _)| s.name == "ship").unwrap();
    assert_eq!(without_duration(&stop.part_c), "\"return\":8");
    let inner: Vec<&Decoded> = events
        .iter()
        .filter(|e| e.name == "Packed" || e.name == "Late")
        .collect();
    assert_eq!(inner.len(), 2);
    for e in &inner {
        // A plain event (no opcode) with the activity's id and no related id.
        assert_eq!(e.opcode, 0, "{e:?}");
        assert_eq!(e.activity, start.activity, "{e:?}");
        assert_eq!(e.related, "", "{e:?}");
        assert_eq!(e.part_c, "\"order\":7");
    }
    // The async activities were polled in turns: each inner event carries the
    // id of the future that wrote it.
    for order in 1..=2 {
        let arg = format!("\"order\":{order}");
        let (start, _) = pairs
            .values()
            .find(|(s, _)| s.name == "ship_async" && s.part_c == arg)
            .unwrap();
        let inner: Vec<&Decoded> = events
            .iter()
            .filter(|e| e.name == "PackedAsync" && e.part_c == arg)
            .collect();
        assert_eq!(inner.len(), 1);
        assert_eq!(inner[0].opcode, 0);
        assert_eq!(inner[0].activity, start.activity);
        assert_eq!(inner[0].related, "");
    }
    let outside = events.iter().find(|e| e.name == "Outside").unwrap();
    assert_eq!(outside.activity, "", "no activity is current");
    assert_eq!(provider.counters().written, events.len() as u64);
    provider.shutdown();
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

#[otel_event(ret, duration)]
async fn quick(n: u32) -> u32 {
    quick_inner(n).await + 1
}

#[otel_event(ret)]
async fn quick_inner(n: u32) -> u32 {
    n * 2
}

/// Polls a future that completes without waiting, with no executor.
fn poll_once<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("the future waited"),
    }
}

#[test]
fn activities_write_to_the_kernel_without_allocating() {
    require_kernel!();
    let _serial = serial();
    let provider = start_provider();
    let mut capture = Listener::start(&TRACEPOINTS).unwrap();
    // First use: lazy statics (the OpenTelemetry context, the id seed).
    checkout(1);
    poll_once(quick(1));
    let before = provider.counters().written;

    let allocations = allocations_during(|| {
        for cart in 1..=200 {
            // price(5), price(10), ..: the error path formats with Display.
            checkout(cart);
            assert_eq!(poll_once(quick(cart)), cart * 2 + 1);
        }
    });
    // checkout: 7 events, quick: 4 events.
    let written = provider.counters().written - before;
    assert_eq!(written, 200 * 11);
    assert_eq!(allocations, 0, "heap allocations for {written} events");
    let samples = capture.drain();
    assert_eq!(capture.lost(), 0);
    drop(capture);
    let events: Vec<Decoded> = samples.iter().map(decode).collect();
    // Warm-up: 3 + 2 activities; then 5 per round.
    assert_eq!(match_pairs(&events).len(), 5 + 200 * 5);
    provider.shutdown();
}
