//! The peers of SPEC §9 that several benchmarks measure, each with the same
//! 4-field event: `OrderPlaced { order_id, customer, amount, express }`.

// Each benchmark target compiles this module and uses part of it.
#![allow(dead_code)]

use std::hint::black_box;

use criterion::BenchmarkGroup;
use criterion::measurement::WallTime;
use opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use tracing_subscriber::prelude::*;

pub mod spans;

/// The event's values.
pub const ORDER: (u64, &str, f64, bool) = (42, "ada", 9.99, true);

eventheader::define_provider!(P2_PROVIDER, "BenchP2");

/// Registers P2's provider, so `BenchP2_L4K1` can be listened to.
pub fn register_p2() {
    // SAFETY: the provider is a static; `unregister_p2` unregisters it.
    unsafe { P2_PROVIDER.register() };
}

/// Unregisters P2's provider.
pub fn unregister_p2() {
    P2_PROVIDER.unregister();
}

/// P2: `eventheader::write_event!` with the same fields (unregistered unless
/// [`register_p2`] was called: then it writes when `BenchP2_L4K1` is enabled).
pub fn bench_p2(group: &mut BenchmarkGroup<'_, WallTime>) {
    group.bench_function("P2_eventheader_write_event", |b| b.iter(p2_event));
}

/// One P2 event.
#[inline(always)]
pub fn p2_event() {
    let (order_id, customer, amount, express) = ORDER;
    eventheader::write_event!(
        P2_PROVIDER,
        "OrderPlaced",
        level(Informational),
        u64("order_id", &black_box(order_id)),
        str8("customer", black_box(customer)),
        f64("amount", &black_box(amount)),
        bool8("express", &black_box(express)),
    );
}

/// The seed crate's `Processor` for `provider_name` (tracepoints `<name>_L<n>K1`).
pub fn seed_provider(provider_name: &str) -> SdkLoggerProvider {
    let processor = opentelemetry_user_events_logs::Processor::builder(provider_name)
        .build()
        .expect("valid provider name");
    SdkLoggerProvider::builder()
        .with_log_processor(processor)
        .build()
}

/// P1, the seed path: `tracing::error!` -> `opentelemetry-appender-tracing` ->
/// `provider`. The subscriber is set for this thread only, so benchmarks of
/// `tracing` without a subscriber elsewhere in the group are unaffected.
pub fn bench_p1(group: &mut BenchmarkGroup<'_, WallTime>, provider: &SdkLoggerProvider) {
    with_p1_subscriber(provider, || {
        group.bench_function("P1_seed_tracing_appender_processor", |b| b.iter(p1_event));
    });
}

/// Runs `f` with the appender bridging `tracing` to `provider`, on this thread.
pub fn with_p1_subscriber<R>(provider: &SdkLoggerProvider, f: impl FnOnce() -> R) -> R {
    let subscriber = tracing_subscriber::registry().with(OpenTelemetryTracingBridge::new(provider));
    tracing::subscriber::with_default(subscriber, f)
}

/// One P1 event (reaches the seed's processor inside [`with_p1_subscriber`]).
#[inline(always)]
pub fn p1_event() {
    let (order_id, customer, amount, express) = ORDER;
    tracing::error!(
        name: "OrderPlaced",
        order_id = black_box(order_id),
        customer = black_box(customer),
        amount = black_box(amount),
        express = black_box(express)
    );
}

/// One `tracing::info!` event, the fallback's peer (through the appender when
/// a subscriber bridges it to an SDK logger provider).
#[inline(always)]
pub fn tracing_info_event() {
    let (order_id, customer, amount, express) = ORDER;
    tracing::info!(
        name: "OrderPlaced",
        order_id = black_box(order_id),
        customer = black_box(customer),
        amount = black_box(amount),
        express = black_box(express)
    );
}

/// One `ue_log!` event; its values are evaluated (and black-boxed) only when enabled.
#[inline(always)]
pub fn ue_log_event() {
    let (order_id, customer, amount, express) = ORDER;
    otel_user_events::ue_log!(
        info,
        "OrderPlaced",
        order_id = black_box(order_id),
        customer = black_box(customer),
        amount = black_box(amount),
        express = black_box(express)
    );
}

/// The resource of the processor benchmarks' logger providers.
pub fn resource() -> opentelemetry_sdk::Resource {
    opentelemetry_sdk::Resource::builder_empty()
        .with_service_name("benchmark")
        .build()
}

/// The record `opentelemetry-appender-tracing` builds for the processor
/// benchmarks' `error!` with `n` attributes (`fieldN = "fieldN"`).
pub fn appender_like_record(n: usize) -> opentelemetry_sdk::logs::SdkLogRecord {
    use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _, Severity};
    let provider = SdkLoggerProvider::builder().build();
    let mut record = provider.logger("bench").create_log_record();
    record.set_event_name("CheckoutFailed");
    record.set_target("processor");
    record.set_severity_number(Severity::Error);
    record.set_severity_text("ERROR");
    record.set_body("Unable to process checkout.".into());
    for i in 1..=n {
        record.add_attribute(format!("field{i}"), format!("field{i}"));
    }
    record.set_observed_timestamp(std::time::SystemTime::now());
    record
}

/// L1's tracepoint: registered with the EventHeader field list, written with
/// the raw bytes of an event, so the kernel does what it does for ours.
pub static L1_STATE: tracepoint::TracepointState = tracepoint::TracepointState::new(0);

/// Registers [`L1_STATE`] as the tracepoint `name`.
pub fn register_l1(name: &str) {
    let command = std::ffi::CString::new(format!(
        "{name} {}",
        otel_user_events_abi::EVENTHEADER_FIELDS
    ))
    .expect("no NUL in the name");
    // SAFETY: the state is a static, so it outlives the registration.
    let rc = unsafe { std::pin::Pin::static_ref(&L1_STATE).register(&command) };
    assert_eq!(rc, 0, "registering {name} failed");
}

/// L1: one raw `writev` of `payload` (an event's bytes after the write index).
#[inline(always)]
pub fn l1_write(payload: &[u8]) {
    let mut data = [
        tracepoint::EventDataDescriptor::zero(),
        tracepoint::EventDataDescriptor::from_bytes(black_box(payload)),
    ];
    L1_STATE.write(&mut data);
}

/// The bytes [`ue_log_event`] writes for a provider named `provider_name`.
pub fn ue_log_payload(provider_name: &str) -> Vec<u8> {
    let (_, events) = otel_user_events::testing::Capture::new(provider_name)
        .expect("valid provider name")
        .at_time(std::time::SystemTime::now())
        .run(ue_log_event);
    events.into_iter().next().expect("one event").payload
}

/// Waits for tracepoint `name` to be registered and enables it in ftrace.
pub fn listen(name: &str) {
    use otel_user_events_test_support::tracefs;
    tracefs::wait_for_tracepoint(name, std::time::Duration::from_secs(5))
        .and_then(|()| tracefs::enable(name))
        .unwrap_or_else(|e| panic!("enabling {name}: {e}"));
}
