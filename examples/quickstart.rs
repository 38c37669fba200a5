//! Quickstart: start a provider, write two events, read the counters.
//!
//! On a kernel with user_events (Linux 6.4+, `CONFIG_USER_EVENTS`) the events go
//! to tracepoints; watch them decoded with `ue-tail` (`cargo install --path cli`)
//! in another terminal, then run this:
//!
//! ```text
//! sudo ue-tail --keyword 1 --keyword 0x10 MyService
//! cargo run --example quickstart
//! ```
//!
//! (`ue-tail MyService` alone registers the provider's keyword-1 tracepoints
//! before this starts; the Retry event uses keyword 0x10, so name it too.)
//!
//! Anywhere else the report says why, and the events fall back to OpenTelemetry,
//! here printed on stdout (`stdout_logger_provider`; pass your own
//! `SdkLoggerProvider` with `.logger_provider(..)`, e.g. OTLP: see `otlp.rs`).

use otel_user_events::{Level, Provider, ue_log};

// `pub`: ue-tail's kernel test runs this example in a child process of its own.
pub fn main() {
    // `provider` is a guard: events are written while it lives, and dropping it
    // shuts the provider down. Keep it for as long as events should be written;
    // unused, name it `_provider`: `let _ = ..` would drop it at once.
    let provider = match Provider::builder("MyService")
        .with_stdout_logger_provider()
        .build()
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
