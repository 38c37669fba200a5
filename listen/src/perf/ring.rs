//! One CPU's perf ring buffer: the memory the kernel writes records into.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicU64, Ordering};

use super::uapi::{
    MMAP_DATA_HEAD, MMAP_DATA_OFFSET, MMAP_DATA_SIZE, MMAP_DATA_TAIL, PERF_EVENT_IOC_SET_OUTPUT,
};

/// One CPU's mmap'd ring buffer; the first fd owns it, the others write into it.
pub(crate) struct Ring {
    cpu: u32,
    base: *mut u8,
    map_len: usize,
    data_offset: usize,
    data_size: usize,
    fds: Vec<OwnedFd>,
}

impl Ring {
    /// Maps a ring of `pages` data pages (a power of two) for `fd`, the
    /// first event on `cpu`.
    pub(crate) fn map(cpu: u32, fd: OwnedFd, pages: usize, page: usize) -> io::Result<Ring> {
        let map_len = (pages + 1) * page;
        // SAFETY: mapping a perf fd as the kernel documents: 1 + 2^n pages.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let mut ring = Ring {
            cpu,
            base: base.cast(),
            map_len,
            data_offset: page,
            data_size: pages * page,
            fds: vec![fd],
        };
        // Kernels since 4.1 say where the data area is; older ones use page 1.
        let (offset, size) = (
            ring.header_u64(MMAP_DATA_OFFSET),
            ring.header_u64(MMAP_DATA_SIZE),
        );
        if offset != 0 && size != 0 {
            ring.data_offset = offset as usize;
            ring.data_size = size as usize;
        }
        Ok(ring)
    }

    /// Sends the records of another event on the same CPU into this ring.
    pub(crate) fn attach(&mut self, fd: OwnedFd) -> io::Result<()> {
        // SAFETY: plain ioctl on descriptors we own.
        let r = unsafe {
            libc::ioctl(
                fd.as_raw_fd(),
                PERF_EVENT_IOC_SET_OUTPUT as _,
                self.fds[0].as_raw_fd(),
            )
        };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        self.fds.push(fd);
        Ok(())
    }

    /// The CPU this ring is for.
    pub(crate) fn cpu(&self) -> u32 {
        self.cpu
    }

    /// The events writing into this ring; the first owns the mapping.
    pub(crate) fn fds(&self) -> &[OwnedFd] {
        &self.fds
    }

    fn header_u64(&self, offset: usize) -> u64 {
        self.header_atomic(offset).load(Ordering::Acquire)
    }

    fn header_atomic(&self, offset: usize) -> &AtomicU64 {
        // SAFETY: offset is one of the 8-aligned u64 fields of the mapped
        // perf_event_mmap_page, which lives as long as self.
        unsafe { &*self.base.add(offset).cast::<AtomicU64>() }
    }

    /// Copies the next record (header included) into `out`, handling records
    /// that wrap around the end of the buffer, and frees its space. Returns
    /// false when the buffer is empty.
    pub(crate) fn next_record(&mut self, out: &mut Vec<u8>) -> bool {
        // Acquire pairs with the kernel's release of data_head: the record
        // bytes before head are visible once head is.
        let head = self.header_u64(MMAP_DATA_HEAD);
        let tail = self.header_atomic(MMAP_DATA_TAIL).load(Ordering::Relaxed);
        if head == tail {
            return false;
        }
        let mut header = [0u8; 8];
        self.copy_out(tail, &mut header);
        let size = u16::from_ne_bytes([header[6], header[7]]) as u64;
        if size < 8 || size > head - tail {
            // Corrupt or torn: drop everything pending rather than loop forever.
            self.header_atomic(MMAP_DATA_TAIL)
                .store(head, Ordering::Release);
            return false;
        }
        out.resize(size as usize, 0);
        self.copy_out(tail, out);
        // Release: our reads of the record happen before the kernel may reuse it.
        self.header_atomic(MMAP_DATA_TAIL)
            .store(tail + size, Ordering::Release);
        true
    }

    fn copy_out(&self, position: u64, out: &mut [u8]) {
        let start = (position % self.data_size as u64) as usize;
        let first = out.len().min(self.data_size - start);
        // SAFETY: both ranges lie inside the data area of the mapping.
        unsafe {
            let data = self.base.add(self.data_offset);
            std::ptr::copy_nonoverlapping(data.add(start), out.as_mut_ptr(), first);
            std::ptr::copy_nonoverlapping(data, out.as_mut_ptr().add(first), out.len() - first);
        }
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // Unmap before the fds close (field drop order): a mapping keeps the
        // perf event alive, and with it the tracepoint's enable bit.
        // SAFETY: base/map_len came from a successful mmap.
        unsafe { libc::munmap(self.base.cast(), self.map_len) };
    }
}
