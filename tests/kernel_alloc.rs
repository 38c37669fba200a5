//! The user_events path allocates nothing per event (README's performance targets), checked with a
//! counting allocator while a real listener is attached (runs in the VM of
//! `scripts/kernel-test.sh`; elsewhere it prints that it was skipped).

use otel_user_events::{Provider, ue_log};
use otel_user_events_test_support::alloc::{CountingAllocator, allocations_during};
use otel_user_events_test_support::perf::Listener;
use otel_user_events_test_support::require_kernel;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn event(i: u64, name: &str, tags: &[u32]) {
    let err = std::fmt::Error;
    ue_log!(info, "Alloc", i, name, amount = 1.5, ok = true, tags, %err, body = "no heap");
}

#[test]
fn ue_log_writes_to_the_kernel_without_allocating() {
    require_kernel!();
    let provider = Provider::builder("KAlloc").build().unwrap();
    let mut capture = Listener::start(&["KAlloc_L4K1"]).unwrap();
    let long = "x".repeat(1000);
    event(0, &long, &[1, 2, 3]); // first use: lazy statics of the OpenTelemetry context

    let allocations = allocations_during(|| {
        for i in 1..=1000 {
            event(i, &long, &[1, 2, 3]);
        }
    });

    assert_eq!(capture.drain().len(), 1001, "the events reached the kernel");
    assert_eq!(allocations, 0, "heap allocations for 1000 events");
    assert_eq!(provider.counters().written, 1001);
    drop(capture);
    provider.shutdown();
}
