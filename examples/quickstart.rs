//! Quickstart: start a provider, write two events, read the counters.
//!
//! On a kernel with user_events (Linux 6.4+, `CONFIG_USER_EVENTS`) the events go
//! to tracepoints; watch them while this runs:
//!
//! ```text
//! sudo perf record -e 'user_events:MyService_L4K1' -e 'user_events:MyService_L3K10' -- \
//!     cargo run --example quickstart
//! ```
//!
//! Anywhere else the report says why, and the events fall back to OpenTelemetry,
//! here printed on stdout (`stdout_logger_provider`; pass your own
//! `SdkLoggerProvider` with `.logger_provider(..)`, e.g. OTLP: see `otlp.rs`).

use otel_user_events::{Level, Provider, ue_log};

fn main() {
    let provider = match Provider::builder("MyService")
        .stdout_logger_provider()
        .init()
    {
        Ok(provider) => provider,
        Err(e) => {
            eprintln!("cannot start the provider: {e}");
            std::process::exit(1);
        }
    };
    print!("{}", provider.report());

    let (order_id, customer) = (42u64, "ada");
    ue_log!(
        info,
        "OrderPlaced",
        order_id,
        customer,
        amount = 9.99,
        express = true
    );

    let attempt = 2;
    let error = std::io::Error::from(std::io::ErrorKind::TimedOut);
    ue_log!(Level::Warn, "Retry", keyword = 0x10, attempt, %error, body = "retrying");

    println!("counters: {:?}", provider.counters());
    provider.shutdown();
}
