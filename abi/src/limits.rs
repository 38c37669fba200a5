//! The EventHeader limits every writer of this project keeps to.

/// Most members of an EventHeader struct: its member count is 7 bits. An
/// event's fields (PartC in the Common Schema layout) are such a struct, so
/// this is also the most fields an event can have.
pub const MAX_STRUCT_MEMBERS: u8 = 127;

/// The largest event, in bytes after the 4-byte write index (EventHeader, its
/// extensions, metadata and data): longer strings are truncated to fit.
pub const MAX_EVENT_SIZE: usize = 65_535;

/// The largest event a perf-based reader sees, in bytes after the write
/// index: the kernel hands perf at most 8,192 bytes a record
/// (`PERF_MAX_TRACE_SIZE`), its 8-byte entry header included, so a larger
/// event is written but never reaches `perf` (the kernel logs "perf buffer
/// not large enough").
pub const PERF_MAX_EVENT_SIZE: usize = 8_192 - 8;

/// The default EventHeader keyword, of events and outputs that name none.
pub const DEFAULT_KEYWORD: u64 = 1;

/// The longest provider name: tracepoint names (`<Provider>_L<n>K<keyword>`) must stay
/// below the kernel's 256-byte limit with room for the longest attribute suffix.
/// A provider group counts against the same limit: the provider name and the
/// group together have at most this many bytes (as EventHeader's own libraries
/// require), which leaves room for `_L<ff>K<16 hex digits>G`.
pub const PROVIDER_NAME_MAX: usize = 233;

/// EventHeader opcodes this project writes: a plain event, and the start and
/// stop of an activity.
pub mod opcode {
    /// A plain event.
    pub const INFO: u8 = 0;
    /// The start of an activity (an `#[otel_event]` call, a span).
    pub const ACTIVITY_START: u8 = 1;
    /// The stop of an activity.
    pub const ACTIVITY_STOP: u8 = 2;
}
