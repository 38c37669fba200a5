//! The kernel's user_events interface: the `user_events_data` file, tracepoint
//! registration with an enable word, and the `writev` that emits an event.
//!
//! We issue the ioctls ourselves instead of using `tracepoint::TracepointState`
//! because the generated enabled check must be a single load of a word that also
//! carries our own bits (OpenTelemetry fallback, test capture); the kernel only
//! ever flips bit 0 of that word, atomically, so the other bits are ours.

mod data_file;
mod errno;
mod ioctl;

pub use data_file::DataFile;
pub use errno::Errno;
pub(crate) use ioctl::{KERNEL_ENABLE_BIT, register, unregister};

/// The field list every EventHeader tracepoint is registered with.
pub const EVENTHEADER_FIELDS: &str =
    "u8 eventheader_flags; u8 version; u16 id; u16 tag; u8 opcode; u8 level";
