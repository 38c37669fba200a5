//! The scalar profile's PartC of a macro event ([`EncodingProfile::Scalars`]).
//!
//! In the full profile a call site's PartC metadata is a constant the macro
//! built at compile time from the fields' types. In the scalar profile a field's
//! type may depend on its value (a `u64` above `i64::MAX` becomes text, a `None`
//! is left out), so the metadata is laid out per event: each field's name comes
//! from the constant, its type from what [`Field::encode_scalar`] wrote.
//!
//! [`EncodingProfile::Scalars`]: super::profile::EncodingProfile::Scalars

use super::encoding::FORMAT_FOLLOWS;
use super::field::{Field, Scalar};
use super::writer::EventWriter;

/// Writes PartC of `fields` in the scalar profile. `meta` is the call site's
/// constant PartC metadata (`PartC`, its member count, then each field's name,
/// encoding with the format-follows flag, and format); nothing is written when
/// no field is present.
pub(crate) fn write_part_c<'a>(
    w: &mut EventWriter<'a>,
    meta: &'static [u8],
    fields: &[&'a dyn Field],
) {
    let mut count_at = None;
    let mut count = 0u8;
    for (field, (name, encoding, format)) in fields.iter().zip(definitions(meta)) {
        if !field.is_present() {
            continue;
        }
        if count_at.is_none() {
            count_at = Some(w.meta.structure_counted_later("PartC"));
        }
        let (encoding, format) = write_value(w, *field, (encoding, format));
        w.meta.field(name, encoding, format);
        count += 1;
    }
    if let Some(at) = count_at {
        w.meta.set_count(at, count);
    }
}

/// Writes the data of `field` in the scalar profile and returns its encoding
/// and format: what [`Field::encode_scalar`] wrote, or else the full encoding
/// with its type `full`.
pub(crate) fn write_value<'a>(
    w: &mut EventWriter<'a>,
    field: &'a dyn Field,
    full: (u8, u8),
) -> (u8, u8) {
    match field.encode_scalar(&mut w.data) {
        Scalar::AsFull => {
            field.encode(&mut w.data);
            full
        }
        Scalar::Written { encoding, format } => (encoding, format),
    }
}

/// The field definitions of a constant PartC metadata: (name, encoding without
/// the format-follows flag, format).
fn definitions(meta: &'static [u8]) -> impl Iterator<Item = (&'static str, u8, u8)> {
    // `PartC`, NUL, struct encoding, member count.
    let mut rest = meta.get(8..).unwrap_or(&[]);
    std::iter::from_fn(move || {
        let nul = rest.iter().position(|&b| b == 0)?;
        let (&encoding, &format) = (rest.get(nul + 1)?, rest.get(nul + 2)?);
        // The macros allow only ASCII names.
        let name = std::str::from_utf8(&rest[..nul]).unwrap_or("");
        rest = &rest[nul + 3..];
        Some((name, encoding & !FORMAT_FOLLOWS, format))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_are_read_back_from_the_macros_layout() {
        use crate::encode::encoding::{STRING, VALUE32, VARRAY};
        use eventheader_types::FieldFormat;
        let unsigned = FieldFormat::UnsignedInt.as_int();
        // PartC { id: u32, tags: [&str] }, laid out as macros/src/codegen.rs does.
        let mut meta = b"PartC\0".to_vec();
        meta.extend([0x81, 2]);
        meta.extend(b"id\0");
        meta.extend([VALUE32 | FORMAT_FOLLOWS, unsigned]);
        meta.extend(b"tags\0");
        meta.extend([STRING | VARRAY | FORMAT_FOLLOWS, 0]);
        let meta: &'static [u8] = meta.leak();
        let defs: Vec<_> = definitions(meta).collect();
        assert_eq!(
            defs,
            [("id", VALUE32, unsigned), ("tags", STRING | VARRAY, 0)]
        );
    }
}
