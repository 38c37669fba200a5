//! The peers of README's performance targets that several benchmarks measure, each with the same
//! 4-field event: `OrderPlaced { order_id, customer, amount, express }`.

// Each benchmark target compiles this module and uses part of it.
#![allow(dead_code)]

use std::hint::black_box;

use criterion::BenchmarkGroup;
use criterion::measurement::WallTime;
use opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use tracing_subscriber::prelude::*;

pub mod metrics;
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

otel_user_events::define_provider!(
    /// A library's provider, for the disabled path of a call site that names one.
    pub BENCH_LIBRARY, "BenchLibrary"
);

/// [`ue_log_event`] at a call site of the library provider [`BENCH_LIBRARY`].
/// Inlined into the benchmark's `dyn FnMut` shim as `ue_log_event` is (which
/// no other code calls); otherwise the shim's jump into it is counted too.
#[inline(always)]
pub fn ue_log_library_event() {
    let (order_id, customer, amount, express) = ORDER;
    otel_user_events::ue_log!(
        provider: BENCH_LIBRARY,
        info,
        "OrderPlaced",
        order_id = black_box(order_id),
        customer = black_box(customer),
        amount = black_box(amount),
        express = black_box(express)
    );
}

/// An `#[otel_event]` function writing one event with the same 4 fields.
#[otel_user_events::otel_event(name = "OrderPlaced")]
#[inline(never)]
pub fn otel_event_plain(order_id: u64, customer: &str, amount: f64, express: bool) -> u64 {
    black_box(order_id)
}

/// An `#[otel_event]` activity (start with the 4 fields, stop with the return
/// value and `duration_ns`).
#[otel_user_events::otel_event(name = "OrderPlaced", ret)]
#[inline(never)]
pub fn otel_event_activity(order_id: u64, customer: &str, amount: f64, express: bool) -> u64 {
    black_box(order_id)
}

/// Calls `f` with the benchmark's order (black-boxed).
#[inline(always)]
pub fn call_with_order(f: fn(u64, &str, f64, bool) -> u64) {
    let (order_id, customer, amount, express) = ORDER;
    black_box(f(
        black_box(order_id),
        black_box(customer),
        black_box(amount),
        black_box(express),
    ));
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

/// A `tracing` span with one field, entered, exited and closed: what a
/// layer writes for it is its start and stop.
#[inline(never)]
pub fn tracing_span() {
    let span = tracing::info_span!("checkout", cart = black_box(3u64));
    drop(span.enter());
}

/// Waits for tracepoint `name` to be registered and enables it in ftrace.
pub fn listen(name: &str) {
    use otel_user_events_test_support::tracefs;
    tracefs::wait_for_tracepoint(name, std::time::Duration::from_secs(5))
        .and_then(|()| tracefs::enable(name))
        .unwrap_or_else(|e| panic!("enabling {name}: {e}"));
}

/// The `tracing` layer's peers (README's performance targets): the same 4-field
/// `tracing::info!` ([`tracing_info_event`]) through our layer
/// (`UserEventsLayer`, with its per-layer filter) or `tracing-etw` 0.3's layer,
/// each the thread's only subscriber for the duration of `f`.
pub fn with_layer_subscriber<R>(provider_name: &str, f: impl FnOnce() -> R) -> R {
    let layer = otel_user_events::tracing::UserEventsLayer::builder(provider_name)
        .build()
        .expect("valid provider name");
    let subscriber = tracing_subscriber::registry().with(layer.filtered());
    tracing::subscriber::with_default(subscriber, f)
}

/// [`with_layer_subscriber`] with every tracepoint's enable word 0, as when
/// nobody listens: on a host without user_events the layer is shut down first
/// (which zeroes the words; its filter then takes the same path, the call
/// site's table entry and one load), in the VM nobody listens anyway.
pub fn with_disabled_layer_subscriber<R>(provider_name: &str, f: impl FnOnce() -> R) -> R {
    let layer = otel_user_events::tracing::UserEventsLayer::builder(provider_name)
        .build()
        .expect("valid provider name");
    if !layer.report().all_registered() {
        layer.handle().shutdown();
    }
    let subscriber = tracing_subscriber::registry().with(layer.filtered());
    tracing::subscriber::with_default(subscriber, f)
}

/// [`with_layer_subscriber`] with `tracing-etw`'s layer (its own filter, as
/// `LayerBuilder::build` gives it; user_events through `eventheader_dynamic`).
pub fn with_etw_subscriber<R>(provider_name: &str, f: impl FnOnce() -> R) -> R {
    let layer = tracing_etw::LayerBuilder::new(provider_name)
        .build()
        .expect("tracing-etw layer");
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, f)
}

/// The `tracing` layer's disabled baseline: `tracing` with a layer whose per-layer
/// filter says no at each event (interest "sometimes", as ours), so the
/// dispatch is the one our filter pays.
pub fn with_filter_says_no<R>(f: impl FnOnce() -> R) -> R {
    let layer = tracing_subscriber::layer::Identity::new().with_filter(SaysNo);
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, f)
}

/// The floor of any layer that writes what it sees: `tracing` with a layer
/// whose per-layer filter says yes (asking at each event, as ours) and whose
/// `on_event` visits every value into `black_box` and writes nothing.
pub fn with_visit_floor<R>(f: impl FnOnce() -> R) -> R {
    let layer = VisitsAll.with_filter(SaysYes);
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, f)
}

/// Visits every value of every event, keeps none.
struct VisitsAll;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for VisitsAll {
    fn on_event(&self, event: &tracing::Event<'_>, _cx: tracing_subscriber::layer::Context<'_, S>) {
        event.record(&mut BlackBoxVisitor);
    }
}

/// Passes each value to `black_box`.
struct BlackBoxVisitor;

impl tracing::field::Visit for BlackBoxVisitor {
    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        black_box((field, value));
    }
    fn record_f64(&mut self, field: &tracing::field::Field, value: f64) {
        black_box((field, value));
    }
    fn record_bool(&mut self, field: &tracing::field::Field, value: bool) {
        black_box((field, value));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        black_box((field, value));
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        black_box((field, value));
    }
}

/// A per-layer filter that asks at every event and says yes.
struct SaysYes;

impl<S> tracing_subscriber::layer::Filter<S> for SaysYes {
    fn enabled(
        &self,
        meta: &tracing::Metadata<'_>,
        _cx: &tracing_subscriber::layer::Context<'_, S>,
    ) -> bool {
        black_box(meta.fields().len()) != usize::MAX
    }

    fn callsite_enabled(
        &self,
        _meta: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::sometimes()
    }
}

/// A per-layer filter that asks at every event and says no.
struct SaysNo;

impl<S> tracing_subscriber::layer::Filter<S> for SaysNo {
    fn enabled(
        &self,
        meta: &tracing::Metadata<'_>,
        _cx: &tracing_subscriber::layer::Context<'_, S>,
    ) -> bool {
        black_box(meta.fields().len()) == usize::MAX
    }

    fn callsite_enabled(
        &self,
        _meta: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::sometimes()
    }
}
