//! `ue_log!` events captured without a kernel (exact bytes that would be written)
//! and decoded with Microsoft's `tracepoint_decode`, compared with hand-written JSON.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use otel_user_events::testing::{Capture, CapturedEvent, sequential_activity_ids};
use otel_user_events::{Level, otel_event, ue_log};
use otel_user_events_test_support::decode::decode_json;

/// 2024-01-01T12:34:56.789Z
fn fixed_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(1_704_112_496_789)
}

/// A capture on any thread turns every call site on (only the capturing thread
/// records), so the test that checks a disabled site evaluates nothing must not
/// overlap with captures: they all take this lock.
static CAPTURES: Mutex<()> = Mutex::new(());

fn exclusive() -> MutexGuard<'static, ()> {
    CAPTURES.lock().unwrap_or_else(|e| e.into_inner())
}

fn capture(f: impl FnOnce()) -> Vec<CapturedEvent> {
    let _exclusive = exclusive();
    Capture::new("TestProvider")
        .unwrap()
        .at_time(fixed_time())
        .run(f)
        .1
}

fn json(events: &[CapturedEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| decode_json(&e.tracepoint, &e.payload).unwrap())
        .collect()
}

const PART_A: &str = r#""__csver__":1024,"PartA":{"time":"2024-01-01T12:34:56.789Z"}"#;

#[test]
fn spec_example_order_placed() {
    let events = capture(|| {
        let (id, name) = (42u64, "ada");
        ue_log!(
            info,
            "OrderPlaced",
            order_id = id,
            customer = name,
            amount = 9.99,
            express = true
        );
    });
    assert_eq!(events[0].tracepoint, "TestProvider_L4K1");
    assert_eq!(
        json(&events),
        [format!(
            r#"{{"n":"TestProvider:OrderPlaced",{PART_A},"PartC":{{"order_id":42,"customer":"ada","amount":9.99,"express":true}},"PartB":{{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"OrderPlaced"}},"meta":{{"level":4,"keyword":"0x1"}}}}"#
        )]
    );
}

#[test]
fn spec_example_retry_with_keyword_display_debug_and_body() {
    #[derive(Debug)]
    #[allow(dead_code)]
    struct State {
        tries: u8,
    }
    let events = capture(|| {
        let n = 3;
        let err = std::io::Error::other("timed out");
        let state = State { tries: 3 };
        ue_log!(Level::Warn, "Retry", keyword = 0x10, attempt = n, %err, ?state, body = "retrying");
    });
    assert_eq!(events[0].tracepoint, "TestProvider_L3K10");
    assert_eq!(
        json(&events),
        [format!(
            r#"{{"n":"TestProvider:Retry",{PART_A},"PartC":{{"attempt":3,"err":"timed out","state":"State {{ tries: 3 }}"}},"PartB":{{"_typeName":"Log","body":"retrying","severityNumber":13,"severityText":"WARN","name":"Retry"}},"meta":{{"level":3,"keyword":"0x10"}}}}"#
        )]
    );
}

#[test]
fn every_level_shorthand_maps_to_its_tracepoint_and_severity() {
    let events = capture(|| {
        ue_log!(critical, "A");
        ue_log!(fatal, "A");
        ue_log!(error, "A");
        ue_log!(warn, "A");
        ue_log!(info, "A");
        ue_log!(verbose, "A");
        ue_log!(debug, "A");
        ue_log!(trace, "A");
        ue_log!(Level::Critical, "A");
    });
    let got: Vec<(String, String)> = events
        .iter()
        .zip(json(&events))
        .map(|(e, j)| {
            let severity = j.split("\"severityNumber\":").nth(1).unwrap();
            (
                e.tracepoint.clone(),
                severity.split(',').next().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("TestProvider_L1K1", "21"),
        ("TestProvider_L1K1", "21"),
        ("TestProvider_L2K1", "17"),
        ("TestProvider_L3K1", "13"),
        ("TestProvider_L4K1", "9"),
        ("TestProvider_L5K1", "5"),
        ("TestProvider_L5K1", "5"),
        ("TestProvider_L5K1", "5"),
        ("TestProvider_L1K1", "21"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(t, s)| (t.to_string(), s.to_string()))
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn an_event_without_fields_has_no_part_c() {
    let events = capture(|| ue_log!(error, "Empty"));
    assert_eq!(
        json(&events),
        [format!(
            r#"{{"n":"TestProvider:Empty",{PART_A},"PartB":{{"_typeName":"Log","severityNumber":17,"severityText":"ERROR","name":"Empty"}},"meta":{{"level":2,"keyword":"0x1"}}}}"#
        )]
    );
}

#[test]
fn every_integer_float_bool_and_char_type() {
    let events = capture(|| {
        ue_log!(
            info,
            "Numbers",
            i8 = -8i8,
            i16 = -16i16,
            i32 = -32i32,
            i64 = i64::MIN,
            isize = -1isize,
            i128 = i128::MIN,
            u8 = 255u8,
            u16 = 65535u16,
            u32 = u32::MAX,
            u64 = u64::MAX,
            usize = 7usize,
            u128 = u128::MAX,
            f32 = 1.5f32,
            f64 = -0.25f64,
            yes = true,
            no = false,
            letter = 'é'
        );
    });
    assert_eq!(
        json(&events),
        [format!(
            r#"{{"n":"TestProvider:Numbers",{PART_A},"PartC":{{"i8":-8,"i16":-16,"i32":-32,"i64":-9223372036854775808,"isize":-1,"i128":"-170141183460469231731687303715884105728","u8":255,"u16":65535,"u32":4294967295,"u64":18446744073709551615,"usize":7,"u128":"340282366920938463463374607431768211455","f32":1.5,"f64":-0.25,"yes":true,"no":false,"letter":"é"}},"PartB":{{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"Numbers"}},"meta":{{"level":4,"keyword":"0x1"}}}}"#
        )]
    );
}

#[test]
fn strings_with_nul_non_ascii_and_empty() {
    let events = capture(|| {
        let owned = String::from("owned ✓");
        let cow: Cow<str> = Cow::Borrowed("cow");
        let long = "L".repeat(100);
        ue_log!(
            info,
            "Strings",
            nul = "a\0b",
            unicode = "日本語 ünï",
            empty = "",
            owned = owned,
            cow = cow,
            long = long.as_str(),
            "dotted.name" = "x"
        );
    });
    let long = "L".repeat(100);
    assert_eq!(
        json(&events),
        [format!(
            r#"{{"n":"TestProvider:Strings",{PART_A},"PartC":{{"nul":"a\u0000b","unicode":"日本語 ünï","empty":"","owned":"owned ✓","cow":"cow","long":"{long}","dotted.name":"x"}},"PartB":{{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"Strings"}},"meta":{{"level":4,"keyword":"0x1"}}}}"#
        )]
    );
}

#[test]
fn bytes_arrays_and_string_arrays() {
    let events = capture(|| {
        let bytes: Vec<u8> = vec![0x00, 0xAB, 0xFF];
        let words = vec![String::from("x"), String::new()];
        ue_log!(
            info,
            "Arrays",
            blob = bytes,
            slice = &[1u8, 2][..],
            ints = [1i32, -2, 3],
            vec_u64 = vec![7u64],
            floats = &[0.5f64, 2.0][..],
            flags = [true, false],
            empty = Vec::<u16>::new(),
            strs = ["a", "b\0c"],
            words = words
        );
    });
    assert_eq!(
        json(&events),
        [format!(
            r#"{{"n":"TestProvider:Arrays",{PART_A},"PartC":{{"blob":"00 AB FF","slice":"01 02","ints":[1,-2,3],"vec_u64":[7],"floats":[0.5,2],"flags":[true,false],"empty":[],"strs":["a","b\u0000c"],"words":["x",""]}},"PartB":{{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"Arrays"}},"meta":{{"level":4,"keyword":"0x1"}}}}"#
        )]
    );
}

#[test]
fn time_duration_and_addresses() {
    let events = capture(|| {
        ue_log!(
            info,
            "Misc",
            at = SystemTime::UNIX_EPOCH + Duration::from_micros(1_500_000),
            took = Duration::from_micros(1500),
            v4 = Ipv4Addr::new(192, 0, 2, 1),
            v6 = "2001:db8::1".parse::<Ipv6Addr>().unwrap(),
            ip = IpAddr::from(Ipv4Addr::LOCALHOST),
            sock = "[::1]:8080".parse::<SocketAddr>().unwrap()
        );
    });
    assert_eq!(
        json(&events),
        [format!(
            r#"{{"n":"TestProvider:Misc",{PART_A},"PartC":{{"at":"1970-01-01T00:00:01.500Z","took":1500000,"v4":"192.0.2.1","v6":"2001:db8::1","ip":"127.0.0.1","sock":"[::1]:8080"}},"PartB":{{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"Misc"}},"meta":{{"level":4,"keyword":"0x1"}}}}"#
        )]
    );
}

/// The current span's ids go to PartA, and its activity id
/// (`ActivityId::from_span`: the trace id's first 8 bytes, the span id) to the
/// EventHeader activity extension.
#[test]
fn trace_context_of_the_current_span_goes_to_part_a() {
    let trace_id = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
    let span_id = SpanId::from_hex("00f067aa0ba902b7").unwrap();
    let span = SpanContext::new(
        trace_id,
        span_id,
        TraceFlags::SAMPLED,
        false,
        TraceState::default(),
    );
    let events = capture(|| {
        let _guard = opentelemetry::Context::current()
            .with_remote_span_context(span)
            .attach();
        ue_log!(info, "Traced", n = 1);
    });
    assert_eq!(
        json(&events),
        [
            r#"{"n":"TestProvider:Traced","__csver__":1024,"PartA":{"time":"2024-01-01T12:34:56.789Z","ext_dt_traceId":"4bf92f3577b34da6a3ce929d0e0e4736","ext_dt_spanId":"00f067aa0ba902b7"},"PartC":{"n":1},"PartB":{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"Traced"},"meta":{"level":4,"keyword":"0x1","activity":"4bf92f35-77b3-4da6-00f0-67aa0ba902b7"}}"#
        ]
    );
}

#[test]
fn cloud_role_from_the_resource_goes_to_part_a() {
    let _exclusive = exclusive();
    let (_, events) = Capture::new("TestProvider")
        .unwrap()
        .at_time(fixed_time())
        .cloud_role("checkout", Some("pod-7"))
        .run(|| ue_log!(info, "Role"));
    assert_eq!(
        json(&events),
        [
            r#"{"n":"TestProvider:Role","__csver__":1024,"PartA":{"time":"2024-01-01T12:34:56.789Z","ext_cloud_role":"checkout","ext_cloud_roleInstance":"pod-7"},"PartB":{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"Role"},"meta":{"level":4,"keyword":"0x1"}}"#
        ]
    );
}

#[test]
fn values_are_evaluated_and_formatted_only_when_the_event_is_written() {
    static EVALUATED: AtomicUsize = AtomicUsize::new(0);
    static FORMATTED: AtomicUsize = AtomicUsize::new(0);
    struct Counted;
    impl std::fmt::Display for Counted {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            FORMATTED.fetch_add(1, Ordering::SeqCst);
            f.write_str("counted")
        }
    }
    fn value() -> u32 {
        EVALUATED.fetch_add(1, Ordering::SeqCst);
        5
    }
    fn site() {
        ue_log!(info, "Lazy", v = value(), c = %Counted);
    }

    // No provider, no listener, no capture running: nothing runs.
    {
        let _exclusive = exclusive();
        site();
    }
    assert_eq!(EVALUATED.load(Ordering::SeqCst), 0);
    assert_eq!(FORMATTED.load(Ordering::SeqCst), 0);

    let events = capture(site);
    assert_eq!(events.len(), 1);
    assert_eq!(EVALUATED.load(Ordering::SeqCst), 1);
    assert_eq!(FORMATTED.load(Ordering::SeqCst), 1);
    assert!(json(&events)[0].contains(r#""PartC":{"v":5,"c":"counted"}"#));
}

#[test]
fn a_string_too_long_for_64k_is_truncated_at_a_char_boundary_and_flagged() {
    let huge = "ü".repeat(60_000); // 120,000 bytes
    let events = capture(|| ue_log!(info, "Huge", text = huge.as_str(), after = 1u8));
    assert!(events[0].truncated);
    // Shortened just enough for the whole event to fit in 64 KB (one byte less
    // when the cut would split an 'ü').
    assert!(
        (65_534..=65_535).contains(&events[0].payload.len()),
        "{}",
        events[0].payload.len()
    );
    let decoded = json(&events).remove(0);
    let text = decoded
        .split(r#""text":""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert!(text.len() > 65_000 && text.chars().all(|c| c == 'ü'));
    assert!(decoded.contains(r#""after":1"#));
}

#[test]
fn events_from_other_threads_are_not_captured() {
    let events = capture(|| {
        std::thread::spawn(|| ue_log!(info, "Elsewhere"))
            .join()
            .unwrap();
        ue_log!(info, "Here");
    });
    assert_eq!(events.len(), 1);
    assert!(json(&events)[0].starts_with(r#"{"n":"TestProvider:Here""#));
}

/// Every long value can be shortened to fit, however many there are (the
/// writer used to track only the first 128, so an event with more long strings
/// than that could be dropped as too large; 140 is what its segments hold).
/// An array of strings is shortened by element count: its first elements are
/// kept whole (they used to be all kept, each cut to one common length).
#[test]
fn an_array_of_140_long_strings_is_shortened_to_fit_not_dropped() {
    let words: Vec<String> = (0..140).map(|i| format!("{i:03}").repeat(2000)).collect();
    let events = capture(|| ue_log!(info, "Words", words = words));
    assert_eq!(events.len(), 1, "written");
    assert!(events[0].truncated);
    assert!(events[0].payload.len() <= 65_535);
    let decoded = json(&events).remove(0);
    let list = decoded
        .split(r#""words":["#)
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .unwrap();
    let kept: Vec<&str> = list.split(',').map(|s| s.trim_matches('"')).collect();
    // The first words, whole (each a prefix of its word, and the word itself),
    // as many as 64 KB holds less the 4 KB kept for the rest of the event.
    assert_eq!(kept.len(), 10);
    for (i, word) in kept.iter().enumerate() {
        assert!(words[i].starts_with(word), "{i}");
        assert_eq!(word.len(), words[i].len(), "{i}");
    }
}

/// A field type of the user's own, through the public extension point
/// (`Field`, `FieldValue`, `DataWriter`), as `FieldValue`'s docs show it.
#[test]
fn a_field_type_of_your_own() {
    use opentelemetry::logs::AnyValue;
    use otel_user_events::{field::DataWriter, field::Field, field::FieldValue};

    struct OrderId(u64);
    impl Field for OrderId {
        fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
            w.value(&self.0.to_ne_bytes());
        }
        fn to_any_value(&self) -> AnyValue {
            self.0.to_any_value()
        }
    }
    impl FieldValue for OrderId {
        const ENCODING: u8 = <u64 as FieldValue>::ENCODING;
        const FORMAT: u8 = <u64 as FieldValue>::FORMAT;
    }

    let events = capture(|| ue_log!(info, "Shipped", order = OrderId(42)));
    assert_eq!(
        json(&events),
        [format!(
            r#"{{"n":"TestProvider:Shipped",{PART_A},"PartC":{{"order":42}},"PartB":{{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"Shipped"}},"meta":{{"level":4,"keyword":"0x1"}}}}"#
        )]
    );
}

/// A captured macro event is counted in the active provider's counters as the
/// kernel write would count it: written, and truncated when shortened.
#[test]
fn captured_events_are_counted_like_written_ones() {
    let _exclusive = exclusive();
    let provider = otel_user_events::Provider::builder("CountedProvider")
        .build()
        .unwrap();
    let before = provider.counters();
    let long = "x".repeat(70_000); // longer than an event: shortened to fit
    let (_, events) = Capture::new("TestProvider").unwrap().run(|| {
        ue_log!(info, "Small", n = 1u8);
        ue_log!(info, "Long", text = long.as_str());
    });
    let after = provider.counters();
    provider.shutdown();
    assert_eq!(events.len(), 2);
    assert_eq!((events[0].truncated, events[1].truncated), (false, true));
    assert_eq!(after.written - before.written, 2);
    assert_eq!(after.truncated - before.truncated, 1);
    assert_eq!(after.dropped(), before.dropped());
}

/// `(meta.opcode, meta.activity, meta.relatedActivity)` of each decoded event.
fn activity_meta(events: &[CapturedEvent]) -> Vec<(u64, Option<String>, Option<String>)> {
    json(events)
        .iter()
        .map(|j| {
            let v: serde_json::Value = serde_json::from_str(j).unwrap();
            let meta = &v["meta"];
            let text = |key: &str| meta.get(key).and_then(|a| a.as_str()).map(str::to_owned);
            (
                meta.get("opcode").and_then(|o| o.as_u64()).unwrap_or(0),
                text("activity"),
                text("relatedActivity"),
            )
        })
        .collect()
}

#[otel_event(ret)]
fn activity_with_ue_log_inside(n: u32) -> u32 {
    ue_log!(info, "Inside", n);
    n + 1
}

#[otel_event(ret)]
async fn async_activity_with_ue_log_inside(n: u32) -> u32 {
    ue_log!(warn, "InsideAsync", n);
    n + 1
}

#[test]
fn ue_log_inside_an_activity_carries_its_id() {
    const A1: &str = "00000000-0000-0000-0000-000000000001";
    const A2: &str = "00000000-0000-0000-0000-000000000002";
    let events = sequential_activity_ids(|| {
        capture(|| {
            assert_eq!(activity_with_ue_log_inside(1), 2);
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            assert_eq!(runtime.block_on(async_activity_with_ue_log_inside(2)), 3);
            // Outside any activity: no id.
            ue_log!(info, "Outside");
        })
    });
    let some = |id: &str| Some(id.to_owned());
    // Start, inner event and stop share one id; the inner event is a plain
    // event (opcode 0) with no related id.
    assert_eq!(
        activity_meta(&events),
        [
            (1, some(A1), None),
            (0, some(A1), None),
            (2, some(A1), None),
            (1, some(A2), None),
            (0, some(A2), None),
            (2, some(A2), None),
            (0, None, None),
        ]
    );
}

/// Tracing's dotted names, unquoted (`http.method = "GET"`, also with a keyword
/// after a dot, as in `error.type`), name the field with their text, as the
/// quoted form does; `self.x` without `=` is still the shorthand for a field `x`.
#[test]
fn unquoted_dotted_names_are_field_names() {
    struct Request {
        path: &'static str,
    }
    impl Request {
        fn log(&self, method: &str) {
            ue_log!(info, "Req", http.method = method, a.b.c = 1u8, error.type = "timeout", self.path);
        }
    }
    #[otel_user_events::otel_event(skip_all, fields(http.method = %method, "http.route" = "/x"))]
    fn handle(method: &str) {}

    let events = capture(|| {
        Request { path: "/a" }.log("GET");
        handle("PUT");
    });
    // The PartC object of each event (no field here holds a `}`).
    let part_c: Vec<String> = json(&events)
        .iter()
        .map(|j| {
            j.split("\"PartC\":")
                .nth(1)
                .unwrap()
                .split('}')
                .next()
                .unwrap()
                .to_owned()
                + "}"
        })
        .collect();
    assert_eq!(
        part_c,
        [
            r#"{"http.method":"GET","a.b.c":1,"error.type":"timeout","path":"/a"}"#,
            r#"{"http.method":"PUT","http.route":"/x"}"#,
        ]
    );
}

/// An option's name means the option written either way (`body` is `body =
/// body`, `keyword` is `keyword = keyword`); a raw identifier or a quoted name
/// is always a field, named without the `r#` (`r#type`, `r#keyword`, `r#body`).
#[test]
fn option_names_mean_the_option_in_both_forms_and_raw_names_are_fields() {
    #[allow(non_upper_case_globals)]
    const keyword: u64 = 0x20;
    let events = capture(|| {
        let body = "shorthand body";
        ue_log!(info, "Short", keyword, body);
        ue_log!(info, "Long", keyword = keyword, body = body);
        ue_log!(info, "Raw", r#type = 1u8, r#keyword = 5u8, r#body = "field");
    });
    let tracepoints: Vec<&str> = events.iter().map(|e| e.tracepoint.as_str()).collect();
    assert_eq!(
        tracepoints,
        [
            "TestProvider_L4K20",
            "TestProvider_L4K20",
            "TestProvider_L4K1"
        ]
    );
    let body_event = |name: &str| {
        format!(
            r#"{{"n":"TestProvider:{name}",{PART_A},"PartB":{{"_typeName":"Log","body":"shorthand body","severityNumber":9,"severityText":"INFO","name":"{name}"}},"meta":{{"level":4,"keyword":"0x20"}}}}"#
        )
    };
    assert_eq!(
        json(&events),
        [
            body_event("Short"),
            body_event("Long"),
            format!(
                r#"{{"n":"TestProvider:Raw",{PART_A},"PartC":{{"type":1,"keyword":5,"body":"field"}},"PartB":{{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"Raw"}},"meta":{{"level":4,"keyword":"0x1"}}}}"#
            ),
        ]
    );
}

/// What the error about a message string suggests, `body = %format_args!(..)`,
/// compiles and writes the formatted message as the body.
#[test]
fn a_message_string_goes_in_the_body_through_format_args() {
    let events = capture(|| {
        let (order_id, id) = (7u64, 42u64);
        ue_log!(info, "OrderPlaced", order_id, body = %format_args!("order {} placed", id));
    });
    assert_eq!(
        json(&events),
        [format!(
            r#"{{"n":"TestProvider:OrderPlaced",{PART_A},"PartC":{{"order_id":7}},"PartB":{{"_typeName":"Log","body":"order 42 placed","severityNumber":9,"severityText":"INFO","name":"OrderPlaced"}},"meta":{{"level":4,"keyword":"0x1"}}}}"#
        )]
    );
}

/// `Option` fields are arrays of 0 or 1 elements: a `None` keeps its place, so
/// the fields after it decode as themselves; `Rc` is its target, as `Arc` is.
#[test]
fn option_and_rc_fields() {
    let (retries, none_retries): (Option<u32>, Option<u32>) = (Some(3), None);
    let (user, no_user): (Option<&str>, Option<String>) = (Some("ada"), None);
    let shared = std::rc::Rc::new(7u8);
    let events = capture(|| {
        ue_log!(
            info,
            "Opt",
            retries,
            none_retries,
            user,
            no_user,
            after = 1u8
        );
        ue_log!(info, "Shared", shared);
    });
    assert_eq!(
        json(&events),
        [
            format!(
                r#"{{"n":"TestProvider:Opt",{PART_A},"PartC":{{"retries":[3],"none_retries":[],"user":["ada"],"no_user":[],"after":1}},"PartB":{{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"Opt"}},"meta":{{"level":4,"keyword":"0x1"}}}}"#
            ),
            format!(
                r#"{{"n":"TestProvider:Shared",{PART_A},"PartC":{{"shared":7}},"PartB":{{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"Shared"}},"meta":{{"level":4,"keyword":"0x1"}}}}"#
            ),
        ]
    );
}
