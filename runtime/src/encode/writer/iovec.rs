//! [`IoVec`], the writer's segment: `struct iovec` on every platform.

use std::ffi::c_void;

/// One segment, `iov_len` bytes at `iov_base`: the layout of C's `struct
/// iovec` (`void *iov_base; size_t iov_len;`), defined here rather than taken
/// from `libc` so that the writer builds where `libc` has none (Windows).
/// A slice of them is the vector `writev` takes on Linux, where the layout is
/// checked at compile time against `libc::iovec` (below); the kernel output
/// passes it as is.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct IoVec {
    /// The first byte.
    pub(crate) iov_base: *mut c_void,
    /// How many bytes.
    pub(crate) iov_len: usize,
}

// `&[IoVec]` is handed to `writev` as `*const libc::iovec` (output/deliver.rs):
// same size, alignment and field offsets.
#[cfg(target_os = "linux")]
const _: () = {
    use std::mem::{align_of, offset_of, size_of};
    assert!(size_of::<IoVec>() == size_of::<libc::iovec>());
    assert!(align_of::<IoVec>() == align_of::<libc::iovec>());
    assert!(offset_of!(IoVec, iov_base) == offset_of!(libc::iovec, iov_base));
    assert!(offset_of!(IoVec, iov_len) == offset_of!(libc::iovec, iov_len));
};
