//! OpenTelemetry spans to user_events: the Trace API -> `SdkTracerProvider` ->
//! [`UserEventsSpanProcessor`] -> the tracepoint `Shop_L4K1`, with `ue_log!`
//! events written inside the spans.
//!
//! The spans are live: each one is written when it starts (ActivityStart) and
//! when it ends (ActivityStop), and the events written while it is current
//! carry its activity id, so a listener sees the span's start, what happened
//! inside it and its end as one group. Watch them decoded in another terminal,
//! then run this:
//!
//! ```text
//! sudo ue-tail Shop
//! cargo run --example spans
//! ```
//!
//! Or only one span's events: `sudo ue-tail --activity <its activity id> Shop`
//! (the id is the trace id's first 16 hex digits, then the span id).
//!
//! It prints the span processor's report, writes two nested spans with events
//! inside, then a `tracing` span (through `tracing-opentelemetry`, which makes
//! it the current OpenTelemetry span while it is entered) with an event
//! inside, and prints the counters and what became of the spans. Without
//! user_events the report says why and the events are counted as
//! `dropped_unavailable`; with user_events but nobody listening, nothing is
//! written and nothing is counted.

use opentelemetry::KeyValue;
use opentelemetry::trace::{
    Span as _, SpanKind, Status, TraceContextExt as _, Tracer as _, TracerProvider as _,
    mark_span_as_active,
};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use otel_user_events::{Provider, output::BuildError, trace::UserEventsSpanProcessor, ue_log};
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::SubscriberExt as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `ue_log!` events go to the provider's tracepoints (Shop_L4K1 here too).
    let events = Provider::builder("Shop").build()?;
    let processor = span_processor()?;
    print!("{}", processor.report());
    let registered = processor.report().all_registered();
    // The tracer provider takes the processor; the handle still reads its counters.
    let handle = processor.handle();
    let provider = tracer_provider(processor);

    checkout(&provider.tracer("shop"));
    ship_with_tracing(&provider);

    // Unregisters the tracepoint.
    provider.shutdown()?;
    events.shutdown();
    let counters = handle.counters();
    println!("span processor counters: {counters:?}");
    if !registered {
        println!(
            "nothing was written: user_events is unavailable here (see the report above); \
             the {} span events were dropped and counted as dropped_unavailable",
            counters.dropped_unavailable
        );
    } else if counters.written == 0 {
        println!(
            "nothing was written: nobody listened (user_events writes an event only while a \
             listener is attached: run `sudo ue-tail Shop` first)"
        );
    } else {
        println!("written: {} span events", counters.written);
    }
    Ok(())
}

/// The span processor of provider `Shop`: live spans, span events (the
/// default) and typed arrays (the default).
pub fn span_processor() -> Result<UserEventsSpanProcessor, BuildError> {
    UserEventsSpanProcessor::builder("Shop")
        .with_live_spans(true)
        .build()
}

/// A tracer provider with `processor`; `service.name` becomes PartA's `ext_cloud_role`.
pub fn tracer_provider(processor: UserEventsSpanProcessor) -> SdkTracerProvider {
    SdkTracerProvider::builder()
        .with_resource(Resource::builder_empty().with_service_name("shop").build())
        .with_span_processor(processor)
        .build()
}

/// A checkout: span `checkout` (server) with a child span `charge` (client),
/// `ue_log!` events inside both, a span event and an error status on `charge`.
pub fn checkout(tracer: &SdkTracer) {
    let span = tracer
        .span_builder("checkout")
        .with_kind(SpanKind::Server)
        .with_attributes([
            KeyValue::new("http.request.method", "POST"),
            KeyValue::new("cart.items", 3),
        ])
        .start(tracer);
    let cx = opentelemetry::Context::current_with_span(span);
    let _current = cx.clone().attach();
    ue_log!(info, "CartLoaded", items = 3u32);
    {
        let mut charge = tracer
            .span_builder("charge")
            .with_kind(SpanKind::Client)
            .start(tracer);
        charge.set_attribute(KeyValue::new("payment.provider", "acme"));
        charge.add_event("card authorised", vec![KeyValue::new("attempt", 1)]);
        charge.set_status(Status::error("insufficient funds"));
        // Current until the end of the block, where it ends.
        let _current = mark_span_as_active(charge);
        ue_log!(warn, "PaymentSlow", took_ms = 1250u64);
    }
    cx.span()
        .set_attribute(KeyValue::new("http.response.status_code", 402));
}

/// A `tracing` span, made an OpenTelemetry span by `tracing-opentelemetry`'s
/// layer (which also makes it the current OpenTelemetry context while it is
/// entered), with a `ue_log!` event inside.
pub fn ship_with_tracing(provider: &SdkTracerProvider) {
    // The OpenTelemetry crates log about themselves through `tracing`: keep
    // them out, or they become span events.
    let not_opentelemetry = filter_fn(|meta| !meta.target().starts_with("opentelemetry"));
    let layer = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("shop"))
        .with_filter(not_opentelemetry);
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, || {
        let span = tracing::info_span!("ship", order = 42);
        let _entered = span.enter();
        ue_log!(info, "Shipped", carrier = "post");
    });
}
