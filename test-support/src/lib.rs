//! Test helpers shared by the workspace's tests and benchmarks.
//!
//! - [`decode`]: turn the bytes of one EventHeader event into the JSON that
//!   Microsoft's `tracepoint_decode` crate produces, so tests compare against
//!   hand-written expected JSON.

pub mod decode;
