//! `UserEventsLayer` (feature `tracing`) without a kernel: `tracing` events and
//! spans captured as the exact bytes the layer would write, decoded with
//! `tracepoint_decode` and compared with hand-written JSON; the filter, the
//! report and the counters. `tests/kernel_layer.rs` does the same on a real
//! kernel.

#![recursion_limit = "512"]

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
            .with_event_naming(policy)
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

#[test]
fn a_fixed_event_name_is_checked_by_the_rule_of_ue_log() {
    use otel_user_events::output::BuildError;
    // A `;` and a newline would print ambiguously in every decoder.
    let err = UserEventsLayer::builder("TLBadName")
        .with_event_naming(LayerEventName::Fixed("a;b\n"))
        .build()
        .unwrap_err();
    assert!(matches!(err, BuildError::InvalidEventName(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "event names may use ASCII letters, digits, `_`, `.` and `-`: `a;b\\n` has `;`"
    );
    assert!(
        UserEventsLayer::builder("TLBadName")
            .with_event_naming(LayerEventName::Fixed(""))
            .build()
            .is_err()
    );
    let ok = UserEventsLayer::builder("TLGoodName")
        .with_event_naming(LayerEventName::Fixed("App.Event-1"))
        .build();
    assert!(ok.is_ok());
}

#[test]
fn a_filtered_layer_is_reloaded_by_replacing_its_layer_and_its_filter() {
    // What README says works: keep the `Filtered` that the subscriber gave a
    // filter id, and replace both its layer and its filter. (`reload` with a
    // new `.filtered()` panics in tracing-subscriber, which never gave the
    // new one an id; replacing the layer alone leaves the old layer's filter
    // in charge.)
    use tracing_subscriber::reload;
    let first = layer("TLReloadA");
    let first_handle = first.handle();
    let (reloadable, handle) = reload::Layer::new(first.filtered());
    let subscriber = tracing_subscriber::registry().with(reloadable);
    let _captures = capture_lock();
    let (_, events) = tracing::subscriber::with_default(subscriber, || {
        Capture::new("Unused").unwrap().run(|| {
            tracing::info!(name: "Before", "before");
            let second = layer("TLReloadB");
            handle
                .modify(|filtered| {
                    *filtered.filter_mut() = second.filter();
                    *filtered.inner_mut() = second;
                })
                .unwrap();
            tracing::info!(name: "After", "after");
        })
    });
    let written: Vec<(&str, bool)> = events
        .iter()
        .map(|e| {
            (
                e.tracepoint.as_str(),
                decoded(e).contains("\"name\":\"After\""),
            )
        })
        .collect();
    assert_eq!(
        written,
        [("TLReloadA_L4K1", false), ("TLReloadB_L4K1", true)]
    );
    // The replaced layer was dropped: its tracepoints are released.
    assert!(first_handle.is_shut_down());
    assert_eq!(first_handle.counters().written, 1);
}

/// The decoded PartC and PartB of a captured event (for the fitting tests).
fn parts(event: &str) -> (serde_json::Value, serde_json::Value) {
    let json: serde_json::Value = serde_json::from_str(event.split_once(' ').unwrap().1).unwrap();
    (json["PartC"].clone(), json["PartB"].clone())
}

#[test]
fn long_values_are_shortened_longest_first_and_short_ones_kept_whole() {
    // Two long values, then a short one and the message: the long ones are
    // shortened to one cap, the short field and the message stay whole, and
    // the event counts as truncated (fields used to be filled in order, so
    // everything after the long ones became "").
    let (stack, sql) = ("s".repeat(6_000), "q".repeat(6_000));
    let layer = layer("TLFit");
    let handle = layer.handle();
    let events = capture(layer, || {
        tracing::error!(name: "Failed", stack = %stack, sql = sql.as_str(), user = "ada", "query failed");
    });
    let (part_c, part_b) = parts(&events[0]);
    let (kept_stack, kept_sql) = (
        part_c["stack"].as_str().unwrap(),
        part_c["sql"].as_str().unwrap(),
    );
    assert_eq!(part_c["user"], "ada");
    assert_eq!(part_b["body"], "query failed");
    assert!(kept_stack.len() < 6_000 && stack.starts_with(kept_stack));
    // One cap for both: the same length, and together most of the room.
    assert_eq!(kept_sql.len(), kept_stack.len());
    assert!(sql.starts_with(kept_sql));
    assert!(kept_stack.len() > 3_000, "{}", kept_stack.len());
    let counters = handle.counters();
    assert_eq!((counters.written, counters.truncated), (1, 1));
}

#[test]
fn the_perf_limit_fits_the_event_in_what_perf_delivers() {
    use otel_user_events::output::EventLimit;
    let (a, b) = ("a".repeat(4_000), "b".repeat(4_500));
    let layer = UserEventsLayer::builder("TLPerf")
        .with_event_limit(EventLimit::Perf)
        .build()
        .unwrap();
    let handle = layer.handle();
    let subscriber = tracing_subscriber::registry().with(layer.filtered());
    let _captures = capture_lock();
    let (_, events) = tracing::subscriber::with_default(subscriber, || {
        Capture::new("Unused").unwrap().run(|| {
            tracing::info!(
                a = a.as_str(),
                b = b.as_str(),
                small = "kept",
                "message kept"
            );
        })
    });
    assert!(events[0].payload.len() <= EventLimit::Perf.payload_bytes());
    assert!(events[0].truncated);
    let (part_c, part_b) = parts(&decoded(&events[0]));
    assert_eq!(
        (part_c["small"].as_str(), part_b["body"].as_str()),
        (Some("kept"), Some("message kept"))
    );
    let (kept_a, kept_b) = (part_c["a"].as_str().unwrap(), part_c["b"].as_str().unwrap());
    assert!(a.starts_with(kept_a) && b.starts_with(kept_b));
    assert!(
        kept_a.len() < 4_000 && kept_a.len() == kept_b.len(),
        "{} {}",
        kept_a.len(),
        kept_b.len()
    );
    assert_eq!(handle.counters().truncated, 1);
}

#[test]
fn an_event_keeps_127_fields_and_counts_the_rest() {
    let layer = layer("TLMany");
    let handle = layer.handle();
    let events = capture(layer, || {
        tracing::info!(name: "Many", f0 = 0u64, f1 = 1u64, f2 = 2u64, f3 = 3u64, f4 = 4u64, f5 = 5u64, f6 = 6u64, f7 = 7u64, f8 = 8u64, f9 = 9u64, f10 = 10u64, f11 = 11u64, f12 = 12u64, f13 = 13u64, f14 = 14u64, f15 = 15u64, f16 = 16u64, f17 = 17u64, f18 = 18u64, f19 = 19u64, f20 = 20u64, f21 = 21u64, f22 = 22u64, f23 = 23u64, f24 = 24u64, f25 = 25u64, f26 = 26u64, f27 = 27u64, f28 = 28u64, f29 = 29u64, f30 = 30u64, f31 = 31u64, f32 = 32u64, f33 = 33u64, f34 = 34u64, f35 = 35u64, f36 = 36u64, f37 = 37u64, f38 = 38u64, f39 = 39u64, f40 = 40u64, f41 = 41u64, f42 = 42u64, f43 = 43u64, f44 = 44u64, f45 = 45u64, f46 = 46u64, f47 = 47u64, f48 = 48u64, f49 = 49u64, f50 = 50u64, f51 = 51u64, f52 = 52u64, f53 = 53u64, f54 = 54u64, f55 = 55u64, f56 = 56u64, f57 = 57u64, f58 = 58u64, f59 = 59u64, f60 = 60u64, f61 = 61u64, f62 = 62u64, f63 = 63u64, f64 = 64u64, f65 = 65u64, f66 = 66u64, f67 = 67u64, f68 = 68u64, f69 = 69u64, f70 = 70u64, f71 = 71u64, f72 = 72u64, f73 = 73u64, f74 = 74u64, f75 = 75u64, f76 = 76u64, f77 = 77u64, f78 = 78u64, f79 = 79u64, f80 = 80u64, f81 = 81u64, f82 = 82u64, f83 = 83u64, f84 = 84u64, f85 = 85u64, f86 = 86u64, f87 = 87u64, f88 = 88u64, f89 = 89u64, f90 = 90u64, f91 = 91u64, f92 = 92u64, f93 = 93u64, f94 = 94u64, f95 = 95u64, f96 = 96u64, f97 = 97u64, f98 = 98u64, f99 = 99u64, f100 = 100u64, f101 = 101u64, f102 = 102u64, f103 = 103u64, f104 = 104u64, f105 = 105u64, f106 = 106u64, f107 = 107u64, f108 = 108u64, f109 = 109u64, f110 = 110u64, f111 = 111u64, f112 = 112u64, f113 = 113u64, f114 = 114u64, f115 = 115u64, f116 = 116u64, f117 = 117u64, f118 = 118u64, f119 = 119u64, f120 = 120u64, f121 = 121u64, f122 = 122u64, f123 = 123u64, f124 = 124u64, f125 = 125u64, f126 = 126u64, f127 = 127u64, f128 = 128u64, f129 = 129u64);
    });
    let (part_c, _) = parts(&events[0]);
    let expected: serde_json::Value = serde_json::from_str(r#"{"f0":0,"f1":1,"f2":2,"f3":3,"f4":4,"f5":5,"f6":6,"f7":7,"f8":8,"f9":9,"f10":10,"f11":11,"f12":12,"f13":13,"f14":14,"f15":15,"f16":16,"f17":17,"f18":18,"f19":19,"f20":20,"f21":21,"f22":22,"f23":23,"f24":24,"f25":25,"f26":26,"f27":27,"f28":28,"f29":29,"f30":30,"f31":31,"f32":32,"f33":33,"f34":34,"f35":35,"f36":36,"f37":37,"f38":38,"f39":39,"f40":40,"f41":41,"f42":42,"f43":43,"f44":44,"f45":45,"f46":46,"f47":47,"f48":48,"f49":49,"f50":50,"f51":51,"f52":52,"f53":53,"f54":54,"f55":55,"f56":56,"f57":57,"f58":58,"f59":59,"f60":60,"f61":61,"f62":62,"f63":63,"f64":64,"f65":65,"f66":66,"f67":67,"f68":68,"f69":69,"f70":70,"f71":71,"f72":72,"f73":73,"f74":74,"f75":75,"f76":76,"f77":77,"f78":78,"f79":79,"f80":80,"f81":81,"f82":82,"f83":83,"f84":84,"f85":85,"f86":86,"f87":87,"f88":88,"f89":89,"f90":90,"f91":91,"f92":92,"f93":93,"f94":94,"f95":95,"f96":96,"f97":97,"f98":98,"f99":99,"f100":100,"f101":101,"f102":102,"f103":103,"f104":104,"f105":105,"f106":106,"f107":107,"f108":108,"f109":109,"f110":110,"f111":111,"f112":112,"f113":113,"f114":114,"f115":115,"f116":116,"f117":117,"f118":118,"f119":119,"f120":120,"f121":121,"f122":122,"f123":123,"f124":124,"f125":125,"f126":126}"#).unwrap();
    assert_eq!(part_c, expected);
    let counters = handle.counters();
    assert_eq!(
        (
            counters.written,
            counters.truncated,
            counters.attributes_dropped
        ),
        (1, 1, 3)
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
