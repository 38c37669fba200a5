//! Property tests of the `ue_log!` encoder: random values for call sites that
//! cover every field type, captured without a kernel, decoded with
//! `tracepoint_decode` and compared with the JSON an independent model
//! (`tests/model`) computes from the same values, applying the documented
//! limits (64 KB per event, 16-bit counts, one common cap for the values that
//! are shortened).
//!
//! Field names and types of a macro are compile-time, so the randomness is in
//! the values and their lengths: short and long strings (up to 70 KB, with
//! characters of 1 to 4 bytes and control characters), blobs, arrays of every
//! scalar type with up to 70,000 elements, string arrays (up to thousands of
//! elements and hundreds of KB, shortened by element count), every integer width,
//! any float bit pattern, times, durations and addresses.
//!
//! `PROPTEST_CASES` sets the number of cases (default 256 per property).

mod model;

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::time::{Duration, SystemTime};

use model::generate::{cases, character, long_bytes, long_text, short_text};
use model::{Event, Expected, Field, Value, json_f32, json_f64, json_str, rfc3339};
use otel_user_events::testing::{Capture, CapturedEvent};
use otel_user_events::{Level, ue_log};
use otel_user_events_test_support::decode::decode_json;
use proptest::prelude::*;

/// 2024-01-01T12:34:56.789Z, PartA's time in every capture.
const TIME_MS: u64 = 1_704_112_496_789;
const PROVIDER: &str = "PropProvider";

fn capture(f: impl FnOnce()) -> Vec<CapturedEvent> {
    Capture::new(PROVIDER)
        .unwrap()
        .at_time(SystemTime::UNIX_EPOCH + Duration::from_millis(TIME_MS))
        .run(f)
        .1
}

// ---------------------------------------------------------------------------
// Generated values
// ---------------------------------------------------------------------------

/// Mostly short text, sometimes up to 70 KB.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![4 => short_text(40), 1 => long_text(65, 70_000)]
}

fn blob() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => proptest::collection::vec(any::<u8>(), 0..=64),
        1 => long_bytes(65, 70_000),
    ]
}

/// A vector of mostly few elements, sometimes up to 70,000 (made from a seed by
/// `from_bits`: generating each one with its own strategy would be slow).
fn many<T: std::fmt::Debug>(
    element: impl Strategy<Value = T>,
    from_bits: fn(u64) -> T,
) -> impl Strategy<Value = Vec<T>> {
    prop_oneof![
        4 => proptest::collection::vec(element, 0..=16),
        1 => (any::<u64>(), 17usize..70_000).prop_map(move |(seed, len)| {
            let mut x = seed | 1;
            (0..len)
                .map(|_| {
                    // xorshift64
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    from_bits(x)
                })
                .collect()
        }),
    ]
}

fn system_time() -> impl Strategy<Value = (i64, u32)> {
    let nanos = prop_oneof![
        Just(0u32),
        (0u32..1000).prop_map(|ms| ms * 1_000_000),
        (0u32..1_000_000).prop_map(|us| us * 1000),
        0u32..1_000_000_000,
    ];
    (-(1i64 << 40)..(1i64 << 40), nanos)
}

fn to_system_time((secs, nanos): (i64, u32)) -> SystemTime {
    if secs >= 0 {
        SystemTime::UNIX_EPOCH + Duration::new(secs as u64, nanos)
    } else {
        SystemTime::UNIX_EPOCH - Duration::new(secs.unsigned_abs(), 0) + Duration::new(0, nanos)
    }
}

fn socket_addr() -> impl Strategy<Value = SocketAddr> {
    prop_oneof![
        (any::<[u8; 4]>(), any::<u16>())
            .prop_map(|(ip, port)| SocketAddr::V4(SocketAddrV4::new(ip.into(), port))),
        (any::<[u8; 16]>(), any::<u16>(), any::<u32>(), any::<u32>()).prop_map(
            |(ip, port, flow, scope)| SocketAddr::V6(SocketAddrV6::new(
                ip.into(),
                port,
                flow,
                scope
            ))
        ),
    ]
}

// ---------------------------------------------------------------------------
// The model's pieces for macro events
// ---------------------------------------------------------------------------

/// A PartC field: macros always write a format byte.
fn c(name: &str, value: Value) -> Field {
    Field::new(name, true, value)
}

fn fixed(json: String, size: usize) -> Value {
    Value::Fixed { json, size }
}

/// A value written as a counted string that is never shortened to fit
/// (formatted values: they are produced into the event's buffer).
fn formatted(text: &str) -> Value {
    fixed(json_str(text), 2 + text.len())
}

fn array<T>(values: &[T], unit: usize, json: impl Fn(&T) -> String) -> Value {
    Value::Array {
        unit,
        elements: values.iter().map(json).collect(),
    }
}

/// The Common Schema frame of a macro event around `part_c`.
fn macro_event(
    name: &str,
    level: u8,
    keyword: u64,
    part_c: Vec<Field>,
    body: Option<Value>,
) -> Event {
    let (severity, text) = match level {
        1 => (21, "FATAL"),
        2 => (17, "ERROR"),
        3 => (13, "WARN"),
        4 => (9, "INFO"),
        _ => (5, "DEBUG"),
    };
    let mut part_b = vec![Field::new("_typeName", false, Value::Str("Log".into()))];
    if let Some(body) = body {
        // The body's definition carries its format byte, 0 included, as PartC's do.
        part_b.push(Field::new("body", true, body));
    }
    part_b.push(Field::new(
        "severityNumber",
        true,
        fixed(severity.to_string(), 2),
    ));
    part_b.push(Field::new("severityText", false, Value::Str(text.into())));
    part_b.push(Field::new("name", false, Value::Str(name.into())));
    Event {
        provider: PROVIDER.into(),
        name: name.into(),
        level,
        keyword,
        part_a: vec![model::time_field(TIME_MS)],
        part_c,
        part_b,
    }
}

/// Checks one captured event against the model's prediction.
fn check(events: &[CapturedEvent], tracepoint: &str, model: &Event) -> Result<(), TestCaseError> {
    match model.expected() {
        Expected::TooLarge => prop_assert!(events.is_empty(), "expected no event"),
        Expected::Written {
            json,
            size,
            truncated,
        } => {
            prop_assert_eq!(events.len(), 1);
            let event = &events[0];
            prop_assert_eq!(&event.tracepoint, tracepoint);
            prop_assert!(event.payload.len() <= model::MAX_EVENT);
            prop_assert_eq!(event.payload.len(), size, "event size");
            prop_assert_eq!(event.truncated, truncated, "truncated flag");
            let decoded = decode_json(&event.tracepoint, &event.payload)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(decoded, json);
        }
    }
    Ok(())
}

/// Cases whose cap would fall under 64 bytes depend on which short values the
/// writer copies rather than borrows (an implementation detail): left out.
/// Checks an event that the writer's buffers may have limited (formatted
/// values are cut at the room left in the event's buffer; an event with more
/// copied values than the buffers hold is not written): when written, it fits
/// in 64 KB, decodes, has every field, each value exact or a shortening (a
/// prefix), and is flagged truncated exactly when something was shortened.
fn check_faithful(events: &[CapturedEvent], model: &Event) -> Result<(), TestCaseError> {
    let Some(event) = events.first() else {
        return Ok(());
    };
    prop_assert_eq!(events.len(), 1);
    prop_assert!(event.payload.len() <= model::MAX_EVENT);
    let decoded = decode_json(&event.tracepoint, &event.payload)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let actual = model::parse(&decoded).map_err(TestCaseError::fail)?;
    let expected = model::parse(&model.json()).map_err(TestCaseError::fail)?;
    prop_assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    let mut shortened = false;
    for (key, e) in &expected {
        let a = &actual[key];
        match (a, e) {
            (serde_json::Value::Object(a), serde_json::Value::Object(e)) => {
                prop_assert_eq!(a.keys().collect::<Vec<_>>(), e.keys().collect::<Vec<_>>());
                for (k, e) in e {
                    shortened |= model::shortening(&a[k], e).map_err(TestCaseError::fail)?;
                }
            }
            _ => prop_assert_eq!(a, e),
        }
    }
    prop_assert_eq!(event.truncated, shortened, "truncated flag");
    Ok(())
}

fn cap_in_documented_range(model: &Event) -> bool {
    model.cap().is_none_or(|cap| cap >= 64)
}

// ---------------------------------------------------------------------------
// Call sites
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Scalars {
    i8: i8,
    i16: i16,
    i32: i32,
    i64: i64,
    isize: isize,
    i128: i128,
    u8: u8,
    u16: u16,
    u32: u32,
    u64: u64,
    usize: usize,
    u128: u128,
    f32: f32,
    f64: f64,
    flag: bool,
    letter: char,
    took: Duration,
    at: (i64, u32),
    v4: Ipv4Addr,
    v6: Ipv6Addr,
    ip: IpAddr,
    sock: SocketAddr,
}

fn scalars() -> impl Strategy<Value = Scalars> {
    let ints = (
        any::<i8>(),
        any::<i16>(),
        any::<i32>(),
        any::<i64>(),
        any::<isize>(),
        any::<i128>(),
        any::<u8>(),
        any::<u16>(),
        any::<u32>(),
        any::<u64>(),
        any::<usize>(),
        any::<u128>(),
    );
    let others = (
        any::<f32>(),
        any::<f64>(),
        any::<bool>(),
        any::<char>(),
        (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        system_time(),
        any::<[u8; 4]>().prop_map(Ipv4Addr::from),
        any::<[u8; 16]>().prop_map(Ipv6Addr::from),
        prop_oneof![
            any::<[u8; 4]>().prop_map(IpAddr::from),
            any::<[u8; 16]>().prop_map(IpAddr::from)
        ],
        socket_addr(),
    );
    (ints, others).prop_map(
        |(
            (i8, i16, i32, i64, isize, i128, u8, u16, u32, u64, usize, u128),
            (f32, f64, flag, letter, took, at, v4, v6, ip, sock),
        )| Scalars {
            i8,
            i16,
            i32,
            i64,
            isize,
            i128,
            u8,
            u16,
            u32,
            u64,
            usize,
            u128,
            f32,
            f64,
            flag,
            letter,
            took,
            at,
            v4,
            v6,
            ip,
            sock,
        },
    )
}

fn write_scalars(s: &Scalars) {
    let at = to_system_time(s.at);
    ue_log!(
        Level::Warn,
        "Scalars",
        keyword = 0x10,
        i8 = s.i8,
        i16 = s.i16,
        i32 = s.i32,
        i64 = s.i64,
        isize = s.isize,
        i128 = s.i128,
        u8 = s.u8,
        u16 = s.u16,
        u32 = s.u32,
        u64 = s.u64,
        usize = s.usize,
        u128 = s.u128,
        f32 = s.f32,
        f64 = s.f64,
        flag = s.flag,
        letter = s.letter,
        took = s.took,
        at = at,
        v4 = s.v4,
        v6 = s.v6,
        ip = s.ip,
        sock = s.sock
    );
}

fn model_scalars(s: &Scalars) -> Event {
    let ip = |ip: IpAddr| match ip {
        IpAddr::V4(v4) => fixed(json_str(&v4.to_string()), 2 + 4),
        IpAddr::V6(v6) => fixed(json_str(&v6.to_string()), 2 + 16),
    };
    let nanos = u64::try_from(s.took.as_nanos()).unwrap_or(u64::MAX);
    let part_c = vec![
        c("i8", fixed(s.i8.to_string(), 1)),
        c("i16", fixed(s.i16.to_string(), 2)),
        c("i32", fixed(s.i32.to_string(), 4)),
        c("i64", fixed(s.i64.to_string(), 8)),
        c("isize", fixed(s.isize.to_string(), 8)),
        c("i128", formatted(&s.i128.to_string())),
        c("u8", fixed(s.u8.to_string(), 1)),
        c("u16", fixed(s.u16.to_string(), 2)),
        c("u32", fixed(s.u32.to_string(), 4)),
        c("u64", fixed(s.u64.to_string(), 8)),
        c("usize", fixed(s.usize.to_string(), 8)),
        c("u128", formatted(&s.u128.to_string())),
        c("f32", fixed(json_f32(s.f32), 4)),
        c("f64", fixed(json_f64(s.f64), 8)),
        c("flag", fixed(s.flag.to_string(), 1)),
        c("letter", formatted(&s.letter.to_string())),
        c("took", fixed(nanos.to_string(), 8)),
        c("at", formatted(&rfc3339(s.at.0, s.at.1))),
        c("v4", ip(s.v4.into())),
        c("v6", ip(s.v6.into())),
        c("ip", ip(s.ip)),
        c("sock", formatted(&s.sock.to_string())),
    ];
    macro_event("Scalars", 3, 0x10, part_c, None)
}

#[derive(Debug, Clone)]
struct Texts {
    borrowed: String,
    owned: String,
    cow: String,
    blob: Vec<u8>,
    slice: Vec<u8>,
    shown: String,
    debugged: String,
    body: String,
}

fn texts(formatted_max: usize) -> impl Strategy<Value = Texts> {
    let shown = prop_oneof![3 => short_text(40), 1 => long_text(41, formatted_max)];
    let debugged = prop_oneof![3 => short_text(40), 1 => long_text(41, formatted_max)];
    (
        text(),
        text(),
        text(),
        blob(),
        blob(),
        shown,
        debugged,
        text(),
    )
        .prop_map(
            |(borrowed, owned, cow, blob, slice, shown, debugged, body)| Texts {
                borrowed,
                owned,
                cow,
                blob,
                slice,
                shown,
                debugged,
                body,
            },
        )
}

fn write_texts(t: &Texts) {
    let cow: Cow<str> = Cow::Borrowed(&t.cow);
    ue_log!(
        error,
        "Texts",
        borrowed = t.borrowed.as_str(),
        owned = t.owned.clone(),
        cow = cow,
        blob = t.blob.clone(),
        slice = t.slice.as_slice(),
        shown = %t.shown,
        debugged = ?t.debugged,
        body = t.body.as_str()
    );
}

fn model_texts(t: &Texts) -> Event {
    let part_c = vec![
        c("borrowed", Value::Str(t.borrowed.clone())),
        c("owned", Value::Str(t.owned.clone())),
        c("cow", Value::Str(t.cow.clone())),
        c("blob", Value::Bytes(t.blob.clone())),
        c("slice", Value::Bytes(t.slice.clone())),
        c("shown", formatted(&t.shown)),
        c("debugged", formatted(&format!("{:?}", t.debugged))),
    ];
    macro_event("Texts", 2, 1, part_c, Some(Value::Str(t.body.clone())))
}

#[derive(Debug, Clone)]
struct Arrays {
    i8s: Vec<i8>,
    i16s: Vec<i16>,
    u32s: Vec<u32>,
    i64s: Vec<i64>,
    usizes: Vec<usize>,
    f32s: Vec<f32>,
    f64s: Vec<f64>,
    flags: Vec<bool>,
    fixed: [u16; 4],
    words: Vec<String>,
    strs: Vec<String>,
}

fn arrays(max_words: usize) -> impl Strategy<Value = Arrays> {
    let words = proptest::collection::vec(text(), 0..=24);
    // Many strings come from a pattern (a strategy per string would be slow).
    let strs = prop_oneof![
        3 => proptest::collection::vec(short_text(40), 0..=24),
        1 => (proptest::collection::vec(character(), 1..6), 0..=max_words).prop_map(
            |(pattern, count)| {
                (0..count)
                    .map(|i| pattern.iter().cycle().take(i % 41).collect())
                    .collect()
            }
        ),
    ];
    (
        (
            many(any::<i8>(), |x| x as i8),
            many(any::<i16>(), |x| x as i16),
            many(any::<u32>(), |x| x as u32),
            many(any::<i64>(), |x| x as i64),
            many(any::<usize>(), |x| x as usize),
            many(any::<f32>(), |x| f32::from_bits(x as u32)),
        ),
        (
            many(any::<f64>(), f64::from_bits),
            many(any::<bool>(), |x| x & 1 == 1),
            any::<[u16; 4]>(),
            words,
            strs,
        ),
    )
        .prop_map(
            |((i8s, i16s, u32s, i64s, usizes, f32s), (f64s, flags, fixed, words, strs))| Arrays {
                i8s,
                i16s,
                u32s,
                i64s,
                usizes,
                f32s,
                f64s,
                flags,
                fixed,
                words,
                strs,
            },
        )
}

fn write_arrays(a: &Arrays) {
    let strs: Vec<&str> = a.strs.iter().map(String::as_str).collect();
    ue_log!(
        verbose,
        "Arrays",
        i8s = a.i8s.as_slice(),
        i16s = a.i16s.clone(),
        u32s = &a.u32s[..],
        i64s = a.i64s,
        usizes = a.usizes,
        f32s = a.f32s,
        f64s = a.f64s,
        flags = a.flags,
        fixed = a.fixed,
        words = a.words,
        strs = strs
    );
}

fn model_arrays(a: &Arrays) -> Event {
    let part_c = vec![
        c("i8s", array(&a.i8s, 1, i8::to_string)),
        c("i16s", array(&a.i16s, 2, i16::to_string)),
        c("u32s", array(&a.u32s, 4, u32::to_string)),
        c("i64s", array(&a.i64s, 8, i64::to_string)),
        c("usizes", array(&a.usizes, 8, usize::to_string)),
        c("f32s", array(&a.f32s, 4, |v| json_f32(*v))),
        c("f64s", array(&a.f64s, 8, |v| json_f64(*v))),
        c("flags", array(&a.flags, 1, bool::to_string)),
        c("fixed", array(&a.fixed, 2, u16::to_string)),
        c("words", Value::StrArray(a.words.clone())),
        c("strs", Value::StrArray(a.strs.clone())),
    ];
    macro_event("Arrays", 5, 1, part_c, None)
}

/// An event with large arrays of strings: thousands of elements, short, long
/// or mixed, up to hundreds of KB in all, so that the writer's storage or the
/// 64 KB keep only their first elements.
#[derive(Debug, Clone)]
struct BigArrays {
    items: Vec<String>,
    words: Vec<String>,
    tail: u32,
}

/// `count` strings from a repeated `pattern`, the i-th `min + (i * step +
/// seed) % span` characters long (a strategy per string would be slow).
fn patterned(pattern: &[char], count: usize, min: usize, span: usize, seed: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            let len = min + (i * 7_919 + seed) % span.max(1);
            pattern.iter().cycle().take(len).collect()
        })
        .collect()
}

fn big_arrays() -> impl Strategy<Value = BigArrays> {
    // (elements, shortest, length span): short, around the 64-byte copy
    // limit, long, and a few very long.
    let shape = prop_oneof![
        (0..=3_000usize, 0..=2usize, 1..=12usize),
        (0..=1_000usize, 40..=70usize, 1..=60usize),
        (0..=400usize, 65..=300usize, 1..=400usize),
        (0..=40usize, 1_000..=9_000usize, 1..=4_000usize),
    ];
    (
        proptest::collection::vec(character(), 1..6),
        shape,
        any::<usize>(),
        proptest::collection::vec(short_text(80), 0..=8),
        any::<u32>(),
    )
        .prop_map(
            |(pattern, (count, min, span), seed, words, tail)| BigArrays {
                items: patterned(&pattern, count, min, span, seed % 10_000),
                words,
                tail,
            },
        )
}

fn write_big_arrays(a: &BigArrays) {
    let words: Vec<&str> = a.words.iter().map(String::as_str).collect();
    ue_log!(
        verbose,
        "BigArrays",
        items = a.items,
        tail = a.tail,
        words = words
    );
}

fn model_big_arrays(a: &BigArrays) -> Event {
    let part_c = vec![
        c("items", Value::StrArray(a.items.clone())),
        c("tail", fixed(a.tail.to_string(), 4)),
        c("words", Value::StrArray(a.words.clone())),
    ];
    macro_event("BigArrays", 5, 1, part_c, None)
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(cases(256))]
    #[test]
    fn every_scalar_type_round_trips_exactly(s in scalars()) {
        let events = capture(|| write_scalars(&s));
        check(&events, "PropProvider_L3K10", &model_scalars(&s))?;
    }

    #[test]
    fn strings_blobs_and_formatted_values_round_trip_or_are_cut_by_the_rules(t in texts(300)) {
        let model = model_texts(&t);
        prop_assume!(cap_in_documented_range(&model));
        let events = capture(|| write_texts(&t));
        check(&events, "PropProvider_L2K1", &model)?;
    }
}

// Large inputs: fewer cases by default.
proptest! {
    #![proptest_config(cases(64))]
    #[test]
    fn arrays_of_every_type_round_trip_or_are_cut_by_the_rules(a in arrays(24)) {
        let model = model_arrays(&a);
        prop_assume!(cap_in_documented_range(&model));
        let events = capture(|| write_arrays(&a));
        check(&events, "PropProvider_L5K1", &model)?;
    }

    #[test]
    fn large_arrays_of_strings_keep_their_first_elements_by_the_rules(a in big_arrays()) {
        let model = model_big_arrays(&a);
        prop_assume!(cap_in_documented_range(&model));
        let events = capture(|| write_big_arrays(&a));
        check(&events, "PropProvider_L5K1", &model)?;
    }

    #[test]
    fn long_formatted_values_and_many_strings_are_written_faithfully_or_not_at_all(
        t in texts(20_000),
        a in arrays(3_000),
    ) {
        check_faithful(&capture(|| write_texts(&t)), &model_texts(&t))?;
        check_faithful(&capture(|| write_arrays(&a)), &model_arrays(&a))?;
    }
}
