//! The bits of an enable word: the `AtomicU32` that a call site (or a
//! processor's level) gives the kernel at registration, and that the enabled
//! check loads.
//!
//! The kernel owns bit 0 (set while a listener is attached to the tracepoint);
//! the other bits are this crate's, so one relaxed load answers "does anyone
//! want this event?" in every output mode.

/// Set by the kernel while the tracepoint has a listener.
pub(crate) const KERNEL: u32 = 1 << otel_user_events_abi::KERNEL_ENABLE_BIT;
/// Set while events go to OpenTelemetry and its logger wants this call site.
pub(crate) const FALLBACK: u32 = 1 << 1;
/// Set while a test capture runs on some thread (see [`crate::capture`]).
pub(crate) const CAPTURE: u32 = 1 << 2;
/// Set while the configured output is unavailable, so events are counted as dropped.
pub(crate) const UNAVAILABLE: u32 = 1 << 3;
