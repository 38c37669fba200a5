//! `ue-tail`'s code, as a library: the program (`src/main.rs`) and the fuzz
//! targets (`fuzz/`) share it. It is not a stable API; use the program.
//!
//! [`file::decode`] decodes a perf.data file from any reader to an
//! [`output::Output`], warning about (and going on from) what it cannot
//! decode; `otel_user_events_listen::isolate` is how it survives a
//! decoder's panic.
//!
//! Linux only, like the program: elsewhere this library is empty.

#[cfg(target_os = "linux")]
pub mod ahead;
#[cfg(target_os = "linux")]
pub mod args;
#[cfg(target_os = "linux")]
pub mod error;
#[cfg(target_os = "linux")]
pub mod file;
#[cfg(target_os = "linux")]
pub mod filter;
#[cfg(target_os = "linux")]
pub mod human;
#[cfg(target_os = "linux")]
pub mod json;
#[cfg(target_os = "linux")]
pub mod live;
#[cfg(target_os = "linux")]
pub mod output;
#[cfg(target_os = "linux")]
pub mod perf_data;
#[cfg(target_os = "linux")]
pub mod precreate;
#[cfg(target_os = "linux")]
pub mod serve_fd;
