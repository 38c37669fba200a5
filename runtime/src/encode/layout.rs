//! The constant parts of the Common Schema layout, built by `const fn`s: at
//! compile time for each macro call site (its event name, its PartB metadata
//! and the PartB values its level and name fix), and once for everyone (the
//! `__csver__` and PartA metadata of each PartA shape). An event then only
//! borrows them; its own work is the values that vary.
//!
//! The bytes are the same as [`super::common_schema`]'s writer lays out member
//! by member (the processor's PartB, the scalar profile), with the same member
//! names, encodings and order: the tests below compare the two.

use eventheader_types::FieldFormat;

use super::encoding::{FORMAT_FOLLOWS, STRING, STRUCT, VALUE16, VALUE32};
use crate::Level;

/// Bytes built by `const fn`s: a fixed buffer and how much of it is used.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConstBytes<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> ConstBytes<N> {
    /// Nothing yet.
    pub(crate) const fn new() -> Self {
        ConstBytes {
            buf: [0; N],
            len: 0,
        }
    }

    /// `bytes` appended (a build error in const evaluation when `N` is too small).
    pub(crate) const fn push(mut self, bytes: &[u8]) -> Self {
        let mut i = 0;
        while i < bytes.len() {
            self.buf[self.len] = bytes[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    /// A metadata field definition: `name`, NUL, the encoding (with the
    /// format-follows flag when `format` is not 0) and the format.
    pub(crate) const fn field(self, name: &str, encoding: u8, format: u8) -> Self {
        let this = self.push(name.as_bytes()).push(&[0]);
        if format == 0 {
            this.push(&[encoding])
        } else {
            this.push(&[encoding | FORMAT_FOLLOWS, format])
        }
    }

    /// A metadata struct definition with `members` members.
    pub(crate) const fn structure(self, name: &str, members: u8) -> Self {
        self.field(name, STRUCT, members & FieldFormat::ValueMask)
    }

    /// A string value: 16-bit length, then the bytes (at most 65,535 of them).
    pub(crate) const fn str_value(self, value: &str) -> Self {
        let bytes = value.as_bytes();
        let len = if bytes.len() > u16::MAX as usize {
            u16::MAX as usize
        } else {
            bytes.len()
        };
        self.push(&(len as u16).to_ne_bytes())
            .push(bytes.split_at(len).0)
    }

    /// The bytes written.
    pub(crate) const fn as_slice(&self) -> &[u8] {
        self.buf.split_at(self.len).0
    }

    /// The first `M` bytes (`M` must be the length written).
    pub(crate) const fn into_array<const M: usize>(self) -> [u8; M] {
        assert!(M == self.len, "the array length is not the length written");
        let mut out = [0; M];
        let mut i = 0;
        while i < M {
            out[i] = self.buf[i];
            i += 1;
        }
        out
    }
}

impl<const N: usize> Default for ConstBytes<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// Which optional PartA members an event has, as an index into [`PART_A_META`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PartAShape {
    /// `ext_dt_traceId` and `ext_dt_spanId`.
    pub trace: bool,
    /// `ext_cloud_role`.
    pub role: bool,
    /// `ext_cloud_roleInstance`.
    pub instance: bool,
}

impl PartAShape {
    const fn index(self) -> usize {
        self.trace as usize | (self.role as usize) << 1 | (self.instance as usize) << 2
    }

    const fn of_index(i: usize) -> PartAShape {
        PartAShape {
            trace: i & 1 != 0,
            role: i & 2 != 0,
            instance: i & 4 != 0,
        }
    }

    /// The metadata of `__csver__` and PartA with this shape.
    #[inline(always)]
    pub(crate) fn meta(self) -> &'static [u8] {
        PART_A_META[self.index()]
    }
}

/// `__csver__` and PartA metadata, room for the longest shape (95 bytes).
type PartAMeta = ConstBytes<112>;

const fn part_a_meta(shape: PartAShape) -> PartAMeta {
    let members = 1 + 2 * shape.trace as u8 + shape.role as u8 + shape.instance as u8;
    let mut m = PartAMeta::new()
        .field("__csver__", VALUE32, FieldFormat::UnsignedInt.as_int())
        .structure("PartA", members)
        .field("time", STRING, 0);
    if shape.trace {
        m = m
            .field("ext_dt_traceId", STRING, 0)
            .field("ext_dt_spanId", STRING, 0);
    }
    if shape.role {
        m = m.field("ext_cloud_role", STRING, 0);
    }
    if shape.instance {
        m = m.field("ext_cloud_roleInstance", STRING, 0);
    }
    m
}

/// The `__csver__` and PartA metadata of every [`PartAShape`], built.
const PART_A_BUILT: [PartAMeta; 8] = {
    let mut all = [PartAMeta::new(); 8];
    let mut i = 0;
    while i < 8 {
        all[i] = part_a_meta(PartAShape::of_index(i));
        i += 1;
    }
    all
};

/// [`PART_A_BUILT`] as slices: what an event borrows, one load away.
static PART_A_META: [&[u8]; 8] = [
    PART_A_BUILT[0].as_slice(),
    PART_A_BUILT[1].as_slice(),
    PART_A_BUILT[2].as_slice(),
    PART_A_BUILT[3].as_slice(),
    PART_A_BUILT[4].as_slice(),
    PART_A_BUILT[5].as_slice(),
    PART_A_BUILT[6].as_slice(),
    PART_A_BUILT[7].as_slice(),
];

/// `__csver__` value: Common Schema 4.0.
pub(crate) const CS_VERSION: u32 = 0x400;

/// The data of `__csver__`.
pub(crate) const CS_VERSION_DATA: [u8; 4] = CS_VERSION.to_ne_bytes();

/// The data of PartB's `_typeName`: the string `Log`.
pub(crate) static TYPE_NAME_DATA: [u8; 5] = ConstBytes::<5>::new().str_value("Log").into_array();

/// Room for a macro event's PartB metadata.
type PartBMeta = ConstBytes<96>;

/// PartB's metadata for a macro event: `_typeName`, `body` (with `body`'s
/// encoding and format) when it has one, `severityNumber`, `severityText`, `name`.
const fn macro_part_b_meta(body: Option<[u8; 2]>) -> PartBMeta {
    let m = PartBMeta::new().structure("PartB", if body.is_some() { 5 } else { 4 });
    let m = m.field("_typeName", STRING, 0);
    let m = match body {
        // The format byte always follows, 0 included, as in PartC's definitions:
        // the length of this metadata must not depend on the body type's format.
        Some([encoding, format]) => m.push(b"body\0").push(&[encoding | FORMAT_FOLLOWS, format]),
        None => m,
    };
    m.field("severityNumber", VALUE16, FieldFormat::SignedInt.as_int())
        .field("severityText", STRING, 0)
        .field("name", STRING, 0)
}

/// Length of [`macro_meta_tail`] for a PartC of `part_c_len` bytes.
pub const fn macro_meta_tail_len(part_c_len: usize, has_body: bool) -> usize {
    part_c_len
        + macro_part_b_meta(if has_body { Some([0, 0]) } else { None })
            .as_slice()
            .len()
}

/// A macro call site's metadata after PartA: its PartC (`part_c`, built by the
/// macro from the fields' types) and PartB.
pub const fn macro_meta_tail<const C: usize, const N: usize>(
    part_c: [u8; C],
    body: Option<[u8; 2]>,
) -> [u8; N] {
    ConstBytes::<N>::new()
        .push(&part_c)
        .push(macro_part_b_meta(body).as_slice())
        .into_array()
}

/// Length of [`macro_part_b_data`].
pub const fn macro_part_b_data_len(level: Level, name: &str) -> usize {
    2 + 2 + level.severity_text().len() + 2 + name.len()
}

/// The values of a macro event's PartB after the body: `severityNumber` and
/// `severityText` of `level`, and `name`.
pub const fn macro_part_b_data<const N: usize>(level: Level, name: &str) -> [u8; N] {
    ConstBytes::<N>::new()
        .push(&level.severity_number().to_ne_bytes())
        .str_value(level.severity_text())
        .str_value(name)
        .into_array()
}

/// Length of [`event_name_meta`].
pub const fn event_name_meta_len(name: &str) -> usize {
    let bytes = name.as_bytes();
    let mut i = 0;
    while i < bytes.len() && bytes[i] != 0 {
        i += 1;
    }
    i + 1
}

/// The event name as the first item of the metadata: up to its first NUL, then NUL.
pub const fn event_name_meta<const N: usize>(name: &str) -> [u8; N] {
    let (name, _) = name.as_bytes().split_at(N - 1);
    ConstBytes::<N>::new().push(name).push(&[0]).into_array()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::common_schema::{self, PartB};
    use crate::encode::seal::LargeStorage;
    use crate::encode::writer::{bytes_of_data, bytes_of_meta};

    #[test]
    fn the_fullest_part_a_shape_by_hand() {
        let unsigned = FieldFormat::UnsignedInt.as_int();
        let mut expected = b"__csver__\0".to_vec();
        expected.extend([VALUE32 | FORMAT_FOLLOWS, unsigned]);
        expected.extend(b"PartA\0");
        expected.extend([STRUCT | FORMAT_FOLLOWS, 5]);
        for name in [
            "time",
            "ext_dt_traceId",
            "ext_dt_spanId",
            "ext_cloud_role",
            "ext_cloud_roleInstance",
        ] {
            expected.extend(name.as_bytes());
            expected.extend([0, STRING]);
        }
        let shape = PartAShape {
            trace: true,
            role: true,
            instance: true,
        };
        assert_eq!(shape.meta(), &expected[..]);
        let bare = PartAShape {
            trace: false,
            role: false,
            instance: false,
        };
        assert_eq!(bare.meta().len(), 10 + 2 + 6 + 2 + 6);
        assert_eq!(
            PART_A_BUILT.iter().map(|m| m.len).max(),
            Some(expected.len())
        );
    }

    /// The processor lays PartB out member by member; a macro event's constant
    /// PartB must be the same bytes, but for a body whose format is 0: the
    /// member writer leaves the 0 out, macros keep it (decoders read both alike).
    #[test]
    fn a_macro_part_b_is_what_the_member_writer_lays_out() {
        let json = FieldFormat::StringJson.as_int();
        for (level, body) in [(Level::Warn, None), (Level::Critical, Some([STRING, json]))] {
            let part_b = PartB {
                severity_number: level.severity_number(),
                severity_text: Some(level.severity_text()),
                event_id: None,
                name: Some("Shipped"),
                activity: None,
            };
            let mut storage = LargeStorage::new();
            let mut w = storage.writer();
            common_schema::write_part_b_head(&mut w, body.is_some(), &part_b);
            if let Some([encoding, format]) = body {
                w.meta.field("body", encoding, format);
            }
            common_schema::write_part_b_tail(&mut w, &part_b);
            assert_eq!(macro_part_b_meta(body).as_slice(), &bytes_of_meta(&w)[..]);
            assert_eq!(
                macro_meta_tail_len(0, body.is_some()),
                macro_part_b_meta(body).as_slice().len()
            );
            let data = bytes_of_data(&w);
            assert_eq!(&data[..TYPE_NAME_DATA.len()], TYPE_NAME_DATA);
            let tail = &data[TYPE_NAME_DATA.len()..];
            match level {
                Level::Warn => {
                    const N: usize = macro_part_b_data_len(Level::Warn, "Shipped");
                    assert_eq!(tail, macro_part_b_data::<N>(Level::Warn, "Shipped"));
                }
                Level::Critical => {
                    const N: usize = macro_part_b_data_len(Level::Critical, "Shipped");
                    assert_eq!(tail, macro_part_b_data::<N>(Level::Critical, "Shipped"));
                }
                _ => {
                    const N: usize = macro_part_b_data_len(Level::Info, "Shipped");
                    assert_eq!(tail, macro_part_b_data::<N>(Level::Info, "Shipped"));
                }
            }
        }
    }

    #[test]
    fn a_body_definition_keeps_a_zero_format_byte() {
        let meta = macro_part_b_meta(Some([STRING, 0]));
        let at = meta
            .as_slice()
            .windows(5)
            .position(|w| w == b"body\0")
            .unwrap();
        assert_eq!(
            &meta.as_slice()[at + 5..at + 7],
            &[STRING | FORMAT_FOLLOWS, 0]
        );
        assert_eq!(macro_meta_tail_len(3, true), 3 + meta.as_slice().len());
    }

    #[test]
    fn event_names_stop_at_a_nul() {
        const N: usize = event_name_meta_len("Ab\0c");
        assert_eq!(event_name_meta::<N>("Ab\0c"), *b"Ab\0");
        const M: usize = event_name_meta_len("Shipped");
        assert_eq!(&event_name_meta::<M>("Shipped"), b"Shipped\0");
    }
}
