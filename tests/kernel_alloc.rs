//! The user_events path allocates nothing per event (SPEC §9), checked with a
//! counting allocator while a real listener is attached (runs in the VM of
//! `scripts/kernel-test.sh`; elsewhere it prints that it was skipped).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use otel_user_events::{Provider, ue_log};
use otel_user_events_test_support::perf::Capture;
use otel_user_events_test_support::require_kernel;

/// Counts the allocations of the thread that turned counting on.
struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.with(|n| n.set(n.get() + 1));
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> u64 {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.with(Cell::get)
}

fn event(i: u64, name: &str, tags: &[u32]) {
    let err = std::fmt::Error;
    ue_log!(info, "Alloc", i, name, amount = 1.5, ok = true, tags, %err, body = "no heap");
}

#[test]
fn ue_log_writes_to_the_kernel_without_allocating() {
    require_kernel!();
    let provider = Provider::builder("KAlloc").init().unwrap();
    let mut capture = Capture::start(&["KAlloc_L4K1"]).unwrap();
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
