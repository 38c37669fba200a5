//! `ue-tail serve-fd SOCKET`: hands an open `user_events_data` descriptor to
//! each process that connects to a Unix socket (`SCM_RIGHTS`, see
//! `otel_user_events_abi::handoff`), so that an application needs no access
//! to tracefs at all: it receives the descriptor
//! (`output::handoff::receive(SOCKET)`) and registers and writes through it
//! (`with_user_events_data`).
//!
//! Whoever may connect may register tracepoints and write events: the
//! socket's mode and group (`--mode`, `--group`) are the access control, and
//! the socket is created with no access for anyone but its owner until they
//! are set. Each descriptor handed out is logged with the peer's pid and uid.

use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

use otel_user_events_abi::DataFile;
use otel_user_events_abi::handoff;
use otel_user_events_listen::tracefs::Tracefs;

use crate::error::Error;
use crate::live::Stop;

/// How often the accept loop looks at the stop flag (Ctrl-C), milliseconds.
const POLL_MS: libc::c_int = 200;

/// One `ue-tail serve-fd` command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Serve<'a> {
    /// Where the socket is created.
    pub socket: &'a Path,
    /// The socket's permission bits.
    pub mode: u32,
    /// The socket's group, if not ours.
    pub group: Option<u32>,
    /// Stop after this many descriptors, if set.
    pub count: Option<u64>,
}

/// Opens `user_events_data`, serves it on the socket until Ctrl-C (or
/// `count` connections), then removes the socket.
pub fn run(serve: &Serve<'_>) -> Result<(), Error> {
    let tracefs = Tracefs::find().map_err(Error::Tracefs)?;
    let file = DataFile::open_in(&tracefs).map_err(Error::DataFile)?;
    let socket = Socket::bind(serve)?;
    let stop = Stop::install(None)?;
    eprintln!(
        "ue-tail: serving {} on {} (mode {:04o}{}); Ctrl-C stops",
        file.path().display(),
        serve.socket.display(),
        serve.mode,
        serve
            .group
            .map(|g| format!(", group {g}"))
            .unwrap_or_default()
    );
    let mut served = 0u64;
    while serve.count.is_none_or(|count| served < count) && !stop.now() {
        if !readable(&socket.listener).map_err(|e| socket_error(serve.socket, "poll", e))? {
            continue;
        }
        let stream = match socket.listener.accept() {
            Ok((stream, _)) => stream,
            // The peer gave up between poll and accept.
            Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => continue,
            Err(e) => return Err(socket_error(serve.socket, "accept", e)),
        };
        let peer = peer(&stream);
        match handoff::send(&stream, &file) {
            Ok(()) => {
                served += 1;
                eprintln!("ue-tail: handed {} to {peer}", file.path().display());
            }
            // One peer's failure is not the server's: say it and go on.
            Err(e) => eprintln!("ue-tail: warning: sending to {peer} failed: {e}"),
        }
    }
    eprintln!("ue-tail: served {served} descriptor(s)");
    Ok(())
}

/// The listening socket; its file is removed when dropped.
struct Socket {
    listener: UnixListener,
    path: PathBuf,
}

impl Socket {
    /// Binds `serve.socket` (replacing a stale socket nobody listens on) and
    /// gives it `serve`'s mode and group.
    fn bind(serve: &Serve<'_>) -> Result<Socket, Error> {
        let path = serve.socket;
        if let Ok(meta) = std::fs::symlink_metadata(path) {
            if !meta.file_type().is_socket() {
                return Err(Error::SocketPath {
                    path: path.to_owned(),
                    problem: "exists and is not a socket; choose another path",
                });
            }
            if UnixStream::connect(path).is_ok() {
                return Err(Error::SocketPath {
                    path: path.to_owned(),
                    problem: "is served by another process already",
                });
            }
            // Left by a server that was killed.
            std::fs::remove_file(path).map_err(|e| socket_error(path, "remove stale", e))?;
        }
        // Owner-only from the start: between bind and chmod nobody else
        // may connect. The umask is the process's, restored at once (no
        // other thread creates files yet).
        // SAFETY: umask only swaps the process's file creation mask.
        let umask = unsafe { libc::umask(0o177) };
        let bound = UnixListener::bind(path);
        // SAFETY: as above, putting the previous mask back.
        unsafe { libc::umask(umask) };
        let listener = bound.map_err(|e| socket_error(path, "bind", e))?;
        let socket = Socket {
            listener,
            path: path.to_owned(),
        };
        if let Some(gid) = serve.group {
            std::os::unix::fs::chown(path, None, Some(gid))
                .map_err(|e| socket_error(path, "chown", e))?;
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(serve.mode))
            .map_err(|e| socket_error(path, "chmod", e))?;
        Ok(socket)
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn socket_error(path: &Path, step: &'static str, source: io::Error) -> Error {
    Error::Socket {
        path: path.to_owned(),
        step,
        source,
    }
}

/// Waits up to [`POLL_MS`] for a connection; false when none came (or a
/// signal interrupted the wait).
fn readable(listener: &UnixListener) -> io::Result<bool> {
    let mut fd = libc::pollfd {
        fd: listener.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, for the call's duration.
    let ready = unsafe { libc::poll(&mut fd, 1, POLL_MS) };
    if ready < 0 {
        let e = io::Error::last_os_error();
        return match e.kind() {
            io::ErrorKind::Interrupted => Ok(false),
            _ => Err(e),
        };
    }
    Ok(ready > 0)
}

/// "pid P (uid U)" of the process at the other end, from `SO_PEERCRED`.
fn peer(stream: &UnixStream) -> String {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` has room for the `ucred` SO_PEERCRED writes; `len` says so.
    let rc = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if rc == 0 {
        format!("pid {} (uid {})", cred.pid, cred.uid)
    } else {
        "a peer of unknown credentials".to_owned()
    }
}
