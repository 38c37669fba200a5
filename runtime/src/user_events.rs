//! Writing one encoded event to the kernel.

use std::os::fd::RawFd;
use std::sync::atomic::{AtomicU32, Ordering};

use otel_user_events_abi::Errno;

use crate::callsite::bits;
use crate::counters::Counters;
use crate::encode::seal::Sealed;

/// Sends a sealed event ([`crate::encode::seal_event`]) with one `writev`,
/// counting the outcome in `counters`.
pub(crate) fn write_event<O>(
    fd: RawFd,
    enable: &AtomicU32,
    write_index: u32,
    event: Sealed<'_, O>,
    counters: &Counters,
) {
    let Some((mut header, truncated)) = event.header else {
        counters.dropped_too_large();
        return;
    };
    if truncated {
        counters.truncated();
    }
    // The listener may have gone while the event was encoded.
    if enable.load(Ordering::Relaxed) & bits::KERNEL == 0 {
        counters.dropped_disabled_race();
        return;
    }
    let header = header.with_write_index(write_index);
    let iov = event.writer.into_iovecs(header);
    // SAFETY: every iovec points at memory alive for the duration of this call
    // (`header` and the writer's storage and borrowed values).
    let rc = unsafe { libc::writev(fd, iov.as_ptr(), iov.len() as libc::c_int) };
    if rc < 0 {
        match Errno::last() {
            // user_events refuses a write to a tracepoint that has no
            // listener with EBADF (our descriptor is never closed, see
            // `DataFile::close`): the listener left after the check above.
            Errno(libc::EBADF) => counters.dropped_disabled_race(),
            errno => counters.write_error(errno),
        }
    } else {
        counters.written();
    }
}
