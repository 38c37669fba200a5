//! `UserEventsLayer` (feature `tracing`) without a kernel: `tracing` events and
//! spans captured as the exact bytes the layer would write, decoded with
//! `tracepoint_decode` and compared with hand-written JSON; the filter, the
//! report and the counters. `tests/kernel_layer.rs` does the same on a real
//! kernel.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use otel_user_events::testing::{Capture, CapturedEvent, sequential_activity_ids};
use otel_user_events::{tracing::LayerEventName, tracing::UserEventsLayer, ue_log};
use otel_user_events_test_support::decode::{decode_json, mask_durations};
use tracing::Instrument as _;
use tracing_subscriber::layer::SubscriberExt as _;

const TIME: &str = "2024-01-01T12:34:56.789Z";
const A1: &str = "00000000-0000-0000-0000-000000000001";
const A2: &str = "00000000-0000-0000-0000-000000000002";

/// A running capture sets the capture bit of every layer in the process, so a
/// test that asserts "not written" must not overlap one: captures hold this.
static CAPTURES: Mutex<()> = Mutex::new(());

fn capture_lock() -> MutexGuard<'static, ()> {
    CAPTURES.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f` with `layer` (filtered) as the thread's subscriber, capturing
/// events at a fixed time with sequential activity ids; each event as JSON.
fn capture(layer: UserEventsLayer, f: impl FnOnce()) -> Vec<String> {
    let subscriber = tracing_subscriber::registry().with(layer.filtered());
    let time = SystemTime::UNIX_EPOCH + Duration::from_millis(1_704_112_496_789);
    let _captures = capture_lock();
    let (_, events) = tracing::subscriber::with_default(subscriber, || {
        sequential_activity_ids(|| Capture::new("Unused").unwrap().at_time(time).run(f))
    });
    events.iter().map(decoded).collect()
}

fn decoded(e: &CapturedEvent) -> String {
    let json = decode_json(&e.tracepoint, &e.payload).unwrap();
    format!("{} {}", e.tracepoint, mask_durations(&json))
}

fn layer(provider: &str) -> UserEventsLayer {
    UserEventsLayer::builder(provider).build().unwrap()
}

/// The JSON of an event: tracepoint, name, PartC members (or none), body,
/// PartB severity, EventHeader level and the members of `meta` after level
/// and keyword.
struct Json<'a> {
    tracepoint: &'a str,
    name: &'a str,
    part_c: &'a str,
    body: Option<&'a str>,
    severity: (u8, &'a str),
    meta: &'a str,
}

impl Json<'_> {
    fn render(&self) -> String {
        let (provider, rest) = self.tracepoint.split_once("_L").unwrap();
        let level = &rest[..1];
        let keyword = rest[2..].split('G').next().unwrap();
        let part_c = if self.part_c.is_empty() {
            String::new()
        } else {
            format!(",\"PartC\":{{{}}}", self.part_c)
        };
        let body = self
            .body
            .map(|b| format!(",\"body\":\"{b}\""))
            .unwrap_or_default();
        let meta = if self.meta.is_empty() {
            String::new()
        } else {
            format!(",{}", self.meta)
        };
        let (number, text) = self.severity;
        format!(
            "{tp} {{\"n\":\"{provider}:{name}\",\"__csver__\":1024,\"PartA\":{{\"time\":\"{TIME}\"}}{part_c},\
             \"PartB\":{{\"_typeName\":\"Log\"{body},\"severityNumber\":{number},\"severityText\":\"{text}\",\"name\":\"{name}\"}},\
             \"meta\":{{\"level\":{level},\"keyword\":\"0x{keyword}\"{meta}}}}}",
            tp = self.tracepoint,
            name = self.name,
        )
    }
}

const INFO: (u8, &str) = (9, "INFO");

#[test]
fn an_event_decodes_to_the_layout_of_ue_log() {
    let events = capture(layer("TL"), || {
        let (id, customer) = (42u64, "ada");
        tracing::info!(name: "OrderPlaced", order_id = id, customer, amount = 9.99, express = true, "order placed");
    });
    let expected = Json {
        tracepoint: "TL_L4K1",
        name: "OrderPlaced",
        part_c: r#""order_id":42,"customer":"ada","amount":9.99,"express":true"#,
        body: Some("order placed"),
        severity: INFO,
        meta: "",
    };
    assert_eq!(events, [expected.render()]);
}

#[test]
fn the_same_call_site_writes_the_same_bytes_every_time_and_types_may_change() {
    let events = capture(layer("TLRepeat"), || {
        for i in 0..4u64 {
            // `None` records nothing: the fields differ from the first event's.
            let maybe = i.is_multiple_of(2).then_some(i);
            tracing::warn!(name: "Tick", n = i, maybe, "tick {i}");
        }
    });
    let tick = |i: u64| {
        let part_c = if i.is_multiple_of(2) {
            format!("\"n\":{i},\"maybe\":{i}")
        } else {
            format!("\"n\":{i}")
        };
        Json {
            tracepoint: "TLRepeat_L3K1",
            name: "Tick",
            part_c: &part_c,
            body: Some(&format!("tick {i}")),
            severity: (13, "WARN"),
            meta: "",
        }
        .render()
    };
    assert_eq!(events, (0..4).map(tick).collect::<Vec<_>>());
}

/// Written with `Debug` (which reads its field).
#[derive(Debug)]
struct State {
    #[allow(dead_code)]
    tries: u32,
}

#[derive(Debug)]
struct Failure(&'static str, Option<Box<Failure>>);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.1
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[test]
fn values_keep_their_natural_types() {
    let err = Failure("request failed", Some(Box::new(Failure("reset", None))));
    let events = capture(layer("TLTypes"), || {
        tracing::error!(
            name: "Types",
            small = -3i8,
            big = i64::MIN,
            unsigned = u64::MAX,
            wide = i128::MIN,
            uwide = u128::MAX,
            ratio = -0.25f32,
            yes = true,
            text = "é",
            owned = String::from("owned"),
            state = ?State { tries: 3 },
            shown = %"displayed",
            bytes = &b"\x01\xab"[..],
            error = &err as &(dyn std::error::Error + 'static),
        );
    });
    let expected = Json {
        tracepoint: "TLTypes_L2K1",
        name: "Types",
        part_c: concat!(
            r#""small":-3,"big":-9223372036854775808,"unsigned":18446744073709551615,"#,
            r#""wide":"-170141183460469231731687303715884105728","uwide":"340282366920938463463374607431768211455","#,
            r#""ratio":-0.25,"yes":true,"text":"é","owned":"owned","state":"State { tries: 3 }","#,
            r#""shown":"displayed","bytes":"01 AB","error":"request failed: reset""#
        ),
        body: None,
        severity: (17, "ERROR"),
        meta: "",
    };
    assert_eq!(events, [expected.render()]);
}

#[test]
fn levels_map_as_opentelemetry_severities() {
    let events = capture(layer("TLLevels"), || {
        tracing::error!(name: "E", "e");
        tracing::warn!(name: "W", "w");
        tracing::info!(name: "I", "i");
        tracing::debug!(name: "D", "d");
        tracing::trace!(name: "T", "t");
    });
    let tracepoints: Vec<&str> = events
        .iter()
        .map(|e| e.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        tracepoints,
        [
            "TLLevels_L2K1",
            "TLLevels_L3K1",
            "TLLevels_L4K1",
            "TLLevels_L5K1",
            "TLLevels_L5K1"
        ]
    );
    for (event, severity) in events.iter().zip([
        r#""severityNumber":17,"severityText":"ERROR""#,
        r#""severityNumber":13,"severityText":"WARN""#,
        r#""severityNumber":9,"severityText":"INFO""#,
        r#""severityNumber":5,"severityText":"DEBUG""#,
        r#""severityNumber":1,"severityText":"TRACE""#,
    ]) {
        assert!(event.contains(severity), "{event}");
    }
}

#[test]
fn event_names_follow_the_policy_and_keywords_the_target_rules() {
    let build = |policy| {
        UserEventsLayer::builder("TLNames")
            .with_target_keyword("checkout", 0x10)
            .with_event_name(policy)
            .build()
            .unwrap()
    };
    let events = capture(build(LayerEventName::Target), || {
        tracing::info!(target: "checkout::cart", "in cart");
        tracing::info!(target: "checkoutx", "not a module of checkout");
    });
    assert!(
        events[0].starts_with("TLNames_L4K10 {\"n\":\"TLNames:checkout::cart\""),
        "{}",
        events[0]
    );
    assert!(
        events[1].starts_with("TLNames_L4K1 {\"n\":\"TLNames:checkoutx\""),
        "{}",
        events[1]
    );
    let events = capture(build(LayerEventName::Fixed("App")), || {
        tracing::info!("fixed")
    });
    assert!(
        events[0].starts_with("TLNames_L4K1 {\"n\":\"TLNames:App\""),
        "{}",
        events[0]
    );
    let (line, events) = {
        let mut line = 0;
        let events = capture(build(LayerEventName::Metadata), || {
            line = line!() + 1;
            tracing::info!("named by tracing")
        });
        (line, events)
    };
    let name = format!("event tests/tracing_layer.rs:{line}");
    assert!(
        events[0].contains(&format!("\"n\":\"TLNames:{name}\"")),
        "{}",
        events[0]
    );
    assert!(
        events[0].contains(&format!("\"name\":\"{name}\"")),
        "{}",
        events[0]
    );
}

fn start(tracepoint: &str, name: &str, part_c: &str, id: &str, related: Option<&str>) -> String {
    let related = related
        .map(|r| format!(",\"relatedActivity\":\"{r}\""))
        .unwrap_or_default();
    Json {
        tracepoint,
        name,
        part_c,
        body: None,
        severity: INFO,
        meta: &format!("\"opcode\":1,\"activity\":\"{id}\"{related}"),
    }
    .render()
}

fn stop(tracepoint: &str, name: &str, part_c: &str, id: &str) -> String {
    let part_c = if part_c.is_empty() {
        "\"duration_ns\":D".to_owned()
    } else {
        format!("{part_c},\"duration_ns\":D")
    };
    Json {
        tracepoint,
        name,
        part_c: &part_c,
        body: None,
        severity: INFO,
        meta: &format!("\"opcode\":2,\"activity\":\"{id}\""),
    }
    .render()
}

fn in_activity(tracepoint: &str, name: &str, body: &str, id: &str) -> String {
    Json {
        tracepoint,
        name,
        part_c: "",
        body: Some(body),
        severity: INFO,
        meta: &format!("\"activity\":\"{id}\""),
    }
    .render()
}

#[test]
fn spans_are_activities_and_their_events_carry_the_activity() {
    let tp = "TLSpans_L4K1";
    let events = capture(layer("TLSpans"), || {
        let outer = tracing::info_span!("checkout", cart = 3u64, user = tracing::field::Empty);
        let _outer = outer.enter();
        outer.record("user", "ada");
        tracing::info!(name: "Inside", "in checkout");
        {
            let inner = tracing::info_span!("pay");
            let _inner = inner.enter();
            tracing::info!(name: "Paying", "paying");
            // `ue_log!` events inside a span carry its activity too.
            ue_log!(info, "Charged", amount = 5u64);
        }
        tracing::info!(name: "After", "after pay");
        drop(_outer);
        drop(outer);
        tracing::info!(name: "Outside", "no span");
    });
    let charged = events[4].clone();
    assert_eq!(
        events,
        [
            start(tp, "checkout", r#""cart":3"#, A1, None),
            in_activity(tp, "Inside", "in checkout", A1),
            start(tp, "pay", "", A2, Some(A1)),
            in_activity(tp, "Paying", "paying", A2),
            charged,
            stop(tp, "pay", "", A2),
            in_activity(tp, "After", "after pay", A1),
            stop(tp, "checkout", r#""user":"ada""#, A1),
            Json {
                tracepoint: tp,
                name: "Outside",
                part_c: "",
                body: Some("no span"),
                severity: INFO,
                meta: "",
            }
            .render(),
        ]
    );
    assert!(
        events[4].starts_with("Unused_L4K1 {\"n\":\"Unused:Charged\"")
            && events[4].ends_with(&format!("\"activity\":\"{A2}\"}}}}")),
        "{}",
        events[4]
    );
}

#[test]
fn two_layers_in_one_subscriber_each_write_their_own_spans_and_events() {
    // Two providers (two teams) in one subscriber: both track every span,
    // each with its own activity ids, and neither panics (the registry keeps
    // one extension per type: both layers used to insert the same one).
    let (a, b) = ("TLTeamA_L4K1", "TLTeamB_L4K1");
    let subscriber = tracing_subscriber::registry()
        .with(layer("TLTeamA").filtered())
        .with(layer("TLTeamB").filtered());
    let time = SystemTime::UNIX_EPOCH + Duration::from_millis(1_704_112_496_789);
    let _captures = capture_lock();
    let (_, events) = tracing::subscriber::with_default(subscriber, || {
        sequential_activity_ids(|| {
            Capture::new("Unused").unwrap().at_time(time).run(|| {
                let outer = tracing::info_span!("checkout", user = tracing::field::Empty);
                let _outer = outer.enter();
                outer.record("user", "ada");
                tracing::info!(name: "Inside", "in checkout");
                let inner = tracing::info_span!("pay");
                inner.in_scope(|| tracing::info!(name: "Paying", "paying"));
                drop(inner);
                tracing::info!(name: "After", "after pay");
            })
        })
    });
    let events: Vec<String> = events.iter().map(decoded).collect();
    let (a3, a4) = (
        "00000000-0000-0000-0000-000000000003",
        "00000000-0000-0000-0000-000000000004",
    );
    assert_eq!(
        events,
        [
            start(a, "checkout", "", A1, None),
            start(b, "checkout", "", A2, None),
            in_activity(a, "Inside", "in checkout", A1),
            in_activity(b, "Inside", "in checkout", A2),
            start(a, "pay", "", a3, Some(A1)),
            start(b, "pay", "", a4, Some(A2)),
            in_activity(a, "Paying", "paying", a3),
            in_activity(b, "Paying", "paying", a4),
            stop(a, "pay", "", a3),
            stop(b, "pay", "", a4),
            in_activity(a, "After", "after pay", A1),
            in_activity(b, "After", "after pay", A2),
            stop(a, "checkout", r#""user":"ada""#, A1),
            stop(b, "checkout", r#""user":"ada""#, A2),
        ]
    );
}

#[test]
fn an_explicit_parent_is_the_related_activity_and_root_spans_have_none() {
    let tp = "TLParents_L4K1";
    let events = capture(layer("TLParents"), || {
        let parent = tracing::info_span!("parent");
        let child = tracing::info_span!(parent: &parent, "child");
        let root = {
            let _in_parent = parent.enter();
            tracing::info_span!(parent: None, "root")
        };
        tracing::info!(name: "ToChild", parent: &child, "explicit");
        drop((root, child, parent));
    });
    assert_eq!(
        events[..4],
        [
            start(tp, "parent", "", A1, None),
            start(tp, "child", "", A2, Some(A1)),
            start(tp, "root", "", "00000000-0000-0000-0000-000000000003", None),
            in_activity(tp, "ToChild", "explicit", A2),
        ]
    );
    assert_eq!(events.len(), 7, "and three stops: {events:#?}");
}

#[test]
fn an_instrumented_future_carries_its_span_across_await() {
    let tp = "TLAsync_L4K1";
    let events = capture(layer("TLAsync"), || {
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
            // Another task runs while `work` waits: outside the span.
            let other = async {
                tracing::info!(name: "Other", "other");
            };
            tokio::join!(work, other);
        });
    });
    assert_eq!(
        events,
        [
            start(tp, "job", "", A1, None),
            in_activity(tp, "Before", "before", A1),
            Json {
                tracepoint: tp,
                name: "Other",
                part_c: "",
                body: Some("other"),
                severity: INFO,
                meta: "",
            }
            .render(),
            in_activity(tp, "AfterAwait", "after", A1),
            stop(tp, "job", "", A1),
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

#[test]
fn nobody_listening_visits_no_value_and_loses_nothing_silently() {
    let layer = layer("TLQuiet");
    let handle = layer.handle();
    let unavailable = !handle.report().all_registered();
    let visits = AtomicUsize::new(0);
    let subscriber = tracing_subscriber::registry().with(layer.filtered());
    let _captures = capture_lock();
    tracing::subscriber::with_default(subscriber, || {
        for _ in 0..3 {
            tracing::info!(value = ?Watched(&visits), "quiet");
        }
        let span = tracing::info_span!("quiet_span");
        let _entered = span.enter();
    });
    assert_eq!(visits.load(Ordering::Relaxed), 0);
    let counters = handle.counters();
    assert_eq!(counters.written, 0);
    if unavailable {
        // No user_events here: the three events, the span's start and its
        // stop are dropped, and counted.
        assert_eq!(counters.dropped_unavailable, 5);
    } else {
        assert_eq!(counters.dropped(), 0);
    }
    // With a capture the value is formatted once per event.
    drop(_captures);
    let layer = self::layer("TLQuiet2");
    let visits = AtomicUsize::new(0);
    let events = capture(layer, || tracing::info!(value = ?Watched(&visits), "heard"));
    assert_eq!((events.len(), visits.load(Ordering::Relaxed)), (1, 1));
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
fn composes_with_fmt_each_layer_seeing_what_it_wants() {
    let out = Buffer::default();
    let writer = out.clone();
    let layer = layer("TLFmt");
    let handle = layer.handle();
    let subscriber = tracing_subscriber::registry().with(layer.filtered()).with(
        tracing_subscriber::fmt::layer()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .without_time(),
    );
    let time = SystemTime::UNIX_EPOCH + Duration::from_millis(1_704_112_496_789);
    let _captures = capture_lock();
    let (_, events) = tracing::subscriber::with_default(subscriber, || {
        // Captured: both layers see it.
        let captured = Capture::new("Unused").unwrap().at_time(time).run(|| {
            tracing::info!(name: "Both", n = 1u64, "seen by both");
        });
        // Not captured: fmt still sees it, the layer writes nothing.
        tracing::info!(name: "FmtOnly", n = 2u64, "fmt only");
        captured
    });
    assert_eq!(
        events.iter().map(decoded).collect::<Vec<_>>(),
        [Json {
            tracepoint: "TLFmt_L4K1",
            name: "Both",
            part_c: r#""n":1"#,
            body: Some("seen by both"),
            severity: INFO,
            meta: "",
        }
        .render()]
    );
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    assert_eq!(
        text,
        " INFO tracing_layer: seen by both n=1\n INFO tracing_layer: fmt only n=2\n"
    );
    assert_eq!(handle.counters().written, 1);
}

#[test]
fn the_report_lists_every_level_of_every_keyword() {
    let layer = UserEventsLayer::builder("TLReport")
        .with_keyword(2)
        .with_target_keyword("db", 0x10)
        .with_target_keyword("db::pool", 0x10)
        .with_provider_group("g1")
        .build()
        .unwrap();
    let report = layer.report();
    assert_eq!(report.keywords, [2, 0x10]);
    let names: Vec<&str> = report.tracepoints.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "TLReport_L1K2Gg1",
            "TLReport_L2K2Gg1",
            "TLReport_L3K2Gg1",
            "TLReport_L4K2Gg1",
            "TLReport_L5K2Gg1",
            "TLReport_L1K10Gg1",
            "TLReport_L2K10Gg1",
            "TLReport_L3K10Gg1",
            "TLReport_L4K10Gg1",
            "TLReport_L5K10Gg1",
        ]
    );
    let text = report.to_string();
    assert!(
        text.starts_with("otel-user-events tracing layer \"TLReport\" (keywords 0x2, 0x10):\n  user_events_data: "),
        "{text}"
    );
    if report.all_registered() {
        assert!(text.contains("  TLReport_L5K10Gg1: registered\n"), "{text}");
    } else {
        assert!(
            text.contains("events are dropped and counted (dropped_unavailable)"),
            "{text}"
        );
    }
    let handle = layer.handle();
    drop(layer);
    assert!(handle.is_shut_down());
}

#[test]
fn counters_count_what_a_capture_takes() {
    let layer = layer("TLCount");
    let handle = layer.handle();
    let events = capture(layer, || {
        tracing::info!("one");
        let _span = tracing::info_span!("s").entered();
    });
    assert_eq!(events.len(), 3);
    assert_eq!(handle.counters().written, 3);
    assert_eq!(handle.counters().dropped(), 0);
}

#[test]
fn messages_of_any_length_and_type_become_the_body() {
    let long = "m".repeat(300); // beyond what the first visit keeps
    let events = capture(layer("TLMessages"), || {
        tracing::info!(name: "Formatted", n = 1u64, "order {} of {}", 3, "ada");
        tracing::info!(name: "Long", n = 2u64, "{long}");
        tracing::info!(name: "Str", n = 3u64, message = "plain str");
        tracing::info!(name: "Number", n = 4u64, message = 42i64);
    });
    let body = |name: &str, n: u64, body: &str| {
        Json {
            tracepoint: "TLMessages_L4K1",
            name,
            part_c: &format!("\"n\":{n}"),
            body: Some(body),
            severity: INFO,
            meta: "",
        }
        .render()
    };
    assert_eq!(
        events,
        [
            body("Formatted", 1, "order 3 of ada"),
            body("Long", 2, &long),
            body("Str", 3, "plain str"),
            body("Number", 4, "42"),
        ]
    );
}

/// `EncodingProfile::Scalars`: bytes and unsigned values above `i64::MAX` are
/// text, and a span's activity fields are repeated in PartB, so a collector
/// that reads only scalars (and not the EventHeader header) loses nothing.
#[test]
fn the_scalar_profile_writes_only_scalars() {
    let layer = UserEventsLayer::builder("TLScalar")
        .with_encoding_profile(otel_user_events::output::EncodingProfile::Scalars)
        .build()
        .unwrap();
    let events = capture(layer, || {
        let span = tracing::info_span!("job", total = u64::MAX, digest = tracing::field::Empty);
        let _entered = span.enter();
        span.record("digest", &b"\x0a\xff"[..]);
        tracing::info!(name: "Step", small = 7u64, big = u64::MAX, bytes = &b"\x01\xab"[..]);
    });
    let b = |name: &str, extra: &str| {
        format!(
            r#""PartB":{{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"{name}"{extra}}}"#
        )
    };
    let head = |name: &str| {
        format!(
            r#"TLScalar_L4K1 {{"n":"TLScalar:{name}","__csver__":1024,"PartA":{{"time":"{TIME}"}}"#
        )
    };
    assert_eq!(
        events,
        [
            format!(
                r#"{},"PartC":{{"total":"18446744073709551615"}},{},"meta":{{"level":4,"keyword":"0x1","opcode":1,"activity":"{A1}"}}}}"#,
                head("job"),
                b("job", &format!(r#","activityId":"{A1}","opcode":1"#))
            ),
            format!(
                r#"{},"PartC":{{"small":7,"big":"18446744073709551615","bytes":"01ab"}},{},"meta":{{"level":4,"keyword":"0x1","activity":"{A1}"}}}}"#,
                head("Step"),
                b("Step", &format!(r#","activityId":"{A1}""#))
            ),
            format!(
                r#"{},"PartC":{{"digest":"0aff","duration_ns":D}},{},"meta":{{"level":4,"keyword":"0x1","opcode":2,"activity":"{A1}"}}}}"#,
                head("job"),
                b("job", &format!(r#","activityId":"{A1}","opcode":2"#))
            ),
        ]
    );
}
