//! Decoding of EventHeader events with `tracepoint_decode`, the reference decoder.

use std::fmt::Write as _;

use tracepoint_decode::{EventHeaderEnumeratorContext, PerfConvertOptions, PerfMetaOptions};

/// Why an event could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

/// Decodes one event into compact JSON:
/// `{"n":"Provider:Event",<fields...>,"meta":{"level":4,"keyword":"0x1",...}}`.
///
/// `tracepoint_name` is the registered name (`Provider_L4K1`); `event_data` starts
/// at the EventHeader flags byte (what follows the kernel's common fields in a
/// perf sample, or the bytes after the 4-byte write index in a `writev`).
/// The "meta" object holds the non-zero EventHeader attributes (level, keyword,
/// opcode, activity ids, ...), not perf sample data.
pub fn decode_json(tracepoint_name: &str, event_data: &[u8]) -> Result<String, DecodeError> {
    let mut context = EventHeaderEnumeratorContext::new();
    let mut enumerator = context
        .enumerate_with_name_and_data(
            tracepoint_name,
            event_data,
            EventHeaderEnumeratorContext::MOVE_NEXT_LIMIT_DEFAULT,
        )
        .map_err(|e| DecodeError(format!("not a valid EventHeader event: {e:?}")))?;

    let info = enumerator.event_info();
    let mut out = String::new();
    let options = PerfConvertOptions::Default.and_not(PerfConvertOptions::Space);
    write!(out, "{{\"n\":\"{}\"", info.json_identity_display()).unwrap();
    enumerator
        .write_json_item_and_move_next_sibling(&mut out, true, options)
        .map_err(|_| DecodeError("JSON formatting failed".into()))?;
    if enumerator.last_error() != tracepoint_decode::EventHeaderEnumeratorError::Success {
        return Err(DecodeError(format!(
            "decoding stopped early: {:?} (partial: {out})",
            enumerator.last_error()
        )));
    }
    let info = enumerator.event_info();
    let mut meta = info.json_meta_display(None);
    meta.meta_options(PerfMetaOptions::Default)
        .convert_options(options)
        .add_comma_before_first_item(false);
    write!(out, ",\"meta\":{{{meta}}}}}").unwrap();
    Ok(out)
}
