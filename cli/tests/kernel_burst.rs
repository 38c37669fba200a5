//! A burst that overflows ue-tail's perf ring, against a real kernel: every
//! event the application wrote is either shown or counted in the lost count
//! ue-tail prints.
//!
//! ue-tail is stopped (`SIGSTOP`) while the burst is written, so its one-page
//! rings overflow whatever the machine's speed; then it goes on, and a last
//! event makes the kernel write its lost-count record (perf writes it ahead
//! of the next sample that fits). Until ue-tail has made room, a last event
//! is lost too: one is written each second until one is shown.
//!
//! Runs only inside the VM: `scripts/kernel-test.sh cargo-test -p ue-tail
//! --test kernel_burst`. Elsewhere each test prints a `skipped:` line.

mod support;

use std::time::Duration;

use otel_user_events::{Provider, ue_log};
use otel_user_events_test_support::require_kernel;
use support::tail::Tail;

const BURST: u64 = 2_000;

fn signal(tail: &Tail, signal: libc::c_int) {
    // SAFETY: kill has no memory preconditions.
    assert_eq!(unsafe { libc::kill(tail.pid() as libc::pid_t, signal) }, 0);
}

#[test]
fn a_burst_that_overflows_the_ring_is_shown_or_counted_as_lost() {
    require_kernel!();
    let provider = Provider::builder("UeTailBurst").build().unwrap();
    // One 4 KiB page a CPU: a few dozen events.
    let mut tail = Tail::start(&["--json", "--buffer-kb", "4", "UeTailBurst"]);
    signal(&tail, libc::SIGSTOP);
    for n in 0..BURST {
        ue_log!(info, "Burst", n = n);
    }
    signal(&tail, libc::SIGCONT);
    let mut last = 0u64;
    loop {
        last += 1;
        assert!(last <= 60, "no last event shown in a minute");
        ue_log!(info, "Last");
        let shown = tail.wait_for_stdout(Duration::from_secs(1), r#""n":"UeTailBurst:Last""#);
        if shown.is_some() {
            break;
        }
    }
    let written = BURST + last;
    assert_eq!(provider.counters().written, written);
    tail.interrupt();
    let (status, stdout, stderr) = tail.finish();
    provider.shutdown();
    assert!(status.success(), "{status}: {stderr}");

    let shown = stdout.lines().count() as u64;
    let lost: u64 = stderr
        .lines()
        .find_map(|line| {
            line.strip_prefix("ue-tail: ")?
                .strip_suffix(" events were lost in all")?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no lost count on stderr: {stderr}"));
    assert!(lost > 0, "a stopped reader's page overflows: {stderr}");
    assert!(
        stderr.contains("events lost: a CPU's ring buffer was full"),
        "{stderr}"
    );
    println!("written {written}, shown {shown}, lost {lost}");
    assert_eq!(shown + lost, written, "shown {shown}, lost {lost}");
}
