//! EventHeader encoding, shared by every front end: the header, the
//! zero-allocation writer and its fitting rule, field values, bounded structs
//! (`members`), OpenTelemetry values, and the Common Schema frame.

pub(crate) mod any_value;
pub(crate) mod common_schema;
pub(crate) mod direct;
pub(crate) mod encoding;
pub(crate) mod field;
pub(crate) mod header;
pub(crate) mod json;
pub(crate) mod layout;
pub(crate) mod members;
pub(crate) mod profile;
pub(crate) mod scalars;
pub(crate) mod seal;
pub(crate) mod time;
pub(crate) mod value;
pub(crate) mod writer;
