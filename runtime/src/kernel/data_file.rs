//! Opening and closing `user_events_data`.

use std::ffi::CString;
use std::os::fd::RawFd;
use std::path::{Path, PathBuf};

use super::Errno;

/// The usual tracefs mount point.
const DEFAULT_TRACEFS: &str = "/sys/kernel/tracing";

/// An open `user_events_data` file: the handle that tracepoints are registered
/// through and events are written to.
///
/// Closing it is what lets the kernel forget this process's tracepoints, so it is
/// owned by one provider and closed at that provider's shutdown. Writers on other
/// threads may still hold the raw descriptor then, so `close` never frees the
/// descriptor number: it points it at `/dev/null` (a racing write goes nowhere
/// instead of into a file that reused the number).
#[derive(Debug)]
pub struct DataFile {
    fd: RawFd,
    path: PathBuf,
}

impl DataFile {
    /// Finds tracefs (the usual mount point, else `/proc/mounts`) and opens its
    /// `user_events_data` for writing.
    pub fn open() -> Result<DataFile, (Errno, PathBuf)> {
        let path = tracefs_mount()
            .map(|dir| dir.join("user_events_data"))
            .ok_or_else(|| {
                (
                    Errno(libc::ENOTSUP),
                    Path::new(DEFAULT_TRACEFS).join("user_events_data"),
                )
            })?;
        let c_path = CString::new(path.as_os_str().as_encoded_bytes())
            .map_err(|_| (Errno(libc::EINVAL), path.clone()))?;
        // SAFETY: c_path is a valid NUL-terminated string.
        let fd = unsafe { libc::open(c_path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC) };
        if fd < 0 {
            return Err((Errno::last(), path));
        }
        Ok(DataFile { fd, path })
    }

    /// The raw descriptor, valid for the life of the process.
    pub fn fd(&self) -> RawFd {
        self.fd
    }

    /// Where the file was found.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Releases the kernel's hold on this process's tracepoints (see the type docs).
    pub fn close(&self) {
        // SAFETY: plain syscalls on descriptors we own.
        unsafe {
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
            if null >= 0 {
                libc::dup3(null, self.fd, libc::O_CLOEXEC);
                libc::close(null);
            } else {
                libc::close(self.fd);
            }
        }
    }
}

/// The tracefs mount point: `/sys/kernel/tracing` when it holds user_events_data
/// or is a tracefs, else the first tracefs in `/proc/mounts`.
fn tracefs_mount() -> Option<PathBuf> {
    let default = Path::new(DEFAULT_TRACEFS);
    if default.join("user_events_data").exists() {
        return Some(default.to_owned());
    }
    let mounts = std::fs::read_to_string("/proc/mounts").ok()?;
    mounts.lines().find_map(|line| {
        let mut parts = line.split_whitespace();
        let (_device, dir, fs) = (parts.next()?, parts.next()?, parts.next()?);
        (fs == "tracefs").then(|| PathBuf::from(dir))
    })
}
