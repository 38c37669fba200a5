//! Reading and controlling user_events tracepoints through tracefs.
//!
//! All paths are under [`TRACEFS`] (`/sys/kernel/tracing`), where the test VM
//! mounts tracefs. Names are the registered tracepoint names without the
//! `user_events:` system prefix, e.g. `MyProvider_L4K1`.
//!
//! Reading tracefs is `otel-user-events-abi`'s (through
//! `otel-user-events-listen`), shared with the runtime and `ue-tail`;
//! enabling tracepoints through ftrace, waiting for them and releasing
//! `user_events_data` files are for tests only.

use std::fs;
use std::io;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use otel_user_events_listen::tracefs::{Tracefs, with_path};

pub use otel_user_events_listen::status::{StatusEntry, UserEventsStatus};
pub use otel_user_events_listen::tracefs::{DEFAULT_ROOT as TRACEFS, USER_EVENTS_SYSTEM};

/// The tracefs of the test VM.
fn tracefs() -> Tracefs {
    Tracefs::default()
}

/// Reads and parses `/sys/kernel/tracing/user_events_status`.
pub fn user_events_status() -> io::Result<UserEventsStatus> {
    tracefs().user_events_status()
}

/// The names of all registered user_events tracepoints.
pub fn registered_names() -> io::Result<Vec<String>> {
    Ok(user_events_status()?.names())
}

/// True when `name` is listed in `user_events_status`.
pub fn is_registered(name: &str) -> io::Result<bool> {
    Ok(user_events_status()?.contains(name))
}

/// `/sys/kernel/tracing/events/user_events/<name>`.
pub fn tracepoint_dir(name: &str) -> PathBuf {
    tracefs().tracepoint_dir(name)
}

/// The tracepoint's id (the `id` file): what perf's `config` and the
/// `common_type` field of each event hold.
pub fn tracepoint_id(name: &str) -> io::Result<u32> {
    tracefs().tracepoint_id(name)
}

/// The text of the tracepoint's `format` file.
pub fn tracepoint_format(name: &str) -> io::Result<String> {
    tracefs().tracepoint_format(name)
}

/// Enables (`true`) or disables the tracepoint for ftrace by writing its
/// `enable` file. Enabling sets the tracepoint's enable bit in every process
/// that registered it, and `user_events_status` shows `Used by ftrace`.
pub fn set_ftrace_enabled(name: &str, enabled: bool) -> io::Result<()> {
    let path = tracepoint_dir(name).join("enable");
    fs::write(&path, if enabled { "1" } else { "0" }).map_err(|e| with_path(e, &path))
}

/// Enables the tracepoint for ftrace; see [`set_ftrace_enabled`].
pub fn enable(name: &str) -> io::Result<()> {
    set_ftrace_enabled(name, true)
}

/// Disables the tracepoint for ftrace; see [`set_ftrace_enabled`].
pub fn disable(name: &str) -> io::Result<()> {
    set_ftrace_enabled(name, false)
}

/// True when ftrace has the tracepoint enabled (its `enable` file reads `1`).
/// Perf attachments do not show here; see [`StatusEntry::used_by`] for those.
pub fn is_ftrace_enabled(name: &str) -> io::Result<bool> {
    let path = tracepoint_dir(name).join("enable");
    let text = fs::read_to_string(&path).map_err(|e| with_path(e, &path))?;
    Ok(text.trim_start().starts_with('1'))
}

/// Polls `condition` every few milliseconds until it returns true or `timeout`
/// passes; returns whether it became true.
pub fn wait_until(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits until the tracepoint exists (its tracefs `id` file is readable).
/// Fails with [`io::ErrorKind::TimedOut`] after `timeout`.
pub fn wait_for_tracepoint(name: &str, timeout: Duration) -> io::Result<()> {
    if wait_until(timeout, || tracepoint_id(name).is_ok()) {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("tracepoint user_events:{name} did not appear within {timeout:?}"),
        ))
    }
}

/// Waits until `name` is no longer listed in `user_events_status`.
///
/// The kernel deletes a user_events tracepoint only after its last reference
/// is gone (every registering process closed its `user_events_data` file and no
/// perf/ftrace session uses it), and then from a work queue, so this can lag.
/// Fails with [`io::ErrorKind::TimedOut`] after `timeout`.
pub fn wait_for_unregistered(name: &str, timeout: Duration) -> io::Result<()> {
    let mut last_error = None;
    let gone = wait_until(timeout, || match is_registered(name) {
        Ok(registered) => !registered,
        Err(e) => {
            last_error = Some(e);
            false
        }
    });
    match (gone, last_error) {
        (true, _) => Ok(()),
        (false, Some(e)) => Err(e),
        (false, None) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("{name} was still in user_events_status after {timeout:?}"),
        )),
    }
}

/// This process's open file descriptors on `user_events_data`.
pub fn user_events_data_fds() -> io::Result<Vec<i32>> {
    let mut fds = Vec::new();
    for entry in fs::read_dir("/proc/self/fd")? {
        let entry = entry?;
        let Ok(target) = fs::read_link(entry.path()) else {
            continue; // the fd of read_dir itself, closed meanwhile
        };
        if target.file_name().is_some_and(|n| n == "user_events_data")
            && let Some(fd) = entry.file_name().to_str().and_then(|s| s.parse().ok())
        {
            fds.push(fd);
        }
    }
    Ok(fds)
}

/// Drops the references this process's `user_events_data` files hold on the
/// tracepoints they registered, as if the process had exited, so a test can
/// watch [`wait_for_unregistered`] succeed without exiting.
///
/// The kernel keeps a reference to every tracepoint registered through a
/// `user_events_data` file until that file is closed; unregistering
/// (`DIAG_IOCSUNREG`) only stops the enable-bit updates. Libraries keep the
/// file open for the life of the process, so this replaces each such
/// descriptor in place (`dup2`) with a fresh open of the file: the old file is
/// released and the library's descriptor stays valid.
///
/// Every tracepoint that was still registered through the old files becomes
/// unusable (its write index is meaningless on the new file; writes fail or
/// hit another tracepoint), so only call this after unregistering everything,
/// and never while other tests in the process use user_events.
/// Returns how many descriptors were replaced.
pub fn release_user_events_data_files() -> io::Result<usize> {
    let fds = user_events_data_fds()?;
    let path = tracefs().user_events_data_path();
    for &fd in &fds {
        let fresh = fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|e| with_path(e, &path))?;
        // SAFETY: dup2 onto a descriptor that is open; `fresh` is closed when
        // dropped, the duplicate lives on under the old number.
        if unsafe { libc::dup2(std::os::fd::AsRawFd::as_raw_fd(&fresh), fd) } < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(fds.len())
}
