//! [`Listener`]: user_events tracepoints read on every CPU, as [`Sample`]s.

use std::collections::HashMap;
use std::fmt;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::Duration;

use tracepoint_decode::{PerfEventAttr, PerfEventFormat};

use super::cpus::{online_cpus, page_size};
use super::error::Error;
use super::ring::Ring;
use super::uapi::{self, PERF_RECORD_LOST, PERF_RECORD_SAMPLE};
use crate::decode::{DecodeError, decode_json};
use crate::tracefs::{Tracefs, USER_EVENTS_SYSTEM};

/// One event a [`Listener`] read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// Tracepoint name, e.g. `MyProvider_L4K1`.
    pub tracepoint: String,
    /// Process id of the writer.
    pub pid: u32,
    /// Thread id of the writer.
    pub tid: u32,
    /// Kernel timestamp in nanoseconds, from [`ListenerOptions::clock_id`]'s
    /// clock (`CLOCK_MONOTONIC` by default).
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

/// Tuning for [`Listener::start_with`] and [`Listener::new`].
#[derive(Debug, Clone)]
pub struct ListenerOptions {
    /// Size of each CPU's ring buffer in bytes, rounded up to a power-of-two
    /// number of pages. Events written between two drains must fit in one
    /// CPU's buffer (a sample is ~40 bytes plus the event size, 8-aligned).
    /// Default: 4 MiB, room for about 40,000 events of 60 bytes.
    pub buffer_bytes_per_cpu: usize,
    /// Where tracefs is. Default: [`Tracefs::default`].
    pub tracefs: Tracefs,
    /// The clock of [`Sample::time`], or `None` for perf's own clock. Default:
    /// `CLOCK_MONOTONIC`, one clock for every CPU, so samples drained from
    /// several CPUs' rings come out in the order they were written (perf's
    /// own clock is per CPU and may disagree between CPUs, e.g. in a VM).
    pub clock_id: Option<i32>,
}

impl Default for ListenerOptions {
    fn default() -> Self {
        Self {
            buffer_bytes_per_cpu: 4 << 20,
            tracefs: Tracefs::default(),
            clock_id: Some(libc::CLOCK_MONOTONIC),
        }
    }
}

/// What a listener knows about one of its tracepoints.
#[derive(Debug)]
struct Tracepoint {
    name: String,
    /// Offset of the first non-common field: where the EventHeader starts.
    data_offset: usize,
    format: Arc<PerfEventFormat>,
}

/// perf attached to some user_events tracepoints on all CPUs, reading their events.
///
/// Each tracepoint has one `PERF_TYPE_TRACEPOINT` event on every online CPU
/// (all processes); each CPU has one memory-mapped ring buffer shared by its
/// events. Opening the events attaches perf to the tracepoints, which is what
/// sets the enable bit user_events maintains in the registering processes;
/// dropping the listener detaches and clears it.
///
/// [`drain`](Self::drain) returns the pending samples in time order. If a ring
/// buffer fills up the kernel drops samples and counts them:
/// [`lost`](Self::lost) says how many.
pub struct Listener {
    options: ListenerOptions,
    cpus: Vec<u32>,
    /// One per entry of `cpus`, once the first tracepoint is added.
    rings: Vec<Ring>,
    /// Tracepoint id (`common_type`) -> what we know of it.
    tracepoints: HashMap<u32, Tracepoint>,
    /// (offset, size) of `common_type`, from the first tracepoint's format.
    common_type: Option<(usize, usize)>,
    lost_records: u64,
    has_lost_counter: bool,
}

// SAFETY: the ring buffer pointers are owned by the Listener and only used
// through `&mut self`.
unsafe impl Send for Listener {}

impl fmt::Debug for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Listener")
            .field("tracepoints", &self.tracepoint_names())
            .field("cpus", &self.cpus)
            .field("lost_records", &self.lost_records)
            .finish()
    }
}

impl Listener {
    /// Starts listening to the given user_events tracepoints (names without the
    /// `user_events:` prefix) with default options. They must be registered.
    pub fn start<S: AsRef<str>>(tracepoints: &[S]) -> Result<Listener, Error> {
        Self::start_with(tracepoints, &ListenerOptions::default())
    }

    /// Starts listening with explicit [`ListenerOptions`].
    pub fn start_with<S: AsRef<str>>(
        tracepoints: &[S],
        options: &ListenerOptions,
    ) -> Result<Listener, Error> {
        if tracepoints.is_empty() {
            return Err(Error::NoTracepoints);
        }
        let mut listener = Self::new(options)?;
        for name in tracepoints {
            listener.add(name.as_ref())?;
        }
        Ok(listener)
    }

    /// A listener to no tracepoints yet; [`add`](Self::add) them.
    pub fn new(options: &ListenerOptions) -> Result<Listener, Error> {
        Ok(Listener {
            options: options.clone(),
            cpus: online_cpus()?,
            rings: Vec::new(),
            tracepoints: HashMap::new(),
            common_type: None,
            lost_records: 0,
            has_lost_counter: true,
        })
    }

    /// Starts listening to one more registered tracepoint; does nothing if it
    /// listens to it already.
    pub fn add(&mut self, name: &str) -> Result<(), Error> {
        if self.contains(name) {
            return Ok(());
        }
        let info = TracepointInfo::load(&self.options.tracefs, name)?;
        let mut fds = Vec::with_capacity(self.cpus.len());
        for &cpu in &self.cpus {
            let open = |lost| {
                uapi::open(
                    &uapi::tracepoint_attr(info.id, lost, self.options.clock_id),
                    cpu,
                )
            };
            let fd = match open(self.has_lost_counter) {
                Err(e) if self.has_lost_counter && e.raw_os_error() == Some(libc::EINVAL) => {
                    // Kernels before 6.0 lack PERF_FORMAT_LOST. Events opened
                    // with it before keep it; lost() reads only the records then.
                    self.has_lost_counter = false;
                    open(false)
                }
                other => other,
            }
            .map_err(|source| Error::Open {
                name: name.to_owned(),
                cpu,
                source,
            })?;
            fds.push(fd);
        }
        if self.rings.is_empty() {
            let page = page_size();
            let pages = self
                .options
                .buffer_bytes_per_cpu
                .div_ceil(page)
                .max(1)
                .next_power_of_two();
            self.rings = self
                .cpus
                .iter()
                .zip(fds)
                .map(|(&cpu, fd)| {
                    Ring::map(cpu, fd, pages, page)
                        .map_err(|source| Error::RingBuffer { cpu, source })
                })
                .collect::<Result<_, _>>()?;
        } else {
            for (ring, fd) in self.rings.iter_mut().zip(fds) {
                let cpu = ring.cpu();
                ring.attach(fd)
                    .map_err(|source| Error::RingBuffer { cpu, source })?;
            }
        }
        // Samples are read only through `&mut self`, so none is missed.
        self.common_type.get_or_insert(info.common_type);
        self.tracepoints.insert(
            info.id,
            Tracepoint {
                name: name.to_owned(),
                data_offset: info.data_offset,
                format: info.format,
            },
        );
        Ok(())
    }

    /// True when it listens to `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.tracepoints.values().any(|t| t.name == name)
    }

    /// The names of the tracepoints it listens to, sorted.
    pub fn tracepoint_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.tracepoints.values().map(|t| t.name.clone()).collect();
        names.sort();
        names
    }

    /// The tracefs format of a tracepoint it listens to, as `tracepoint_decode`
    /// parsed it.
    pub fn format(&self, name: &str) -> Option<&Arc<PerfEventFormat>> {
        self.tracepoints
            .values()
            .find(|t| t.name == name)
            .map(|t| &t.format)
    }

    /// The `perf_event_attr` the listener opens its events with, for tracepoint
    /// id `id`: what a perf.data file or a decoder needs to know about samples.
    pub fn event_attr(&self, id: u32) -> PerfEventAttr {
        uapi::tracepoint_attr(id, self.has_lost_counter, self.options.clock_id)
    }

    /// Waits up to `timeout` for a ring buffer to say it has data to read.
    /// The kernel says so when a buffer is half full, so poll with a timeout
    /// and [`drain`](Self::drain) after it either way. Returns whether one did.
    pub fn wait(&self, timeout: Duration) -> bool {
        let mut fds: Vec<libc::pollfd> = self
            .rings
            .iter()
            .map(|r| libc::pollfd {
                fd: r.fds()[0].as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        if fds.is_empty() {
            std::thread::sleep(timeout);
            return false;
        }
        let ms = timeout.as_millis().min(i32::MAX as u128) as libc::c_int;
        // SAFETY: fds is a valid array of fds.len() pollfd structs.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) };
        n > 0
    }

    /// Reads every pending sample from all CPUs' ring buffers, oldest first.
    pub fn drain(&mut self) -> Vec<Sample> {
        let mut samples = Vec::new();
        let common_type = self.common_type.unwrap_or((0, 2));
        for ring in &mut self.rings {
            let mut record = Vec::new();
            while ring.next_record(&mut record) {
                match read_u32(&record, 0).unwrap_or(0) {
                    PERF_RECORD_SAMPLE => {
                        if let Some(s) = parse_sample(&record, &self.tracepoints, common_type) {
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
    /// since the listener started. Exact and current on kernels with
    /// `PERF_FORMAT_LOST` (6.0+); otherwise the total of the
    /// `PERF_RECORD_LOST` records seen by [`drain`](Self::drain) (the kernel
    /// writes those only once space is free again).
    pub fn lost(&self) -> u64 {
        if !self.has_lost_counter {
            return self.lost_records;
        }
        let mut total = 0;
        for fd in self.rings.iter().flat_map(|r| r.fds()) {
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

/// What a listener needs to know about one tracepoint, from tracefs.
struct TracepointInfo {
    id: u32,
    /// Offset of the first non-common field: where the EventHeader starts.
    data_offset: usize,
    /// (offset, size) of `common_type`, which holds the tracepoint id.
    common_type: (usize, usize),
    format: Arc<PerfEventFormat>,
}

impl TracepointInfo {
    fn load(tracefs: &Tracefs, name: &str) -> Result<Self, Error> {
        let tp_err = |source| Error::Tracepoint {
            name: name.to_owned(),
            source,
        };
        let format_err = |reason: &str| Error::Format {
            name: name.to_owned(),
            reason: reason.to_owned(),
        };
        let id = tracefs.tracepoint_id(name).map_err(tp_err)?;
        let text = tracefs.tracepoint_format(name).map_err(tp_err)?;
        let format =
            PerfEventFormat::parse(cfg!(target_pointer_width = "64"), USER_EVENTS_SYSTEM, &text)
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
            id,
            data_offset,
            common_type,
            format: Arc::new(format),
        })
    }
}

/// PERF_RECORD_SAMPLE with [`uapi::SAMPLE_TYPE`]: header; u32 pid, tid; u64 time;
/// u32 cpu, res; u32 size; u8 raw[size].
fn parse_sample(
    record: &[u8],
    tracepoints: &HashMap<u32, Tracepoint>,
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
    let tracepoint = tracepoints.get(&id)?;
    Some(Sample {
        tracepoint: tracepoint.name.clone(),
        pid,
        tid,
        time,
        cpu,
        event_data: raw.get(tracepoint.data_offset..)?.to_vec(),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A user_events format file as Linux 6.12 writes it.
    const FORMAT: &str = "name: Prov_L4K1\nID: 1234\nformat:\n\
        \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\
        \tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n\
        \tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n\
        \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n\
        \tfield:u8 eventheader_flags;\toffset:8;\tsize:1;\tsigned:0;\n\
        print fmt: \"\"\n";

    #[test]
    fn parses_a_sample_record() {
        let format = PerfEventFormat::parse(true, USER_EVENTS_SYSTEM, FORMAT).unwrap();
        assert_eq!(format.common_fields_size(), 8);
        let mut tracepoints = HashMap::new();
        tracepoints.insert(
            1234,
            Tracepoint {
                name: "Prov_L4K1".to_owned(),
                data_offset: 8,
                format: Arc::new(format),
            },
        );
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
