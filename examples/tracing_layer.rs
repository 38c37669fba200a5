//! Instrument with `tracing`; write events, and spans as activities, straight
//! to user_events with `UserEventsLayer` (feature `tracing`), beside `fmt`.
//!
//! `tracing` -> [`UserEventsLayer`] -> tracepoints `tracing_layer_L<level>K1`
//! (and `..K10` for the `tracing_layer::db` target). No OpenTelemetry SDK in
//! between: no allocation per event, and spans become ActivityStart/Stop pairs.
//!
//! Run it (as root, or with write access to `user_events_data`):
//!
//! ```text
//! cargo run --example tracing_layer
//! ```
//!
//! It prints which tracepoints it registered, then handles one checkout every
//! second for a minute (or as many as its first argument says), printing
//! warnings on stderr through `fmt`, then the counters. Watch from another shell:
//!
//! ```text
//! ue-tail tracing_layer            # every tracepoint of the provider, decoded
//! perf record -e 'user_events:tracing_layer_L4K1' -- sleep 5 && perf-decode perf.data
//! ```
//!
//! Without user_events the report says why, and the final counters show every
//! event as `dropped_unavailable` (seven per checkout: two spans of two events
//! each, three events).

use std::time::Duration;

use otel_user_events::tracing::UserEventsLayer;
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let layer = build_layer()?;
    eprint!("{}", layer.report());
    let handle = layer.handle();
    tracing_subscriber::registry()
        // Writes exactly what someone listens to: one load per event otherwise.
        .with(layer.filtered())
        // Another layer, its own filter: warnings and errors on stderr, always.
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .without_time()
                .with_filter(LevelFilter::WARN),
        )
        .init();

    let rounds: u64 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(60);
    for round in 0..rounds {
        checkout(round);
        if round + 1 < rounds {
            std::thread::sleep(Duration::from_secs(1));
        }
    }
    // A global subscriber is never dropped: unregister the tracepoints here.
    handle.shutdown();
    eprintln!("final counters: {:?}", handle.counters());
    Ok(())
}

/// The layer of this example: provider `tracing_layer`, keyword 0x10 for the
/// database's events.
pub fn build_layer() -> Result<UserEventsLayer, otel_user_events::output::BuildError> {
    UserEventsLayer::builder("tracing_layer")
        .with_target_keyword("tracing_layer::db", 0x10)
        .build()
}

/// One checkout: a span (an activity) with a nested database span, and events
/// that carry the activity of the span they are in.
pub fn checkout(order: u64) {
    let span = tracing::info_span!(
        "checkout",
        order,
        customer = "ada",
        total = tracing::field::Empty
    );
    let _entered = span.enter();
    tracing::info!(name: "CartLoaded", items = 3u64, "cart loaded");
    db::query("SELECT * FROM carts WHERE order = ?");
    tracing::warn!(name: "SlowPayment", elapsed_ms = 1_250u64, "payment took {} ms", 1_250);
    span.record("total", 29.97);
}

mod db {
    /// A query: its own span and event, under target `tracing_layer::db`.
    pub fn query(sql: &str) {
        let _span = tracing::debug_span!(target: "tracing_layer::db", "query", sql).entered();
        tracing::debug!(name: "Rows", target: "tracing_layer::db", rows = 1u64);
    }
}
