//! Decoding of EventHeader events with `tracepoint_decode`, the reference
//! decoder: `otel-user-events-listen`'s, shared with `ue-tail`.

pub use otel_user_events_listen::decode::{DecodeError, decode_json};

/// Replaces the digits after every `"duration_ns":` (JSON) and `duration_ns=`
/// (ue-tail's lines) with `D`, after checking there are some: a stop event's
/// duration varies, the rest of it can be compared exactly.
///
/// ```
/// use otel_user_events_test_support::decode::mask_durations;
/// assert_eq!(
///     mask_durations(r#"{"return":1,"duration_ns":1234} duration_ns=56"#),
///     r#"{"return":1,"duration_ns":D} duration_ns=D"#
/// );
/// ```
pub fn mask_durations(text: &str) -> String {
    let mut text = text.to_owned();
    for key in ["\"duration_ns\":", "duration_ns="] {
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(i) = rest.find(key) {
            out.push_str(&rest[..i + key.len()]);
            rest = &rest[i + key.len()..];
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            assert!(digits > 0, "duration_ns is not a number in {text}");
            out.push('D');
            rest = &rest[digits..];
        }
        out.push_str(rest);
        text = out;
    }
    text
}
