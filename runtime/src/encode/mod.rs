//! EventHeader encoding, shared by the macros' events and the `LogProcessor`:
//! the header, the zero-allocation writer, field values, and the Common Schema frame.

pub mod any_value;
pub mod common_schema;
pub(crate) mod encoding;
pub mod field;
pub mod header;
pub(crate) mod json;
pub mod layout;
pub mod profile;
pub mod scalars;
pub mod seal;
pub mod time;
pub mod value;
pub mod writer;
