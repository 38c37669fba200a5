//! Every output can be built and dropped any number of times: each cycle
//! opens one `user_events_data` descriptor and closes it exactly once, on
//! every shutdown and drop path, and its tracepoints leave
//! `user_events_status`. Counted through `/proc/self/fd` across 1,000 cycles
//! of each output (before, one descriptor stayed behind per cycle, pointed at
//! `/dev/null`, until the process ran out at 1,024).
//!
//! Runs only inside the user_events VM (without user_events no descriptor is
//! opened at all): `scripts/kernel-test.sh cargo-test --test kernel_lifecycle`.
//! Elsewhere each test prints a `skipped:` line.

use std::sync::Mutex;
use std::time::Duration;

use opentelemetry_sdk::logs::SdkLoggerProvider;
use opentelemetry_sdk::trace::SdkTracerProvider;
use otel_user_events::Provider;
use otel_user_events::logs::UserEventsProcessor;
use otel_user_events::trace::UserEventsSpanProcessor;
use otel_user_events::tracing::UserEventsLayer;
use otel_user_events_test_support::{require_kernel, tracefs};
use tracing_subscriber::layer::SubscriberExt as _;

const CYCLES: usize = 1_000;
const WAIT: Duration = Duration::from_secs(30);

/// One provider per process, and the descriptor count is the process's.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// The descriptors this process has open.
fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .count()
}

/// Runs `cycle` [`CYCLES`] times and checks that the process has the same
/// descriptors after as before, and that no tracepoint of `provider` is left.
fn cycles(provider: &str, mut cycle: impl FnMut(usize)) {
    // Warm up once: lazily opened files of the runtime or the test harness
    // are not the outputs' to close.
    cycle(0);
    let before = open_fds();
    for i in 1..=CYCLES {
        cycle(i);
    }
    let after = open_fds();
    assert_eq!(
        after,
        before,
        "{provider}: {} descriptors left after {CYCLES} cycles",
        after as isize - before as isize
    );
    for level in 1..=5 {
        let name = format!("{provider}_L{level}K1");
        tracefs::wait_for_unregistered(&name, WAIT)
            .unwrap_or_else(|e| panic!("{name} still registered: {e}"));
    }
}

#[test]
fn a_provider_closes_its_descriptor_at_shutdown_and_at_drop() {
    require_kernel!();
    let _serial = serial();
    cycles("KLifeProvider", |i| {
        let provider = Provider::builder("KLifeProvider")
            .with_keywords([1])
            .build()
            .unwrap();
        assert!(
            provider.report().active.user_events,
            "{}",
            provider.report()
        );
        if i % 2 == 0 {
            provider.shutdown();
        } else {
            drop(provider);
        }
    });
}

#[test]
fn a_log_processor_closes_its_descriptor_at_shutdown_and_at_drop() {
    require_kernel!();
    let _serial = serial();
    cycles("KLifeLogs", |i| {
        let processor = UserEventsProcessor::builder("KLifeLogs").build().unwrap();
        assert!(
            processor.report().all_registered(),
            "{}",
            processor.report()
        );
        match i % 3 {
            // The SDK shuts it down, then drops it.
            0 => {
                let provider = SdkLoggerProvider::builder()
                    .with_log_processor(processor)
                    .build();
                provider.shutdown().unwrap();
            }
            // A handle shuts it down; the last owner drops it later.
            1 => {
                let handle = processor.handle();
                handle.shutdown();
                assert!(handle.is_shut_down());
                drop(processor);
            }
            // Dropped without shutdown.
            _ => drop(processor),
        }
    });
}

#[test]
fn a_span_processor_closes_its_descriptor_at_shutdown_and_at_drop() {
    require_kernel!();
    let _serial = serial();
    cycles("KLifeSpans", |i| {
        let processor = UserEventsSpanProcessor::builder("KLifeSpans")
            .with_live_spans(true)
            .build()
            .unwrap();
        assert!(
            processor.report().all_registered(),
            "{}",
            processor.report()
        );
        if i % 2 == 0 {
            let provider = SdkTracerProvider::builder()
                .with_span_processor(processor)
                .build();
            provider.shutdown().unwrap();
        } else {
            drop(processor);
        }
    });
}

#[test]
fn a_tracing_layer_closes_its_descriptor_when_its_subscriber_goes() {
    require_kernel!();
    let _serial = serial();
    cycles("KLifeLayer", |i| {
        let layer = UserEventsLayer::builder("KLifeLayer").build().unwrap();
        assert!(layer.report().all_registered(), "{}", layer.report());
        let handle = layer.handle();
        let subscriber = tracing_subscriber::registry().with(layer.filtered());
        tracing::subscriber::with_default(subscriber, || tracing::info!(cycle = i, "cycle"));
        // The subscriber dropped the layer, which released its output (the
        // handle keeps the rest alive); shutting down again does nothing.
        assert!(handle.is_shut_down());
        if i % 2 == 0 {
            handle.shutdown();
        }
        drop(handle);
    });
}
