//! Events larger than the writer holds or than 64 KB are shortened, never
//! dropped while their names and fixed parts fit: arrays keep their
//! first elements whole, long values are cut, and the event is flagged
//! truncated. Captured without a kernel and decoded with `tracepoint_decode`.

use std::sync::{Mutex, MutexGuard};

use otel_user_events::testing::{Capture, CapturedEvent};
use otel_user_events::ue_log;
use otel_user_events_test_support::decode::decode_json;
use serde_json::Value as Json;

/// Captures turn every call site on: one at a time.
static CAPTURES: Mutex<()> = Mutex::new(());

fn exclusive() -> MutexGuard<'static, ()> {
    CAPTURES.lock().unwrap_or_else(|e| e.into_inner())
}

fn capture(f: impl FnOnce()) -> Vec<CapturedEvent> {
    let _exclusive = exclusive();
    Capture::new("LimitsProvider").unwrap().run(f).1
}

/// The one event `f` writes: written, truncated, at most 64 KB, decoded.
fn one_truncated_event(f: impl FnOnce()) -> serde_json::Map<String, Json> {
    let events = capture(f);
    assert_eq!(events.len(), 1, "the event was dropped");
    let event = &events[0];
    assert!(event.truncated, "not flagged truncated");
    assert!(
        event.payload.len() <= 65_535,
        "{} bytes",
        event.payload.len()
    );
    let json = decode_json(&event.tracepoint, &event.payload).unwrap();
    match serde_json::from_str(&json).unwrap() {
        Json::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// The decoded array `key` of PartC, which must be a strict, non-empty prefix
/// of `input`.
fn kept_prefix<'j>(
    event: &'j serde_json::Map<String, Json>,
    key: &str,
    input: &[Json],
) -> &'j [Json] {
    let kept = event["PartC"][key].as_array().expect("an array");
    assert!(!kept.is_empty(), "nothing kept");
    assert!(
        kept.len() < input.len(),
        "not shortened: {} elements",
        kept.len()
    );
    assert_eq!(kept[..], input[..kept.len()], "not the first elements");
    kept
}

fn strings(items: &[String]) -> Vec<Json> {
    items.iter().map(|s| Json::String(s.clone())).collect()
}

#[test]
fn an_array_of_many_short_strings_keeps_its_first_elements() {
    // ~9 KB of 4-byte strings: more copied bytes than the writer's buffer holds.
    let items: Vec<String> = (0..1_500).map(|i| format!("{:04}", i % 10_000)).collect();
    let event = one_truncated_event(|| ue_log!(info, "ShortStrings", items = items, after = 7u32));
    kept_prefix(&event, "items", &strings(&items));
    assert_eq!(event["PartC"]["after"], 7);
}

#[test]
fn an_array_of_many_long_strings_under_64k_keeps_its_first_elements() {
    // 500 strings of 100 bytes (~50 KB): more long values than the writer has segments for.
    let items: Vec<String> = (0..500)
        .map(|i| format!("{i:03}").repeat(34)[..100].to_owned())
        .collect();
    let event = one_truncated_event(|| ue_log!(info, "LongStrings", items = items, after = 7u32));
    let kept = kept_prefix(&event, "items", &strings(&items));
    assert!(kept.len() >= 64, "only {} elements kept", kept.len());
    assert_eq!(event["PartC"]["after"], 7);
}

#[test]
fn an_array_of_strings_over_64k_keeps_whole_elements_rather_than_cutting_each() {
    // 40 strings of 2 KB: 80 KB.
    let items: Vec<String> = (0..40).map(|i| format!("{i:02}").repeat(1_000)).collect();
    let event = one_truncated_event(|| ue_log!(info, "HugeStrings", items = items));
    let kept = kept_prefix(&event, "items", &strings(&items));
    assert!(kept.len() >= 28, "only {} elements kept", kept.len());
}

#[test]
fn an_array_of_integers_over_64k_keeps_its_first_elements() {
    let items: Vec<u64> = (0..10_000).collect();
    let event = one_truncated_event(|| ue_log!(info, "Integers", items = items));
    let input: Vec<Json> = items.iter().map(|&i| Json::from(i)).collect();
    let kept = kept_prefix(&event, "items", &input);
    assert!(kept.len() >= 7_000, "only {} elements kept", kept.len());
}

#[test]
fn an_event_with_more_long_values_than_segments_is_shortened() {
    // An array of 300 strings of 100 bytes, then 120 string fields of 600
    // bytes (100 KB in all): more long values than the writer has segments for.
    let items: Vec<String> = (0..300)
        .map(|i| format!("{i:03}").repeat(34)[..100].to_owned())
        .collect();
    let v = "v".repeat(600);
    let event = one_truncated_event(|| include!("encoding_limits/many_fields.in"));
    kept_prefix(&event, "items", &strings(&items));
    let part_c = event["PartC"].as_object().unwrap();
    assert_eq!(part_c.len(), 121, "every field is there");
    let mut cut = false;
    for (i, (key, value)) in part_c.iter().skip(1).enumerate() {
        assert_eq!(key, &format!("f{i:03}"));
        let s = value.as_str().unwrap();
        assert!(v.starts_with(s), "{key}: not a prefix");
        cut |= s.len() < v.len();
    }
    assert!(cut);
}

mod processor {
    use opentelemetry::logs::{
        AnyValue, LogRecord as _, Logger as _, LoggerProvider as _, Severity,
    };
    use opentelemetry_sdk::Resource;
    use opentelemetry_sdk::logs::SdkLoggerProvider;
    use otel_user_events::logs::UserEventsProcessor;
    use otel_user_events::testing::Capture;
    use otel_user_events_test_support::decode::decode_json;
    use serde_json::Value as Json;

    /// Writes one record with the attributes `items` = a list of `items`
    /// strings and `after` = 7; checks it is written, truncated, counted so,
    /// at most 64 KB, that `after` is there; returns the kept elements.
    fn kept_of_list(items: &[String]) -> Vec<Json> {
        let processor = UserEventsProcessor::builder("LimitsProc").build().unwrap();
        let handle = processor.handle();
        let provider = SdkLoggerProvider::builder()
            .with_log_processor(processor)
            .with_resource(Resource::builder_empty().build())
            .build();
        let logger = provider.logger("test");
        let list = AnyValue::ListAny(Box::new(
            items
                .iter()
                .map(|s| AnyValue::String(s.clone().into()))
                .collect(),
        ));
        let events = {
            let _exclusive = super::exclusive();
            Capture::new("Unused")
                .unwrap()
                .run(|| {
                    let mut record = logger.create_log_record();
                    record.set_severity_number(Severity::Info);
                    record.add_attribute("items", list);
                    record.add_attribute("after", 7);
                    logger.emit(record);
                })
                .1
        };
        assert_eq!(events.len(), 1, "the record was dropped");
        assert!(events[0].truncated);
        assert!(events[0].payload.len() <= 65_535);
        let json: Json =
            serde_json::from_str(&decode_json(&events[0].tracepoint, &events[0].payload).unwrap())
                .unwrap();
        assert_eq!(json["PartC"]["after"], 7);
        let counters = handle.counters();
        assert_eq!(
            (counters.written, counters.truncated, counters.dropped()),
            (1, 1, 0)
        );
        json["PartC"]["items"].as_array().unwrap().clone()
    }

    /// A list of 500 strings of 100 bytes (~50 KB) as one attribute: written,
    /// its first elements kept whole, counted truncated.
    #[test]
    fn a_list_of_strings_of_50_kb_keeps_its_first_elements_and_is_counted() {
        let items: Vec<String> = (0..500)
            .map(|i| format!("{i:03}").repeat(34)[..100].to_owned())
            .collect();
        let kept = kept_of_list(&items);
        assert!(
            kept.len() >= 64 && kept.len() < items.len(),
            "kept {}",
            kept.len()
        );
        assert_eq!(kept[..], super::strings(&items)[..kept.len()]);
    }

    /// A list of 40 strings of 2 KB (80 KB): its first elements whole, rather
    /// than every element cut.
    #[test]
    fn a_list_of_strings_over_64_kb_keeps_whole_elements() {
        let items: Vec<String> = (0..40).map(|i| format!("{i:02}").repeat(1_000)).collect();
        let kept = kept_of_list(&items);
        assert!(
            kept.len() >= 28 && kept.len() < items.len(),
            "kept {}",
            kept.len()
        );
        assert_eq!(kept[..], super::strings(&items)[..kept.len()]);
    }
}
