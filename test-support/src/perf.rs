//! In-process capture of user_events tracepoints with `perf_event_open`.
//!
//! [`Capture::start`] opens one `PERF_TYPE_TRACEPOINT` event per tracepoint on
//! every online CPU (all processes), each CPU with one memory-mapped ring
//! buffer shared by all its events. Opening the events attaches perf to the
//! tracepoints, which is what sets the enable bit user_events maintains in the
//! registering processes; dropping the [`Capture`] detaches and clears it.
//!
//! [`Capture::drain`] returns the pending samples in time order. If a ring
//! buffer fills up the kernel drops samples and counts them:
//! [`Capture::lost`] says how many.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicU64, Ordering};

use tracepoint_decode::PerfEventFormat;

use crate::decode::{DecodeError, decode_json};
use crate::tracefs;

/// Why a capture could not start.
#[derive(Debug)]
pub enum Error {
    /// No tracepoint names were given.
    NoTracepoints,
    /// The tracepoint's tracefs files are missing or unreadable (usually: not
    /// registered yet).
    Tracepoint {
        /// Tracepoint name.
        name: String,
        /// The error reading its `id` or `format` file.
        source: io::Error,
    },
    /// The tracepoint's `format` file could not be parsed.
    Format {
        /// Tracepoint name.
        name: String,
        /// What was wrong.
        reason: String,
    },
    /// `perf_event_open` failed.
    Open {
        /// Tracepoint name.
        name: String,
        /// The CPU the event was for.
        cpu: u32,
        /// The system call's error.
        source: io::Error,
    },
    /// Mapping or attaching a ring buffer failed.
    RingBuffer {
        /// The CPU of the ring buffer.
        cpu: u32,
        /// The system call's error.
        source: io::Error,
    },
    /// Another I/O error (e.g. reading the online CPU list).
    Io(io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoTracepoints => f.write_str("no tracepoints to capture"),
            Error::Tracepoint { name, source } => {
                write!(
                    f,
                    "tracepoint user_events:{name} is not available: {source}"
                )
            }
            Error::Format { name, reason } => {
                write!(f, "bad format file for user_events:{name}: {reason}")
            }
            Error::Open { name, cpu, source } => write!(
                f,
                "perf_event_open(user_events:{name}, cpu {cpu}) failed: {source} \
                 (needs root or CAP_PERFMON, or a low kernel.perf_event_paranoid)"
            ),
            Error::RingBuffer { cpu, source } => write!(
                f,
                "perf ring buffer for cpu {cpu} failed: {source} \
                 (non-root users are limited by kernel.perf_event_mlock_kb)"
            ),
            Error::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Tracepoint { source, .. }
            | Error::Open { source, .. }
            | Error::RingBuffer { source, .. }
            | Error::Io(source) => Some(source),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

/// One captured event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// Tracepoint name, e.g. `MyProvider_L4K1`.
    pub tracepoint: String,
    /// Process id of the writer.
    pub pid: u32,
    /// Thread id of the writer.
    pub tid: u32,
    /// Kernel timestamp (`perf_clock`, nanoseconds).
    pub time: u64,
    /// The CPU the event was written on.
    pub cpu: u32,
    /// The user_events payload, starting at the EventHeader flags byte: what
    /// the writer passed after the 4-byte write index. perf pads raw data to
    /// 8 bytes, so up to 7 zero bytes may follow the payload.
    pub event_data: Vec<u8>,
}

impl Sample {
    /// Decodes the event to compact JSON with [`decode_json`].
    pub fn json(&self) -> Result<String, DecodeError> {
        decode_json(&self.tracepoint, &self.event_data)
    }
}

/// Tuning for [`Capture::start_with`].
#[derive(Debug, Clone)]
pub struct CaptureOptions {
    /// Size of each CPU's ring buffer in bytes, rounded up to a power-of-two
    /// number of pages. Events written between two drains must fit in one
    /// CPU's buffer (a sample is ~40 bytes plus the event size, 8-aligned).
    /// Default: 4 MiB, room for about 40,000 events of 60 bytes.
    pub buffer_bytes_per_cpu: usize,
}

impl Default for CaptureOptions {
    fn default() -> Self {
        Self {
            buffer_bytes_per_cpu: 4 << 20,
        }
    }
}

/// An active perf capture of some user_events tracepoints on all CPUs.
pub struct Capture {
    rings: Vec<Ring>,
    /// Tracepoint id (`common_type`) -> (name, offset of the user payload).
    tracepoints: HashMap<u32, (String, usize)>,
    common_type: (usize, usize),
    lost_records: u64,
    has_lost_counter: bool,
}

// SAFETY: the ring buffer pointers are owned by the Capture and only used
// through `&mut self`.
unsafe impl Send for Capture {}

impl fmt::Debug for Capture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Capture")
            .field("tracepoints", &self.tracepoint_names())
            .field(
                "cpus",
                &self.rings.iter().map(|r| r.cpu).collect::<Vec<_>>(),
            )
            .field("lost_records", &self.lost_records)
            .finish()
    }
}

impl Capture {
    /// Starts capturing the given user_events tracepoints (names without the
    /// `user_events:` prefix) with default options. They must be registered.
    pub fn start<S: AsRef<str>>(tracepoints: &[S]) -> Result<Capture, Error> {
        Self::start_with(tracepoints, &CaptureOptions::default())
    }

    /// Starts capturing with explicit [`CaptureOptions`].
    pub fn start_with<S: AsRef<str>>(
        tracepoints: &[S],
        options: &CaptureOptions,
    ) -> Result<Capture, Error> {
        if tracepoints.is_empty() {
            return Err(Error::NoTracepoints);
        }
        let mut infos = Vec::new();
        let mut by_id = HashMap::new();
        let mut common_type = None;
        for name in tracepoints {
            let name = name.as_ref();
            let info = TracepointInfo::load(name)?;
            common_type.get_or_insert(info.common_type);
            by_id.insert(info.id, (name.to_owned(), info.data_offset));
            infos.push(info);
        }

        let page = page_size();
        let pages = options
            .buffer_bytes_per_cpu
            .div_ceil(page)
            .max(1)
            .next_power_of_two();
        let cpus = online_cpus()?;
        let mut rings = Vec::with_capacity(cpus.len());
        let mut has_lost_counter = true;
        for &cpu in &cpus {
            let mut fds = Vec::with_capacity(infos.len());
            for info in &infos {
                let fd = match open_tracepoint(info.id, cpu, has_lost_counter) {
                    Err(e) if has_lost_counter && e.raw_os_error() == Some(libc::EINVAL) => {
                        // Kernels before 6.0 lack PERF_FORMAT_LOST.
                        has_lost_counter = false;
                        open_tracepoint(info.id, cpu, false)
                    }
                    other => other,
                }
                .map_err(|source| Error::Open {
                    name: info.name.clone(),
                    cpu,
                    source,
                })?;
                fds.push(fd);
            }
            rings.push(Ring::map(cpu, fds, pages, page)?);
        }
        Ok(Capture {
            rings,
            tracepoints: by_id,
            common_type: common_type.expect("at least one tracepoint"),
            lost_records: 0,
            has_lost_counter,
        })
    }

    /// The captured tracepoint names.
    pub fn tracepoint_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.tracepoints.values().map(|(n, _)| n.clone()).collect();
        names.sort();
        names
    }

    /// Reads every pending sample from all CPUs' ring buffers, oldest first.
    pub fn drain(&mut self) -> Vec<Sample> {
        let mut samples = Vec::new();
        for ring in &mut self.rings {
            let mut record = Vec::new();
            while ring.next_record(&mut record) {
                match record_type(&record) {
                    PERF_RECORD_SAMPLE => {
                        if let Some(s) = parse_sample(&record, &self.tracepoints, self.common_type)
                        {
                            samples.push(s);
                        }
                    }
                    PERF_RECORD_LOST => {
                        // struct { header; u64 id; u64 lost; }
                        self.lost_records += read_u64(&record, 16).unwrap_or(0);
                    }
                    _ => {}
                }
            }
        }
        samples.sort_by_key(|s| s.time);
        samples
    }

    /// How many samples the kernel dropped because a ring buffer was full,
    /// since the capture started. Exact and current on kernels with
    /// `PERF_FORMAT_LOST` (6.0+); otherwise the total of the
    /// `PERF_RECORD_LOST` records seen by [`drain`](Self::drain) (the kernel
    /// writes those only once space is free again).
    pub fn lost(&self) -> u64 {
        if !self.has_lost_counter {
            return self.lost_records;
        }
        let mut total = 0;
        for fd in self.rings.iter().flat_map(|r| &r.fds) {
            // read_format = PERF_FORMAT_LOST: struct { u64 value; u64 lost; }
            let mut values = [0u64; 2];
            // SAFETY: reading 16 bytes into a 16-byte buffer.
            let n = unsafe { libc::read(fd.as_raw_fd(), values.as_mut_ptr().cast(), 16) };
            if n == 16 {
                total += values[1];
            }
        }
        total.max(self.lost_records)
    }

    /// The `PERF_RECORD_LOST` totals seen by [`drain`](Self::drain) so far.
    pub fn lost_records(&self) -> u64 {
        self.lost_records
    }
}

/// What a capture needs to know about one tracepoint, from tracefs.
struct TracepointInfo {
    name: String,
    id: u32,
    /// Offset of the first non-common field: where the EventHeader starts.
    data_offset: usize,
    /// (offset, size) of `common_type`, which holds the tracepoint id.
    common_type: (usize, usize),
}

impl TracepointInfo {
    fn load(name: &str) -> Result<Self, Error> {
        let tp_err = |source| Error::Tracepoint {
            name: name.to_owned(),
            source,
        };
        let format_err = |reason: &str| Error::Format {
            name: name.to_owned(),
            reason: reason.to_owned(),
        };
        let id = tracefs::tracepoint_id(name).map_err(tp_err)?;
        let text = tracefs::tracepoint_format(name).map_err(tp_err)?;
        let format =
            PerfEventFormat::parse(cfg!(target_pointer_width = "64"), "user_events", &text)
                .ok_or_else(|| format_err("PerfEventFormat::parse rejected it"))?;
        let common_type = format
            .fields()
            .iter()
            .find(|f| f.name() == "common_type")
            .map(|f| (usize::from(f.offset()), usize::from(f.size())))
            .filter(|&(_, size)| matches!(size, 2 | 4))
            .ok_or_else(|| format_err("no 2- or 4-byte common_type field"))?;
        // The payload starts right after the common fields (for EventHeader
        // tracepoints that is the eventheader_flags field).
        let data_offset = usize::from(format.common_fields_size());
        if data_offset == 0 {
            return Err(format_err("no common fields"));
        }
        Ok(Self {
            name: name.to_owned(),
            id,
            data_offset,
            common_type,
        })
    }
}

// ---------------------------------------------------------------------------
// perf_event_open ABI (include/uapi/linux/perf_event.h)
// ---------------------------------------------------------------------------

const PERF_TYPE_TRACEPOINT: u32 = 2;
const PERF_SAMPLE_TID: u64 = 1 << 1;
const PERF_SAMPLE_TIME: u64 = 1 << 2;
const PERF_SAMPLE_CPU: u64 = 1 << 7;
const PERF_SAMPLE_RAW: u64 = 1 << 10;
const PERF_FORMAT_LOST: u64 = 1 << 4;
const PERF_FLAG_FD_CLOEXEC: libc::c_ulong = 1 << 3;
const PERF_EVENT_IOC_SET_OUTPUT: libc::c_ulong = 0x2405; // _IO('$', 5)
const PERF_RECORD_LOST: u32 = 2;
const PERF_RECORD_SAMPLE: u32 = 9;
/// Offsets of data_head, data_tail, data_offset, data_size in the first page.
const MMAP_DATA_HEAD: usize = 1024;
const MMAP_DATA_TAIL: usize = 1032;
const MMAP_DATA_OFFSET: usize = 1040;
const MMAP_DATA_SIZE: usize = 1048;

/// `struct perf_event_attr` up to PERF_ATTR_SIZE_VER8 (136 bytes).
#[repr(C)]
#[derive(Default)]
struct PerfEventAttr {
    type_: u32,
    size: u32,
    config: u64,
    sample_period: u64,
    sample_type: u64,
    read_format: u64,
    /// Bit field: disabled, inherit, pinned, ... (all zero: enabled at open).
    flags: u64,
    wakeup_events: u32,
    bp_type: u32,
    config1: u64,
    config2: u64,
    branch_sample_type: u64,
    sample_regs_user: u64,
    sample_stack_user: u32,
    clockid: i32,
    sample_regs_intr: u64,
    aux_watermark: u32,
    sample_max_stack: u16,
    reserved_2: u16,
    aux_sample_size: u32,
    reserved_3: u32,
    sig_data: u64,
    config3: u64,
}

const SAMPLE_TYPE: u64 = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW;

fn open_tracepoint(id: u32, cpu: u32, lost_counter: bool) -> io::Result<OwnedFd> {
    let attr = PerfEventAttr {
        type_: PERF_TYPE_TRACEPOINT,
        size: size_of::<PerfEventAttr>() as u32,
        config: u64::from(id),
        sample_period: 1,
        sample_type: SAMPLE_TYPE,
        read_format: if lost_counter { PERF_FORMAT_LOST } else { 0 },
        ..Default::default()
    };
    // SAFETY: attr is a valid perf_event_attr of the size it declares.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_perf_event_open,
            &attr as *const PerfEventAttr,
            -1 as libc::pid_t, // every process
            cpu as libc::c_int,
            -1 as libc::c_int, // no group
            PERF_FLAG_FD_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: perf_event_open returned a new descriptor that we own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// One CPU's mmap'd ring buffer; the first fd owns it, the others write into it.
struct Ring {
    cpu: u32,
    base: *mut u8,
    map_len: usize,
    data_offset: usize,
    data_size: usize,
    fds: Vec<OwnedFd>,
}

impl Ring {
    fn map(cpu: u32, fds: Vec<OwnedFd>, pages: usize, page: usize) -> Result<Ring, Error> {
        let map_len = (pages + 1) * page;
        let ring_err = |source| Error::RingBuffer { cpu, source };
        // SAFETY: mapping a perf fd as the kernel documents: 1 + 2^n pages.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fds[0].as_raw_fd(),
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(ring_err(io::Error::last_os_error()));
        }
        let mut ring = Ring {
            cpu,
            base: base.cast(),
            map_len,
            data_offset: page,
            data_size: pages * page,
            fds,
        };
        // Kernels since 4.1 say where the data area is; older ones use page 1.
        let (offset, size) = (
            ring.header_u64(MMAP_DATA_OFFSET),
            ring.header_u64(MMAP_DATA_SIZE),
        );
        if offset != 0 && size != 0 {
            ring.data_offset = offset as usize;
            ring.data_size = size as usize;
        }
        for fd in &ring.fds[1..] {
            // SAFETY: plain ioctl on descriptors we own.
            let r = unsafe {
                libc::ioctl(
                    fd.as_raw_fd(),
                    PERF_EVENT_IOC_SET_OUTPUT as _,
                    ring.fds[0].as_raw_fd(),
                )
            };
            if r < 0 {
                return Err(ring_err(io::Error::last_os_error()));
            }
        }
        Ok(ring)
    }

    fn header_u64(&self, offset: usize) -> u64 {
        self.header_atomic(offset).load(Ordering::Acquire)
    }

    fn header_atomic(&self, offset: usize) -> &AtomicU64 {
        // SAFETY: offset is one of the 8-aligned u64 fields of the mapped
        // perf_event_mmap_page, which lives as long as self.
        unsafe { &*self.base.add(offset).cast::<AtomicU64>() }
    }

    /// Copies the next record (header included) into `out`, handling records
    /// that wrap around the end of the buffer, and frees its space. Returns
    /// false when the buffer is empty.
    fn next_record(&mut self, out: &mut Vec<u8>) -> bool {
        // Acquire pairs with the kernel's release of data_head: the record
        // bytes before head are visible once head is.
        let head = self.header_u64(MMAP_DATA_HEAD);
        let tail = self.header_atomic(MMAP_DATA_TAIL).load(Ordering::Relaxed);
        if head == tail {
            return false;
        }
        let mut header = [0u8; 8];
        self.copy_out(tail, &mut header);
        let size = u16::from_ne_bytes([header[6], header[7]]) as u64;
        if size < 8 || size > head - tail {
            // Corrupt or torn: drop everything pending rather than loop forever.
            self.header_atomic(MMAP_DATA_TAIL)
                .store(head, Ordering::Release);
            return false;
        }
        out.resize(size as usize, 0);
        self.copy_out(tail, out);
        // Release: our reads of the record happen before the kernel may reuse it.
        self.header_atomic(MMAP_DATA_TAIL)
            .store(tail + size, Ordering::Release);
        true
    }

    fn copy_out(&self, position: u64, out: &mut [u8]) {
        let start = (position % self.data_size as u64) as usize;
        let first = out.len().min(self.data_size - start);
        // SAFETY: both ranges lie inside the data area of the mapping.
        unsafe {
            let data = self.base.add(self.data_offset);
            std::ptr::copy_nonoverlapping(data.add(start), out.as_mut_ptr(), first);
            std::ptr::copy_nonoverlapping(data, out.as_mut_ptr().add(first), out.len() - first);
        }
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // Unmap before the fds close (field drop order): a mapping keeps the
        // perf event alive, and with it the tracepoint's enable bit.
        // SAFETY: base/map_len came from a successful mmap.
        unsafe { libc::munmap(self.base.cast(), self.map_len) };
    }
}

fn record_type(record: &[u8]) -> u32 {
    read_u32(record, 0).unwrap_or(0)
}

/// PERF_RECORD_SAMPLE with SAMPLE_TYPE: header; u32 pid, tid; u64 time;
/// u32 cpu, res; u32 size; u8 raw[size].
fn parse_sample(
    record: &[u8],
    tracepoints: &HashMap<u32, (String, usize)>,
    common_type: (usize, usize),
) -> Option<Sample> {
    let pid = read_u32(record, 8)?;
    let tid = read_u32(record, 12)?;
    let time = read_u64(record, 16)?;
    let cpu = read_u32(record, 24)?;
    let raw_size = read_u32(record, 32)? as usize;
    let raw = record.get(36..36 + raw_size)?;
    let id = match common_type {
        (offset, 2) => u32::from(u16::from_ne_bytes(
            raw.get(offset..offset + 2)?.try_into().ok()?,
        )),
        (offset, _) => read_u32(raw, offset)?,
    };
    let (name, data_offset) = tracepoints.get(&id)?;
    Some(Sample {
        tracepoint: name.clone(),
        pid,
        tid,
        time,
        cpu,
        event_data: raw.get(*data_offset..)?.to_vec(),
    })
}

fn read_u32(bytes: &[u8], offset: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(
        bytes.get(offset..offset + 4)?.try_into().ok()?,
    ))
}

fn read_u64(bytes: &[u8], offset: usize) -> Option<u64> {
    Some(u64::from_ne_bytes(
        bytes.get(offset..offset + 8)?.try_into().ok()?,
    ))
}

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if size > 0 { size as usize } else { 4096 }
}

/// Parses `/sys/devices/system/cpu/online` (e.g. `0-3,6`).
fn online_cpus() -> io::Result<Vec<u32>> {
    let text = fs::read_to_string("/sys/devices/system/cpu/online")?;
    parse_cpu_list(&text).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("cannot parse the online CPU list {text:?}"),
        )
    })
}

fn parse_cpu_list(text: &str) -> Option<Vec<u32>> {
    let mut cpus = Vec::new();
    for part in text.trim().split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => cpus.extend(a.parse::<u32>().ok()?..=b.parse::<u32>().ok()?),
            None => cpus.push(part.parse().ok()?),
        }
    }
    (!cpus.is_empty()).then_some(cpus)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attr_has_the_ver8_size() {
        assert_eq!(size_of::<PerfEventAttr>(), 136);
    }

    #[test]
    fn parses_cpu_lists() {
        assert_eq!(parse_cpu_list("0\n"), Some(vec![0]));
        assert_eq!(
            parse_cpu_list("0-3,6,8-9\n"),
            Some(vec![0, 1, 2, 3, 6, 8, 9])
        );
        assert_eq!(parse_cpu_list(""), None);
        assert_eq!(parse_cpu_list("x"), None);
    }

    #[test]
    fn parses_a_sample_record() {
        let mut tracepoints = HashMap::new();
        tracepoints.insert(1234, ("Prov_L4K1".to_owned(), 8));
        let mut raw = vec![];
        raw.extend_from_slice(&1234u16.to_ne_bytes()); // common_type
        raw.extend_from_slice(&[0, 0]); // common_flags, common_preempt_count
        raw.extend_from_slice(&42i32.to_ne_bytes()); // common_pid
        raw.extend_from_slice(&[1, 2, 3, 4]); // payload
        let mut record = vec![];
        record.extend_from_slice(&PERF_RECORD_SAMPLE.to_ne_bytes());
        record.extend_from_slice(&0u16.to_ne_bytes());
        record.extend_from_slice(&((36 + raw.len()) as u16).to_ne_bytes());
        record.extend_from_slice(&42u32.to_ne_bytes());
        record.extend_from_slice(&43u32.to_ne_bytes());
        record.extend_from_slice(&99u64.to_ne_bytes());
        record.extend_from_slice(&1u32.to_ne_bytes());
        record.extend_from_slice(&0u32.to_ne_bytes());
        record.extend_from_slice(&(raw.len() as u32).to_ne_bytes());
        record.extend_from_slice(&raw);
        let s = parse_sample(&record, &tracepoints, (0, 2)).unwrap();
        assert_eq!((s.pid, s.tid, s.time, s.cpu), (42, 43, 99, 1));
        assert_eq!(s.tracepoint, "Prov_L4K1");
        assert_eq!(s.event_data, [1, 2, 3, 4]);
        assert!(parse_sample(&record, &HashMap::new(), (0, 2)).is_none());
    }
}
