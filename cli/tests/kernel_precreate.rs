//! `ue-tail precreate` against a real kernel: a provider's tracepoints created
//! as persistent user events before the application starts, so a listener
//! attached before it sees the events it writes right after its init; then
//! deleted, refused while a listener is attached.
//!
//! Runs only inside the VM: `scripts/kernel-test.sh cargo-test -p ue-tail --test
//! kernel_precreate`. Elsewhere each test prints a `skipped:` line.

mod support;

use std::fs::OpenOptions;
use std::io::Write;
use std::sync::Mutex;

use otel_user_events_abi::EVENTHEADER_FIELDS;
use otel_user_events_listen::tracefs::Tracefs;
use otel_user_events_test_support::perf::Listener;
use otel_user_events_test_support::require_kernel;
use support::{run_quickstart, ue_tail, ue_tail_ok};

/// The example, run by [`quickstart_child`] in a process of its own: it writes
/// its two events right after its provider's init.
#[path = "../../examples/quickstart.rs"]
mod quickstart;

/// Set in the environment of the process that runs the quickstart.
const CHILD: &str = "OTEL_UE_PRECREATE_QUICKSTART_CHILD";

/// The quickstart's tracepoints: OrderPlaced (info, keyword 1) and Retry
/// (warning, keyword 0x10).
const QUICKSTART_TRACEPOINTS: [&str; 2] = ["MyService_L4K1", "MyService_L3K10"];

/// Both tests use the provider MyService's tracepoints: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
#[ignore = "the quickstart example; the other tests run it in a child process"]
fn quickstart_child() {
    if std::env::var_os(CHILD).is_some() {
        quickstart::main();
    }
}

/// What deletes the tracepoints the test creates.
const DELETE_MY_SERVICE: [&str; 7] = [
    "precreate",
    "--delete",
    "-k",
    "1",
    "-k",
    "0x10",
    "MyService",
];

/// Every tracepoint `precreate -k 1 -k 0x10 MyService` makes.
fn my_service_tracepoints() -> Vec<String> {
    [1u64, 0x10]
        .iter()
        .flat_map(|k| (1..=5).map(move |level| format!("MyService_L{level}K{k:x}")))
        .collect()
}

/// The names in user_events_status now.
fn registered() -> Vec<String> {
    Tracefs::find()
        .unwrap()
        .user_events_status()
        .unwrap()
        .names()
}

/// Deletes MyService's persistent tracepoints when the test ends, also when it
/// fails, so the next test starts without them.
struct Cleanup;

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = ue_tail(&DELETE_MY_SERVICE);
    }
}

#[test]
fn a_listener_attached_before_the_application_sees_its_first_events() {
    require_kernel!();
    let _serial = serial();
    let _cleanup = Cleanup;
    let expected = my_service_tracepoints();

    let created = ue_tail_ok(&["precreate", "-k", "1", "-k", "0x10", "MyService"]);
    for name in &expected {
        assert!(
            created.lines().any(|l| l == format!("created {name}")),
            "{name}: {created}"
        );
    }
    let status = registered();
    for name in &expected {
        assert!(status.contains(name), "{name} not in {status:?}");
    }
    for listing in [
        ue_tail_ok(&["precreate", "--list", "MyService"]),
        ue_tail_ok(&["precreate", "--list"]),
    ] {
        for name in &expected {
            let line = format!("{name} {EVENTHEADER_FIELDS}");
            assert!(listing.lines().any(|l| l == line), "{line:?}: {listing}");
        }
    }
    let other_provider = ue_tail_ok(&["precreate", "--list", "NotMyService"]);
    assert_eq!(other_provider, "");

    // Attached before the application exists: only the persistent events are there.
    let mut listener = Listener::start(&QUICKSTART_TRACEPOINTS).unwrap();
    let pid = run_quickstart(CHILD);
    let mut samples = listener.drain();
    // One ring a CPU: in the order written, whichever CPU wrote each.
    samples.sort_by_key(|s| s.time);
    let seen: Vec<_> = samples
        .iter()
        .map(|s| (s.tracepoint.as_str(), s.pid))
        .collect();
    assert_eq!(
        seen,
        [
            (QUICKSTART_TRACEPOINTS[0], pid),
            (QUICKSTART_TRACEPOINTS[1], pid)
        ],
        "{samples:?}"
    );

    // The application is gone; the events stay until deleted.
    let status = registered();
    for name in &expected {
        assert!(
            status.contains(name),
            "{name} gone after the app: {status:?}"
        );
    }

    // A listener holds them: the kernel refuses, and ue-tail says why.
    let busy = ue_tail(&DELETE_MY_SERVICE);
    assert!(!busy.status.success());
    let stderr = String::from_utf8_lossy(&busy.stderr);
    assert!(
        stderr.contains(
            "cannot delete the persistent event MyService_L4K1: it is in use (EBUSY): a \
             process still has it registered or a listener is attached"
        ),
        "{stderr}"
    );

    drop(listener);
    // Those deleted before the busy one are not found now; the rest go.
    let deleted = ue_tail_ok(&DELETE_MY_SERVICE);
    let (before_busy, rest) = expected.split_at(3);
    let mut lines: Vec<String> = before_busy
        .iter()
        .map(|name| format!("not found (none with the EventHeader field list): {name}"))
        .collect();
    lines.extend(rest.iter().map(|name| format!("deleted {name}")));
    assert_eq!(deleted, lines.join("\n") + "\n");
    let status = registered();
    for name in &expected {
        assert!(!status.contains(name), "{name} still in {status:?}");
    }
    assert_eq!(ue_tail_ok(&["precreate", "--list", "MyService"]), "");
}

#[test]
fn a_name_with_another_field_list_is_refused() {
    require_kernel!();
    let _serial = serial();
    let path = Tracefs::find().unwrap().root().join("dynamic_events");
    let write = |command: &str| {
        // Appending: opened with O_TRUNC, dynamic_events deletes every dynamic event.
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(command.as_bytes())
    };
    write("u:PrecreateOther_L1K1 u32 other\n").unwrap();

    let refused = ue_tail(&["precreate", "PrecreateOther"]);
    let stderr = String::from_utf8_lossy(&refused.stderr).into_owned();
    write("!u:PrecreateOther_L1K1 u32 other\n").unwrap();
    assert!(!refused.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "cannot create the persistent event PrecreateOther_L1K1: a user event of this \
             name exists with another field list (EADDRINUSE)"
        ),
        "{stderr}"
    );
    assert!(!registered().contains(&"PrecreateOther_L1K1".to_owned()));
}

/// The providers [`precreates_several_providers_at_once`] names.
const SEVERAL: [&str; 3] = [
    "PrecreateSeveralA",
    "PrecreateSeveralB",
    "PrecreateSeveralC",
];

/// Deletes the persistent tracepoints of `precreate --delete ARGS` when the
/// test ends, also when it fails.
struct DeleteOnDrop(Vec<&'static str>);

impl Drop for DeleteOnDrop {
    fn drop(&mut self) {
        let mut args = vec!["precreate", "--delete"];
        args.extend(&self.0);
        let _ = ue_tail(&args);
    }
}

#[test]
fn precreates_several_providers_at_once() {
    require_kernel!();
    let _serial = serial();
    let mut args = vec!["-k", "1", "-k", "0x10", "-g", "team"];
    args.extend(SEVERAL);
    let _cleanup = DeleteOnDrop(args.clone());
    // In the order named: each provider's every level of each keyword.
    let expected: Vec<String> = SEVERAL
        .iter()
        .flat_map(|provider| {
            [1u64, 0x10].into_iter().flat_map(move |keyword| {
                (1..=5).map(move |level| format!("{provider}_L{level}K{keyword:x}Gteam"))
            })
        })
        .collect();
    let with = |command: &[&'static str]| [&["precreate"], command, &args].concat();

    let created = ue_tail_ok(&with(&[]));
    let lines: Vec<String> = expected.iter().map(|n| format!("created {n}")).collect();
    assert_eq!(created, lines.join("\n") + "\n");
    let status = registered();
    for name in &expected {
        assert!(status.contains(name), "{name} not in {status:?}");
    }
    // --list: the named providers' only (here two of the three), in any order.
    let listed = ue_tail_ok(&["precreate", "--list", SEVERAL[2], SEVERAL[0]]);
    let mut listed: Vec<&str> = listed.lines().collect();
    listed.sort();
    let mut of_a_and_c: Vec<String> = (expected.iter())
        .filter(|n| !n.starts_with(SEVERAL[1]))
        .map(|n| format!("{n} {EVENTHEADER_FIELDS}"))
        .collect();
    of_a_and_c.sort();
    assert_eq!(listed, of_a_and_c);

    let deleted = ue_tail_ok(&with(&["--delete"]));
    let lines: Vec<String> = expected.iter().map(|n| format!("deleted {n}")).collect();
    assert_eq!(deleted, lines.join("\n") + "\n");
    let status = registered();
    for name in &expected {
        assert!(!status.contains(name), "{name} still in {status:?}");
    }
    let mut list = vec!["precreate", "--list"];
    list.extend(SEVERAL);
    assert_eq!(ue_tail_ok(&list), "");
}
