//! EventHeader encoding, shared by the macros' events and the `LogProcessor`:
//! the header, the zero-allocation writer, field values, and the Common Schema frame.

pub(crate) mod any_value;
pub(crate) mod common_schema;
pub(crate) mod encoding;
pub(crate) mod field;
pub(crate) mod header;
pub(crate) mod json;
pub(crate) mod layout;
pub(crate) mod profile;
pub(crate) mod scalars;
pub(crate) mod seal;
pub(crate) mod time;
pub(crate) mod value;
pub(crate) mod writer;
