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
}
