//! Writing one encoded event to the kernel.

use std::os::fd::RawFd;
use std::sync::atomic::{AtomicU32, Ordering};

use arrayvec::ArrayVec;

use crate::callsite::bits;
use crate::counters::Counters;
use crate::encode::header::HeaderFields;
use crate::encode::writer::EventWriter;
use crate::kernel::Errno;

/// Header iovec plus every segment an [`EventWriter`] can hold.
const MAX_IOVECS: usize = 1 + 136 + 320;

/// Fits `event` into 64 KB ([`EventWriter::seal`]), builds its header and sends it with one `writev`,
/// counting the outcome in `counters`.
pub(crate) fn write_event(
    fd: RawFd,
    enable: &AtomicU32,
    write_index: u32,
    fields: &HeaderFields<'_>,
    event: &mut EventWriter<'_>,
    counters: &Counters,
) {
    let Some((mut header, truncated)) = event.seal(fields) else {
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
    let mut iov: ArrayVec<libc::iovec, MAX_IOVECS> = ArrayVec::new();
    let header = header.with_write_index(write_index);
    iov.push(iovec(header));
    event.for_each_slice(|slice| iov.push(iovec(slice)));
    // SAFETY: every iovec points at memory borrowed for the duration of this call.
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

fn iovec(slice: &[u8]) -> libc::iovec {
    libc::iovec {
        iov_base: slice.as_ptr() as *mut libc::c_void,
        iov_len: slice.len(),
    }
}
