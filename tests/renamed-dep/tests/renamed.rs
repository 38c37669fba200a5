//! `ue_log!` and `#[otel_event]` through a renamed dependency: used here (an
//! integration test) and in this crate's lib, and the events they write are
//! the same as with the usual name.

use std::time::{Duration, SystemTime};

use otel_user_events_renamed_dep_test::{activity, async_activity, logged, plain};
use otel_user_events_test_support::decode::{decode_json, mask_durations};
use renamed_ue::testing::{Capture, sequential_activity_ids};
use renamed_ue::{otel_event, ue_log};

#[otel_event(name = "InTest", ret)]
fn in_test(flag: bool) -> bool {
    ue_log!(verbose, "InTestLog", flag);
    !flag
}

fn capture<R>(f: impl FnOnce() -> R) -> (R, Vec<String>) {
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let (r, events) = sequential_activity_ids(|| Capture::new("R").unwrap().at_time(time).run(f));
    let json = events
        .iter()
        .map(|e| {
            let json = mask_durations(&decode_json(&e.tracepoint, &e.payload).unwrap());
            // Only the parts that differ between events.
            let part_c = json
                .split_once("\"PartC\":")
                .map(|(_, rest)| rest.split_once("},").unwrap().0.to_owned() + "}")
                .unwrap_or_default();
            let meta = json.split_once("\"meta\":").unwrap().1;
            format!(
                "{} {} {part_c} {meta}",
                e.tracepoint,
                json.split('"').nth(3).unwrap()
            )
        })
        .collect();
    (r, json)
}

const A1: &str = "00000000-0000-0000-0000-000000000001";

#[test]
fn macros_work_through_the_renamed_dependency() {
    let (_, events) = capture(|| {
        plain(7, "ada");
        assert_eq!(activity("21"), Ok(42));
        assert!(in_test(false));
        assert_eq!(
            tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap()
                .block_on(async_activity(1)),
            2
        );
        logged(3);
    });
    let a = |n: u8| format!("00000000-0000-0000-0000-00000000000{n}");
    assert_eq!(
        events,
        [
            "R_L3K2 R:plain {\"id\":7,\"name\":\"ada\"} {\"level\":3,\"keyword\":\"0x2\"}}"
                .to_owned(),
            format!(
                "R_L4K1 R:activity {{\"text\":\"21\"}} {{\"level\":4,\"keyword\":\"0x1\",\"opcode\":1,\"activity\":\"{A1}\"}}}}"
            ),
            // Inside the activity: it carries the activity's id (no related id).
            format!(
                "R_L4K1 R:Logged {{\"n\":21,\"kind\":\"renamed\"}} {{\"level\":4,\"keyword\":\"0x1\",\"activity\":\"{A1}\"}}}}"
            ),
            format!(
                "R_L4K1 R:activity {{\"return\":42,\"duration_ns\":D}} {{\"level\":4,\"keyword\":\"0x1\",\"opcode\":2,\"activity\":\"{A1}\"}}}}"
            ),
            format!(
                "R_L4K1 R:InTest {{\"flag\":false}} {{\"level\":4,\"keyword\":\"0x1\",\"opcode\":1,\"activity\":\"{}\"}}}}",
                a(2)
            ),
            format!(
                "R_L5K1 R:InTestLog {{\"flag\":false}} {{\"level\":5,\"keyword\":\"0x1\",\"activity\":\"{}\"}}}}",
                a(2)
            ),
            format!(
                "R_L4K1 R:InTest {{\"return\":true,\"duration_ns\":D}} {{\"level\":4,\"keyword\":\"0x1\",\"opcode\":2,\"activity\":\"{}\"}}}}",
                a(2)
            ),
            format!(
                "R_L4K1 R:async_activity {{\"n\":1}} {{\"level\":4,\"keyword\":\"0x1\",\"opcode\":1,\"activity\":\"{}\"}}}}",
                a(3)
            ),
            format!(
                "R_L4K1 R:async_activity {{\"return\":2,\"duration_ns\":D}} {{\"level\":4,\"keyword\":\"0x1\",\"opcode\":2,\"activity\":\"{}\"}}}}",
                a(3)
            ),
            "R_L4K1 R:Logged {\"n\":3,\"kind\":\"renamed\"} {\"level\":4,\"keyword\":\"0x1\"}}"
                .to_owned(),
        ]
    );
}
