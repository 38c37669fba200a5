//! `ue_log!` against a real kernel with user_events (runs in the VM of
//! `scripts/kernel-test.sh`; elsewhere each test prints that it was skipped).
//!
//! Only one provider can be active per process, so the tests take turns.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use otel_user_events::{Level, Provider, ue_log};
use otel_user_events_test_support::perf::{Listener, ListenerOptions};
use otel_user_events_test_support::{child, require_kernel, tracefs};

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

static EVALUATED: AtomicUsize = AtomicUsize::new(0);

fn counted(value: u64) -> u64 {
    EVALUATED.fetch_add(1, Ordering::SeqCst);
    value
}

/// The call sites of this test binary.
fn order_placed(id: u64) {
    ue_log!(
        info,
        "OrderPlaced",
        order_id = counted(id),
        customer = "ada",
        amount = 9.99,
        express = true
    );
}

fn retry(attempt: u32) {
    ue_log!(
        Level::Warn,
        "Retry",
        keyword = 0x10,
        attempt = counted(attempt as u64),
        body = "retrying"
    );
}

fn failed() {
    ue_log!(error, "Failed", code = counted(5));
}

fn worker_event(thread: u32, seq: u32) {
    ue_log!(
        verbose,
        "Work",
        thread,
        seq,
        payload = "0123456789abcdef0123456789abcdef"
    );
}

/// Replaces PartA's time, which is the real clock here, with `T`.
fn mask_time(json: &str) -> String {
    let start = json.find(r#""time":""#).expect("PartA has a time") + 8;
    let end = start + json[start..].find('"').unwrap();
    let time = &json[start..end];
    assert!(
        time.ends_with('Z') && time.len() >= 20,
        "RFC 3339 UTC: {time}"
    );
    format!("{}T{}", &json[..start], &json[end..])
}

fn names_with_prefix(prefix: &str) -> BTreeSet<String> {
    tracefs::registered_names()
        .unwrap()
        .into_iter()
        .filter(|n| n.starts_with(prefix))
        .collect()
}

#[test]
fn every_call_site_tracepoint_is_registered_with_its_exact_name() {
    require_kernel!();
    let _serial = serial();
    let provider = Provider::builder("KNames").build().unwrap();
    let report = provider.report();
    assert!(report.active.user_events, "{report}");
    assert!(
        report.tracepoints.iter().all(|t| t.result.is_ok()),
        "{report}"
    );

    // The call sites' own tracepoints ...
    let with_call_sites: BTreeSet<String> =
        ["KNames_L2K1", "KNames_L3K10", "KNames_L4K1", "KNames_L5K1"]
            .into_iter()
            .map(String::from)
            .collect();
    let reported_with_call_sites: BTreeSet<String> = report
        .tracepoints
        .iter()
        .filter(|t| t.call_sites > 0)
        .map(|t| t.name.clone())
        .collect();
    assert_eq!(reported_with_call_sites, with_call_sites);
    // ... and every other level of their keywords (1 and 0x10), with none.
    let expected = every_level("KNames", &[1, 0x10]);
    let reported: BTreeSet<String> = report.tracepoints.iter().map(|t| t.name.clone()).collect();
    assert_eq!(reported, expected);
    assert_eq!(names_with_prefix("KNames_"), expected);
    provider.shutdown();
}

/// `<provider>_L1K<k>`..`<provider>_L5K<k>` for each of `keywords`.
fn every_level(provider: &str, keywords: &[u64]) -> BTreeSet<String> {
    keywords
        .iter()
        .flat_map(|k| (1..=5).map(move |level| format!("{provider}_L{level}K{k:x}")))
        .collect()
}

#[test]
fn extra_keywords_get_all_five_levels_until_shutdown() {
    require_kernel!();
    let _serial = serial();
    let provider = Provider::builder("KExtra")
        .with_keywords([0x20, 1])
        .build()
        .unwrap();
    let report = provider.report();
    assert!(report.active.user_events, "{report}");
    assert!(
        report.tracepoints.iter().all(|t| t.result.is_ok()),
        "{report}"
    );
    // Keyword 1 and 0x10 from the call sites, 0x20 declared; 1 is not doubled.
    let expected = every_level("KExtra", &[1, 0x10, 0x20]);
    assert_eq!(names_with_prefix("KExtra_"), expected);
    assert_eq!(report.tracepoints.len(), 15, "{report}");
    let status = tracefs::user_events_status().unwrap();
    for name in &expected {
        assert!(
            status.get(name).is_some(),
            "{name} not in user_events_status"
        );
    }
    // The report's lines: one per name, by keyword then level, saying why
    // each is there.
    let text = report.to_string();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("  KExtra_"))
        .collect();
    assert_eq!(
        lines,
        [
            "  KExtra_L1K1: registered (no call site: registered so collectors find it)",
            "  KExtra_L2K1: registered (1 call sites)",
            "  KExtra_L3K1: registered (no call site: registered so collectors find it)",
            "  KExtra_L4K1: registered (1 call sites)",
            "  KExtra_L5K1: registered (1 call sites)",
            "  KExtra_L1K10: registered (no call site: registered so collectors find it)",
            "  KExtra_L2K10: registered (no call site: registered so collectors find it)",
            "  KExtra_L3K10: registered (1 call sites)",
            "  KExtra_L4K10: registered (no call site: registered so collectors find it)",
            "  KExtra_L5K10: registered (no call site: registered so collectors find it)",
            "  KExtra_L1K20: registered (no call site: registered so collectors find it)",
            "  KExtra_L2K20: registered (no call site: registered so collectors find it)",
            "  KExtra_L3K20: registered (no call site: registered so collectors find it)",
            "  KExtra_L4K20: registered (no call site: registered so collectors find it)",
            "  KExtra_L5K20: registered (no call site: registered so collectors find it)",
        ],
        "{report}"
    );
    assert_eq!(
        report.reason,
        "every tracepoint registered with user_events (15)"
    );
    // A tracepoint with no call site behind it can be listened to like any other.
    let capture = Listener::start(&["KExtra_L1K20", "KExtra_L3K1"]).unwrap();
    drop(capture);
    provider.shutdown();
    for name in &expected {
        tracefs::wait_for_unregistered(name, Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("{name} still registered after shutdown: {e}"));
    }
    assert!(names_with_prefix("KExtra_").is_empty());
}

#[test]
fn ftrace_enable_turns_the_generated_check_on_and_off() {
    require_kernel!();
    let _serial = serial();
    let provider = Provider::builder("KToggle").build().unwrap();
    let before = EVALUATED.load(Ordering::SeqCst);

    failed();
    assert_eq!(
        EVALUATED.load(Ordering::SeqCst),
        before,
        "disabled: value not evaluated"
    );

    tracefs::enable("KToggle_L2K1").unwrap();
    failed();
    assert_eq!(
        EVALUATED.load(Ordering::SeqCst),
        before + 1,
        "enabled: written"
    );

    tracefs::disable("KToggle_L2K1").unwrap();
    failed();
    assert_eq!(
        EVALUATED.load(Ordering::SeqCst),
        before + 1,
        "disabled again"
    );

    let counters = provider.counters();
    assert_eq!(
        (counters.written, counters.dropped()),
        (1, 0),
        "{counters:?}"
    );
    provider.shutdown();
}

#[test]
fn events_captured_with_perf_decode_to_the_exact_json() {
    require_kernel!();
    let _serial = serial();
    let provider = Provider::builder("KJson").build().unwrap();
    let mut capture = Listener::start(&["KJson_L4K1", "KJson_L3K10"]).unwrap();

    order_placed(42);
    retry(2);

    let samples = capture.drain();
    let json: Vec<String> = samples
        .iter()
        .map(|s| mask_time(&s.json().unwrap()))
        .collect();
    assert_eq!(
        json,
        [
            r#"{"n":"KJson:OrderPlaced","__csver__":1024,"PartA":{"time":"T"},"PartC":{"order_id":42,"customer":"ada","amount":9.99,"express":true},"PartB":{"_typeName":"Log","severityNumber":9,"severityText":"INFO","name":"OrderPlaced"},"meta":{"level":4,"keyword":"0x1"}}"#,
            r#"{"n":"KJson:Retry","__csver__":1024,"PartA":{"time":"T"},"PartC":{"attempt":2},"PartB":{"_typeName":"Log","body":"retrying","severityNumber":13,"severityText":"WARN","name":"Retry"},"meta":{"level":3,"keyword":"0x10"}}"#,
        ]
    );
    assert_eq!(samples[0].tracepoint, "KJson_L4K1");
    assert_eq!(samples[0].pid, std::process::id());
    assert_eq!(capture.lost(), 0);
    drop(capture);
    assert_eq!(provider.counters().written, 2);
    provider.shutdown();
}

#[test]
fn nothing_is_written_or_evaluated_while_disabled() {
    require_kernel!();
    let _serial = serial();
    let provider = Provider::builder("KQuiet").build().unwrap();
    // Listening to warnings only.
    let mut capture = Listener::start(&["KQuiet_L3K10"]).unwrap();
    let before = EVALUATED.load(Ordering::SeqCst);
    order_placed(1);
    failed();
    assert_eq!(EVALUATED.load(Ordering::SeqCst), before);
    assert!(capture.drain().is_empty());
    drop(capture);
    // Once the kernel has let go of the listener (perf releases it
    // asynchronously), the site is off again.
    let detached = tracefs::wait_until(Duration::from_secs(30), || {
        tracefs::user_events_status()
            .ok()
            .and_then(|status| status.get("KQuiet_L3K10").map(|e| e.used_by.is_empty()))
            .unwrap_or(false)
    });
    assert!(detached, "perf still attached to KQuiet_L3K10");
    // The status line can change before the kernel clears the enable bit in
    // this process (it does so from a workqueue when the word's page must be
    // faulted in): wait until a call is no longer evaluated, then check again.
    let off = tracefs::wait_until(Duration::from_secs(30), || {
        let evaluated = EVALUATED.load(Ordering::SeqCst);
        retry(1);
        EVALUATED.load(Ordering::SeqCst) == evaluated
    });
    assert!(off, "the call site stayed enabled after perf detached");
    let before = EVALUATED.load(Ordering::SeqCst);
    retry(1);
    assert_eq!(EVALUATED.load(Ordering::SeqCst), before);
    assert_eq!(provider.counters().written, 0);
    provider.shutdown();
}

#[test]
fn shutdown_unregisters_and_later_calls_are_no_ops() {
    require_kernel!();
    let _serial = serial();
    let provider = Provider::builder("KGone").build().unwrap();
    assert!(tracefs::is_registered("KGone_L4K1").unwrap());
    tracefs::enable("KGone_L4K1").unwrap();
    tracefs::disable("KGone_L4K1").unwrap();
    provider.shutdown();
    // The levels without a call site leave too.
    for name in every_level("KGone", &[1, 0x10]) {
        let name = name.as_str();
        tracefs::wait_for_unregistered(name, Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("{name} still registered after shutdown: {e}"));
    }
    let before = EVALUATED.load(Ordering::SeqCst);
    order_placed(1);
    assert_eq!(EVALUATED.load(Ordering::SeqCst), before);
}

#[test]
fn threads_writing_concurrently_are_all_captured_uncorrupted() {
    require_kernel!();
    let _serial = serial();
    const THREADS: u32 = 2;
    const EVENTS: u32 = 10_000;
    let provider = Provider::builder("KLoad").build().unwrap();
    let options = ListenerOptions {
        buffer_bytes_per_cpu: 16 << 20,
        ..ListenerOptions::default()
    };
    let mut capture = Listener::start_with(&["KLoad_L5K1"], &options).unwrap();

    std::thread::scope(|s| {
        for thread in 0..THREADS {
            s.spawn(move || (0..EVENTS).for_each(|seq| worker_event(thread, seq)));
        }
    });

    let samples = capture.drain();
    assert_eq!(capture.lost(), 0, "the capture lost events");
    let mut seen = BTreeSet::new();
    for sample in &samples {
        let json = mask_time(&sample.json().unwrap());
        let thread_seq = json
            .strip_prefix(r#"{"n":"KLoad:Work","__csver__":1024,"PartA":{"time":"T"},"PartC":{"thread":"#)
            .and_then(|rest| rest.strip_suffix(r#","payload":"0123456789abcdef0123456789abcdef"},"PartB":{"_typeName":"Log","severityNumber":5,"severityText":"DEBUG","name":"Work"},"meta":{"level":5,"keyword":"0x1"}}"#))
            .unwrap_or_else(|| panic!("unexpected event: {json}"));
        let (thread, seq) = thread_seq.split_once(r#","seq":"#).unwrap();
        assert!(
            seen.insert((thread.parse::<u32>().unwrap(), seq.parse::<u32>().unwrap())),
            "duplicate {thread_seq}"
        );
    }
    assert_eq!(seen.len(), (THREADS * EVENTS) as usize);
    let counters = provider.counters();
    assert_eq!(
        (counters.written, counters.dropped()),
        ((THREADS * EVENTS) as u64, 0)
    );
    drop(capture);
    provider.shutdown();
}

/// Runs as `nobody` in a child process (see the test below).
#[test]
#[ignore = "run by a_process_without_write_access_gets_the_permission_report"]
fn permission_child() {
    let provider = Provider::builder("KDenied").build().unwrap();
    print!("{}", provider.report());
    order_placed(1);
    println!("counters: {:?}", provider.counters());
}

#[test]
fn a_process_without_write_access_gets_the_permission_report() {
    require_kernel!();
    // Serial like the others: `fork` (which `uid` needs) makes this process's
    // pages copy-on-write, and the kernel then sets the enable bits of
    // another test's provider from a workqueue, after that test's check.
    let _serial = serial();
    use std::os::unix::process::CommandExt;
    let exe = std::env::temp_dir().join("kernel_ue_log_permission_child");
    child::executable_copy(&exe);
    let stdout = child::stdout_of_success(
        child::test_command(&exe, "permission_child")
            .uid(65534)
            .gid(65534),
    );
    assert!(stdout.contains("output none"), "{stdout}");
    assert!(
        stdout.contains("EACCES: no write access to user_events_data"),
        "{stdout}"
    );
    assert!(stdout.contains("dropped_unavailable: 1"), "{stdout}");
}
