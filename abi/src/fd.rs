//! The file descriptor type of this crate's API, on every platform: the
//! library builds (and reports user_events as unavailable) where there are
//! no Unix descriptors.

/// A file descriptor, as [`DataFile::fd`](crate::DataFile::fd) returns it:
/// [`std::os::fd::RawFd`] on Unix.
#[cfg(unix)]
pub use std::os::fd::RawFd;
/// A file descriptor, as [`DataFile::fd`](crate::DataFile::fd) returns it:
/// the C runtime's `int` where the standard library has no `RawFd` (no
/// [`DataFile`](crate::DataFile) opens there).
#[cfg(not(unix))]
pub type RawFd = std::ffi::c_int;
