//! Decoding of EventHeader events with `tracepoint_decode`, the reference decoder.

use std::fmt::Write as _;

use tracepoint_decode::{
    EventHeaderEnumeratorContext, EventHeaderEnumeratorError, PerfConvertOptions, PerfMetaOptions,
    PerfSampleEventInfo,
};

use crate::isolate::isolate;

/// Why an event could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

/// The conversion options of all our JSON: the decoder's defaults, compact.
pub const JSON_OPTIONS: PerfConvertOptions =
    PerfConvertOptions::Default.and_not(PerfConvertOptions::Space);

/// Decodes one event into compact JSON:
/// `{"n":"Provider:Event",<fields...>,"meta":{"level":4,"keyword":"0x1",...}}`.
///
/// `tracepoint_name` is the registered name (`Provider_L4K1`); `event_data` starts
/// at the EventHeader flags byte (what follows the kernel's common fields in a
/// perf sample, or the bytes after the 4-byte write index in a `writev`).
/// The "meta" object holds the non-zero EventHeader attributes (level, keyword,
/// opcode, activity ids, ...), not perf sample data.
pub fn decode_json(tracepoint_name: &str, event_data: &[u8]) -> Result<String, DecodeError> {
    let mut out = String::new();
    write_json(&mut out, tracepoint_name, event_data, None)?;
    Ok(out)
}

/// Appends the JSON of [`decode_json`] to `out`; with `sample`, "meta" starts
/// with the perf sample's `time`, `cpu`, `pid` and `tid`.
///
/// On error `out` is left as it was; a panic of the decoder is an error
/// too ("the decoder panicked at ..."), not a panic of the caller.
pub fn write_json(
    out: &mut String,
    tracepoint_name: &str,
    event_data: &[u8],
    sample: Option<&PerfSampleEventInfo>,
) -> Result<(), DecodeError> {
    let start = out.len();
    // tracepoint_decode 0.5 can panic on a malformed event (a debug
    // assertion on a field encoding with both array flags): an error here.
    match isolate(|| write_json_unisolated(out, tracepoint_name, event_data, sample)) {
        Ok(result) => result,
        Err(panic) => {
            out.truncate(start);
            Err(DecodeError(format!("the decoder {panic}")))
        }
    }
}

fn write_json_unisolated(
    out: &mut String,
    tracepoint_name: &str,
    event_data: &[u8],
    sample: Option<&PerfSampleEventInfo>,
) -> Result<(), DecodeError> {
    let mut context = EventHeaderEnumeratorContext::new();
    let mut enumerator = context
        .enumerate_with_name_and_data(
            tracepoint_name,
            event_data,
            EventHeaderEnumeratorContext::MOVE_NEXT_LIMIT_DEFAULT,
        )
        .map_err(|e| DecodeError(format!("not a valid EventHeader event: {e:?}")))?;

    let start = out.len();
    let info = enumerator.event_info();
    // Writing to a String cannot fail.
    let _ = write!(out, "{{\"n\":\"{}\"", info.json_identity_display());
    let _ = enumerator.write_json_item_and_move_next_sibling(out, true, JSON_OPTIONS);
    if enumerator.last_error() != EventHeaderEnumeratorError::Success {
        let error = DecodeError(format!(
            "decoding stopped early: {:?} (partial: {})",
            enumerator.last_error(),
            &out[start..]
        ));
        out.truncate(start);
        return Err(error);
    }
    let info = enumerator.event_info();
    let mut meta = info.json_meta_display(sample);
    meta.meta_options(PerfMetaOptions::Default)
        .convert_options(JSON_OPTIONS)
        .add_comma_before_first_item(false);
    let _ = write!(out, ",\"meta\":{{{meta}}}}}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_of_the_decoder_is_an_error() {
        // Field `f` of event `E`: encoding 0x62, Value8 with both array flags
        // (reserved); tracepoint_decode 0.5 debug-asserts on it.
        let event = [
            7, 0, 0, 0, 0, 0, 0, 4, 5, 0, 1, 0, b'E', 0, b'f', 0, 0x62, 1, 0, 0,
        ];
        let mut out = String::from("kept");
        let result = write_json(&mut out, "P_L4K1", &event, None);
        if cfg!(debug_assertions) {
            let DecodeError(e) = result.unwrap_err();
            assert!(
                e.starts_with("the decoder panicked at tracepoint_decode-0.5"),
                "{e}"
            );
            assert!(e.contains("perf_item.rs:412:9: assertion failed"), "{e}");
            assert_eq!(out, "kept");
        } else {
            assert_eq!(result, Ok(()));
        }
    }
}
