//! Opening `user_events_data`, registering tracepoints through it, closing it.

use std::ffi::CString;
use std::fmt;
#[cfg(unix)]
use std::os::fd::{IntoRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU32;

use crate::errno::Errno;
use crate::fd::RawFd;
use crate::ioctl;
#[cfg(target_os = "linux")]
use crate::tracefs::FindError;
use crate::tracefs::{DEFAULT_ROOT, Tracefs};

/// The field list every EventHeader tracepoint is registered with: the
/// EventHeader itself, as the kernel sees it (the rest of an event is opaque
/// to it).
pub const EVENTHEADER_FIELDS: &str =
    "u8 eventheader_flags; u8 version; u16 id; u16 tag; u8 opcode; u8 level";

/// An open `user_events_data` file: the handle that tracepoints are registered
/// through and events are written to (`writev` on [`fd`](Self::fd), starting
/// with the tracepoint's write index).
///
/// Closing it (dropping it) is what lets the kernel forget the tracepoints
/// registered through it: their names leave `user_events_status` once no
/// other file holds them. Its owner closes it exactly once, when no writer
/// can still be using [`fd`](Self::fd): a closed descriptor's number is soon
/// reused by another file, which a late write would then corrupt.
#[derive(Debug)]
pub struct DataFile {
    fd: RawFd,
    path: PathBuf,
}

/// Why `user_events_data` could not be opened: the error number (with its
/// sentence, see [`Errno::explain`]) and the file that was tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFileError {
    /// What went wrong; `ENOTSUP` when no tracefs is mounted (or, off Linux,
    /// always: user_events exists only there), `ENOENT` when tracefs has no
    /// user_events.
    pub errno: Errno,
    /// The `user_events_data` file that was tried (or would have been).
    pub path: PathBuf,
}

impl fmt::Display for DataFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.errno)
    }
}

impl std::error::Error for DataFileError {}

impl DataFile {
    /// Finds tracefs ([`Tracefs::find`], the same mount `ue-tail` uses) and
    /// opens its `user_events_data` for writing.
    ///
    /// Off Linux it fails with `ENOTSUP` ("user_events exists only on Linux").
    #[cfg(target_os = "linux")]
    pub fn open() -> Result<DataFile, DataFileError> {
        let tracefs = Tracefs::find().map_err(|e| {
            let (errno, root) = match e {
                FindError::NotMounted => (Errno(libc::ENOTSUP), PathBuf::from(DEFAULT_ROOT)),
                FindError::NoUserEvents { root } => (Errno(libc::ENOENT), root),
                FindError::PermissionDenied { path } => (Errno(libc::EACCES), parent(&path)),
                FindError::Io { path, source } => (
                    Errno(source.raw_os_error().unwrap_or(libc::EIO)),
                    parent(&path),
                ),
            };
            DataFileError {
                errno,
                path: Tracefs::at(root).user_events_data_path(),
            }
        })?;
        Self::open_in(&tracefs)
    }

    /// Finds tracefs and opens its `user_events_data` for writing: on Linux.
    /// Here it fails with `ENOTSUP` ("user_events exists only on Linux"),
    /// naming the file it would have opened there.
    #[cfg(not(target_os = "linux"))]
    pub fn open() -> Result<DataFile, DataFileError> {
        Self::open_in(&Tracefs::at(DEFAULT_ROOT))
    }

    /// Opens the `user_events_data` of the tracefs at `tracefs` for writing.
    #[cfg(target_os = "linux")]
    pub fn open_in(tracefs: &Tracefs) -> Result<DataFile, DataFileError> {
        let path = tracefs.user_events_data_path();
        let error = |errno| DataFileError {
            errno,
            path: path.clone(),
        };
        let c_path = CString::new(path.as_os_str().as_encoded_bytes())
            .map_err(|_| error(Errno(libc::EINVAL)))?;
        // SAFETY: c_path is a valid NUL-terminated string.
        let fd = unsafe { libc::open(c_path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC) };
        if fd < 0 {
            return Err(error(Errno::last()));
        }
        Ok(DataFile { fd, path })
    }

    /// Opens the `user_events_data` of the tracefs at `tracefs` for writing:
    /// on Linux. Here it fails with `ENOTSUP` ("user_events exists only on
    /// Linux").
    #[cfg(not(target_os = "linux"))]
    pub fn open_in(tracefs: &Tracefs) -> Result<DataFile, DataFileError> {
        Err(DataFileError {
            errno: Errno(libc::ENOTSUP),
            path: tracefs.user_events_data_path(),
        })
    }

    /// A `user_events_data` file opened elsewhere: by this process with other
    /// means, or by a privileged process that handed the descriptor over (a
    /// Unix socket's `SCM_RIGHTS`), so this process needs no tracefs access.
    /// `path` is what reports show for it. (Unix only; off Linux registering
    /// through it fails with `ENOTSUP`.)
    #[cfg(unix)]
    pub fn from_owned_fd(fd: OwnedFd, path: impl Into<PathBuf>) -> DataFile {
        DataFile {
            fd: fd.into_raw_fd(),
            path: path.into(),
        }
    }

    /// Another descriptor of the same open file (`dup`, close-on-exec): each
    /// output owns its own and closes it when it is done.
    #[cfg(unix)]
    pub fn try_clone(&self) -> std::io::Result<DataFile> {
        // SAFETY: F_DUPFD_CLOEXEC on a descriptor this file owns; the new one
        // is owned by the returned file alone.
        let fd = unsafe { libc::fcntl(self.fd, libc::F_DUPFD_CLOEXEC, 0) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(DataFile {
            fd,
            path: self.path.clone(),
        })
    }

    /// The raw descriptor, valid until the file is dropped.
    pub fn fd(&self) -> RawFd {
        self.fd
    }

    /// Where the file was found.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Registers the EventHeader tracepoint `tracepoint` (a name such as
    /// [`ProviderName::tracepoint_name`](crate::name::ProviderName::tracepoint_name)
    /// builds, registered with [`EVENTHEADER_FIELDS`]) with `enable_word` as its
    /// enable word, and returns its write index. From now on the kernel sets
    /// bit [`KERNEL_ENABLE_BIT`](crate::KERNEL_ENABLE_BIT) of the word while the
    /// tracepoint has listeners, and clears it when they leave.
    ///
    /// A name with a NUL byte is rejected with `EINVAL`, as the kernel rejects
    /// other bad definitions.
    ///
    /// # Safety
    ///
    /// The kernel keeps the word's address and writes to it at any time:
    /// `enable_word` must stay where it is (not moved, not freed) until
    /// [`unregister`](Self::unregister) succeeds for it or the process exits.
    /// A `static`, or memory that is only freed after unregistering, does.
    ///
    /// Off Linux it fails with `ENOTSUP`.
    pub unsafe fn register(&self, tracepoint: &str, enable_word: &AtomicU32) -> Result<u32, Errno> {
        // SAFETY: this function's contract is the callee's.
        unsafe { self.register_with_fields(tracepoint, EVENTHEADER_FIELDS, enable_word) }
    }

    /// Registers tracepoint `name` with the field list `fields` (the kernel's
    /// command format: `u32 protocol;char[8] version;__rel_loc u8[] buffer`),
    /// for events that are not EventHeader, such as OpenTelemetry metrics'
    /// `otlp_metrics`. Otherwise as [`register`](Self::register), whose
    /// safety contract it shares: `enable_word` must stay where it is until
    /// it is unregistered or the process exits.
    ///
    /// # Safety
    ///
    /// See [`register`](Self::register).
    pub unsafe fn register_with_fields(
        &self,
        name: &str,
        fields: &str,
        enable_word: &AtomicU32,
    ) -> Result<u32, Errno> {
        let command = CString::new(format!("{name} {fields}")).map_err(|_| Errno(libc::EINVAL))?;
        ioctl::register(self.fd, enable_word, &command)
    }

    /// Stops the kernel from updating `enable_word`, registered before with
    /// [`register`](Self::register). The tracepoint itself stays until the
    /// file is closed (dropped). Off Linux it fails with `ENOTSUP`.
    pub fn unregister(&self, enable_word: &AtomicU32) -> Result<(), Errno> {
        ioctl::unregister(self.fd, enable_word)
    }
}

impl Drop for DataFile {
    /// Closes the descriptor: the kernel drops this file's hold on its
    /// tracepoints (see the type docs).
    fn drop(&mut self) {
        // SAFETY: the descriptor is this file's own, opened by `open_in` (or
        // handed over to `from_owned_fd`) and closed only here.
        unsafe { libc::close(self.fd) };
    }
}

/// The tracefs root of one of its files (`<root>/user_events_status`).
#[cfg(target_os = "linux")]
fn parent(file: &Path) -> PathBuf {
    file.parent().unwrap_or(file).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_file_and_say_what_to_do() {
        let err = DataFileError {
            errno: Errno(libc::ENOENT),
            path: PathBuf::from("/sys/kernel/tracing/user_events_data"),
        };
        assert_eq!(
            err.to_string(),
            "/sys/kernel/tracing/user_events_data: ENOENT (2): this kernel has no user_events \
             (CONFIG_USER_EVENTS, Linux 6.4+)"
        );
    }

    /// Off Linux (checked by the cross-platform build, run where it builds):
    /// no file is opened, and the error says user_events is Linux's.
    #[cfg(not(target_os = "linux"))]
    #[test]
    fn off_linux_opening_says_user_events_exists_only_on_linux() {
        let err = DataFile::open().unwrap_err();
        assert_eq!(err.errno, Errno(libc::ENOTSUP));
        assert_eq!(
            err.path,
            PathBuf::from("/sys/kernel/tracing/user_events_data")
        );
        assert!(
            err.to_string().contains("user_events exists only on Linux"),
            "{err}"
        );
        let dir = std::env::temp_dir();
        let err = DataFile::open_in(&Tracefs::at(&dir)).unwrap_err();
        assert_eq!(err.errno, Errno(libc::ENOTSUP));
        assert_eq!(err.path, dir.join("user_events_data"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_missing_file_is_reported_with_its_path() {
        let dir = std::env::temp_dir().join(format!("abi-no-data-file-{}", std::process::id()));
        let err = DataFile::open_in(&Tracefs::at(&dir)).unwrap_err();
        assert_eq!(err.errno, Errno(libc::ENOENT));
        assert_eq!(err.path, dir.join("user_events_data"));
    }
}
