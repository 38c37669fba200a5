//! Error numbers from the kernel, with sentences a person can act on.

use std::fmt;

/// An `errno` value returned by a user_events operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub i32);

impl Errno {
    /// The last `errno` of this thread (`EIO` if there is none).
    pub fn last() -> Errno {
        Errno(
            std::io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EIO),
        )
    }

    /// The symbolic name, e.g. `EACCES`.
    pub fn name(self) -> &'static str {
        match self.0 {
            libc::ENOENT => "ENOENT",
            libc::ENOTSUP => "ENOTSUP",
            libc::EACCES => "EACCES",
            libc::EPERM => "EPERM",
            libc::EINVAL => "EINVAL",
            libc::EBADF => "EBADF",
            libc::EFAULT => "EFAULT",
            libc::ENOMEM => "ENOMEM",
            libc::EBUSY => "EBUSY",
            libc::EADDRINUSE => "EADDRINUSE",
            libc::E2BIG => "E2BIG",
            libc::ERANGE => "ERANGE",
            libc::EMFILE => "EMFILE",
            libc::EROFS => "EROFS",
            _ => "errno",
        }
    }

    /// What the error means for user_events and what to do about it.
    pub fn explain(self) -> String {
        match self.0 {
            // The sentence for opening user_events_data; a *write* failing with
            // ENOENT means its tracepoint is no longer registered (the runtime
            // counts those apart).
            libc::ENOENT => {
                "this kernel has no user_events (CONFIG_USER_EVENTS, Linux 6.4+)".to_owned()
            }
            #[cfg(target_os = "linux")]
            libc::ENOTSUP => "this kernel has no user_events (CONFIG_USER_EVENTS, Linux 6.4+), \
                 or tracefs is not mounted (`mount -t tracefs nodev /sys/kernel/tracing`)"
                .to_owned(),
            // Off Linux, `DataFile::open` fails with ENOTSUP, always.
            #[cfg(not(target_os = "linux"))]
            libc::ENOTSUP => format!(
                "user_events exists only on Linux (this is {}): events go to \
                 OpenTelemetry, if a provider is set, or nowhere",
                std::env::consts::OS
            ),
            libc::EACCES | libc::EPERM => "no write access to user_events_data: run as root, or \
                 grant it, e.g. `sudo chmod a+x /sys/kernel/tracing && sudo chmod a+rw \
                 /sys/kernel/tracing/user_events_data` (or give the process's group those rights)"
                .to_owned(),
            libc::EINVAL => "the kernel rejected the tracepoint definition".to_owned(),
            libc::EROFS => "tracefs is mounted read-only".to_owned(),
            libc::EMFILE => "the process has no file descriptors left".to_owned(),
            _ => std::io::Error::from_raw_os_error(self.0).to_string(),
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.name(), self.0, self.explain())
    }
}

impl std::error::Error for Errno {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_kernel_support_is_explained() {
        assert_eq!(
            Errno(libc::ENOENT).to_string(),
            "ENOENT (2): this kernel has no user_events (CONFIG_USER_EVENTS, Linux 6.4+)"
        );
        assert!(
            Errno(libc::EACCES)
                .explain()
                .contains("chmod a+rw /sys/kernel/tracing/user_events_data")
        );
        assert_eq!(Errno(libc::EIO).name(), "errno");
    }
}
