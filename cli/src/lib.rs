//! `ue-tail`'s code, as a library: the program (`src/main.rs`) and the fuzz
//! targets (`fuzz/`) share it. It is not a stable API; use the program.
//!
//! [`file::decode`] decodes a perf.data file from any reader to an
//! [`output::Output`], warning about (and going on from) what it cannot
//! decode; `otel_user_events_listen::isolate` is how it survives a
//! decoder's panic.
//!
//! Linux only, like the program: elsewhere this library is empty.

#![cfg(target_os = "linux")]

pub mod ahead;
pub mod args;
pub mod error;
pub mod file;
pub mod filter;
pub mod human;
pub mod json;
pub mod live;
pub mod output;
pub mod perf_data;
pub mod precreate;
pub mod serve_fd;
