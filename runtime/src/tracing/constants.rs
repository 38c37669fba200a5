//! What a `tracing` call site fixes in its events, laid out once per call
//! site: the event name's metadata, and (in the full profile) every PartB
//! member but the body, fixed by the call site's level and name. An event
//! borrows them instead of writing them member by member.

use eventheader_types::FieldFormat;

use crate::encode::encoding::{STRING, VALUE16};
use crate::encode::layout::ConstBytes;

/// The longest name laid out once: longer ones (unusual) are written member
/// by member, which shortens them to fit the event.
const MAX_NAME: usize = 1024;

/// The event name's metadata, PartB's metadata (with and without a body)
/// and PartB's data after the body.
#[derive(Debug)]
pub(super) struct SiteConstants {
    /// The event name up to a NUL, then NUL.
    name_meta: Box<[u8]>,
    /// Index 0 without a body, 1 with one.
    meta: [Box<[u8]>; 2],
    /// `severityNumber`, `severityText`, `name`.
    data_after_body: Box<[u8]>,
}

impl SiteConstants {
    /// The layout for events of `severity_number`/`severity_text` named
    /// `name`, if the name is short enough to keep.
    pub(super) fn new(severity_number: i16, severity_text: &str, name: &str) -> Option<Self> {
        if name.len() > MAX_NAME {
            return None;
        }
        let meta = |body: bool| -> Box<[u8]> {
            let m = ConstBytes::<128>::new()
                .structure("PartB", 4 + body as u8)
                .field("_typeName", STRING, 0);
            let m = if body { m.field("body", STRING, 0) } else { m };
            m.field("severityNumber", VALUE16, FieldFormat::SignedInt.as_int())
                .field("severityText", STRING, 0)
                .field("name", STRING, 0)
                .as_slice()
                .into()
        };
        let mut data = severity_number.to_ne_bytes().to_vec();
        for text in [severity_text, name] {
            data.extend_from_slice(&(text.len() as u16).to_ne_bytes());
            data.extend_from_slice(text.as_bytes());
        }
        // The event name's metadata stops at a NUL (as the writer's does);
        // PartB's `name` is the whole name.
        let mut name_meta = name
            .split('\0')
            .next()
            .unwrap_or_default()
            .as_bytes()
            .to_vec();
        name_meta.push(0);
        Some(SiteConstants {
            name_meta: name_meta.into(),
            meta: [meta(false), meta(true)],
            data_after_body: data.into(),
        })
    }

    /// The event name's metadata.
    #[inline(always)]
    pub(super) fn name_meta(&self) -> &[u8] {
        &self.name_meta
    }

    /// PartB's metadata, with a body or without.
    #[inline(always)]
    pub(super) fn part_b_meta(&self, has_body: bool) -> &[u8] {
        &self.meta[has_body as usize]
    }

    /// PartB's data after the body.
    #[inline(always)]
    pub(super) fn part_b_data(&self) -> &[u8] {
        &self.data_after_body
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::common_schema::{PartB, write_part_b_head, write_part_b_tail};
    use crate::encode::layout::TYPE_NAME_DATA;
    use crate::encode::seal::LargeStorage;
    use crate::encode::writer::{bytes_of_data, bytes_of_meta};

    #[test]
    fn the_layout_is_what_the_member_by_member_writer_writes() {
        for (number, text, name) in [
            (9, "INFO", "checkout"),
            (17, "ERROR", ""),
            (1, "TRACE", "x"),
        ] {
            let layout = SiteConstants::new(number, text, name).expect("short");
            for body in [false, true] {
                let mut storage = LargeStorage::new();
                let mut w = storage.writer();
                let part_b = PartB {
                    severity_number: number,
                    severity_text: Some(text),
                    event_id: None,
                    name: Some(name),
                    activity: None,
                };
                write_part_b_head(&mut w, body, &part_b);
                if body {
                    w.meta.literal_field("body", STRING, 0);
                }
                write_part_b_tail(&mut w, &part_b);
                assert_eq!(bytes_of_meta(&w), layout.part_b_meta(body), "{name} {body}");
                let mut data = TYPE_NAME_DATA.to_vec();
                data.extend_from_slice(layout.part_b_data());
                assert_eq!(bytes_of_data(&w), data, "{name} {body}");
            }
        }
    }

    #[test]
    fn long_names_are_left_to_the_writer() {
        assert!(SiteConstants::new(9, "INFO", &"n".repeat(MAX_NAME)).is_some());
        assert!(SiteConstants::new(9, "INFO", &"n".repeat(MAX_NAME + 1)).is_none());
    }
}
