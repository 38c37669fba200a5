//! Why ue-tail stopped with an error: each message names the problem and how
//! to fix it.

use std::fmt;
use std::io;
use std::path::PathBuf;

use otel_user_events_listen::perf;
use otel_user_events_listen::tracefs::FindError;

/// A reason to exit with a failure.
#[derive(Debug)]
pub enum Error {
    /// No tracefs with user_events could be used.
    Tracefs(FindError),
    /// `user_events_status` could not be read.
    Status(io::Error),
    /// `--no-wait` and the provider has no tracepoint.
    UnknownProvider(String),
    /// Attaching perf to a tracepoint failed.
    Listen(perf::Error),
    /// The perf.data file could not be read.
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
    /// `--file` is not a perf.data file.
    NotPerfData {
        /// The file.
        path: PathBuf,
        /// What it holds instead.
        content: NotPerfData,
    },
    /// Writing the events failed.
    Output(io::Error),
    /// The Ctrl-C handler could not be installed.
    Signal(String),
    /// `dynamic_events` could not be opened or read (`ue-tail precreate`).
    DynamicEvents {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
    /// The kernel refused to create or delete a persistent event.
    Precreate {
        /// The tracepoint.
        name: String,
        /// Deleting (else creating).
        delete: bool,
        /// The kernel's errno.
        source: io::Error,
    },
}

/// What a `--file` that is not a perf.data file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotPerfData {
    /// Nothing.
    Empty,
    /// Something else (no perf.data header).
    OtherData,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Tracefs(e) => write!(f, "{e}"),
            Error::Status(e) if e.kind() == io::ErrorKind::PermissionDenied => write!(
                f,
                "cannot read {e} (run as root, or grant your user access to tracefs)"
            ),
            Error::Status(e) => write!(f, "cannot read {e}"),
            Error::UnknownProvider(provider) => write!(
                f,
                "no tracepoints of provider {provider} are registered: is the application \
                 running? (without --no-wait, ue-tail registers them and waits for it)"
            ),
            Error::Listen(e) => write!(f, "{e}"),
            Error::File { path, source } => {
                write!(f, "cannot decode {}: {source}", path.display())
            }
            Error::NotPerfData { path, content } => {
                let what = match content {
                    NotPerfData::Empty => "it is empty",
                    NotPerfData::OtherData => "it does not start with perf's PERFILE2 header",
                };
                write!(
                    f,
                    "cannot decode {}: it is not a perf.data file ({what}); `perf record` \
                     writes one, e.g. `sudo perf record -k monotonic -e \
                     user_events:MyService_L4K1 -- ./app`",
                    path.display()
                )
            }
            Error::Output(e) => write!(f, "cannot write the events: {e}"),
            Error::Signal(e) => write!(f, "cannot handle Ctrl-C: {e}"),
            Error::DynamicEvents { path, source } => match source.kind() {
                io::ErrorKind::PermissionDenied => write!(
                    f,
                    "cannot open {}: permission denied (run as root: persistent user events \
                     need CAP_PERFMON)",
                    path.display()
                ),
                io::ErrorKind::NotFound => write!(
                    f,
                    "{} does not exist: this kernel has no dynamic events \
                     (needs CONFIG_DYNAMIC_EVENTS, on with CONFIG_USER_EVENTS)",
                    path.display()
                ),
                _ => write!(f, "cannot open {}: {source}", path.display()),
            },
            Error::Precreate {
                name,
                delete,
                source,
            } => {
                let verb = if *delete { "delete" } else { "create" };
                write!(f, "cannot {verb} the persistent event {name}: ")?;
                match (source.raw_os_error(), delete) {
                    (Some(libc::EPERM | libc::EACCES), _) => write!(
                        f,
                        "permission denied (run as root: persistent user events need \
                         CAP_PERFMON)"
                    ),
                    (Some(libc::EADDRINUSE), false) => write!(
                        f,
                        "a user event of this name exists with another field list \
                         (EADDRINUSE); the kernel keeps one field list a name: delete \
                         that one first, or use another provider name"
                    ),
                    (Some(libc::EBUSY), true) => write!(
                        f,
                        "it is in use (EBUSY): a process still has it registered or a \
                         listener is attached; stop them and try again"
                    ),
                    _ => write!(f, "{source}"),
                }
            }
        }
    }
}

impl std::error::Error for Error {}

impl From<perf::Error> for Error {
    fn from(e: perf::Error) -> Self {
        Error::Listen(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_to_do() {
        let denied = io::Error::new(
            io::ErrorKind::PermissionDenied,
            "/sys/kernel/tracing/user_events_status: Permission denied (os error 13)",
        );
        assert_eq!(
            Error::Status(denied).to_string(),
            "cannot read /sys/kernel/tracing/user_events_status: Permission denied (os error 13) \
             (run as root, or grant your user access to tracefs)"
        );
        assert!(
            Error::UnknownProvider("Nope".into())
                .to_string()
                .starts_with("no tracepoints of provider Nope are registered")
        );
    }

    #[test]
    fn precreate_messages_explain_the_kernels_errno() {
        let failed = |errno, delete| {
            Error::Precreate {
                name: "P_L4K1".into(),
                delete,
                source: io::Error::from_raw_os_error(errno),
            }
            .to_string()
        };
        assert_eq!(
            failed(libc::EBUSY, true),
            "cannot delete the persistent event P_L4K1: it is in use (EBUSY): a process \
             still has it registered or a listener is attached; stop them and try again"
        );
        assert!(
            failed(libc::EADDRINUSE, false).contains("exists with another field list"),
            "{}",
            failed(libc::EADDRINUSE, false)
        );
        assert!(failed(libc::EPERM, false).contains("run as root"));
        let denied = Error::DynamicEvents {
            path: "/sys/kernel/tracing/dynamic_events".into(),
            source: io::Error::from(io::ErrorKind::PermissionDenied),
        };
        assert!(denied.to_string().contains("run as root"), "{denied}");
    }
}
