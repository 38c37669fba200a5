//! Where tracefs is, and the files it has about user_events tracepoints.
//!
//! [`Tracefs::find`] is the one discovery of the project: the runtime opens
//! `user_events_data` in the tracefs it finds ([`DataFile::open`](crate::DataFile::open)),
//! and `ue-tail` listens in the same one, so they always meet.
//!
//! Names are registered tracepoint names without the `user_events:` system
//! prefix, e.g. `MyProvider_L4K1`.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::status::UserEventsStatus;

/// Where tracefs is usually mounted.
pub const DEFAULT_ROOT: &str = "/sys/kernel/tracing";

/// The tracefs system that holds user_events tracepoints.
pub const USER_EVENTS_SYSTEM: &str = "user_events";

/// A tracefs mount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracefs {
    root: PathBuf,
}

impl Default for Tracefs {
    /// Tracefs at [`DEFAULT_ROOT`], without checking that it is there.
    fn default() -> Self {
        Self::at(DEFAULT_ROOT)
    }
}

/// Why [`Tracefs::find`] found no usable tracefs with user_events.
#[derive(Debug)]
pub enum FindError {
    /// No tracefs is mounted (none in `/proc/mounts`, nothing at the usual places).
    NotMounted,
    /// tracefs is there but this user may not read it.
    PermissionDenied {
        /// The file that could not be read.
        path: PathBuf,
    },
    /// tracefs is mounted but has no `user_events_status`: the kernel lacks
    /// user_events.
    NoUserEvents {
        /// The tracefs mount that was looked at.
        root: PathBuf,
    },
    /// Another error reading tracefs.
    Io {
        /// The file that could not be read.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
}

impl fmt::Display for FindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FindError::NotMounted => write!(
                f,
                "tracefs is not mounted (as root: mount -t tracefs nodev {DEFAULT_ROOT})"
            ),
            FindError::PermissionDenied { path } => write!(
                f,
                "cannot read {}: permission denied (run as root, or with \
                 CAP_DAC_READ_SEARCH, or grant your user read access to tracefs)",
                path.display()
            ),
            FindError::NoUserEvents { root } => write!(
                f,
                "this kernel has no user_events: {}/user_events_status does not exist \
                 (needs Linux 6.4+ built with CONFIG_USER_EVENTS)",
                root.display()
            ),
            FindError::Io { path, source } => {
                write!(f, "cannot read {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for FindError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FindError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Tracefs {
    /// Tracefs mounted at `root`, without checking that it is there.
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Finds the tracefs mount that has user_events, looking in this order:
    /// [`DEFAULT_ROOT`], the tracefs mounts listed in `/proc/mounts`, then
    /// `<mount>/tracing` of each debugfs mount there (older systems reach
    /// tracefs only through debugfs).
    pub fn find() -> Result<Self, FindError> {
        let mounts = fs::read_to_string("/proc/mounts").unwrap_or_default();
        Self::find_in(&candidates(&mounts))
    }

    /// The first of `candidates` that has `user_events_status`; see [`find`](Self::find).
    /// Permission and I/O errors stop the search: the mount that could not be
    /// read is most likely the one that has user_events.
    pub fn find_in(candidates: &[PathBuf]) -> Result<Self, FindError> {
        let mut without_user_events = None;
        for root in candidates {
            let tracefs = Self::at(root);
            let status = tracefs.user_events_status_path();
            match fs::metadata(&status) {
                Ok(_) => return Ok(tracefs),
                Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                    return Err(FindError::PermissionDenied { path: status });
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    // A mounted tracefs always has `events`; an empty directory
                    // is only a mount point.
                    if without_user_events.is_none() && root.join("events").exists() {
                        without_user_events = Some(root.clone());
                    }
                }
                Err(source) => {
                    return Err(FindError::Io {
                        path: status,
                        source,
                    });
                }
            }
        }
        Err(match without_user_events {
            Some(root) => FindError::NoUserEvents { root },
            None => FindError::NotMounted,
        })
    }

    /// The mount point.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `<root>/user_events_status`.
    pub fn user_events_status_path(&self) -> PathBuf {
        self.root.join("user_events_status")
    }

    /// `<root>/user_events_data`, the file applications register and write through.
    pub fn user_events_data_path(&self) -> PathBuf {
        self.root.join("user_events_data")
    }

    /// Reads and parses `user_events_status`.
    pub fn user_events_status(&self) -> io::Result<UserEventsStatus> {
        let path = self.user_events_status_path();
        let text = fs::read_to_string(&path).map_err(|e| with_path(e, &path))?;
        Ok(UserEventsStatus::parse(&text))
    }

    /// `<root>/events/user_events/<name>`.
    pub fn tracepoint_dir(&self, name: &str) -> PathBuf {
        self.root.join("events").join(USER_EVENTS_SYSTEM).join(name)
    }

    /// The tracepoint's id (its `id` file): what perf's `config` and the
    /// `common_type` field of each event hold.
    pub fn tracepoint_id(&self, name: &str) -> io::Result<u32> {
        let path = self.tracepoint_dir(name).join("id");
        let text = fs::read_to_string(&path).map_err(|e| with_path(e, &path))?;
        text.trim().parse().map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: not a number: {text:?}", path.display()),
            )
        })
    }

    /// The text of the tracepoint's `format` file.
    pub fn tracepoint_format(&self, name: &str) -> io::Result<String> {
        let path = self.tracepoint_dir(name).join("format");
        fs::read_to_string(&path).map_err(|e| with_path(e, &path))
    }
}

/// Where [`Tracefs::find`] looks, in order, given the text of `/proc/mounts`:
/// [`DEFAULT_ROOT`], the tracefs mounts, then `tracing` in each debugfs mount;
/// each place once.
fn candidates(mounts: &str) -> Vec<PathBuf> {
    let mut candidates = vec![PathBuf::from(DEFAULT_ROOT)];
    let debugfs = mounts_of(mounts, "debugfs").map(|dir| dir.join("tracing"));
    for dir in mounts_of(mounts, "tracefs").chain(debugfs) {
        if !candidates.contains(&dir) {
            candidates.push(dir);
        }
    }
    candidates
}

/// The mount points of type `kind` in the text of `/proc/mounts`.
fn mounts_of<'a>(mounts: &'a str, kind: &'a str) -> impl Iterator<Item = PathBuf> + 'a {
    mounts.lines().filter_map(move |line| {
        let mut fields = line.split_whitespace();
        let (_device, dir, fs) = (fields.next()?, fields.next()?, fields.next()?);
        // Paths with spaces are octal-escaped (\040); tracefs never lives there.
        (fs == kind && !dir.contains('\\')).then(|| PathBuf::from(dir))
    })
}

/// Adds the path to an I/O error's message, keeping its kind.
pub fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_tracefs_mounts() {
        let mounts = "sysfs /sys sysfs rw 0 0\n\
                      tracefs /sys/kernel/tracing tracefs rw,nosuid 0 0\n\
                      debugfs /sys/kernel/debug debugfs rw 0 0\n\
                      tracefs /mnt/my\\040trace tracefs rw 0 0\n\
                      nodev /tmp/t tracefs rw 0 0\n";
        assert_eq!(
            mounts_of(mounts, "tracefs").collect::<Vec<_>>(),
            [
                PathBuf::from("/sys/kernel/tracing"),
                PathBuf::from("/tmp/t")
            ]
        );
    }

    #[test]
    fn looks_at_the_usual_place_then_tracefs_then_debugfs() {
        let paths = |list: &[&str]| list.iter().map(PathBuf::from).collect::<Vec<_>>();
        // Nothing mounted (or no /proc): only the usual place.
        assert_eq!(candidates(""), paths(&[DEFAULT_ROOT]));
        // Only debugfs: tracefs through it.
        let debugfs_only = "proc /proc proc rw 0 0\n\
                            debugfs /sys/kernel/debug debugfs rw 0 0\n";
        assert_eq!(
            candidates(debugfs_only),
            paths(&[DEFAULT_ROOT, "/sys/kernel/debug/tracing"])
        );
        // tracefs somewhere else: before any debugfs, even one listed first.
        let elsewhere = "debugfs /debug debugfs rw 0 0\n\
                         nodev /mnt/trace tracefs rw 0 0\n";
        assert_eq!(
            candidates(elsewhere),
            paths(&[DEFAULT_ROOT, "/mnt/trace", "/debug/tracing"])
        );
        // Both, tracefs at the usual place and automounted in debugfs: each once.
        let both = "tracefs /sys/kernel/tracing tracefs rw 0 0\n\
                    debugfs /sys/kernel/debug debugfs rw 0 0\n\
                    tracefs /sys/kernel/debug/tracing tracefs rw 0 0\n";
        assert_eq!(
            candidates(both),
            paths(&[DEFAULT_ROOT, "/sys/kernel/debug/tracing"])
        );
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("abi-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn finds_the_mount_with_user_events() {
        let empty = temp_dir("empty");
        let plain = temp_dir("plain");
        fs::create_dir(plain.join("events")).unwrap();
        let with = temp_dir("with");
        fs::write(with.join("user_events_status"), "\nActive: 0\nBusy: 0\n").unwrap();

        let found = Tracefs::find_in(&[empty.clone(), plain.clone(), with.clone()]).unwrap();
        assert_eq!(found.root(), with);
        assert!(found.user_events_status().unwrap().entries.is_empty());

        let err = Tracefs::find_in(&[empty.clone(), plain.clone()]).unwrap_err();
        assert!(matches!(&err, FindError::NoUserEvents { root } if *root == plain));
        assert!(err.to_string().contains("CONFIG_USER_EVENTS"), "{err}");

        let err = Tracefs::find_in(std::slice::from_ref(&empty)).unwrap_err();
        assert!(matches!(err, FindError::NotMounted));
        assert!(err.to_string().contains("mount -t tracefs"), "{err}");
        for dir in [empty, plain, with] {
            fs::remove_dir_all(dir).unwrap();
        }
    }

    #[test]
    fn permission_errors_say_how_to_fix_them() {
        let err = FindError::PermissionDenied {
            path: PathBuf::from("/sys/kernel/tracing/user_events_status"),
        };
        assert_eq!(
            err.to_string(),
            "cannot read /sys/kernel/tracing/user_events_status: permission denied \
             (run as root, or with CAP_DAC_READ_SEARCH, or grant your user read access to \
             tracefs)"
        );
    }

    #[test]
    fn tracepoint_paths() {
        let t = Tracefs::at("/t");
        assert_eq!(
            t.tracepoint_dir("P_L4K1"),
            PathBuf::from("/t/events/user_events/P_L4K1")
        );
        assert_eq!(
            t.user_events_data_path(),
            PathBuf::from("/t/user_events_data")
        );
        let err = t.tracepoint_id("P_L4K1").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(
            err.to_string()
                .starts_with("/t/events/user_events/P_L4K1/id: ")
        );
    }
}
