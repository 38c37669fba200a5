//! Stress against a real kernel (runs in the VM of `scripts/kernel-test.sh`;
//! elsewhere it prints that it was skipped): eight threads write `ue_log!`
//! events and `UserEventsProcessor` records as fast as they can while a perf
//! listener is attached and detached over and over, then the provider and the
//! processor are shut down under them.
//!
//! Every event carries its thread, a per-thread sequence number, a payload
//! made from both and a checksum, so a captured event is checked whole.
//! Asserted:
//! - every captured event decodes and is consistent, none twice, and each
//!   thread's events arrive in order; perf lost none;
//! - `ue_log!`: every evaluation of the values (the call site was enabled)
//!   is counted, as written or as dropped because the listener left meanwhile;
//! - in the cycles where writers pause while the listener attaches and
//!   detaches, every event counted as written was captured (both paths); in
//!   the cycles where it comes and goes under them, no more were captured
//!   than written;
//! - shutting down while threads write crashes nothing; afterwards call sites
//!   evaluate nothing and records are ignored.
//!
//! And: `ue_log!` events over 64 KB are written truncated, or dropped when they
//! cannot fit, and counted either way.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _, LoggerProvider as _, Severity};
use opentelemetry::{InstrumentationScope, Key};
use opentelemetry_sdk::logs::{LogProcessor as _, SdkLogger, SdkLoggerProvider};
use otel_user_events::{Provider, logs::UserEventsProcessor, output::CounterSnapshot, ue_log};
use otel_user_events_test_support::perf::{Listener, ListenerOptions, Sample};
use otel_user_events_test_support::{require_kernel, tracefs};

const THREADS: usize = 8;
/// Attach/detach cycles; even ones pause the writers around attach and detach.
const CYCLES: usize = 12;
/// Events each writer may write per budget (a macro event and a record
/// each): what perf must hold between two drains is bounded by the budgets
/// handed out, not by how long a sleep lasts. 1.5 budgets of 8 writers of
/// 2 events of at most ~500 bytes a sample fit in one CPU's 32 MB ring.
const BUDGET: u64 = 250;
const WAIT: Duration = Duration::from_secs(30);
const SITE: &str = "KStress_L4K1";
const PROC_SITE: &str = "KStressProc_L4K1";

/// Values of each thread's `ue_log!` call site that were evaluated.
static EVALUATED: [AtomicU64; THREADS] = [const { AtomicU64::new(0) }; THREADS];
static PAUSE: AtomicBool = AtomicBool::new(false);
static PARKED: AtomicUsize = AtomicUsize::new(0);
static STOP: AtomicBool = AtomicBool::new(false);
/// Iterations each writer may still run (see [`BUDGET`]).
static LEFT: [AtomicU64; THREADS] = [const { AtomicU64::new(0) }; THREADS];
/// One provider per process: the tests take turns.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

thread_local! {
    static SEQ: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The next sequence number of `thread`'s call site; evaluated only when enabled.
fn next_seq(thread: usize) -> u64 {
    let seq = EVALUATED[thread].fetch_add(1, Ordering::Relaxed);
    SEQ.with(|s| s.set(seq));
    seq
}

fn current_seq() -> u64 {
    SEQ.with(|s| s.get())
}

/// 0 to 199 characters, different for every (thread, seq).
fn payload(thread: u64, seq: u64) -> String {
    let len = (seq * 7 + thread * 13) % 200;
    (0..len)
        .map(|i| char::from(b'a' + ((seq + i + thread) % 26) as u8))
        .collect()
}

/// FNV-1a over thread, seq and payload.
fn checksum(thread: u64, seq: u64, payload: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    let bytes = thread
        .to_le_bytes()
        .into_iter()
        .chain(seq.to_le_bytes())
        .chain(payload.bytes());
    for b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    h
}

/// One macro event: fields are evaluated left to right, so `seq` is set
/// before the payload and checksum are computed from it.
fn macro_event(thread: usize) {
    ue_log!(
        info,
        "Stress",
        thread = thread as u64,
        seq = next_seq(thread),
        payload = payload(thread as u64, current_seq()),
        check = checksum(
            thread as u64,
            current_seq(),
            &payload(thread as u64, current_seq())
        )
    );
}

fn processor_event(
    processor: &UserEventsProcessor,
    logger: &SdkLogger,
    scope: &InstrumentationScope,
    thread: u64,
    seq: u64,
) {
    let mut record = logger.create_log_record();
    record.set_severity_number(Severity::Info);
    let text = payload(thread, seq);
    let check = checksum(thread, seq, &text);
    record.add_attribute(Key::from_static_str("thread"), thread as i64);
    record.add_attribute(Key::from_static_str("seq"), seq as i64);
    record.add_attribute(Key::from_static_str("payload"), AnyValue::from(text));
    record.add_attribute(Key::from_static_str("check"), check as i64);
    processor.emit(&mut record, scope);
}

/// Writes until [`STOP`], parking while [`PAUSE`] is set (between events, so
/// counters are stable while every writer is parked).
fn writer(thread: usize, processor: &UserEventsProcessor) {
    let sdk = SdkLoggerProvider::builder().build();
    let logger = sdk.logger("stress");
    let scope = InstrumentationScope::builder("stress").build();
    let mut proc_seq = 0u64;
    while !STOP.load(Ordering::Acquire) {
        if PAUSE.load(Ordering::Acquire) {
            PARKED.fetch_add(1, Ordering::AcqRel);
            while PAUSE.load(Ordering::Acquire) && !STOP.load(Ordering::Acquire) {
                std::thread::sleep(Duration::from_micros(200));
            }
            PARKED.fetch_sub(1, Ordering::AcqRel);
            continue;
        }
        let spent = LEFT[thread].fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
            left.checked_sub(1)
        });
        if spent.is_err() {
            std::thread::sleep(Duration::from_micros(200));
            continue;
        }
        macro_event(thread);
        processor_event(processor, &logger, &scope, thread as u64, proc_seq);
        proc_seq += 1;
    }
}

fn pause() {
    PAUSE.store(true, Ordering::Release);
    let parked = tracefs::wait_until(WAIT, || PARKED.load(Ordering::Acquire) == THREADS);
    assert!(parked, "writers did not pause");
}

fn resume() {
    PAUSE.store(false, Ordering::Release);
}

/// Lets each writer write `iterations` more times.
fn grant(iterations: u64) {
    for left in &LEFT {
        left.fetch_add(iterations, Ordering::AcqRel);
    }
}

/// Waits until every writer has spent what it was granted: they wrote while
/// the caller waited, whatever the scheduler did.
fn spent() {
    let done = tracefs::wait_until(WAIT, || {
        LEFT.iter().all(|left| left.load(Ordering::Acquire) == 0)
    });
    assert!(done, "writers did not write what they were granted");
}

fn evaluated() -> u64 {
    EVALUATED.iter().map(|e| e.load(Ordering::Relaxed)).sum()
}

fn detached(name: &str) -> bool {
    tracefs::user_events_status()
        .ok()
        .and_then(|s| s.get(name).map(|e| e.used_by.is_empty()))
        .unwrap_or(false)
}

/// Checks the captured events and returns how many came from each path.
/// `last` holds each (path, thread)'s last sequence number seen.
fn verify(samples: &[Sample], last: &mut [[Option<u64>; THREADS]; 2]) -> [u64; 2] {
    let mut counts = [0u64; 2];
    for sample in samples {
        let json = sample
            .json()
            .unwrap_or_else(|e| panic!("undecodable event: {e}"));
        let event: serde_json::Value = serde_json::from_str(&json)
            .unwrap_or_else(|e| panic!("decoded JSON does not parse: {e}: {json}"));
        let (path, name) = match sample.tracepoint.as_str() {
            SITE => (0, "KStress:Stress"),
            PROC_SITE => (1, "KStressProc:Log"),
            other => panic!("event from {other}"),
        };
        assert_eq!(event["n"], name, "{json}");
        let c = &event["PartC"];
        let number = |key: &str| {
            c[key]
                .as_u64()
                .or_else(|| c[key].as_i64().map(|v| v as u64))
                .unwrap_or_else(|| panic!("{key} missing: {json}"))
        };
        let (thread, seq, check) = (number("thread"), number("seq"), number("check"));
        let text = c["payload"].as_str().unwrap_or_else(|| panic!("{json}"));
        assert!((thread as usize) < THREADS, "{json}");
        assert_eq!(text, payload(thread, seq), "{json}");
        assert_eq!(check, checksum(thread, seq, text), "{json}");
        assert_eq!(sample.pid, std::process::id());
        let previous = &mut last[path][thread as usize];
        assert!(
            previous.is_none_or(|p| seq > p),
            "thread {thread} seq {seq} after {previous:?} (duplicate or out of order): {json}"
        );
        *previous = Some(seq);
        counts[path] += 1;
    }
    counts
}

/// Every evaluated `ue_log!` event is accounted for, and nothing else went wrong.
fn assert_accounted(macro_counters: &CounterSnapshot, proc_counters: &CounterSnapshot) {
    assert_eq!(
        evaluated(),
        macro_counters.written + macro_counters.dropped_disabled_race,
        "every enabled ue_log! is written or counted as dropped: {macro_counters:?}"
    );
    for c in [macro_counters, proc_counters] {
        assert_eq!(
            (c.dropped_too_large, c.dropped_unavailable, c.truncated),
            (0, 0, 0),
            "{c:?}"
        );
        assert!(c.write_errors.is_empty(), "{c:?}");
    }
}

#[test]
fn writers_survive_listeners_coming_and_going_and_shutdown() {
    require_kernel!();
    let _serial = serial();
    let provider = Provider::builder("KStress").build().unwrap();
    assert!(
        provider.report().active.user_events,
        "{}",
        provider.report()
    );
    let processor = UserEventsProcessor::builder("KStressProc").build().unwrap();
    assert!(
        processor.report().all_registered(),
        "{}",
        processor.report()
    );
    let proc_handle = processor.handle();
    // Drained only at the end of each attach: with 8 MB a CPU, 4 writers on 2
    // vCPUs under TCG lost events (28,264 in one run) once the write path got
    // faster, so the rings hold several times one period's events.
    let options = ListenerOptions {
        buffer_bytes_per_cpu: 32 << 20,
        ..ListenerOptions::default()
    };
    let names = [SITE, PROC_SITE];
    let mut last = [[None; THREADS]; 2];
    let mut captured = [0u64; 2];

    std::thread::scope(|s| {
        for thread in 0..THREADS {
            let processor = &processor;
            s.spawn(move || writer(thread, processor));
        }
        // Whatever happens here, the writers stop (else a failed assertion
        // would leave the scope waiting for them forever).
        struct StopWriters;
        impl Drop for StopWriters {
            fn drop(&mut self) {
                STOP.store(true, Ordering::Release);
            }
        }
        let _stop = StopWriters;
        let mut base = (provider.counters(), proc_handle.counters());
        for cycle in 0..CYCLES {
            let quiesced = cycle % 2 == 0;
            // perf attaches one CPU after the other, and the site is enabled
            // from the first: only writers paused across the attach make
            // "every written event is captured" exact.
            if quiesced {
                pause();
            } else {
                // Writing while perf attaches.
                grant(BUDGET / 2);
            }
            let mut capture = Listener::start_with(&names, &options).unwrap();
            if quiesced {
                resume();
            }
            grant(BUDGET);
            spent();
            if quiesced {
                pause();
            }
            let counts = verify(&capture.drain(), &mut last);
            assert_eq!(capture.lost(), 0, "perf lost events; size the rings");
            let now = (provider.counters(), proc_handle.counters());
            let written = [
                now.0.written - base.0.written,
                now.1.written - base.1.written,
            ];
            if quiesced {
                // Listener attached the whole time anything was written.
                assert_eq!(counts, written, "cycle {cycle}: captured vs written");
            } else {
                assert!(
                    counts[0] <= written[0] && counts[1] <= written[1],
                    "cycle {cycle}: captured {counts:?} > written {written:?}"
                );
            }
            assert!(
                counts[0] > 0 && counts[1] > 0,
                "cycle {cycle}: nothing written"
            );
            captured[0] += counts[0];
            captured[1] += counts[1];
            if !quiesced {
                // Writing while perf detaches.
                grant(BUDGET / 2);
            }
            drop(capture);
            for name in names {
                assert!(
                    tracefs::wait_until(WAIT, || detached(name)),
                    "perf still attached to {name}"
                );
            }
            if !quiesced {
                pause();
            }
            base = (provider.counters(), proc_handle.counters());
            assert_accounted(&base.0, &base.1);
            resume();
        }

        // Shut both down while the threads write and perf listens.
        let mut capture = Listener::start_with(&names, &options).unwrap();
        grant(BUDGET / 2);
        spent();
        grant(BUDGET / 2);
        let before = (provider.counters(), proc_handle.counters());
        provider.shutdown();
        processor.shutdown().unwrap();
        spent();
        STOP.store(true, Ordering::Release);
        let counts = verify(&capture.drain(), &mut last);
        assert_eq!(capture.lost(), 0);
        assert!(
            counts[0] > 0 && counts[1] > 0,
            "nothing captured before shutdown"
        );
        assert!(before.0.written > 0 && before.1.written > 0);
        drop(capture);
    });
    eprintln!(
        "captured {} ue_log! and {} LogProcessor events; {} ue_log! values evaluated",
        captured[0],
        captured[1],
        evaluated()
    );

    // After shutdown: call sites are no-ops, records are ignored.
    assert!(otel_user_events::provider::counters().is_none());
    let evaluated_before = evaluated();
    let after = proc_handle.counters();
    let sdk = SdkLoggerProvider::builder().build();
    let logger = sdk.logger("after");
    let scope = InstrumentationScope::builder("after").build();
    for seq in 0..100 {
        macro_event(0);
        processor_event(&processor, &logger, &scope, 0, seq);
    }
    assert_eq!(
        evaluated(),
        evaluated_before,
        "a call site ran after shutdown"
    );
    assert_eq!(
        proc_handle.counters(),
        after,
        "a record was handled after shutdown"
    );
    assert!(proc_handle.is_shut_down());
    for name in names {
        tracefs::wait_for_unregistered(name, WAIT)
            .unwrap_or_else(|e| panic!("{name} still registered after shutdown: {e}"));
    }
}

fn big_event(text: &str, words: &[&str]) {
    ue_log!(warn, "Big", text, words);
}

#[test]
fn oversized_events_are_truncated_and_counted() {
    require_kernel!();
    let _serial = serial();
    let provider = Provider::builder("KBig").build().unwrap();
    // ftrace listens (perf would refuse samples over 8 KB with a kernel warning).
    tracefs::enable("KBig_L3K1").unwrap();
    big_event("small", &["a", "b"]);
    // 100 KB of text: shortened to fit.
    big_event(&"ü".repeat(50_000), &[]);
    // 10,000 short strings (100 KB): the array keeps its first elements
    // (an event is dropped only when its names and fixed parts cannot fit; it used to be).
    big_event("", &["0123456789"; 10_000]);
    tracefs::disable("KBig_L3K1").unwrap();
    let counters = provider.counters();
    assert_eq!(
        (
            counters.written,
            counters.truncated,
            counters.dropped_too_large,
            counters.dropped()
        ),
        (3, 2, 0, 0),
        "{counters:?}"
    );
    provider.shutdown();
}
