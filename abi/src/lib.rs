//! The user_events kernel interface and the EventHeader limits this project
//! relies on, written once for the runtime (which registers and writes
//! tracepoints) and for `otel-user-events-listen` / `ue-tail` (which find and
//! read them), so both pick the same tracefs and agree on every name.
//!
//! - [`tracefs`]: where tracefs is mounted (one discovery for everyone) and
//!   the files it has about user_events tracepoints, with errors that say what
//!   is missing.
//! - [`status`]: the contents of `user_events_status`.
//! - [`name`]: provider names, provider groups and the tracepoint names built
//!   from them, `<Provider>_L<level>K<keyword>[G<group>]`, formatted and parsed
//!   back.
//! - [`DataFile`]: the `user_events_data` file, and registering a tracepoint
//!   with an enable word through it.
//! - [`Errno`]: the kernel's error numbers, with sentences a person can act on.
//! - [`handoff`]: a `user_events_data` descriptor handed over a Unix socket
//!   (`SCM_RIGHTS`), for applications without tracefs access.
//! - [`MAX_STRUCT_MEMBERS`], [`MAX_EVENT_SIZE`], [`PERF_MAX_EVENT_SIZE`],
//!   [`DEFAULT_KEYWORD`], [`opcode`]: the EventHeader limits and defaults.
//!
//! Its only dependency is `libc`, so that any crate of the project (the
//! proc-macros included) can use its limits cheaply.
//!
//! user_events exists only on Linux. Elsewhere (macOS, Windows: where many
//! users write the code they deploy on Linux) this crate builds all the same,
//! and [`DataFile::open`] fails with `ENOTSUP`, whose sentence says so.

#![warn(missing_docs)]

mod data_file;
mod errno;
mod fd;
#[cfg(unix)]
pub mod handoff;
mod ioctl;
mod limits;
pub mod name;
pub mod status;
pub mod tracefs;

pub use data_file::{DataFile, DataFileError, EVENTHEADER_FIELDS};
pub use errno::Errno;
pub use fd::RawFd;
pub use ioctl::KERNEL_ENABLE_BIT;
pub use limits::{
    DEFAULT_KEYWORD, MAX_EVENT_SIZE, MAX_STRUCT_MEMBERS, PERF_MAX_EVENT_SIZE, opcode,
};
