//! Bounds-checked reads of bytes already read: two cursors, `Fields` over a
//! sample (short is a `SampleError`) and `Cursor` over the tracing data
//! (short is `None`). With the source reads of `reader.rs`, every read of
//! the file's bytes goes through these: that is why a damaged file cannot
//! make the reader panic.

use tracepoint_decode::PerfByteReader;

use super::problems::SampleError;

/// Reading a sample's fields in order.
pub(super) struct Fields<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) pos: usize,
    pub(super) byte_reader: PerfByteReader,
}

impl Fields<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], SampleError> {
        let end = self.pos.checked_add(n).ok_or(SampleError::Short)?;
        let b = self.bytes.get(self.pos..end).ok_or(SampleError::Short)?;
        self.pos = end;
        Ok(b)
    }

    pub(super) fn skip(&mut self, n: usize) -> Result<(), SampleError> {
        self.take(n).map(|_| ())
    }

    pub(super) fn u64(&mut self) -> Result<u64, SampleError> {
        let byte_reader = self.byte_reader;
        let b = self.take(8)?;
        Ok(byte_reader.fix_u64(u64::from_ne_bytes(b.try_into().expect("8 bytes"))))
    }

    pub(super) fn u32(&mut self) -> Result<u32, SampleError> {
        let byte_reader = self.byte_reader;
        let b = self.take(4)?;
        Ok(byte_reader.fix_u32(u32::from_ne_bytes(b.try_into().expect("4 bytes"))))
    }

    /// `start..pos` as the `u16` range `PerfSampleEventInfo` keeps (a
    /// record is at most 65,535 bytes).
    pub(super) fn range(&self, start: usize) -> Result<std::ops::Range<u16>, SampleError> {
        let start = u16::try_from(start).map_err(|_| SampleError::Short)?;
        let end = u16::try_from(self.pos).map_err(|_| SampleError::Short)?;
        Ok(start..end)
    }
}

/// Reading the tracing data.
pub(super) struct Cursor<'a> {
    pub(super) data: &'a [u8],
    pub(super) pos: usize,
    pub(super) byte_reader: PerfByteReader,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let b = self.data.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(b)
    }

    pub(super) fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    pub(super) fn u32(&mut self) -> Option<u32> {
        let b = self.take(4)?;
        Some(
            self.byte_reader
                .fix_u32(u32::from_ne_bytes(b.try_into().ok()?)),
        )
    }

    fn u64(&mut self) -> Option<u64> {
        let b = self.take(8)?;
        Some(
            self.byte_reader
                .fix_u64(u64::from_ne_bytes(b.try_into().ok()?)),
        )
    }

    /// A nul-terminated string (without its nul).
    pub(super) fn sz(&mut self) -> Option<&'a [u8]> {
        let rest = self.data.get(self.pos..)?;
        let len = rest.iter().position(|&b| b == 0)?;
        self.pos += len + 1;
        Some(&rest[..len])
    }

    /// A u64 size and that many bytes.
    pub(super) fn section64(&mut self) -> Option<&'a [u8]> {
        let size = usize::try_from(self.u64()?).ok()?;
        self.take(size)
    }

    /// `name` (with its nul) and a [`Self::section64`], if `name` is there.
    pub(super) fn named_section64(&mut self, name: &[u8]) -> Option<()> {
        if self.data.get(self.pos..)?.starts_with(name) {
            self.pos += name.len();
            self.section64()?;
        }
        Some(())
    }
}

/// Bytes as Latin-1 text, as `tracepoint_perf` reads names and formats.
pub(super) fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| b as char).collect()
}
