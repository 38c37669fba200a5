//! The EventHeader limits every writer of this project keeps to.

/// Most members of an EventHeader struct: its member count is 7 bits. An
/// event's fields (PartC in the Common Schema layout) are such a struct, so
/// this is also the most fields an event can have.
pub const MAX_STRUCT_MEMBERS: u8 = 127;

/// The largest event, in bytes after the 4-byte write index (EventHeader, its
/// extensions, metadata and data): longer strings are truncated to fit.
pub const MAX_EVENT_SIZE: usize = 65_535;
