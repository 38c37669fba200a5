//! The EventHeader encoding bytes this crate writes, named once.
//!
//! The values come from `eventheader_types::FieldEncoding`; these short names
//! only keep the field tables readable. Format bytes are used as
//! `FieldFormat::X.as_int()` directly (each appears in one or two places).

use eventheader_types::FieldEncoding;

/// A struct: its format byte holds the member count.
pub(crate) const STRUCT: u8 = FieldEncoding::Struct.as_int();
/// A 1-byte value.
pub(crate) const VALUE8: u8 = FieldEncoding::Value8.as_int();
/// A 2-byte value.
pub(crate) const VALUE16: u8 = FieldEncoding::Value16.as_int();
/// A 4-byte value.
pub(crate) const VALUE32: u8 = FieldEncoding::Value32.as_int();
/// An 8-byte value.
pub(crate) const VALUE64: u8 = FieldEncoding::Value64.as_int();
/// A UTF-8 string with a 16-bit length prefix.
pub(crate) const STRING: u8 = FieldEncoding::StringLength16Char8.as_int();
/// Bytes with a 16-bit length prefix.
pub(crate) const BINARY: u8 = FieldEncoding::BinaryLength16Char8.as_int();
/// Flag on an encoding byte: a variable-length array (16-bit element count) of it.
pub(crate) const VARRAY: u8 = FieldEncoding::VArrayFlag;
/// Flag on an encoding byte: a format byte follows it.
pub(crate) const FORMAT_FOLLOWS: u8 = FieldEncoding::ChainFlag;
