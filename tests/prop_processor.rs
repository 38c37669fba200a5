//! Property tests of the `UserEventsProcessor` encoder: log records with random
//! attributes and bodies (OpenTelemetry `AnyValue` trees of strings, integers,
//! doubles, booleans, bytes, lists and maps, short and up to 70 KB long) are
//! captured without a kernel, decoded with `tracepoint_decode` and compared
//! with what an independent model (`tests/model`) computes from the same
//! record, following the processor's documented rules:
//!
//! - `Boolean`, `Int`, `Double`, `String` as the seed crate writes them, `Bytes`
//!   as hex bytes, non-empty homogeneous scalar lists as EventHeader arrays,
//!   everything else as JSON text (keys of maps up to 64 entries sorted,
//!   non-finite doubles `null`, bytes lowercase hex);
//! - an integer `event_id` attribute moves to PartB `eventId`;
//! - at most 127 PartC members, the rest counted in `attributes_dropped`;
//! - at most 64 KB per event, long strings and blobs shortened to fit;
//! - every shortening or left-out attribute marks the event truncated and is
//!   counted.
//!
//! A third property feeds unbounded records (long JSON, huge lists, hundreds
//! of attributes) where the writer's buffers, not just 64 KB, limit what fits;
//! there the decoded event must still be a faithful shortening of the record.
//!
//! `PROPTEST_CASES` sets the number of cases (default 256 per property).

mod model;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use model::generate::{cases, long_bytes, long_text, short_text};
use model::{Event, Expected, Field, Value, json_f64, json_str};
use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _, LoggerProvider as _, Severity};
use opentelemetry::{InstrumentationScope, Key};
use opentelemetry_sdk::logs::{LogProcessor as _, SdkLoggerProvider};
use otel_user_events::testing::{Capture, CapturedEvent};
use otel_user_events::{logs::UserEventsProcessor, output::CounterSnapshot};
use otel_user_events_test_support::decode::decode_json;
use proptest::prelude::*;

/// 2024-01-01T12:34:56.789Z, PartA's time in every capture.
const TIME_MS: u64 = 1_704_112_496_789;
const PROVIDER: &str = "PropProc";
const MAX_MEMBERS: usize = 127;

// ---------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------

/// What a test puts in a log record.
#[derive(Debug, Clone)]
struct Record {
    severity: Option<Severity>,
    severity_text: Option<&'static str>,
    event_name: Option<&'static str>,
    body: Option<AnyValue>,
    attributes: Vec<(String, AnyValue)>,
}

/// Emits `record` to a new processor inside a capture; returns the events and
/// the processor's counters afterwards.
fn write(record: &Record) -> (Vec<CapturedEvent>, CounterSnapshot) {
    let processor = UserEventsProcessor::builder(PROVIDER).build().unwrap();
    let provider = SdkLoggerProvider::builder().build();
    let logger = provider.logger("prop");
    let scope = InstrumentationScope::builder("prop").build();
    let mut sdk_record = logger.create_log_record();
    if let Some(severity) = record.severity {
        sdk_record.set_severity_number(severity);
    }
    if let Some(text) = record.severity_text {
        sdk_record.set_severity_text(text);
    }
    if let Some(name) = record.event_name {
        sdk_record.set_event_name(name);
    }
    if let Some(body) = &record.body {
        sdk_record.set_body(body.clone());
    }
    for (key, value) in &record.attributes {
        sdk_record.add_attribute(Key::new(key.clone()), value.clone());
    }
    let (_, events) = Capture::new("Unused")
        .unwrap()
        .at_time(SystemTime::UNIX_EPOCH + Duration::from_millis(TIME_MS))
        .run(|| processor.emit(&mut sdk_record, &scope));
    (events, processor.counters())
}

// ---------------------------------------------------------------------------
// The model of the processor's encoding
// ---------------------------------------------------------------------------

/// JSON text the processor writes for values that are not scalars or
/// homogeneous lists (its `Json` rules, restated).
fn processor_json(value: &AnyValue) -> String {
    match value {
        AnyValue::Boolean(b) => b.to_string(),
        AnyValue::Int(i) => i.to_string(),
        AnyValue::Double(d) if d.is_finite() => format!("{d}"),
        AnyValue::Double(_) => "null".into(),
        AnyValue::String(s) => processor_json_str(s.as_str()),
        AnyValue::Bytes(b) => {
            let mut out = String::from("\"");
            for byte in b.iter() {
                let _ = write!(out, "{byte:02x}");
            }
            out + "\""
        }
        AnyValue::ListAny(items) => {
            let items: Vec<String> = items.iter().map(processor_json).collect();
            format!("[{}]", items.join(","))
        }
        AnyValue::Map(map) => {
            let mut entries: Vec<(&Key, &AnyValue)> = map.iter().collect();
            if map.len() <= 64 {
                entries.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
            }
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}:{}", processor_json_str(k.as_str()), processor_json(v)))
                .collect();
            format!("{{{}}}", entries.join(","))
        }
        other => panic!("a test generated an unknown AnyValue {other:?}"),
    }
}

fn processor_json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out + "\""
}

/// The field `name` = `value` as the processor writes it: (has a format byte, value).
fn field(name: &str, value: &AnyValue) -> Field {
    let list_of = |items: &[AnyValue]| -> Option<(bool, Value)> {
        let first = items.first()?;
        let same = |f: fn(&AnyValue) -> bool| items.iter().all(f);
        Some(match first {
            AnyValue::Boolean(_) if same(|v| matches!(v, AnyValue::Boolean(_))) => (
                true,
                Value::FixedArray {
                    unit: 1,
                    elements: items.iter().map(processor_json).collect(),
                },
            ),
            AnyValue::Int(_) if same(|v| matches!(v, AnyValue::Int(_))) => (
                true,
                Value::FixedArray {
                    unit: 8,
                    elements: items.iter().map(processor_json).collect(),
                },
            ),
            AnyValue::Double(_) if same(|v| matches!(v, AnyValue::Double(_))) => (
                true,
                Value::FixedArray {
                    unit: 8,
                    elements: items
                        .iter()
                        .map(|v| match v {
                            AnyValue::Double(d) => json_f64(*d),
                            _ => unreachable!(),
                        })
                        .collect(),
                },
            ),
            AnyValue::String(_) if same(|v| matches!(v, AnyValue::String(_))) => (
                false,
                Value::StrArray(
                    items
                        .iter()
                        .map(|v| match v {
                            AnyValue::String(s) => s.as_str().to_owned(),
                            _ => unreachable!(),
                        })
                        .collect(),
                ),
            ),
            AnyValue::Bytes(_) if same(|v| matches!(v, AnyValue::Bytes(_))) => (
                true,
                Value::BytesArray(
                    items
                        .iter()
                        .map(|v| match v {
                            AnyValue::Bytes(b) => b.to_vec(),
                            _ => unreachable!(),
                        })
                        .collect(),
                ),
            ),
            _ => return None,
        })
    };
    let (has_format, value) = match value {
        AnyValue::Boolean(b) => (
            true,
            Value::Fixed {
                json: b.to_string(),
                size: 1,
            },
        ),
        AnyValue::Int(i) => (
            true,
            Value::Fixed {
                json: i.to_string(),
                size: 8,
            },
        ),
        AnyValue::Double(d) => (
            true,
            Value::Fixed {
                json: json_f64(*d),
                size: 8,
            },
        ),
        AnyValue::String(s) => (false, Value::Str(s.as_str().to_owned())),
        AnyValue::Bytes(b) => (true, Value::Bytes(b.to_vec())),
        AnyValue::ListAny(items) if list_of(items).is_some() => list_of(items).unwrap(),
        other => {
            let text = processor_json(other);
            (
                true,
                Value::Fixed {
                    json: json_str(&text),
                    size: 2 + text.len(),
                },
            )
        }
    };
    Field::new(name, has_format, value)
}

/// The event the processor must write for `record`, before any limit, with
/// `part_c` the attributes kept in PartC.
fn model(record: &Record, part_c: Vec<Field>) -> Event {
    let severity = record.severity.unwrap_or(Severity::Info) as i32;
    let level = match severity {
        1..=8 => 5,
        9..=12 => 4,
        13..=16 => 3,
        17..=20 => 2,
        _ => 1,
    };
    let event_id = record
        .attributes
        .iter()
        .filter_map(|(k, v)| match (k.as_str(), v) {
            ("event_id", AnyValue::Int(id)) => Some(*id),
            _ => None,
        })
        .next_back();
    let mut part_b = vec![Field::new("_typeName", false, Value::Str("Log".into()))];
    if let Some(body) = &record.body {
        part_b.push(field("body", body));
    }
    part_b.push(Field::new(
        "severityNumber",
        true,
        Value::Fixed {
            json: severity.to_string(),
            size: 2,
        },
    ));
    if let Some(text) = record.severity_text {
        part_b.push(Field::new("severityText", false, Value::Str(text.into())));
    }
    if let Some(id) = event_id {
        part_b.push(Field::new(
            "eventId",
            true,
            Value::Fixed {
                json: id.to_string(),
                size: 8,
            },
        ));
    }
    if let Some(name) = record.event_name.filter(|n| !n.trim().is_empty()) {
        part_b.push(Field::new("name", false, Value::Str(name.into())));
    }
    Event {
        provider: PROVIDER.into(),
        name: "Log".into(),
        level,
        keyword: 1,
        part_a: vec![model::time_field(TIME_MS)],
        part_c,
        part_b,
    }
}

/// The attributes that belong in PartC (an integer `event_id` goes to PartB).
fn part_c_candidates(record: &Record) -> Vec<Field> {
    record
        .attributes
        .iter()
        .filter(|(k, v)| !(k == "event_id" && matches!(v, AnyValue::Int(_))))
        .map(|(k, v)| field(k, v))
        .collect()
}

// ---------------------------------------------------------------------------
// Generated values
// ---------------------------------------------------------------------------

/// Sizes of what is generated.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    /// Longest "long" string or blob.
    long: usize,
    /// Most elements of a homogeneous list of scalars.
    scalars: usize,
    /// Most elements of a list of strings or blobs.
    counted: usize,
    /// Most entries of a map or mixed list, per level.
    entries: usize,
    /// Longest string inside JSON.
    json_text: usize,
    /// Most attributes.
    attributes: usize,
}

const EXACT: Bounds = Bounds {
    long: 70_000,
    scalars: 32,
    counted: 8,
    entries: 4,
    json_text: 16,
    attributes: 24,
};

const UNBOUNDED: Bounds = Bounds {
    long: 70_000,
    scalars: 20_000,
    counted: 40,
    entries: 12,
    json_text: 4_000,
    attributes: 160,
};

fn string_value(b: Bounds) -> impl Strategy<Value = AnyValue> {
    prop_oneof![4 => short_text(40), 1 => long_text(65, b.long)]
        .prop_map(|s| AnyValue::String(s.into()))
}

fn bytes_value(b: Bounds) -> impl Strategy<Value = AnyValue> {
    prop_oneof![
        4 => proptest::collection::vec(any::<u8>(), 0..=64),
        1 => long_bytes(65, b.long),
    ]
    .prop_map(|v| AnyValue::Bytes(Box::new(v)))
}

fn scalar() -> impl Strategy<Value = AnyValue> {
    prop_oneof![
        any::<bool>().prop_map(AnyValue::Boolean),
        any::<i64>().prop_map(AnyValue::Int),
        any::<f64>().prop_map(AnyValue::Double),
    ]
}

/// Leaves of JSON trees: scalars, short strings and blobs.
fn json_leaf(b: Bounds) -> impl Strategy<Value = AnyValue> {
    prop_oneof![
        scalar(),
        prop_oneof![4 => short_text(16), 1 => long_text(17, b.json_text.max(17))]
            .prop_map(|s| AnyValue::String(s.into())),
        prop_oneof![
            4 => proptest::collection::vec(any::<u8>(), 0..=16),
            1 => long_bytes(17, b.json_text.max(17)),
        ]
        .prop_map(|v| AnyValue::Bytes(Box::new(v))),
    ]
}

/// Maps, mixed and nested lists: written as JSON text.
fn json_tree(b: Bounds) -> impl Strategy<Value = AnyValue> {
    json_leaf(b).prop_recursive(3, 64, b.entries as u32, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..=b.entries)
                .prop_map(|v| AnyValue::ListAny(Box::new(v))),
            proptest::collection::vec((short_text(8), inner), 0..=b.entries).prop_map(|entries| {
                AnyValue::Map(Box::new(
                    entries
                        .into_iter()
                        .map(|(k, v)| (Key::new(k), v))
                        .collect::<HashMap<_, _>>(),
                ))
            }),
        ]
    })
}

fn list(items: Vec<AnyValue>) -> AnyValue {
    AnyValue::ListAny(Box::new(items))
}

/// `len` scalars made from a seed (a strategy per element would be slow for
/// the long lists).
fn seeded_scalars(kind: u8, seed: u64, len: usize) -> Vec<AnyValue> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            // xorshift64
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            match kind % 3 {
                0 => AnyValue::Boolean(x & 1 == 1),
                1 => AnyValue::Int(x as i64),
                _ => AnyValue::Double(f64::from_bits(x)),
            }
        })
        .collect()
}

/// `len` strings (or blobs, their bytes) from a repeated `pattern`, up to
/// `longest` bytes each, lengths made from a seed: many-element lists of
/// strings, short and long, that the writer keeps only the first elements of.
fn seeded_counted(
    pattern: &str,
    blobs: bool,
    seed: u64,
    len: usize,
    longest: usize,
) -> Vec<AnyValue> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let text: String = pattern
                .chars()
                .cycle()
                .take(x as usize % (longest + 1))
                .collect();
            if blobs {
                AnyValue::Bytes(Box::new(text.into_bytes()))
            } else {
                AnyValue::String(text.into())
            }
        })
        .collect()
}

/// Lists of one type: EventHeader arrays.
fn homogeneous_list(b: Bounds) -> impl Strategy<Value = AnyValue> {
    prop_oneof![
        proptest::collection::vec(any::<bool>().prop_map(AnyValue::Boolean), 1..=16).prop_map(list),
        proptest::collection::vec(any::<i64>().prop_map(AnyValue::Int), 1..=16).prop_map(list),
        proptest::collection::vec(any::<f64>().prop_map(AnyValue::Double), 1..=16).prop_map(list),
        (any::<u8>(), any::<u64>(), 1..=b.scalars)
            .prop_map(|(kind, seed, len)| list(seeded_scalars(kind, seed, len))),
        proptest::collection::vec(string_value(b), 1..=b.counted).prop_map(list),
        proptest::collection::vec(bytes_value(b), 1..=b.counted).prop_map(list),
        (
            short_text(6).prop_filter("a pattern", |p| !p.is_empty()),
            any::<bool>(),
            any::<u64>(),
            1..=b.scalars.min(2_000),
            prop_oneof![Just(12usize), Just(130), Just(3_000)],
        )
            .prop_map(|(pattern, blobs, seed, len, longest)| {
                list(seeded_counted(&pattern, blobs, seed, len, longest))
            }),
    ]
}

/// A map of more than 64 entries (written in the map's own order).
fn big_map() -> impl Strategy<Value = AnyValue> {
    (65usize..100, any::<u64>()).prop_map(|(len, seed)| {
        let values = seeded_scalars(1, seed, len);
        AnyValue::Map(Box::new(
            values
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Key::new(format!("k{i}")), v))
                .collect(),
        ))
    })
}

fn any_value(b: Bounds) -> impl Strategy<Value = AnyValue> {
    prop_oneof![
        3 => scalar(),
        3 => string_value(b),
        1 => bytes_value(b),
        2 => homogeneous_list(b),
        2 => json_tree(b),
        1 => big_map(),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => short_text(12),
        1 => Just("event_id".to_owned()),
    ]
}

fn severity() -> impl Strategy<Value = Option<Severity>> {
    use Severity::*;
    proptest::option::of(proptest::sample::select(vec![
        Trace, Trace2, Trace3, Trace4, Debug, Debug2, Debug3, Debug4, Info, Info2, Info3, Info4,
        Warn, Warn2, Warn3, Warn4, Error, Error2, Error3, Error4, Fatal, Fatal2, Fatal3, Fatal4,
    ]))
}

const TEXTS: &[&str] = &[
    "",
    " \t",
    "INFO",
    "warn ⚠",
    "a\"b\\c\n\u{1}",
    "my-event.name",
    "日本語",
];

fn record(b: Bounds) -> impl Strategy<Value = Record> {
    (
        severity(),
        proptest::option::of(proptest::sample::select(TEXTS)),
        proptest::option::of(proptest::sample::select(TEXTS)),
        proptest::option::of(any_value(b)),
        proptest::collection::vec((key(), any_value(b)), 0..=b.attributes),
    )
        .prop_map(
            |(severity, severity_text, event_name, body, attributes)| Record {
                severity,
                severity_text,
                event_name,
                body,
                attributes,
            },
        )
}

/// Whether `record` stays well inside the writer's buffers (names, short
/// values and JSON are copied into a few KB; long values are borrowed), so
/// that only the 64 KB rule can shorten it.
fn within_buffers(event: &Event) -> bool {
    let fields = || event.part_c.iter().chain(event.part_b.iter());
    let names: usize = fields().map(|f| f.name.len() + 3).sum();
    let mut copied = 0;
    let mut long = 0;
    let mut counted = |len: usize| {
        if len > 64 {
            long += 1;
            2
        } else {
            2 + len
        }
    };
    for f in fields() {
        copied += match &f.value {
            Value::Fixed { size, .. } => *size,
            Value::Str(s) => counted(s.len()),
            Value::Bytes(b) => counted(b.len()),
            Value::Array { unit, elements } | Value::FixedArray { unit, elements } => {
                2 + unit * elements.len()
            }
            Value::StrArray(items) => 2 + items.iter().map(|s| counted(s.len())).sum::<usize>(),
            Value::BytesArray(items) => 2 + items.iter().map(|b| counted(b.len())).sum::<usize>(),
        };
    }
    names <= 1024 && copied <= 4096 && long <= 20 && event.cap().is_none_or(|cap| cap >= 64)
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

fn decode(event: &CapturedEvent) -> Result<String, TestCaseError> {
    decode_json(&event.tracepoint, &event.payload).map_err(|e| TestCaseError::fail(e.to_string()))
}

fn tracepoint(event: &Event) -> String {
    format!("{PROVIDER}_L{}K1", event.level)
}

/// Exact comparison with the model.
fn check_exact(
    record: &Record,
    expected_event: &Event,
    dropped_attributes: usize,
) -> Result<(), TestCaseError> {
    let (events, counters) = write(record);
    let Expected::Written {
        json,
        size,
        truncated,
    } = expected_event.expected()
    else {
        return Err(TestCaseError::fail("the model says too large"));
    };
    let truncated = truncated || dropped_attributes > 0;
    prop_assert_eq!(events.len(), 1);
    let event = &events[0];
    prop_assert_eq!(&event.tracepoint, &tracepoint(expected_event));
    prop_assert!(event.payload.len() <= model::MAX_EVENT);
    prop_assert_eq!(event.payload.len(), size, "event size");
    prop_assert_eq!(event.truncated, truncated, "truncated flag");
    prop_assert_eq!(decode(event)?, json);
    prop_assert_eq!(
        counters,
        CounterSnapshot {
            written: 1,
            truncated: u64::from(truncated),
            attributes_dropped: dropped_attributes as u64,
            ..CounterSnapshot::default()
        }
    );
    Ok(())
}

/// Checks an event that may have been limited by the writer's buffers: it
/// decodes, fits in 64 KB, PartC holds a subsequence of the attributes (at
/// most 127), every value is exact or a shortening, and the truncated flag and
/// counters say exactly what was left out or shortened.
fn check_faithful(record: &Record) -> Result<(), TestCaseError> {
    let (events, counters) = write(record);
    prop_assert_eq!(events.len(), 1, "{:?}", counters);
    let event = &events[0];
    prop_assert!(event.payload.len() <= model::MAX_EVENT);
    let candidates = part_c_candidates(record);
    let full = model(record, candidates.clone());
    prop_assert_eq!(&event.tracepoint, &tracepoint(&full));
    let actual = model::parse(&decode(event)?).map_err(TestCaseError::fail)?;
    let expected = model::parse(&full.json()).map_err(TestCaseError::fail)?;

    // Everything but PartC and PartB is exact.
    for (key, value) in &expected {
        if key != "PartC" && key != "PartB" {
            prop_assert_eq!(actual.get(key), Some(value), "{}", key);
        }
    }
    let mut shortened = false;
    let compare = |a: &serde_json::Value, e: &serde_json::Value| {
        model::shortening(a, e).map_err(TestCaseError::fail)
    };
    let actual_b = actual["PartB"].as_object().unwrap();
    let expected_b = expected["PartB"].as_object().unwrap();
    prop_assert_eq!(
        actual_b.keys().collect::<Vec<_>>(),
        expected_b.keys().collect::<Vec<_>>()
    );
    for (key, e) in expected_b {
        shortened |= compare(&actual_b[key], e)?;
    }

    // PartC: a subsequence of the candidates, each exact or shortened.
    let kept = match actual.get("PartC") {
        Some(serde_json::Value::Object(kept)) => kept.clone(),
        None => serde_json::Map::new(),
        Some(other) => return Err(TestCaseError::fail(format!("PartC is {other}"))),
    };
    prop_assert!(kept.len() <= MAX_MEMBERS);
    let mut next = 0;
    for (key, value) in &kept {
        let position = candidates[next..]
            .iter()
            .position(|f| f.name == *key)
            .ok_or_else(|| TestCaseError::fail(format!("PartC member {key} out of order")))?;
        let candidate = &candidates[next + position];
        let e: serde_json::Value =
            serde_json::from_str(&model::value_json(&candidate.value)).unwrap();
        shortened |= compare(value, &e)?;
        next += position + 1;
    }
    let dropped = candidates.len() - kept.len();
    let truncated = shortened || dropped > 0;
    prop_assert_eq!(event.truncated, truncated, "truncated flag");
    prop_assert_eq!(
        counters,
        CounterSnapshot {
            written: 1,
            truncated: u64::from(truncated),
            attributes_dropped: dropped as u64,
            ..CounterSnapshot::default()
        }
    );
    Ok(())
}

/// Attribute keys, made unique (and without NUL, which ends a metadata name)
/// so PartC members can be matched by name.
fn unique_keys(record: &mut Record) {
    let mut seen = std::collections::HashSet::new();
    for (i, (key, value)) in record.attributes.iter_mut().enumerate() {
        key.retain(|c| c != '\0');
        let to_part_b = key == "event_id" && matches!(value, AnyValue::Int(_));
        if !to_part_b && !seen.insert(key.clone()) {
            key.push_str(&format!("#{i}"));
            seen.insert(key.clone());
        }
    }
}

proptest! {
    #![proptest_config(cases(256))]
    #[test]
    fn records_round_trip_exactly_or_are_cut_to_64_kb_by_the_rules(r in record(EXACT)) {
        let event = model(&r, part_c_candidates(&r));
        prop_assume!(within_buffers(&event));
        check_exact(&r, &event, 0)?;
    }

    #[test]
    fn more_than_127_attributes_keep_the_first_127(
        values in proptest::collection::vec(scalar(), MAX_MEMBERS + 1..400),
    ) {
        let r = Record {
            severity: Some(Severity::Warn),
            severity_text: None,
            event_name: None,
            body: None,
            attributes: values.into_iter().enumerate().map(|(i, v)| (format!("a{i}"), v)).collect(),
        };
        let candidates = part_c_candidates(&r);
        let dropped = candidates.len() - MAX_MEMBERS;
        let event = model(&r, candidates.into_iter().take(MAX_MEMBERS).collect());
        check_exact(&r, &event, dropped)?;
    }
}

// Large inputs: fewer cases by default.
proptest! {
    #![proptest_config(cases(64))]
    #[test]
    fn unbounded_records_are_written_as_faithful_shortenings(r in record(UNBOUNDED)) {
        let mut r = r;
        unique_keys(&mut r);
        check_faithful(&r)?;
    }
}
