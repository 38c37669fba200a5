//! Parsing and checking shared by the macros; errors go to a [`Ctxt`]. Nothing
//! here generates code: that is `crate::codegen` and each macro's `expand`.

mod ctxt;
pub mod event_fields;
pub mod field;
pub mod level;
pub mod names;
pub mod rust_text;

pub use ctxt::Ctxt;
