//! End-to-end check of the kernel test harness, without this project's runtime:
//! an EventHeader provider from the `eventheader` crate registers user_events
//! tracepoints, and the test-support helpers see, capture and decode them.
//!
//! Runs only inside the VM: `scripts/kernel-test.sh cargo-test -p
//! otel-user-events-test-support --test vm_smoke`. Elsewhere each test prints
//! a `skipped:` line.
//!
//! `write_event!` returns 0 when it sent the event and EBADF (9) when the
//! tracepoint's enable bit is off, which is how these tests observe the bit.

use std::sync::Mutex;
use std::time::Duration;

use eventheader as eh;
use otel_user_events_test_support::perf::{Listener, ListenerOptions};
use otel_user_events_test_support::{require_kernel, tracefs};

/// The tests share this process's user_events_data file, and one of them
/// replaces it: run them one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

const EBADF: u32 = 9;
const WAIT: Duration = Duration::from_secs(30);

eh::define_provider!(SMOKE, "OtelUeSmoke");
const SMOKE_TP: &str = "OtelUeSmoke_L4K1";

fn write_smoke(n: u32) -> u32 {
    eh::write_event!(
        SMOKE,
        "Hello",
        level(Informational),
        keyword(0x1),
        u32("n", &n),
        str8("msg", "hi there"),
    )
}

fn lock() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn register_capture_decode_unregister() {
    require_kernel!();
    let _serial = lock();

    // SAFETY: the provider is a static of this test binary, never unloaded.
    assert_eq!(unsafe { SMOKE.register() }, 0, "register failed");
    tracefs::wait_for_tracepoint(SMOKE_TP, WAIT).unwrap();
    let status = tracefs::user_events_status().unwrap();
    assert!(status.contains(SMOKE_TP), "{SMOKE_TP} not in {status:?}");
    assert!(status.get(SMOKE_TP).unwrap().used_by.is_empty());

    // Nobody listens yet: the enable bit is off and nothing is sent.
    assert_eq!(write_smoke(0), EBADF);

    let mut capture = Listener::start(&[SMOKE_TP]).unwrap();
    let status = tracefs::user_events_status().unwrap();
    assert_eq!(status.get(SMOKE_TP).unwrap().used_by, ["perf"]);
    for n in 1..=3 {
        assert_eq!(write_smoke(n), 0, "event {n} was not sent: enable bit off?");
    }
    let samples = capture.drain();
    assert_eq!(samples.len(), 3, "{samples:?}");
    assert_eq!(capture.lost(), 0);
    for (n, sample) in (1..=3).zip(&samples) {
        assert_eq!(sample.tracepoint, SMOKE_TP);
        assert_eq!(sample.pid, std::process::id());
        let json = sample.json().unwrap();
        assert_eq!(
            json,
            format!(
                r#"{{"n":"OtelUeSmoke:Hello","n":{n},"msg":"hi there","meta":{{"level":4,"keyword":"0x1"}}}}"#
            )
        );
    }
    assert!(capture.drain().is_empty(), "drain must consume the samples");

    // Detaching perf clears the enable bit at once: writes are no-ops again,
    // and a new capture sees nothing that was written meanwhile.
    drop(capture);
    assert_eq!(
        write_smoke(4),
        EBADF,
        "enable bit still on after the capture was dropped"
    );
    let status = tracefs::user_events_status().unwrap();
    assert!(
        status.get(SMOKE_TP).unwrap().used_by.is_empty(),
        "{status:?}"
    );
    let mut capture = Listener::start(&[SMOKE_TP]).unwrap();
    assert!(capture.drain().is_empty());
    assert_eq!(write_smoke(5), 0);
    let samples = capture.drain();
    assert_eq!(samples.len(), 1);
    assert!(samples[0].json().unwrap().contains(r#""n":5,"#));
    drop(capture);

    // Unregistering stops the enable-bit updates, but the kernel keeps the
    // tracepoint while the user_events_data file that registered it is open
    // (the eventheader crate keeps it open for the life of the process).
    assert_eq!(SMOKE.unregister(), 0);
    assert_eq!(write_smoke(6), EBADF);
    assert!(tracefs::is_registered(SMOKE_TP).unwrap());
    // Releasing that file (as process exit would) drops the last reference;
    // the kernel then deletes the tracepoint from a work queue.
    assert!(tracefs::release_user_events_data_files().unwrap() >= 1);
    tracefs::wait_for_unregistered(SMOKE_TP, WAIT).unwrap();
    assert!(!tracefs::tracepoint_dir(SMOKE_TP).exists());
}

eh::define_provider!(FTRACE, "OtelUeSmokeFtrace");
const FTRACE_TP: &str = "OtelUeSmokeFtrace_L5K2";

fn write_ftrace() -> u32 {
    eh::write_event!(FTRACE, "Ping", level(Verbose), keyword(0x2))
}

#[test]
fn ftrace_enable_sets_the_enable_bit() {
    require_kernel!();
    let _serial = lock();

    // SAFETY: static provider of this test binary.
    assert_eq!(unsafe { FTRACE.register() }, 0);
    tracefs::wait_for_tracepoint(FTRACE_TP, WAIT).unwrap();
    assert!(tracefs::tracepoint_id(FTRACE_TP).unwrap() > 0);
    assert!(!tracefs::is_ftrace_enabled(FTRACE_TP).unwrap());
    assert_eq!(write_ftrace(), EBADF);

    tracefs::enable(FTRACE_TP).unwrap();
    assert!(tracefs::is_ftrace_enabled(FTRACE_TP).unwrap());
    let status = tracefs::user_events_status().unwrap();
    assert_eq!(status.get(FTRACE_TP).unwrap().used_by, ["ftrace"]);
    assert_eq!(write_ftrace(), 0);

    // ftrace and perf together: the bit stays on until both have let go.
    let capture = Listener::start(&[FTRACE_TP]).unwrap();
    let status = tracefs::user_events_status().unwrap();
    assert_eq!(status.get(FTRACE_TP).unwrap().used_by, ["ftrace", "perf"]);
    tracefs::disable(FTRACE_TP).unwrap();
    assert_eq!(write_ftrace(), 0);
    drop(capture);
    assert_eq!(write_ftrace(), EBADF);

    assert_eq!(FTRACE.unregister(), 0);
}

eh::define_provider!(BULK, "OtelUeSmokeBulk");
const BULK_TP: &str = "OtelUeSmokeBulk_L4K1";

fn write_bulk(i: u32) -> u32 {
    eh::write_event!(
        BULK,
        "Item",
        level(Informational),
        keyword(0x1),
        u32("i", &i)
    )
}

#[test]
fn many_events_fit_and_overflow_is_counted() {
    require_kernel!();
    let _serial = lock();
    pin_to_one_cpu();
    // SAFETY: static provider of this test binary.
    assert_eq!(unsafe { BULK.register() }, 0);
    tracefs::wait_for_tracepoint(BULK_TP, WAIT).unwrap();

    // Default buffers hold 20,000 small events between drains.
    let mut capture = Listener::start(&[BULK_TP]).unwrap();
    const MANY: u32 = 20_000;
    for i in 0..MANY {
        assert_eq!(write_bulk(i), 0);
    }
    let samples = capture.drain();
    assert_eq!(capture.lost(), 0);
    assert_eq!(samples.len(), MANY as usize);
    let mut seen: Vec<u32> = samples
        .iter()
        .map(|s| {
            let json = s.json().unwrap();
            let value = json
                .split(r#""i":"#)
                .nth(1)
                .unwrap()
                .split(',')
                .next()
                .unwrap();
            value.parse().unwrap()
        })
        .collect();
    seen.sort_unstable();
    assert!(
        seen.iter().copied().eq(0..MANY),
        "missing or duplicated events"
    );
    drop(capture);

    // A one-page buffer per CPU overflows: the losses are counted, and every
    // event is either captured or counted as lost.
    let options = ListenerOptions {
        buffer_bytes_per_cpu: 4096,
        ..ListenerOptions::default()
    };
    let mut capture = Listener::start_with(&[BULK_TP], &options).unwrap();
    const BURST: u32 = 1_000;
    for i in 0..BURST {
        assert_eq!(write_bulk(i), 0);
    }
    let captured = capture.drain().len() as u64;
    let lost = capture.lost();
    assert!(lost > 0, "a 4 KiB buffer cannot hold {BURST} events");
    assert_eq!(captured + lost, u64::from(BURST));
    // The kernel reports the loss in the stream too, once there is room.
    assert_eq!(write_bulk(BURST), 0);
    let after = capture.drain();
    assert_eq!(after.len(), 1);
    assert_eq!(capture.lost_records(), lost);
    drop(capture);
    assert_eq!(BULK.unregister(), 0);
}

/// Keeps this test thread on one CPU so all its events share one ring buffer.
fn pin_to_one_cpu() {
    // SAFETY: a zeroed cpu_set_t is valid; sched_setaffinity(0) is this thread.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(0, &mut set);
        assert_eq!(
            libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &set),
            0
        );
    }
}

eh::define_provider!(BIG, "OtelUeSmokeBig");
const BIG_TP: &str = "OtelUeSmokeBig_L4K1";

fn write_big(blob: &[u8]) -> u32 {
    eh::write_event!(
        BIG,
        "Big",
        level(Informational),
        keyword(0x1),
        binary("blob", blob)
    )
}

/// perf copies each event into a per-CPU buffer of 8192 bytes that also holds
/// the 8-byte common fields: a bigger event is dropped from perf (the write
/// still succeeds and no loss is reported), with a one-time kernel WARNING.
#[test]
fn perf_drops_events_over_8k() {
    require_kernel!();
    let _serial = lock();
    // SAFETY: static provider of this test binary.
    assert_eq!(unsafe { BIG.register() }, 0);
    tracefs::wait_for_tracepoint(BIG_TP, WAIT).unwrap();
    let mut capture = Listener::start(&[BIG_TP]).unwrap();

    // Payload (what follows the write index) of this event: 8 (EventHeader)
    // + 4 (metadata extension header) + 11 (metadata: "Big\0", "blob\0",
    // encoding, format) + 2 (blob length) + blob.
    const OVERHEAD: usize = 25;
    const LIMIT: usize = 8192 - 8; // perf buffer minus the common fields
    let fits = LIMIT - OVERHEAD;
    let blob = vec![0xab_u8; fits + 1];
    assert_eq!(write_big(&blob[..fits]), 0);
    assert_eq!(write_big(&blob[..fits + 1]), 0, "the write itself succeeds");
    let samples = capture.drain();
    assert_eq!(samples.len(), 1, "only the event of {LIMIT} bytes arrives");
    assert!(samples[0].event_data.len() >= LIMIT);
    let data = &samples[0].event_data;
    assert!(data[OVERHEAD..LIMIT].iter().all(|&b| b == 0xab));
    let json = samples[0].json().unwrap();
    assert!(
        json.starts_with(r#"{"n":"OtelUeSmokeBig:Big","blob":"#),
        "{json:.80}"
    );
    assert_eq!(capture.lost(), 0, "perf does not count the dropped event");
    drop(capture);
    assert_eq!(BIG.unregister(), 0);
}
