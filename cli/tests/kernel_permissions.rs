//! Least privilege for ue-tail, against a real kernel: watching as a user
//! that is not root with only `CAP_PERFMON` and `CAP_DAC_READ_SEARCH` (each
//! missing one said by name), and `ue-tail serve-fd` handing an open
//! `user_events_data` to an application that has no tracefs access at all.
//! What README's "Permissions" section says, tested.
//!
//! Runs only inside the VM: `scripts/kernel-test.sh cargo-test -p ue-tail
//! --test kernel_permissions`. Elsewhere each test prints a `skipped:` line.
//! Users and capabilities are set with util-linux's `setpriv`.

mod support;

use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
use std::os::unix::net::UnixListener;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use otel_user_events::output::handoff;
use otel_user_events::{Provider, ue_log};
use otel_user_events_test_support::perf::Listener;
use otel_user_events_test_support::{child, require_kernel, tracefs};
use support::tail::Tail;

const NOBODY: u32 = 65534;
const SOCKET_ENV: &str = "OTEL_UE_TAIL_TEST_SOCKET";

/// Each test has a provider (one a process) or starts processes: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// A directory `nobody` may use, with a copy of ue-tail it may run (the build
/// tree may be closed to it); removed when dropped.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("ue-tail-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        std::fs::copy(env!("CARGO_BIN_EXE_ue-tail"), dir.join("ue-tail")).unwrap();
        Scratch { dir }
    }

    fn ue_tail(&self) -> PathBuf {
        self.dir.join("ue-tail")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `setpriv` running `program` as `nobody` with the capabilities `caps`
/// (e.g. `+perfmon,+dac_read_search`; empty: none).
fn as_nobody(program: &Path, caps: &str) -> Command {
    let mut command = Command::new("setpriv");
    let id = NOBODY.to_string();
    command.args(["--reuid", &id, "--regid", &id, "--clear-groups"]);
    if !caps.is_empty() {
        command.args(["--inh-caps", caps, "--ambient-caps", caps]);
    }
    command.arg(program);
    command
}

#[test]
fn watches_as_a_user_with_cap_perfmon_and_cap_dac_read_search() {
    require_kernel!();
    let _serial = serial();
    let scratch = Scratch::new("caps");
    // The application (this process, root) has registered its tracepoints.
    let provider = Provider::builder("UeTailCaps").build().unwrap();
    let mut command = as_nobody(&scratch.ue_tail(), "+perfmon,+dac_read_search");
    // A provider not running too: without write access to user_events_data,
    // ue-tail cannot register its tracepoints ahead, and waits for it.
    command.args(["--json", "--count", "1", "UeTailCaps", "UeTailCapsAbsent"]);
    let tail = Tail::spawn(command, "ue-tail: watching ");
    ue_log!(info, "SeenByNobody", n = 5u64);
    let (status, stdout, stderr) = tail.finish();
    provider.shutdown();
    assert!(status.success(), "{status}: {stderr}");
    assert!(
        stderr.contains("\nue-tail: waiting for UeTailCapsAbsent to register its tracepoints\n"),
        "{stderr}"
    );
    assert!(
        stdout.contains(r#""n":"UeTailCaps:SeenByNobody""#),
        "{stdout}"
    );
    assert!(stdout.contains(r#""PartC":{"n":5}"#), "{stdout}");
}

#[test]
fn a_missing_capability_is_named() {
    require_kernel!();
    let _serial = serial();
    let scratch = Scratch::new("nocaps");
    let provider = Provider::builder("UeTailNoCaps").build().unwrap();
    // Perf without tracefs: tracefs (root's, mode 0700) is closed to it.
    let perf_only = as_nobody(&scratch.ue_tail(), "+perfmon")
        .arg("UeTailNoCaps")
        .output()
        .unwrap();
    // Tracefs without perf.
    let read_only = as_nobody(&scratch.ue_tail(), "+dac_read_search")
        .arg("UeTailNoCaps")
        .output()
        .unwrap();
    provider.shutdown();
    let perf_only_err = String::from_utf8_lossy(&perf_only.stderr);
    assert_eq!(perf_only.status.code(), Some(1), "{perf_only_err}");
    assert!(
        perf_only_err.contains("permission denied (run as root, or with CAP_DAC_READ_SEARCH"),
        "{perf_only_err}"
    );
    let read_only_err = String::from_utf8_lossy(&read_only.stderr);
    assert_eq!(read_only.status.code(), Some(1), "{read_only_err}");
    assert!(
        read_only_err.contains("perf_event_open(user_events:UeTailNoCaps_L")
            && read_only_err.contains("(needs root or CAP_PERFMON"),
        "{read_only_err}"
    );
}

/// The application of [`serve_fd_hands_user_events_data_to_an_application_without_tracefs`]:
/// a descriptor from the socket in [`SOCKET_ENV`], then one event.
#[test]
#[ignore = "run by serve_fd_hands_user_events_data_to_an_application_without_tracefs"]
fn served_application() {
    let Some(socket) = std::env::var_os(SOCKET_ENV) else {
        return;
    };
    let file = handoff::receive(&socket).expect("a descriptor from ue-tail serve-fd");
    let provider = Provider::builder("UeTailServed")
        .with_user_events_data(file)
        .build()
        .unwrap();
    print!("{}", provider.report());
    ue_log!(info, "Served", n = 3u64);
    println!("counters: {:?}", provider.counters());
    provider.shutdown();
}

#[test]
fn serve_fd_hands_user_events_data_to_an_application_without_tracefs() {
    require_kernel!();
    let _serial = serial();
    let scratch = Scratch::new("serve");
    let socket = scratch.dir.join("ue.sock");
    let mut command = Command::new(scratch.ue_tail());
    command.args(["serve-fd", "--count", "1", "--mode", "0666"]);
    command.arg(&socket);
    let server = Tail::spawn(command, "ue-tail: serving ");
    let meta = std::fs::metadata(&socket).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o777, 0o666);

    // Ahead of the application (perf needs the tracepoint to attach).
    let ahead = Provider::builder("UeTailServed").build().unwrap();
    tracefs::wait_for_tracepoint("UeTailServed_L4K1", Duration::from_secs(30)).unwrap();
    let mut capture = Listener::start(&["UeTailServed_L4K1"]).unwrap();
    let application = scratch.dir.join("application");
    child::executable_copy(&application);
    let stdout = child::stdout_of_success(
        child::test_command(&application, "served_application")
            .env(SOCKET_ENV, &socket)
            .uid(NOBODY)
            .gid(NOBODY),
    );
    let (status, _, stderr) = server.finish();
    assert!(stdout.contains("output user_events"), "{stdout}");
    assert!(stdout.contains("written: 1,"), "{stdout}");
    assert!(status.success(), "{status}: {stderr}");
    assert!(
        stderr.contains(&format!("(uid {NOBODY})")) && stderr.contains("served 1 descriptor"),
        "{stderr}"
    );
    assert!(!socket.exists(), "serve-fd removes its socket");
    let samples = capture.drain();
    let json: Vec<String> = samples.iter().map(|s| s.json().unwrap()).collect();
    assert_eq!(samples.len(), 1, "{json:?}");
    assert!(
        json[0].contains(r#""n":"UeTailServed:Served""#),
        "{}",
        json[0]
    );
    assert_ne!(
        samples[0].pid,
        std::process::id(),
        "written by the application"
    );
    drop(capture);
    ahead.shutdown();
}

#[test]
fn serve_fd_replaces_a_stale_socket_and_refuses_a_served_one() {
    require_kernel!();
    let _serial = serial();
    let scratch = Scratch::new("stale");
    let socket = scratch.dir.join("ue.sock");
    let serve = |extra: &[&str]| {
        let mut command = Command::new(scratch.ue_tail());
        command
            .args(["serve-fd", "--count", "1"])
            .args(extra)
            .arg(&socket);
        command
    };

    // Another server still listens there: refused, its socket left alone.
    let live = UnixListener::bind(&socket).unwrap();
    let refused = serve(&[]).output().unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&refused.stderr),
        format!(
            "ue-tail: error: {} is served by another process already\n",
            socket.display()
        )
    );
    assert!(socket.exists());
    // A killed server's socket (nobody listens): replaced, served, removed.
    drop(live);
    let server = Tail::spawn(serve(&[]), "ue-tail: serving ");
    // Owner only by default.
    let mode = std::fs::metadata(&socket).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let file = handoff::receive(&socket).unwrap();
    assert!(file.path().to_string_lossy().contains("ue.sock"));
    let (status, _, stderr) = server.finish();
    assert!(status.success(), "{stderr}");
    assert!(!socket.exists());

    // Not a socket: left alone.
    std::fs::write(&socket, b"data").unwrap();
    let refused = serve(&[]).output().unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("exists and is not a socket; choose another path"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert_eq!(std::fs::read(&socket).unwrap(), b"data");
}
