//! Parsing and checking shared by the macros; errors go to a [`Ctxt`].

mod ctxt;
pub mod field;
pub mod level;
pub mod names;

pub use ctxt::Ctxt;
