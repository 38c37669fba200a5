//! Fuzz bodies, shared by the cargo-fuzz targets in `fuzz_targets/`.

use std::io;

use arbitrary::{Result, Unstructured};
use opentelemetry::Key;
use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _, LoggerProvider as _, Severity};
use opentelemetry_sdk::logs::{LogProcessor as _, SdkLoggerProvider};
use otel_user_events::logs::UserEventsProcessor;
use otel_user_events::testing::Capture;
// otel-user-events-listen's decoder, as the tests' support crate re-exports it.
use otel_user_events_test_support::decode::{DecodeError, decode_json};
use tracepoint_decode::{PerfByteReader, PerfEventDesc, PerfSampleEventInfo, PerfSessionInfo};
use ue_tail::filter::Filter;
use ue_tail::output::Output;

/// Largest event, bytes after the write index.
const MAX_EVENT: usize = 65_535;

/// A string: arbitrary UTF-8, sometimes repeated up to 65,535 times so that
/// small inputs reach the 64 KB limit.
fn text(u: &mut Unstructured<'_>) -> Result<String> {
    let s: String = u.arbitrary()?;
    let repeat = if u.ratio(1, 8)? {
        u.int_in_range(1..=u16::MAX as usize)?
    } else {
        1
    };
    Ok(s.repeat(repeat))
}

fn bytes(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let b: Vec<u8> = u.arbitrary()?;
    let repeat = if u.ratio(1, 8)? {
        u.int_in_range(1..=u16::MAX as usize)?
    } else {
        1
    };
    Ok(b.repeat(repeat))
}

/// An `AnyValue` tree at most `depth` levels deep.
fn any_value(u: &mut Unstructured<'_>, depth: u32) -> Result<AnyValue> {
    let kinds = if depth == 0 { 5 } else { 9 };
    Ok(match u.choose_index(kinds)? {
        0 => AnyValue::Boolean(u.arbitrary()?),
        1 => AnyValue::Int(u.arbitrary()?),
        2 => AnyValue::Double(u.arbitrary()?),
        3 => AnyValue::String(text(u)?.into()),
        4 => AnyValue::Bytes(Box::new(bytes(u)?)),
        5 => {
            // A homogeneous list (an EventHeader array), possibly long.
            let kind = u.choose_index(5)?;
            let len = u.int_in_range(0..=70_000usize)?;
            let seed: u64 = u.arbitrary()?;
            let items = (0..len as u64)
                .map(|i| {
                    let x = seed.wrapping_mul(i | 1).rotate_left(i as u32 % 64);
                    match kind {
                        0 => AnyValue::Boolean(x & 1 == 1),
                        1 => AnyValue::Int(x as i64),
                        2 => AnyValue::Double(f64::from_bits(x)),
                        3 => AnyValue::String(format!("{x:x}").repeat((x % 40) as usize).into()),
                        _ => AnyValue::Bytes(Box::new(x.to_ne_bytes().repeat((x % 20) as usize))),
                    }
                })
                .collect();
            AnyValue::ListAny(Box::new(items))
        }
        6 | 7 => {
            let mut items = Vec::new();
            u.arbitrary_loop(None, Some(64), |u| {
                items.push(any_value(u, depth - 1)?);
                Ok(std::ops::ControlFlow::Continue(()))
            })?;
            AnyValue::ListAny(Box::new(items))
        }
        _ => {
            let mut map = std::collections::HashMap::new();
            u.arbitrary_loop(None, Some(80), |u| {
                map.insert(Key::new(text(u)?), any_value(u, depth - 1)?);
                Ok(std::ops::ControlFlow::Continue(()))
            })?;
            AnyValue::Map(Box::new(map))
        }
    })
}

/// Builds a log record (severity, body, up to 300 attributes of arbitrary
/// `AnyValue` trees) from `data`, writes it with a `UserEventsProcessor` in
/// capture mode, and checks: nothing panics, exactly one event is written, it
/// is at most 64 KB, `tracepoint_decode` decodes it, and the counters agree
/// with it (written once, truncated exactly when the event says so, nothing
/// dropped).
pub fn processor_any_value(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok((severity, body, attributes)) = record(&mut u) else {
        return;
    };
    let processor = UserEventsProcessor::builder("FuzzProc").build().unwrap();
    let provider = SdkLoggerProvider::builder().build();
    let logger = provider.logger("fuzz");
    let scope = opentelemetry::InstrumentationScope::builder("fuzz").build();
    let mut record = logger.create_log_record();
    if let Some(severity) = severity {
        record.set_severity_number(severity);
    }
    if let Some(body) = body {
        record.set_body(body);
    }
    for (key, value) in attributes {
        record.add_attribute(Key::new(key), value);
    }
    let (_, events) = Capture::new("FuzzProc")
        .unwrap()
        .run(|| processor.emit(&mut record, &scope));
    let counters = processor.counters();
    assert_eq!(events.len(), 1, "{counters:?}");
    let event = &events[0];
    assert!(
        event.payload.len() <= MAX_EVENT,
        "{} bytes",
        event.payload.len()
    );
    if let Err(e) = decode_json(&event.tracepoint, &event.payload) {
        panic!("the event does not decode: {e}");
    }
    assert_eq!(counters.written, 1, "{counters:?}");
    assert_eq!(
        counters.truncated,
        u64::from(event.truncated),
        "{counters:?}"
    );
    assert_eq!(counters.dropped(), 0, "{counters:?}");
}

type Parts = (Option<Severity>, Option<AnyValue>, Vec<(String, AnyValue)>);

fn record(u: &mut Unstructured<'_>) -> Result<Parts> {
    use Severity::*;
    const SEVERITIES: [Severity; 24] = [
        Trace, Trace2, Trace3, Trace4, Debug, Debug2, Debug3, Debug4, Info, Info2, Info3, Info4,
        Warn, Warn2, Warn3, Warn4, Error, Error2, Error3, Error4, Fatal, Fatal2, Fatal3, Fatal4,
    ];
    let severity = if u.arbitrary()? {
        Some(*u.choose(&SEVERITIES)?)
    } else {
        None
    };
    let body = if u.arbitrary()? {
        Some(any_value(u, 3)?)
    } else {
        None
    };
    let mut attributes = Vec::new();
    u.arbitrary_loop(None, Some(300), |u| {
        let key = if u.ratio(1, 16)? {
            "event_id".to_owned()
        } else {
            text(u)?
        };
        attributes.push((key, any_value(u, 3)?));
        Ok(std::ops::ControlFlow::Continue(()))
    })?;
    Ok((severity, body, attributes))
}

/// `ue-tail --file` on `data` as a perf.data file, through ue-tail's own
/// decoding path (`ue_tail::file::decode`), for people and as JSON, and
/// checks: no panic escapes, and every panic ue-tail caught (and reported
/// with the record's offset) was inside an upstream decoder crate
/// (`tracepoint_decode`, ...), not in ue-tail's code. That it finishes is
/// libFuzzer's `-timeout` (scripts/fuzz.sh).
pub fn perf_data_file(data: &[u8]) {
    for json in [false, true] {
        let mut out = Output::new(io::sink(), json, Filter::default(), None)
            .with_warnings(Box::new(io::sink()));
        // Not a perf.data file at all: nothing to decode.
        let Ok(summary) = ue_tail::file::decode(io::Cursor::new(data), &mut out) else {
            continue;
        };
        for (offset, panic) in &summary.panics {
            assert!(
                panic.is_upstream(),
                "ue-tail's own code panicked at offset {offset}: {panic}"
            );
        }
        assert!(summary.undecodable <= summary.samples + summary.panics.len() as u64);
    }
}

/// The tracepoint names [`eventheader_payload`]'s first byte picks from.
pub const TRACEPOINTS: [&str; 4] = ["P_L4K1", "Shop_L4K1", "Shop_L2K10", "P_L4K1Gteam"];

/// `data` as an EventHeader event: its first byte picks the tracepoint name
/// ([`TRACEPOINTS`]), the rest is the payload (what follows the common
/// fields). Decodes it with `otel-user-events-listen`'s decoder (the JSON of
/// `ue-tail --json` and of the tests) and with ue-tail's view for people,
/// and checks: no panic escapes either, and a panic they caught was inside
/// an upstream decoder crate.
pub fn eventheader_payload(data: &[u8]) {
    let Some((&selector, payload)) = data.split_first() else {
        return;
    };
    let tracepoint = TRACEPOINTS[selector as usize % TRACEPOINTS.len()];
    if let Err(DecodeError(e)) = decode_json(tracepoint, payload)
        && let Some(panic) = e.strip_prefix("the decoder panicked at ")
    {
        assert!(
            panic.starts_with("tracepoint_") || panic.starts_with("eventheader"),
            "listen's decoder panicked in its own code: {e}"
        );
    }
    let session = PerfSessionInfo::new(PerfByteReader::new(cfg!(target_endian = "big")));
    let desc = PerfEventDesc::default();
    let sample = PerfSampleEventInfo::new(&[0; 8], &session, &desc);
    let mut out =
        Output::new(io::sink(), false, Filter::default(), None).with_warnings(Box::new(io::sink()));
    out.eventheader(tracepoint, payload, &sample)
        .expect("writing to a sink");
    for (_, panic) in out.take_panics() {
        assert!(panic.is_upstream(), "ue-tail's own code panicked: {panic}");
    }
}
