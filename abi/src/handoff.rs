//! Handing an open `user_events_data` to an application over a Unix socket
//! (`SCM_RIGHTS`), so that the application needs no access to tracefs: a
//! privileged process (a collector, `ue-tail serve-fd`) opens the file and
//! sends the descriptor; the application receives it and registers and writes
//! through it as if it had opened it (`Provider::builder(..)
//! .with_user_events_data(&file)`).
//!
//! One message a connection: one byte of payload (`b'U'`) and one descriptor.

use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use crate::Errno;
use crate::data_file::{DataFile, DataFileError};

/// The payload byte that goes with the descriptor.
const TAG: u8 = b'U';

/// `recvmsg` flags: the received descriptor closed on exec.
#[cfg(target_os = "linux")]
const RECEIVE_FLAGS: libc::c_int = libc::MSG_CMSG_CLOEXEC;
#[cfg(not(target_os = "linux"))]
const RECEIVE_FLAGS: libc::c_int = 0;

/// Sends `file`'s descriptor over `stream` (the process keeps its own).
pub fn send(stream: &UnixStream, file: &DataFile) -> io::Result<()> {
    let mut payload = [TAG];
    let mut iov = libc::iovec {
        iov_base: payload.as_mut_ptr().cast(),
        iov_len: payload.len(),
    };
    let fd = file.fd();
    let mut control = control_buffer();
    let msg = message(&mut iov, &mut control);
    // SAFETY: `msg` has a control buffer of CMSG_SPACE(int) bytes, so
    // CMSG_FIRSTHDR is not null and its data has room for one int.
    unsafe {
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        (*cmsg).cmsg_level = libc::SOL_SOCKET;
        (*cmsg).cmsg_type = libc::SCM_RIGHTS;
        (*cmsg).cmsg_len = libc::CMSG_LEN(std::mem::size_of::<libc::c_int>() as u32) as _;
        std::ptr::write_unaligned(libc::CMSG_DATA(cmsg).cast::<libc::c_int>(), fd);
    }
    // SAFETY: `msg` points at live buffers (`iov`, `payload`, `control`).
    let sent = unsafe { libc::sendmsg(stream.as_raw_fd(), &msg, libc::MSG_NOSIGNAL) };
    if sent < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Connects to the Unix socket at `socket` and receives a `user_events_data`
/// descriptor from whoever serves it there. The errors say which step failed
/// and name the socket.
pub fn receive(socket: impl AsRef<Path>) -> Result<DataFile, DataFileError> {
    let socket = socket.as_ref();
    let error = |e: io::Error| DataFileError {
        errno: Errno(e.raw_os_error().unwrap_or(libc::EIO)),
        path: socket.to_owned(),
    };
    let stream = UnixStream::connect(socket).map_err(error)?;
    let fd = receive_fd(&stream).map_err(error)?;
    Ok(DataFile::from_owned_fd(fd, served(socket)))
}

/// The path reports show for a descriptor received from `socket`.
fn served(socket: &Path) -> PathBuf {
    PathBuf::from(format!(
        "user_events_data received from {}",
        socket.display()
    ))
}

/// Room for one control message carrying one descriptor.
fn control_buffer() -> Vec<u8> {
    // SAFETY: CMSG_SPACE only computes a size.
    let space = unsafe { libc::CMSG_SPACE(std::mem::size_of::<libc::c_int>() as u32) } as usize;
    vec![0u8; space]
}

/// A message of one iovec and a control buffer (from [`control_buffer`]): it
/// points at both, so both must outlive its use.
fn message(iov: &mut libc::iovec, control: &mut [u8]) -> libc::msghdr {
    // SAFETY: an all-zero msghdr is valid; its pointers are set below.
    let mut msg: libc::msghdr = unsafe { MaybeUninit::zeroed().assume_init() };
    msg.msg_iov = iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = control.len() as _;
    msg
}

/// Receives one descriptor (and its tag) from `stream`.
fn receive_fd(stream: &UnixStream) -> io::Result<OwnedFd> {
    let mut payload = [0u8; 1];
    let mut iov = libc::iovec {
        iov_base: payload.as_mut_ptr().cast(),
        iov_len: payload.len(),
    };
    let mut control = control_buffer();
    let mut msg = message(&mut iov, &mut control);
    // SAFETY: `msg` points at live buffers. On Linux MSG_CMSG_CLOEXEC makes
    // the received descriptor close-on-exec; elsewhere (macOS has no such
    // flag; user_events exists only on Linux, this builds for the code
    // written there) it is made so below.
    let received = unsafe { libc::recvmsg(stream.as_raw_fd(), &mut msg, RECEIVE_FLAGS) };
    if received < 0 {
        return Err(io::Error::last_os_error());
    }
    let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
    if received != 1 || payload[0] != TAG {
        return Err(invalid(
            "the socket did not send a user_events_data descriptor",
        ));
    }
    // SAFETY: the kernel filled `control` (up to msg_controllen); CMSG_FIRSTHDR
    // returns null when there is no header, checked before reading it; fcntl
    // only sets a flag of the descriptor just received.
    unsafe {
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        if cmsg.is_null()
            || (*cmsg).cmsg_level != libc::SOL_SOCKET
            || (*cmsg).cmsg_type != libc::SCM_RIGHTS
        {
            return Err(invalid("the socket sent no descriptor"));
        }
        let fd = std::ptr::read_unaligned(libc::CMSG_DATA(cmsg).cast::<libc::c_int>());
        #[cfg(not(target_os = "linux"))]
        libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
        // The descriptor is this process's now, and only this value owns it.
        Ok(OwnedFd::from_raw_fd(fd))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_descriptor_crosses_a_socket_pair() {
        let (a, b) = UnixStream::pair().unwrap();
        // /dev/null stands for user_events_data: any file crosses alike.
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/null")
            .unwrap();
        let file = DataFile::from_owned_fd(file.into(), "/dev/null");
        send(&a, &file).unwrap();
        let received = receive_fd(&b).unwrap();
        assert_ne!(received.as_raw_fd(), file.fd());
        // The received descriptor is open and refers to the same file.
        let mut a_stat: MaybeUninit<libc::stat> = MaybeUninit::uninit();
        let mut b_stat: MaybeUninit<libc::stat> = MaybeUninit::uninit();
        // SAFETY: both descriptors are open; fstat writes the stat buffers.
        let (a_stat, b_stat) = unsafe {
            assert_eq!(libc::fstat(file.fd(), a_stat.as_mut_ptr()), 0);
            assert_eq!(libc::fstat(received.as_raw_fd(), b_stat.as_mut_ptr()), 0);
            (a_stat.assume_init(), b_stat.assume_init())
        };
        assert_eq!(
            (a_stat.st_dev, a_stat.st_ino),
            (b_stat.st_dev, b_stat.st_ino)
        );
    }

    #[test]
    fn a_socket_that_sends_no_descriptor_is_an_error() {
        let (a, b) = UnixStream::pair().unwrap();
        std::io::Write::write_all(&mut &a, b"U").unwrap();
        let err = receive_fd(&b).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("no descriptor"), "{err}");
    }

    #[test]
    fn a_missing_socket_names_itself_in_the_error() {
        let path = std::env::temp_dir().join(format!("ue-no-socket-{}", std::process::id()));
        let err = receive(&path).unwrap_err();
        assert_eq!(err.errno, Errno(libc::ENOENT));
        assert_eq!(err.path, path);
    }
}
