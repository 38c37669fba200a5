//! Why ue-tail stopped with an error: each message names the problem and how
//! to fix it.

use std::fmt;
use std::io;
use std::path::PathBuf;

use otel_user_events_abi::DataFileError;
use otel_user_events_listen::perf;
use otel_user_events_listen::tracefs::FindError;

/// A reason to exit with a failure.
#[derive(Debug)]
pub enum Error {
    /// No tracefs with user_events could be used.
    Tracefs(FindError),
    /// `user_events_status` could not be read.
    Status(io::Error),
    /// `--no-wait` and these providers (in this group, if given) have no
    /// tracepoint.
    UnknownProviders {
        /// Each provider named that has none, at least one.
        providers: Vec<String>,
        /// `--group`.
        group: Option<String>,
    },
    /// Attaching perf to a tracepoint failed.
    Listen(perf::Error),
    /// A CPU's perf ring buffer could not be mapped.
    RingBuffer(RingFailure),
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
    /// `user_events_data` could not be opened (`ue-tail serve-fd`).
    DataFile(DataFileError),
    /// The socket path of `ue-tail serve-fd` cannot be used.
    SocketPath {
        /// The path.
        path: PathBuf,
        /// Why not, said for people.
        problem: &'static str,
    },
    /// A step of serving the socket failed (`ue-tail serve-fd`).
    Socket {
        /// The socket.
        path: PathBuf,
        /// The step: bind, chown, chmod, accept, ...
        step: &'static str,
        /// What went wrong.
        source: io::Error,
    },
}

/// A CPU's ring buffer could not be mapped (`mmap` of the perf event),
/// with what the system allows, to say why and what would fit.
#[derive(Debug)]
pub struct RingFailure {
    /// The CPU.
    pub cpu: u32,
    /// The `mmap` error.
    pub source: io::Error,
    /// The size asked for each CPU (`--buffer-kb`), KiB.
    pub buffer_kib: u64,
    /// A memory page, KiB.
    pub page_kib: u64,
    /// Online CPUs: one ring each.
    pub cpus: u64,
    /// Running as root (euid 0): no lock limit.
    pub root: bool,
    /// `kernel.perf_event_mlock_kb`, if it could be read: what a non-root
    /// user may lock for perf rings, KiB per CPU.
    pub mlock_kib: Option<u64>,
    /// `MemAvailable` of /proc/meminfo, KiB, if it could be read.
    pub mem_available_kib: Option<u64>,
}

/// Where the kernel says how much a non-root user may lock for perf rings.
const MLOCK_KB: &str = "/proc/sys/kernel/perf_event_mlock_kb";

impl RingFailure {
    /// The failure of `cpu`'s ring of `buffer_kib` KiB, with the system's
    /// limits read now.
    pub fn gather(cpu: u32, source: io::Error, buffer_kib: u64) -> Self {
        let read_number = |text: &str| text.trim().parse::<u64>().ok();
        let mem_available_kib = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find_map(|l| l.strip_prefix("MemAvailable:"))
                    .and_then(|v| read_number(v.trim_end_matches("kB")))
            });
        // SAFETY: sysconf and geteuid have no preconditions.
        let (cpus, euid) = unsafe { (libc::sysconf(libc::_SC_NPROCESSORS_ONLN), libc::geteuid()) };
        Self {
            cpu,
            source,
            buffer_kib,
            page_kib: crate::args::page_kib(),
            cpus: u64::try_from(cpus).unwrap_or(1).max(1),
            root: euid == 0,
            mlock_kib: std::fs::read_to_string(MLOCK_KB)
                .ok()
                .and_then(|v| read_number(&v)),
            mem_available_kib,
        }
    }

    /// The largest ring, KiB (a power-of-two number of pages), of at most
    /// `kib`, or `None` when not even one page fits.
    fn largest_within(&self, kib: u64) -> Option<u64> {
        let pages = kib / self.page_kib;
        (pages >= 1).then(|| (1u64 << pages.ilog2()) * self.page_kib)
    }
}

impl fmt::Display for RingFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            cpu,
            buffer_kib,
            cpus,
            ..
        } = self;
        write!(
            f,
            "cannot map the perf ring buffer of cpu {cpu} ({})",
            self.source
        )?;
        match (self.source.raw_os_error(), self.root) {
            (Some(libc::EPERM | libc::ENOMEM), false) => {
                write!(
                    f,
                    ": {buffer_kib} KiB for each of {cpus} CPUs is more than a non-root user may \
                     lock for perf: "
                )?;
                match self.mlock_kib {
                    Some(limit) => {
                        // Each ring also locks its header page.
                        let fit = self.largest_within(limit.saturating_sub(self.page_kib));
                        write!(
                            f,
                            "kernel.perf_event_mlock_kb is {limit} (KiB for each CPU, one \
                             {} KiB header page of each ring included, less what the user's \
                             other perf sessions lock); ",
                            self.page_kib
                        )?;
                        match fit {
                            Some(fit) => write!(f, "use --buffer-kb {fit} or less, ")?,
                            None => f.write_str("no ring fits in it: ")?,
                        }
                    }
                    None => write!(
                        f,
                        "kernel.perf_event_mlock_kb sets it ({MLOCK_KB} could not be read); \
                         use a smaller --buffer-kb, "
                    )?,
                }
                f.write_str(
                    "raise the limit (sudo sysctl kernel.perf_event_mlock_kb=KIB), or run as root",
                )
            }
            (Some(libc::ENOMEM), true) => {
                let total_mib = buffer_kib * cpus / 1024;
                write!(
                    f,
                    ": the kernel could not allocate {buffer_kib} KiB for each of {cpus} CPUs \
                     ({total_mib} MiB in all)"
                )?;
                if let Some(available) = self.mem_available_kib {
                    write!(f, "; {} MiB of memory are available", available / 1024)?;
                }
                // Half the size, and at most a quarter of what is available.
                let mut within = buffer_kib / 2;
                if let Some(available) = self.mem_available_kib {
                    within = within.min(available / 4 / cpus);
                }
                match self.largest_within(within) {
                    Some(fit) => write!(f, "; use a smaller --buffer-kb, e.g. {fit}"),
                    None => f.write_str("; free some memory"),
                }
            }
            _ => Ok(()),
        }
    }
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
                "cannot read {e} (run as root, or with CAP_DAC_READ_SEARCH, or grant your \
                 user read access to tracefs)"
            ),
            Error::Status(e) => write!(f, "cannot read {e}"),
            Error::UnknownProviders { providers, group } => {
                let names = providers_in_group(providers, group.as_deref());
                if providers.len() == 1 {
                    write!(
                        f,
                        "no tracepoints of provider {names} are registered: is the application \
                         running? (without --no-wait, ue-tail registers them and waits for it)"
                    )
                } else {
                    write!(
                        f,
                        "no tracepoints of providers {names} are registered: are their \
                         applications running? (without --no-wait, ue-tail registers them and \
                         waits for them)"
                    )
                }
            }
            Error::Listen(e) => write!(f, "{e}"),
            Error::RingBuffer(e) => write!(f, "{e}"),
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
            Error::DataFile(e) if e.errno.0 == libc::EACCES => write!(
                f,
                "cannot open {e}: serving it needs write access to it (run as root, or as a \
                 member of a group that may write it)"
            ),
            Error::DataFile(e) => write!(f, "cannot open {e}"),
            Error::SocketPath { path, problem } => write!(f, "{} {problem}", path.display()),
            Error::Socket { path, step, source } => {
                write!(
                    f,
                    "cannot serve on {}: {step} failed: {source}",
                    path.display()
                )
            }
        }
    }
}

impl std::error::Error for Error {}

/// Providers for a sentence: `A`, `A and B`, `A, B and C`; followed by
/// ` in group G` when they are asked for in a group.
pub fn providers_in_group(providers: &[impl AsRef<str>], group: Option<&str>) -> String {
    let mut said = String::new();
    for (i, provider) in providers.iter().enumerate() {
        if i > 0 {
            said.push_str(if i + 1 == providers.len() {
                " and "
            } else {
                ", "
            });
        }
        said.push_str(provider.as_ref());
    }
    if let Some(group) = group {
        said.push_str(" in group ");
        said.push_str(group);
    }
    said
}

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
             (run as root, or with CAP_DAC_READ_SEARCH, or grant your user read access to \
             tracefs)"
        );
        let unknown = |providers: &[&str], group: Option<&str>| {
            Error::UnknownProviders {
                providers: providers.iter().map(|&p| p.to_owned()).collect(),
                group: group.map(str::to_owned),
            }
            .to_string()
        };
        assert_eq!(
            unknown(&["Nope"], None),
            "no tracepoints of provider Nope are registered: is the application running? \
             (without --no-wait, ue-tail registers them and waits for it)"
        );
        assert!(
            unknown(&["Nope"], Some("g"))
                .starts_with("no tracepoints of provider Nope in group g are registered"),
        );
        assert_eq!(
            unknown(&["A", "B", "C"], Some("g")),
            "no tracepoints of providers A, B and C in group g are registered: are their \
             applications running? (without --no-wait, ue-tail registers them and waits for \
             them)"
        );
        assert_eq!(providers_in_group(&["A", "B"], None), "A and B");
        assert_eq!(providers_in_group(&[] as &[&str], None), "");
    }

    fn ring(errno: i32, root: bool, mlock_kib: Option<u64>) -> String {
        Error::RingBuffer(RingFailure {
            cpu: 3,
            source: io::Error::from_raw_os_error(errno),
            buffer_kib: 2048,
            page_kib: 4,
            cpus: 8,
            root,
            mlock_kib,
            mem_available_kib: Some(4 << 20),
        })
        .to_string()
    }

    #[test]
    fn ring_buffer_messages_fit_the_cause() {
        // Non-root: the mlock limit, its value, and a size that fits (516 KiB
        // is 128 pages and a header page).
        let over = "cannot map the perf ring buffer of cpu 3 (Operation not permitted (os error \
                    1)): 2048 KiB for each of 8 CPUs is more than a non-root user may lock for \
                    perf: kernel.perf_event_mlock_kb is 516 (KiB for each CPU, one 4 KiB header \
                    page of each ring included, less what the user's other perf sessions lock); \
                    use --buffer-kb 512 or less, raise the limit (sudo sysctl \
                    kernel.perf_event_mlock_kb=KIB), or run as root";
        assert_eq!(ring(libc::EPERM, false, Some(516)), over);
        let enomem = ring(libc::ENOMEM, false, Some(516));
        assert!(
            enomem.contains("(Cannot allocate memory (os error 12)): 2048 KiB"),
            "{enomem}"
        );
        assert!(enomem.contains("use --buffer-kb 512 or less"), "{enomem}");
        let tiny = ring(libc::EPERM, false, Some(4));
        assert!(
            tiny.contains("no ring fits in it: raise the limit"),
            "{tiny}"
        );
        let unknown = ring(libc::EPERM, false, None);
        assert!(
            unknown.contains(
                "kernel.perf_event_mlock_kb sets it (/proc/sys/kernel/perf_event_mlock_kb could \
                 not be read); use a smaller --buffer-kb, raise the limit"
            ),
            "{unknown}"
        );
        // Root: memory, and a smaller size.
        assert_eq!(
            ring(libc::ENOMEM, true, Some(516)),
            "cannot map the perf ring buffer of cpu 3 (Cannot allocate memory (os error 12)): \
             the kernel could not allocate 2048 KiB for each of 8 CPUs (16 MiB in all); 4096 \
             MiB of memory are available; use a smaller --buffer-kb, e.g. 1024"
        );
        let mut failure = RingFailure {
            cpu: 0,
            source: io::Error::from_raw_os_error(libc::ENOMEM),
            buffer_kib: 1 << 20,
            page_kib: 4,
            cpus: 64,
            root: true,
            mlock_kib: None,
            mem_available_kib: Some(8 << 20),
        };
        // A quarter of 8 GiB over 64 CPUs: 32 MiB each.
        assert!(failure.to_string().ends_with("e.g. 32768"), "{failure}");
        failure.mem_available_kib = Some(100);
        assert!(
            failure.to_string().ends_with("; free some memory"),
            "{failure}"
        );
        // Anything else: the error as it is.
        assert_eq!(
            ring(libc::EINVAL, true, None),
            "cannot map the perf ring buffer of cpu 3 (Invalid argument (os error 22))"
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
