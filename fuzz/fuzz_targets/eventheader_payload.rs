//! Arbitrary bytes as an EventHeader event: see
//! `otel_user_events_fuzz::eventheader_payload`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    otel_user_events_fuzz::eventheader_payload(data);
});
