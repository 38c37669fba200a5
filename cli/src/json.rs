//! The `--json` view: one object per event, as `tracepoint_decode` writes it,
//! with the sample's time, cpu, pid and tid in "meta".

use std::fmt::Write as _;

use otel_user_events_listen::decode::{self, DecodeError, JSON_OPTIONS};
use tracepoint_decode::display::JsonEscapeDisplay;
use tracepoint_decode::{PerfEventFormat, PerfSampleEventInfo};

/// Appends the JSON of an EventHeader event:
/// `{"n":"Provider:Event",<fields>,"meta":{"time":..,"cpu":..,"pid":..,"level":..}}`.
pub fn eventheader(
    out: &mut String,
    tracepoint: &str,
    event_data: &[u8],
    sample: &PerfSampleEventInfo,
) -> Result<(), DecodeError> {
    decode::write_json(out, tracepoint, event_data, Some(sample))
}

/// Appends the JSON of a tracepoint event decoded with its tracefs format:
/// `{"n":"system:name",<fields>,"meta":{...}}`.
pub fn plain(out: &mut String, sample: &PerfSampleEventInfo, format: &PerfEventFormat) {
    // Writing to a String cannot fail.
    let _ = write!(out, "{{\"n\":\"{}\"", sample.json_name_display());
    for field in format.fields().iter().skip(format.common_field_count()) {
        let value = field.get_field_value(sample);
        let _ = write!(
            out,
            ",\"{}\":{}",
            JsonEscapeDisplay::new(field.name()),
            value.json_display()
        );
    }
    let mut meta = sample.json_meta_display();
    meta.convert_options(JSON_OPTIONS);
    let _ = write!(out, ",\"meta\":{{{meta}}}}}");
}
