//! The last step of every event: a sealed event goes to the kernel (one
//! `writev`) or, on a capturing thread, into the test capture, and its outcome
//! is counted the same way for both (written, truncated, dropped, errno).

use std::os::fd::RawFd;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::capture::{self, CapturedEvent};
use crate::counters::Counters;
use crate::enable;
use crate::encode::seal::Sealed;
use otel_user_events_abi::Errno;

/// Where a sealed event goes.
pub(crate) enum Target<'a> {
    /// The tracepoint registered with `enable` on the `user_events_data` file `fd`.
    Kernel {
        /// The open `user_events_data`.
        fd: RawFd,
        /// The tracepoint's enable word (checked again just before the write).
        enable: &'a AtomicU32,
        /// The write index the kernel gave at registration.
        write_index: u32,
    },
    /// This thread's test capture, as if written to `tracepoint`.
    Capture {
        /// `<Provider>_L<level>K<keyword>`.
        tracepoint: String,
    },
}

/// Sends `event` to `to` and counts what happened in `counters` (none for a
/// macro event written while no provider is active, which only a test
/// capture can take).
pub(crate) fn deliver<O>(event: Sealed<'_, O>, to: Target<'_>, counters: Option<&Counters>) {
    let count = |f: fn(&Counters)| {
        if let Some(counters) = counters {
            f(counters);
        }
    };
    let Some((mut header, truncated)) = event.header else {
        count(Counters::dropped_too_large);
        return;
    };
    if truncated {
        count(Counters::truncated);
    }
    match to {
        Target::Capture { tracepoint } => {
            capture::push(CapturedEvent {
                tracepoint,
                payload: event.writer.payload(&header),
                truncated,
            });
            count(Counters::written);
        }
        Target::Kernel {
            fd,
            enable,
            write_index,
        } => {
            // The listener may have gone while the event was encoded.
            if enable.load(Ordering::Relaxed) & enable::KERNEL == 0 {
                count(Counters::dropped_disabled_race);
                return;
            }
            let header = header.with_write_index(write_index);
            let iov = event.writer.into_iovecs(header);
            // SAFETY: every iovec points at memory alive for the duration of this
            // call (`header` and the writer's storage and borrowed values).
            let rc = unsafe { libc::writev(fd, iov.as_ptr(), iov.len() as libc::c_int) };
            if rc >= 0 {
                count(Counters::written);
                return;
            }
            match Errno::last() {
                // user_events refuses a write to a tracepoint that has no
                // listener with EBADF (our descriptor is never closed, see
                // `DataFile::close`): the listener left after the check above.
                Errno(libc::EBADF) => count(Counters::dropped_disabled_race),
                errno => {
                    if let Some(counters) = counters {
                        counters.write_error(errno);
                    }
                }
            }
        }
    }
}
