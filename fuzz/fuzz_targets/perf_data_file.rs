//! `ue-tail --file` on arbitrary bytes: see
//! `otel_user_events_fuzz::perf_data_file`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    otel_user_events_fuzz::perf_data_file(data);
});
