//! Least privilege for an application: a process of a user that is not root,
//! whose only grant is a group with write access to `user_events_data` (and
//! search access to the tracefs directory that holds it), registers its
//! tracepoints and writes; without that group it gets a report that says why
//! and its events go to the fallback. What README's "Permissions" section
//! says an application needs, tested.
//!
//! Runs only inside the user_events VM: `scripts/kernel-test.sh cargo-test
//! --test kernel_permissions`. Elsewhere each test prints a `skipped:` line.
//! The child runs as `nobody` through util-linux's `setpriv`, which sets its
//! supplementary groups (std's `CommandExt` cannot yet).

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use otel_user_events::{Provider, ue_log};
use otel_user_events_test_support::perf::Listener;
use otel_user_events_test_support::{child, require_kernel, tracefs};

/// The group given write access to `user_events_data` in this test.
const WRITERS_GID: u32 = 4242;
const NOBODY: &str = "65534";
const CHILD_ENV: &str = "OTEL_UE_TEST_PERMISSIONS_CHILD";

/// The tests change tracefs' permissions: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// The child: builds a provider, writes one event, prints its report and
/// counters.
#[test]
#[ignore = "run by the tests below as a user that is not root"]
fn permissions_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let provider = Provider::builder("KPerm").build().unwrap();
    print!("{}", provider.report());
    ue_log!(info, "AsNobody", n = 11u64);
    println!("counters: {:?}", provider.counters());
    provider.shutdown();
}

/// Owner, group and mode of a path, put back when dropped.
struct Restore {
    path: PathBuf,
    gid: u32,
    mode: u32,
}

impl Restore {
    /// Gives `gid` the group permissions `group_bits` (e.g. `0o010`) on `path`.
    fn grant(path: &Path, gid: u32, group_bits: u32) -> Restore {
        let meta = std::fs::metadata(path).unwrap();
        let restore = Restore {
            path: path.to_owned(),
            gid: meta.gid(),
            mode: meta.mode() & 0o7777,
        };
        std::os::unix::fs::chown(path, None, Some(gid)).unwrap();
        let mode = (restore.mode & !0o070) | group_bits;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
        restore
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = std::os::unix::fs::chown(&self.path, None, Some(self.gid));
        let _ = std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(self.mode));
    }
}

/// Runs [`permissions_child`] as `nobody` with the supplementary `groups`
/// (comma-separated gids, or empty for none); returns its stdout.
fn run_child_as_nobody(groups: &str) -> String {
    let exe = std::env::temp_dir().join("kernel_permissions_child");
    child::executable_copy(&exe);
    let mut command = Command::new("setpriv");
    command.args(["--reuid", NOBODY, "--regid", NOBODY]);
    if groups.is_empty() {
        command.arg("--clear-groups");
    } else {
        command.args(["--groups", groups]);
    }
    // setpriv (util-linux) runs the copy.
    child::stdout_of_success(
        command
            .arg(&exe)
            .args(child::test_args("permissions_child"))
            .env(CHILD_ENV, "1"),
    )
}

#[test]
fn a_user_in_a_group_with_write_access_to_user_events_data_registers_and_writes() {
    require_kernel!();
    let _serial = serial();
    let root = Path::new(tracefs::TRACEFS);
    // Search (not read) on the directory, write (not read) on the file: the
    // least an application needs.
    let _dir = Restore::grant(root, WRITERS_GID, 0o010);
    let _data = Restore::grant(&root.join("user_events_data"), WRITERS_GID, 0o020);

    // Ahead of the child (perf needs the tracepoint to exist to attach).
    let ahead = Provider::builder("KPerm").build().unwrap();
    tracefs::wait_for_tracepoint("KPerm_L4K1", Duration::from_secs(30)).unwrap();
    let mut capture = Listener::start(&["KPerm_L4K1"]).unwrap();

    let stdout = run_child_as_nobody(&WRITERS_GID.to_string());
    assert!(stdout.contains("output user_events"), "{stdout}");
    assert!(stdout.contains("written: 1,"), "{stdout}");
    let samples = capture.drain();
    let json: Vec<String> = samples.iter().map(|s| s.json().unwrap()).collect();
    assert_eq!(samples.len(), 1, "{json:?}");
    assert!(json[0].contains(r#""n":"KPerm:AsNobody""#), "{}", json[0]);
    assert!(json[0].contains(r#""PartC":{"n":11}"#), "{}", json[0]);
    assert_ne!(samples[0].pid, std::process::id(), "written by the child");
    drop(capture);
    ahead.shutdown();
}

#[test]
fn a_user_without_the_group_gets_a_report_that_says_why() {
    require_kernel!();
    let _serial = serial();
    let root = Path::new(tracefs::TRACEFS);
    let _dir = Restore::grant(root, WRITERS_GID, 0o010);
    let _data = Restore::grant(&root.join("user_events_data"), WRITERS_GID, 0o020);

    let stdout = run_child_as_nobody("");
    // The report names the errno and the file; the event was not written.
    assert!(
        stdout.contains("user_events is unavailable (EACCES"),
        "{stdout}"
    );
    assert!(stdout.contains("written: 0,"), "{stdout}");
}
