//! The scalar encoding profile (`EncodingProfile::Scalars`), without a kernel:
//! `ue_log!`, `#[otel_event]` and `UserEventsProcessor` events captured and decoded
//! with `tracepoint_decode`, compared with hand-written JSON for every field
//! type, and checked to hold nothing but strings, integers, floats and booleans
//! inside the Common Schema structs.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _, LoggerProvider as _, Severity};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use otel_user_events::testing::{Capture, CapturedEvent, sequential_activity_ids};
use otel_user_events::{logs::UserEventsProcessor, otel_event, output::EncodingProfile, ue_log};
use otel_user_events_test_support::decode::decode_json;

/// 2024-01-01T12:34:56.789Z
fn fixed_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(1_704_112_496_789)
}

/// A capture turns every call site on for every thread: one at a time.
static CAPTURES: Mutex<()> = Mutex::new(());

fn exclusive() -> MutexGuard<'static, ()> {
    CAPTURES.lock().unwrap_or_else(|e| e.into_inner())
}

fn capture_with(profile: EncodingProfile, f: impl FnOnce()) -> Vec<CapturedEvent> {
    let _exclusive = exclusive();
    Capture::new("TestProvider")
        .unwrap()
        .at_time(fixed_time())
        .encoding_profile(profile)
        .run(f)
        .1
}

fn capture(f: impl FnOnce()) -> Vec<CapturedEvent> {
    capture_with(EncodingProfile::Scalars, f)
}

/// The decoded events, each checked to hold only scalars inside its structs.
fn json(events: &[CapturedEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            let text = decode_json(&e.tracepoint, &e.payload).unwrap();
            assert_only_scalars(&text);
            text
        })
        .collect()
}

/// Fails unless every member of PartA, PartB and PartC is a string, a number
/// or a boolean (no arrays, objects or nulls).
fn assert_only_scalars(text: &str) {
    let event: serde_json::Value = serde_json::from_str(text).unwrap();
    for part in ["PartA", "PartB", "PartC"] {
        let Some(members) = event.get(part) else {
            continue;
        };
        for (name, value) in members.as_object().unwrap() {
            assert!(
                value.is_string() || value.is_number() || value.is_boolean(),
                "{part}.{name} is not a scalar: {value} in {text}"
            );
        }
    }
}

const PART_A: &str = r#""__csver__":1024,"PartA":{"time":"2024-01-01T12:34:56.789Z"}"#;

fn part_b(name: &str, extra: &str) -> String {
    format!(
        r#""PartB":{{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"{name}"{extra}}}"#
    )
}

const META: &str = r#""meta":{"level":4,"keyword":"0x1"}"#;

#[test]
fn integers_above_i64_max_are_decimal_text_the_rest_as_in_full() {
    let events = capture(|| {
        ue_log!(
            info,
            "Numbers",
            i64 = i64::MIN,
            i128 = i128::MIN,
            u8 = 255u8,
            u32 = u32::MAX,
            u64_max = u64::MAX,
            u64_edge = i64::MAX as u64,
            u64_over = i64::MAX as u64 + 1,
            usize_big = usize::MAX,
            usize = 7usize,
            u128 = u128::MAX,
            f32 = 0.1f32,
            f64 = -0.25f64,
            yes = true,
            letter = 'é'
        );
    });
    assert_eq!(
        json(&events),
        [format!(
            r#"{{"n":"TestProvider:Numbers",{PART_A},"PartC":{{"i64":-9223372036854775808,"i128":"-170141183460469231731687303715884105728","u8":255,"u32":4294967295,"u64_max":"18446744073709551615","u64_edge":9223372036854775807,"u64_over":"9223372036854775808","usize_big":"18446744073709551615","usize":7,"u128":"340282366920938463463374607431768211455","f32":0.1,"f64":-0.25,"yes":true,"letter":"é"}},{},{META}}}"#,
            part_b("Numbers", "")
        )]
    );
}

#[test]
fn arrays_are_json_text_and_bytes_hex_text() {
    let events = capture(|| {
        let bytes: Vec<u8> = vec![0x00, 0xAB, 0xFF];
        let words = vec![String::from("x \"q\""), String::new()];
        ue_log!(
            info,
            "Arrays",
            blob = bytes,
            slice = &[1u8, 2][..],
            ints = [1i32, -2, 3],
            vec_u64 = vec![7u64, u64::MAX],
            floats = &[0.5f64, 2.0, f64::NAN][..],
            singles = [0.1f32],
            flags = [true, false],
            empty = Vec::<u16>::new(),
            strs = ["a", "b\0c\n"],
            words = words
        );
    });
    assert_eq!(
        json(&events),
        [format!(
            r#"{{"n":"TestProvider:Arrays",{PART_A},"PartC":{{"blob":"00abff","slice":"0102","ints":"[1,-2,3]","vec_u64":"[7,18446744073709551615]","floats":"[0.5,2,null]","singles":"[0.1]","flags":"[true,false]","empty":"[]","strs":"[\"a\",\"b\\u0000c\\n\"]","words":"[\"x \\\"q\\\"\",\"\"]"}},{},{META}}}"#,
            part_b("Arrays", "")
        )]
    );
}

#[test]
fn addresses_are_text_and_long_durations_decimal_text() {
    let events = capture(|| {
        ue_log!(
            info,
            "Misc",
            at = SystemTime::UNIX_EPOCH + Duration::from_micros(1_500_000),
            took = Duration::from_micros(1500),
            forever = Duration::MAX,
            v4 = Ipv4Addr::new(192, 0, 2, 1),
            v6 = "2001:db8::1".parse::<Ipv6Addr>().unwrap(),
            ip = IpAddr::from(Ipv4Addr::LOCALHOST),
            sock = "[::1]:8080".parse::<SocketAddr>().unwrap()
        );
    });
    assert_eq!(
        json(&events),
        [format!(
            r#"{{"n":"TestProvider:Misc",{PART_A},"PartC":{{"at":"1970-01-01T00:00:01.500Z","took":1500000,"forever":"18446744073709551615","v4":"192.0.2.1","v6":"2001:db8::1","ip":"127.0.0.1","sock":"[::1]:8080"}},{},{META}}}"#,
            part_b("Misc", "")
        )]
    );
}

#[test]
fn a_none_is_left_out_and_a_some_is_its_value() {
    let (retries, none_retries): (Option<u32>, Option<u32>) = (Some(3), None);
    let (user, no_user): (Option<&str>, Option<String>) = (Some("ada"), None);
    let big: Option<u64> = Some(u64::MAX);
    let events = capture(|| {
        ue_log!(
            info,
            "Opt",
            retries,
            none_retries,
            user,
            no_user,
            big,
            after = 1u8
        );
        // Every field absent: no PartC at all.
        ue_log!(info, "AllNone", none_retries, no_user);
    });
    assert_eq!(
        json(&events),
        [
            format!(
                r#"{{"n":"TestProvider:Opt",{PART_A},"PartC":{{"retries":3,"user":"ada","big":"18446744073709551615","after":1}},{},{META}}}"#,
                part_b("Opt", "")
            ),
            format!(
                r#"{{"n":"TestProvider:AllNone",{PART_A},{},{META}}}"#,
                part_b("AllNone", "")
            ),
        ]
    );
}

#[test]
fn display_debug_and_body_are_as_in_full() {
    let events = capture(|| {
        let err = std::io::Error::other("timed out");
        let code = 7u8;
        ue_log!(info, "Text", %err, ?code, body = [1u16, 2]);
    });
    assert_eq!(
        json(&events),
        [format!(
            r#"{{"n":"TestProvider:Text",{PART_A},"PartC":{{"err":"timed out","code":"7"}},"PartB":{{"_typeName":"Log","body":"[1,2]","severityNumber":9,"severityText":"INFO","name":"Text"}},{META}}}"#
        )]
    );
}

#[otel_event(ret)]
fn priced(n: u32) -> u32 {
    ue_log!(info, "Inside", n);
    n * 100
}

#[test]
fn activity_ids_and_opcodes_are_part_b_fields_too() {
    const A1: &str = "00000000-0000-0000-0000-000000000001";
    let events = sequential_activity_ids(|| capture(|| assert_eq!(priced(3), 300)));
    let json = json(&events);
    assert_eq!(json.len(), 3);
    let part_b = |j: &str| {
        let v: serde_json::Value = serde_json::from_str(j).unwrap();
        (v["PartB"].clone(), v["meta"]["activity"].clone())
    };
    let (start, start_meta) = part_b(&json[0]);
    let (inner, inner_meta) = part_b(&json[1]);
    let (stop, _) = part_b(&json[2]);
    // The header still carries the id; PartB repeats it as text decoders show.
    assert_eq!(start_meta, A1);
    assert_eq!(inner_meta, A1);
    assert_eq!(start["activityId"], A1);
    assert_eq!(start["opcode"], 1);
    assert_eq!(inner["activityId"], A1);
    assert!(
        inner.get("opcode").is_none(),
        "opcode 0 is not written: {inner}"
    );
    assert_eq!(stop["activityId"], A1);
    assert_eq!(stop["opcode"], 2);
    assert!(start.get("relatedActivityId").is_none());
    assert_eq!(
        json[1],
        format!(
            r#"{{"n":"TestProvider:Inside",{PART_A},"PartC":{{"n":3}},{},"meta":{{"level":4,"keyword":"0x1","activity":"{A1}"}}}}"#,
            part_b_inner()
        )
    );
}

fn part_b_inner() -> String {
    part_b(
        "Inside",
        r#","activityId":"00000000-0000-0000-0000-000000000001""#,
    )
}

#[otel_event(ret)]
fn outer() -> u8 {
    inner()
}

#[otel_event(ret)]
fn inner() -> u8 {
    1
}

#[test]
fn a_nested_activity_names_its_parent_as_related_id() {
    let events = sequential_activity_ids(|| {
        capture(|| {
            outer();
        })
    });
    let json = json(&events);
    let v: serde_json::Value = serde_json::from_str(&json[1]).unwrap();
    assert_eq!(v["PartB"]["opcode"], 1);
    assert_eq!(
        v["PartB"]["activityId"],
        "00000000-0000-0000-0000-000000000002"
    );
    assert_eq!(
        v["PartB"]["relatedActivityId"],
        "00000000-0000-0000-0000-000000000001"
    );
    assert_eq!(
        v["meta"]["relatedActivity"],
        v["PartB"]["relatedActivityId"]
    );
}

#[test]
fn the_full_profile_is_unchanged_by_default() {
    let events = capture_with(EncodingProfile::Full, || {
        ue_log!(info, "Full", ints = [1i32, 2], blob = vec![0xABu8]);
    });
    let text = decode_json(&events[0].tracepoint, &events[0].payload).unwrap();
    assert!(
        text.contains(r#""PartC":{"ints":[1,2],"blob":"AB"}"#),
        "{text}"
    );
}

#[test]
fn the_processor_writes_lists_as_json_and_bytes_as_hex_text() {
    let processor = UserEventsProcessor::builder("ScalarProc")
        .with_encoding_profile(EncodingProfile::Scalars)
        .build()
        .unwrap();
    let logger = SdkLoggerProvider::builder()
        .with_resource(Resource::builder().with_service_name("svc").build())
        .with_log_processor(processor)
        .build()
        .logger("test");
    let _exclusive = exclusive();
    let (_, events) = Capture::new("Unused").unwrap().run(|| {
        let mut record = logger.create_log_record();
        record.set_severity_number(Severity::Info);
        record.set_timestamp(fixed_time());
        record.set_body(AnyValue::ListAny(Box::new(vec![AnyValue::Int(1)])));
        record.add_attribute(
            "ids",
            AnyValue::ListAny(Box::new(vec![AnyValue::Int(1), AnyValue::Int(2)])),
        );
        record.add_attribute(
            "names",
            AnyValue::ListAny(Box::new(vec![AnyValue::String("a".into())])),
        );
        record.add_attribute("blob", AnyValue::Bytes(Box::new(vec![0x0A, 0xFF])));
        record.add_attribute("n", AnyValue::Int(5));
        logger.emit(record);
    });
    let text = decode_json(&events[0].tracepoint, &events[0].payload).unwrap();
    assert_only_scalars(&text);
    assert_eq!(
        text,
        format!(
            r#"{{"n":"ScalarProc:Log","__csver__":1024,"PartA":{{"time":"2024-01-01T12:34:56.789Z","ext_cloud_role":"svc"}},"PartC":{{"ids":"[1,2]","names":"[\"a\"]","blob":"0aff","n":5}},"PartB":{{"_typeName":"Log","body":"[1]","severityNumber":9}},"meta":{{"level":4,"keyword":"0x1"}}}}"#
        )
    );
}

/// Decodes one event of each profile and returns their PartC objects.
fn part_c_of_both(f: impl Fn()) -> (serde_json::Value, serde_json::Value) {
    let decode = |profile| {
        let events = capture_with(profile, &f);
        let text = decode_json(&events[0].tracepoint, &events[0].payload).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        (v["PartC"].clone(), text)
    };
    let (full, _) = decode(EncodingProfile::Full);
    let (scalars, text) = decode(EncodingProfile::Scalars);
    assert_only_scalars(&text);
    (full, scalars)
}

/// The JSON a scalar-profile text member holds.
fn parsed(v: &serde_json::Value) -> serde_json::Value {
    serde_json::from_str(v.as_str().unwrap()).unwrap()
}

proptest::proptest! {
    // A fixed seed: every run tries the same cases (PROPTEST_RNG_SEED is
    // read by `default()` only, so this one is fixed).
    #![proptest_config(proptest::prelude::ProptestConfig {
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x05ca_1a75),
        ..proptest::prelude::ProptestConfig::with_cases(64)
    })]

    /// Nothing is lost: every array, blob and large integer of the full
    /// profile reads back from its scalar text.
    #[test]
    fn the_scalar_text_reads_back_as_the_full_values(
        ints in proptest::collection::vec(proptest::num::u64::ANY, 0..20),
        one in proptest::num::u64::ANY,
        floats in proptest::collection::vec(-1e300f64..1e300, 0..10),
        words in proptest::collection::vec(".{0,12}", 0..8),
        blob in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
    ) {
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let (full, scalars) = part_c_of_both(|| {
            ue_log!(info, "Round", ints = &ints[..], one, floats = &floats[..], words = &words[..], blob = &blob[..]);
        });
        proptest::prop_assert_eq!(&parsed(&scalars["ints"]), &full["ints"]);
        proptest::prop_assert_eq!(&parsed(&scalars["floats"]), &full["floats"]);
        proptest::prop_assert_eq!(&parsed(&scalars["words"]), &full["words"]);
        // One integer: a JSON number up to i64::MAX, else its decimal text.
        let one_back = match &scalars["one"] {
            serde_json::Value::String(text) => text.parse::<u64>().unwrap(),
            number => number.as_u64().unwrap(),
        };
        proptest::prop_assert_eq!(Some(one_back), full["one"].as_u64());
        // Blobs: decoders show the full profile's bytes as spaced uppercase hex.
        let hex = scalars["blob"].as_str().unwrap().to_owned();
        let spaced: Vec<String> = hex.as_bytes().chunks(2).map(|c| String::from_utf8_lossy(c).to_uppercase()).collect();
        proptest::prop_assert_eq!(spaced.join(" "), full["blob"].as_str().unwrap());
    }
}

/// Decoders print `0.1f32` as `0.1` either way; a collector reading floats as
/// f64 would not: the scalar profile writes the f64 of the shortest digits.
#[test]
fn an_f32_is_written_as_the_f64_of_its_digits() {
    let bytes_of = |profile| {
        capture_with(profile, || ue_log!(info, "F", x = 0.1f32))[0]
            .payload
            .clone()
    };
    let contains =
        |haystack: &[u8], needle: &[u8]| haystack.windows(needle.len()).any(|w| w == needle);
    let scalars = bytes_of(EncodingProfile::Scalars);
    assert!(contains(&scalars, &0.1f64.to_ne_bytes()));
    assert!(!contains(&scalars, &0.1f32.to_ne_bytes()));
    let full = bytes_of(EncodingProfile::Full);
    assert!(contains(&full, &0.1f32.to_ne_bytes()));
    assert!(!contains(&full, &0.1f64.to_ne_bytes()));
}
