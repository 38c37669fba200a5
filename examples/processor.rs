//! OpenTelemetry logs to user_events: the Logs API -> `SdkLoggerProvider` ->
//! [`UserEventsProcessor`] -> tracepoints `Shop_L<level>K1`.
//!
//! For programs that already log through the OpenTelemetry SDK (the Logs API
//! as here, or an appender: `tracing_bridge.rs` shows `tracing`). Watch the
//! events decoded in another terminal, then run this:
//!
//! ```text
//! sudo ue-tail Shop
//! cargo run --example processor
//! ```
//!
//! It prints the processor's report, emits three records, and prints the
//! counters and what became of the records. Without user_events (no kernel
//! support, no tracefs, no permission) the report says why and the records are
//! counted as `dropped_unavailable`; with user_events but nobody listening,
//! nothing is written and nothing is counted.

use opentelemetry::KeyValue;
use opentelemetry::logs::{AnyValue, LogRecord as _, Logger, LoggerProvider as _, Severity};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use otel_user_events::{logs::UserEventsProcessor, output::BuildError};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let processor = processor()?;
    print!("{}", processor.report());
    let registered = processor.report().all_registered();
    // The logger provider takes the processor; the handle still reads its counters.
    let handle = processor.handle();
    let provider = logger_provider(processor);

    emit_records(&provider.logger("shop"));

    // Unregisters the tracepoints.
    provider.shutdown()?;
    let counters = handle.counters();
    println!("counters: {counters:?}");
    if !registered {
        println!(
            "nothing was written: user_events is unavailable here (see the report above); \
             the {} records were dropped and counted as dropped_unavailable",
            counters.dropped_unavailable
        );
    } else if counters.written == 0 {
        println!(
            "nothing was written: nobody listened (user_events writes an event only while a \
             listener is attached: run `sudo ue-tail Shop` first)"
        );
    } else {
        println!("written: {} events", counters.written);
    }
    Ok(())
}

/// The processor of provider `Shop`.
pub fn processor() -> Result<UserEventsProcessor, BuildError> {
    UserEventsProcessor::builder("Shop")
        // Written at the start of every event's PartC.
        .with_resource_attributes(["deployment.environment"])
        // Events named as their records ("OrderPlaced"), "Log" for a record without a name.
        .with_record_event_name()
        .build()
}

/// A logger provider whose only processor is `processor`.
pub fn logger_provider(processor: UserEventsProcessor) -> SdkLoggerProvider {
    SdkLoggerProvider::builder()
        .with_resource(
            Resource::builder_empty()
                // PartA's ext_cloud_role.
                .with_service_name("shop")
                .with_attribute(KeyValue::new("deployment.environment", "dev"))
                .build(),
        )
        .with_log_processor(processor)
        .build()
}

/// Three records, as an application would emit them through the Logs API.
pub fn emit_records(logger: &impl Logger) {
    // Info: tracepoint Shop_L4K1, event Shop:OrderPlaced.
    let mut record = logger.create_log_record();
    record.set_event_name("OrderPlaced");
    record.set_severity_number(Severity::Info);
    record.set_severity_text("INFO");
    record.set_body("order placed".into());
    record.add_attribute("event_id", 20); // an integer event_id goes to PartB's eventId
    record.add_attribute("order_id", 42);
    record.add_attribute("amount", 9.99);
    // A list of strings is an EventHeader array (the 0.18 crate wrote "").
    record.add_attribute(
        "items",
        AnyValue::ListAny(Box::new(vec!["tea".into(), "cups".into()])),
    );
    logger.emit(record);

    // Warn: tracepoint Shop_L3K1.
    let mut record = logger.create_log_record();
    record.set_event_name("PaymentSlow");
    record.set_severity_number(Severity::Warn);
    record.set_severity_text("WARN");
    record.add_attribute("took_ms", 1250);
    logger.emit(record);

    // No severity: written at the default severity (Info); no name: event Shop:Log.
    let mut record = logger.create_log_record();
    record.set_body("a record without severity".into());
    logger.emit(record);
}
