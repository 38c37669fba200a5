//! One request, one set of ids, across every front end: a `tracing` span
//! (through `tracing-opentelemetry` into the OpenTelemetry SDK, and through
//! the `UserEventsLayer`), a `tracing` event, a `ue_log!`, an OpenTelemetry
//! log record (`UserEventsProcessor`) and an OpenTelemetry child span
//! (`UserEventsSpanProcessor`, live spans) with a `ue_log!` inside.
//!
//! ```text
//! sudo ue-tail --trace <trace id> Shop ShopSpans ShopLogs ShopLayer   # one terminal
//! cargo run --example correlation                                     # another: prints the trace id
//! ```
//!
//! Every event carries the trace in PartA; each span's events carry its
//! activity id (`ActivityId::from_span` of its trace and span ids), a child
//! span's start its parent's as related id: `ue-tail --activity` finds one
//! span's events whichever front end wrote them. Your own crate needs the
//! features `tracing` and `tracing-opentelemetry` of `otel-user-events`.

use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _, Severity};
use opentelemetry::trace::{TraceContextExt as _, TraceId, Tracer as _, TracerProvider as _};
use opentelemetry_sdk::logs::{SdkLogger, SdkLoggerProvider};
use opentelemetry_sdk::trace::{SdkTracerProvider, TracerProviderBuilder};
use otel_user_events::logs::UserEventsProcessor;
use otel_user_events::output::OutputHandle;
use otel_user_events::trace::UserEventsSpanProcessor;
use otel_user_events::tracing::UserEventsLayer;
use otel_user_events::{Provider, ue_log};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::layer::SubscriberExt as _;

/// The outputs of the request, each under a provider name of its own.
pub struct Pipeline {
    pub tracer_provider: SdkTracerProvider,
    pub logger_provider: SdkLoggerProvider,
    /// Made outside the request: the SDK logs about making one, through
    /// `tracing` (its `internal-logs`), which the layer would write too.
    pub logger: SdkLogger,
    pub dispatch: tracing::Dispatch,
    /// The span processor's, the log processor's, the layer's.
    pub handles: [OutputHandle; 3],
}

/// Provider names: the span processor's, the log processor's, the layer's.
pub const SPANS: &str = "ShopSpans";
pub const LOGS: &str = "ShopLogs";
pub const LAYER: &str = "ShopLayer";

/// The span processor (live spans) in `tracer_provider`, the log processor
/// in a logger provider, and a subscriber with `tracing-opentelemetry` then
/// the `UserEventsLayer`: the layer reads the OpenTelemetry span that
/// `tracing-opentelemetry` made, so it comes second.
pub fn pipeline(tracer_provider: TracerProviderBuilder) -> Pipeline {
    let spans = UserEventsSpanProcessor::builder(SPANS)
        .with_live_spans(true)
        .build()
        .expect("valid name");
    let logs = UserEventsProcessor::builder(LOGS)
        .build()
        .expect("valid name");
    let layer = UserEventsLayer::builder(LAYER).build().expect("valid name");
    let handles = [spans.handle(), logs.handle(), layer.handle()];
    let tracer_provider = tracer_provider.with_span_processor(spans).build();
    let logger_provider = SdkLoggerProvider::builder()
        .with_log_processor(logs)
        .build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(tracer_provider.tracer("shop")))
        .with(layer.filtered());
    Pipeline {
        logger: logger_provider.logger("shop"),
        tracer_provider,
        logger_provider,
        dispatch: tracing::Dispatch::new(subscriber),
        handles,
    }
}

/// The request: a `tracing` span `checkout` with everything inside it.
/// Returns its trace id.
pub fn request(p: &Pipeline) -> TraceId {
    tracing::dispatcher::with_default(&p.dispatch, || {
        let checkout = tracing::info_span!("checkout", cart = 3u64);
        let trace_id = checkout.context().span().span_context().trace_id();
        let _entered = checkout.enter();
        tracing::info!(name: "Inside", "in checkout");
        ue_log!(info, "Charged", amount = 5u64);
        let mut record = p.logger.create_log_record();
        record.set_severity_number(Severity::Info);
        record.set_body("logged".into());
        p.logger.emit(record);
        p.tracer_provider
            .tracer("shop")
            .in_span("charge", |_| ue_log!(info, "InCharge", step = 1u64));
        trace_id
    })
}

pub fn main() {
    let provider = Provider::builder("Shop").build().expect("valid name");
    let pipeline = pipeline(SdkTracerProvider::builder());
    if !provider.report().active.user_events {
        eprintln!(
            "no user_events here: nothing to watch ({})",
            provider.report().reason
        );
    }
    let trace_id = request(&pipeline);
    println!("trace {trace_id}");
    for handle in &pipeline.handles {
        println!("{:?}", handle.counters());
    }
    let _ = pipeline.tracer_provider.shutdown();
    let _ = pipeline.logger_provider.shutdown();
    provider.shutdown();
}
