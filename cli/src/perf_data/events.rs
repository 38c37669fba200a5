//! The file's events: each `perf_event_attr` (from a normal-mode file's
//! attribute section, its `HEADER_EVENT_DESC` feature or a pipe-mode
//! `HEADER_ATTR` record) becomes a `PerfEventDesc`, found by its sample ids
//! and given its tracepoint's format whichever of the two comes first.

use std::io::{self, Read, Seek};
use std::sync::Arc;

use tracepoint_decode::{
    PerfEventAttr, PerfEventAttrOptions, PerfEventAttrReadFormat as ReadFormat,
    PerfEventAttrSampleType as SampleType, PerfEventAttrSize, PerfEventAttrType, PerfEventDesc,
    PerfEventFormat,
};

use super::header::{SECTION_SIZE, Section};
use super::reader::{ATTR_SIZE_MAX, ATTR_SIZE_MIN, PerfData};
use super::record::IdPosition;

impl<R: Read + Seek> PerfData<R> {
    // Normal mode: the attribute section.

    pub(super) fn load_attrs(&mut self, attrs: Section, entry_size: u64) -> io::Result<()> {
        if attrs.size == 0 {
            return Ok(());
        }
        let min = (ATTR_SIZE_MIN as u64) + SECTION_SIZE;
        if !(min..=0x10000).contains(&entry_size) {
            self.damaged(
                16u64,
                format!(
                    "the attribute entries' size, {entry_size}, is not between {min} and 65536: \
                     no event can be decoded"
                ),
            );
            return Ok(());
        }
        if attrs.end() > self.len {
            let present = self.len.saturating_sub(attrs.offset);
            self.truncated("the attribute section", attrs.offset, attrs.size, present);
        }
        let attr_size = (entry_size - SECTION_SIZE) as usize;
        for i in 0..attrs.size / entry_size {
            let at = attrs.offset.saturating_add(i * entry_size);
            let entry = self.read_at(at, entry_size)?;
            if (entry.len() as u64) < entry_size {
                break; // The section's truncation says so.
            }
            let attr = self.attr(&entry[..attr_size.min(ATTR_SIZE_MAX)]);
            let ids = Section {
                offset: self.u64_at(&entry, attr_size).unwrap_or(0),
                size: self.u64_at(&entry, attr_size + 8).unwrap_or(0),
            };
            if !ids.size.is_multiple_of(8) || ids.size > self.ids_budget {
                self.damaged(
                    at,
                    format!(
                        "attribute {i}'s ids ({} bytes at offset {}) are not a whole number \
                         of ids or overlap others: its events cannot be decoded",
                        ids.size, ids.offset
                    ),
                );
                continue;
            }
            self.ids_budget -= ids.size;
            let bytes = self.read_at(ids.offset, ids.size)?;
            if (bytes.len() as u64) < ids.size {
                let what = format!("the ids of attribute {i}");
                self.truncated(&what, ids.offset, ids.size, bytes.len() as u64);
            }
            let ids = self.ids(&bytes);
            self.add_attr(attr, String::new(), ids);
        }
        Ok(())
    }

    pub(super) fn ids(&self, bytes: &[u8]) -> Vec<u64> {
        bytes
            .chunks_exact(8)
            .map(|id| self.u64_at(id, 0).unwrap_or(0))
            .collect()
    }

    /// A `perf_event_attr` of `bytes.len()` bytes (at most the known size),
    /// as the file has it.
    pub(super) fn attr(&self, bytes: &[u8]) -> PerfEventAttr {
        let wide = |at| self.u64_at(bytes, at).unwrap_or(0);
        let narrow = |at| self.u32_at(bytes, at).unwrap_or(0);
        // A bit-field: its bits keep their place in each byte's order.
        let options = match bytes.get(40..48) {
            Some(b) => {
                let raw = u64::from_ne_bytes(b.try_into().expect("8 bytes"));
                if self.byte_reader.byte_swap_needed() {
                    raw.reverse_bits().swap_bytes()
                } else {
                    raw
                }
            }
            None => 0,
        };
        PerfEventAttr {
            attr_type: PerfEventAttrType(narrow(0)),
            size: PerfEventAttrSize(bytes.len() as u32),
            config: wide(8),
            sample_time: wide(16),
            sample_type: SampleType(wide(24)),
            read_format: ReadFormat(wide(32)),
            options: PerfEventAttrOptions(options),
            wakeup_value: narrow(48),
            bp_type: narrow(52),
            config1: wide(56),
            config2: wide(64),
            branch_sample_type: wide(72),
            sample_regs_user: wide(80),
            sample_stack_user: narrow(88),
            clockid: narrow(92),
            sample_regs_intr: wide(96),
            aux_watermark: narrow(104),
            sample_max_stack: self.u16_at(bytes, 108).unwrap_or(0),
            aux_sample_size: narrow(112),
            sig_data: wide(120),
            ..PerfEventAttr::default()
        }
    }

    pub(super) fn add_attr(&mut self, attr: PerfEventAttr, name: String, ids: Vec<u64>) {
        let position = IdPosition::of(attr.sample_type);
        match self.id_position {
            None => self.id_position = Some(position),
            Some(known) if known != position => {
                self.damaged(
                    None,
                    format!(
                        "event {name:?} (config {:#x}) places its sample ids elsewhere than the \
                         file's first event: its events cannot be decoded",
                        attr.config
                    ),
                );
                return;
            }
            Some(_) => {}
        }
        let tracepoint =
            (attr.attr_type == PerfEventAttrType::Tracepoint).then_some(attr.config as u32);
        let format = tracepoint.and_then(|id| self.formats.get(&id));
        let index = self.descs.len();
        self.descs.push(PerfEventDesc::new(
            attr,
            name,
            format,
            ids.into_boxed_slice(),
        ));
        for &id in self.descs[index].ids() {
            self.by_id.insert(id, index);
        }
        if let Some(id) = tracepoint {
            self.by_tracepoint.entry(id).or_default().push(index);
        }
    }

    pub(super) fn add_format(&mut self, format: PerfEventFormat) {
        let id = format.id();
        let format = Arc::new(format);
        for &i in self.by_tracepoint.get(&id).map_or(&[][..], Vec::as_slice) {
            if self.descs[i].format().is_none() {
                self.descs[i].set_format(&format);
            }
        }
        self.formats.insert(id, format);
    }
}
