//! A sample's fields: which event it belongs to (by its sample id, whose
//! place the file's first attribute sets) and its `PerfSampleEventInfo`,
//! read field by field as its event's `sample_type` lists them; a sample
//! too short for them is a `SampleError`, not a panic.

use std::io::{Read, Seek};

use tracepoint_decode::{
    PerfEventAttrReadFormat as ReadFormat, PerfEventAttrSampleType as SampleType,
    PerfSampleEventInfo,
};

use super::bytes::Fields;
use super::problems::SampleError;
use super::reader::{PerfData, RECORD_HEADER_SIZE};
use super::record::{IdPosition, Record};

impl<R: Read + Seek> PerfData<R> {
    /// The sample's fields, with its event's description (attribute, name,
    /// format) and the session (clock offset).
    pub fn sample_info<'a>(
        &'a self,
        record: &'a Record,
    ) -> Result<PerfSampleEventInfo<'a>, SampleError> {
        let bytes = record.bytes.as_slice();
        let (index, id) = self.desc_of(bytes)?;
        let desc = &self.descs[index];
        let sample_type = desc.attr().sample_type;
        let has = |flag| sample_type.has_flag(flag);
        let mut info = PerfSampleEventInfo::new(bytes, &self.session, desc);
        info.id = id;
        let mut fields = Fields {
            bytes,
            pos: RECORD_HEADER_SIZE,
            byte_reader: self.byte_reader,
        };
        if has(SampleType::Identifier) {
            fields.u64()?;
        }
        if has(SampleType::IP) {
            info.ip = fields.u64()?;
        }
        if has(SampleType::Tid) {
            info.pid = fields.u32()?;
            info.tid = fields.u32()?;
        }
        if has(SampleType::Time) {
            info.time = fields.u64()?;
        }
        if has(SampleType::Addr) {
            info.addr = fields.u64()?;
        }
        if has(SampleType::Id) {
            fields.u64()?;
        }
        if has(SampleType::StreamId) {
            info.stream_id = fields.u64()?;
        }
        if has(SampleType::Cpu) {
            info.cpu = fields.u32()?;
            info.cpu_reserved = fields.u32()?;
        }
        if has(SampleType::Period) {
            info.period = fields.u64()?;
        }
        if has(SampleType::Read) {
            let read_format = desc.attr().read_format;
            const KNOWN: u64 = ReadFormat::TotalTimeEnabled.0
                | ReadFormat::TotalTimeRunning.0
                | ReadFormat::Id.0
                | ReadFormat::Group.0
                | ReadFormat::Lost.0;
            if read_format.0 & !KNOWN != 0 {
                return Err(SampleError::ReadFormat(read_format.0));
            }
            let flag = |f| read_format.has_flag(f) as usize;
            let times = flag(ReadFormat::TotalTimeEnabled) + flag(ReadFormat::TotalTimeRunning);
            let per_value = 1 + flag(ReadFormat::Id) + flag(ReadFormat::Lost);
            let start = fields.pos;
            let words = if read_format.has_flag(ReadFormat::Group) {
                let nr = fields.u64()?;
                // At most a record's worth.
                let nr = usize::try_from(nr)
                    .map_err(|_| SampleError::Short)?
                    .min(0x10000);
                times + nr * per_value
            } else {
                times + per_value
            };
            fields.skip(words * 8)?;
            info.read_range = fields.range(start)?;
        }
        if has(SampleType::Callchain) {
            let start = fields.pos;
            let nr = fields.u64()?;
            let nr = usize::try_from(nr)
                .map_err(|_| SampleError::Short)?
                .min(0x10000);
            fields.skip(nr * 8)?;
            info.callchain_range = fields.range(start)?;
        }
        if has(SampleType::Raw) {
            let size = fields.u32()? as usize;
            let start = fields.pos;
            fields.skip(size)?;
            info.raw_range = fields.range(start)?;
        }
        Ok(info)
    }

    /// The description of the sample's event and the sample's id.
    fn desc_of(&self, bytes: &[u8]) -> Result<(usize, u64), SampleError> {
        if self.descs.is_empty() {
            return Err(SampleError::NoEvents);
        }
        match self.id_position {
            Some(IdPosition::At(at)) => {
                let id = self.u64_at(bytes, at).ok_or(SampleError::Short)?;
                let index = *self.by_id.get(&id).ok_or(SampleError::UnknownId(id))?;
                Ok((index, id))
            }
            // A file of one event needs no ids.
            _ if self.descs.len() == 1 => Ok((0, 0)),
            _ => Err(SampleError::NoId),
        }
    }
}
