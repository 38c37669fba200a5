//! The `UserEventsProcessor`'s encoder on arbitrary records: see
//! `otel_user_events_fuzz::processor_any_value`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    otel_user_events_fuzz::processor_any_value(data);
});
