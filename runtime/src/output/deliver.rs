//! The last step of every event: a sealed event goes to the kernel (one
//! `writev`) or, on a capturing thread, into the test capture, and what became
//! of it is counted by one function ([`count`]) for both.

use std::sync::atomic::{AtomicU32, Ordering};

use otel_user_events_abi::{Errno, RawFd};

use super::capture::{self, CapturedEvent};
use super::counters::Counters;
use super::enable;
use crate::encode::seal::Sealed;
use crate::encode::writer::IoVec;

/// What became of a sealed event.
enum Fate {
    /// Too large for 64 KB even shortened: not written.
    TooLarge,
    /// Written (or captured); `truncated` when values were shortened to fit.
    Written { truncated: bool },
    /// Shortened or not, the listener had left by the time of the write.
    ListenerGone { truncated: bool },
    /// The kernel refused the write.
    Failed { truncated: bool, errno: Errno },
}

/// Counts `fate` in `counters`: the one place an event's outcome is
/// counted, for the kernel write and for a test capture alike.
#[inline(always)]
fn count(counters: &Counters, fate: Fate) {
    let truncated = match fate {
        Fate::TooLarge => {
            counters.dropped_too_large();
            return;
        }
        Fate::Written { truncated } => {
            counters.written();
            truncated
        }
        Fate::ListenerGone { truncated } => {
            counters.dropped_disabled_race();
            truncated
        }
        Fate::Failed { truncated, errno } => {
            counters.write_error(errno);
            truncated
        }
    };
    if truncated {
        counters.truncated();
    }
}

/// Writes `event` with one `writev` to the tracepoint registered with `enable`
/// (write index `write_index`) on the `user_events_data` file `fd`.
#[inline(always)]
pub(super) fn to_kernel(
    event: Sealed<'_>,
    fd: RawFd,
    enable: &AtomicU32,
    write_index: u32,
    counters: &Counters,
) {
    let Some((mut header, truncated)) = event.header else {
        return count(counters, Fate::TooLarge);
    };
    // The listener may have gone while the event was encoded.
    if enable.load(Ordering::Relaxed) & enable::KERNEL == 0 {
        return count(counters, Fate::ListenerGone { truncated });
    }
    let header = header.with_write_index(write_index);
    let iov = event.writer.into_iovecs(header);
    count(counters, write(fd, iov, truncated));
}

/// Writes a laid-out event (`iov`, its header first, write index included)
/// through `fd` unless its listener left since the check (its `enable`
/// word), and counts what became of it.
#[inline(always)]
pub(super) fn laid_out_to_kernel(
    iov: &[IoVec],
    fd: RawFd,
    enable: &AtomicU32,
    counters: &Counters,
) {
    let fate = if enable.load(Ordering::Relaxed) & enable::KERNEL == 0 {
        Fate::ListenerGone { truncated: false }
    } else {
        write(fd, iov, false)
    };
    count(counters, fate);
}

/// The most parts [`parts_to_kernel`] writes after the write index.
pub(crate) const MAX_PARTS: usize = 7;

/// Writes the event made of `parts` (not EventHeader: a metrics event) with
/// one `writev` to the tracepoint registered with `enable` (write index
/// `write_index`) on `fd`, unless it is `too_large`, counts it, and says
/// whether it was written.
pub(super) fn parts_to_kernel(
    parts: &[&[u8]],
    too_large: bool,
    fd: RawFd,
    enable: &AtomicU32,
    write_index: u32,
    counters: &Counters,
) -> bool {
    if too_large || parts.len() > MAX_PARTS {
        count(counters, Fate::TooLarge);
        return false;
    }
    if enable.load(Ordering::Relaxed) & enable::KERNEL == 0 {
        count(counters, Fate::ListenerGone { truncated: false });
        return false;
    }
    let index = write_index.to_ne_bytes();
    let mut iov = [const {
        IoVec {
            iov_base: std::ptr::null_mut(),
            iov_len: 0,
        }
    }; MAX_PARTS + 1];
    for (slot, part) in iov
        .iter_mut()
        .zip(std::iter::once(&index[..]).chain(parts.iter().copied()))
    {
        *slot = IoVec {
            iov_base: part.as_ptr() as *mut std::ffi::c_void,
            iov_len: part.len(),
        };
    }
    let fate = write(fd, &iov[..=parts.len()], false);
    let written = matches!(fate, Fate::Written { .. });
    count(counters, fate);
    written
}

/// Keeps the event made of `parts` in this thread's test capture as if
/// written to `tracepoint`, unless it is `too_large`, counts it, and says
/// whether it was kept.
pub(super) fn parts_to_capture(
    parts: &[&[u8]],
    too_large: bool,
    tracepoint: &str,
    counters: Option<&Counters>,
) -> bool {
    let fate = if too_large {
        Fate::TooLarge
    } else {
        capture::push(CapturedEvent {
            tracepoint: tracepoint.to_owned(),
            payload: parts.concat(),
            truncated: false,
        });
        Fate::Written { truncated: false }
    };
    let written = matches!(fate, Fate::Written { .. });
    if let Some(counters) = counters {
        count(counters, fate);
    }
    written
}

/// One `writev` of `iov` to `fd`, and what became of the event.
#[cfg(target_os = "linux")]
#[inline(always)]
fn write(fd: RawFd, iov: &[IoVec], truncated: bool) -> Fate {
    // SAFETY: every iovec points at memory alive for the duration of this call
    // (`header` and the writer's storage and borrowed values); `IoVec` has the
    // layout of `libc::iovec` (asserted at compile time in encode/writer/iovec.rs),
    // so the slice is a valid `iovec` array of `iov.len()` entries.
    let rc = unsafe {
        libc::writev(
            fd,
            iov.as_ptr().cast::<libc::iovec>(),
            iov.len() as libc::c_int,
        )
    };
    if rc >= 0 {
        Fate::Written { truncated }
    } else {
        match Errno::last() {
            // user_events refuses a write to a tracepoint that has no listener
            // with EBADF (the descriptor itself is open: the write entered
            // the file): the listener left after the check above.
            Errno(libc::EBADF) => Fate::ListenerGone { truncated },
            errno => Fate::Failed { truncated, errno },
        }
    }
}

/// Off Linux there is no user_events to write to (and no tracepoint ever
/// registers, so no event comes here): `ENOTSUP`.
#[cfg(not(target_os = "linux"))]
fn write(_fd: RawFd, _iov: &[IoVec], truncated: bool) -> Fate {
    Fate::Failed {
        truncated,
        errno: Errno(libc::ENOTSUP),
    }
}

/// Keeps `event` in this thread's test capture as if written to `tracepoint`,
/// counted in `counters` (none for a macro event captured while no provider
/// is active).
#[cold]
#[inline(never)]
pub(super) fn to_capture(event: Sealed<'_>, tracepoint: String, counters: Option<&Counters>) {
    let fate = match event.header {
        None => Fate::TooLarge,
        Some((header, truncated)) => {
            capture::push(CapturedEvent {
                tracepoint,
                payload: event.writer.payload(&header),
                truncated,
            });
            Fate::Written { truncated }
        }
    };
    if let Some(counters) = counters {
        count(counters, fate);
    }
}
