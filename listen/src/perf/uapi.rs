//! The parts of the perf_event_open ABI (include/uapi/linux/perf_event.h) that
//! a tracepoint [`Listener`](super::Listener) uses. `perf_event_attr` itself is
//! `tracepoint_decode`'s, which also describes samples to its decoder.

use std::io;
use std::os::fd::{FromRawFd, OwnedFd};

use tracepoint_decode::{
    PerfEventAttr, PerfEventAttrOptions, PerfEventAttrReadFormat, PerfEventAttrSampleType,
    PerfEventAttrSize, PerfEventAttrType,
};

pub(crate) const PERF_FLAG_FD_CLOEXEC: libc::c_ulong = 1 << 3;
pub(crate) const PERF_EVENT_IOC_SET_OUTPUT: libc::c_ulong = 0x2405; // _IO('$', 5)
pub(crate) const PERF_RECORD_LOST: u32 = 2;
pub(crate) const PERF_RECORD_SAMPLE: u32 = 9;
/// Offsets of data_head, data_tail, data_offset, data_size in the first page.
pub(crate) const MMAP_DATA_HEAD: usize = 1024;
pub(crate) const MMAP_DATA_TAIL: usize = 1032;
pub(crate) const MMAP_DATA_OFFSET: usize = 1040;
pub(crate) const MMAP_DATA_SIZE: usize = 1048;

/// What each sample carries; the listener parses samples of this layout.
pub const SAMPLE_TYPE: PerfEventAttrSampleType = PerfEventAttrSampleType::Tid
    .or(PerfEventAttrSampleType::Time)
    .or(PerfEventAttrSampleType::Cpu)
    .or(PerfEventAttrSampleType::Raw);

/// The attributes of a sampling tracepoint event: every hit is a sample of
/// [`SAMPLE_TYPE`], enabled at open; `clock_id` picks the timestamp clock
/// (`None`: perf's own clock).
pub fn tracepoint_attr(id: u32, lost_counter: bool, clock_id: Option<i32>) -> PerfEventAttr {
    let mut options = PerfEventAttrOptions::None;
    if clock_id.is_some() {
        options = options.or(PerfEventAttrOptions::UseClockId);
    }
    PerfEventAttr {
        attr_type: PerfEventAttrType::Tracepoint,
        size: PerfEventAttrSize::Ver7,
        config: u64::from(id),
        sample_time: 1, // sample_period: every event
        sample_type: SAMPLE_TYPE,
        read_format: if lost_counter {
            PerfEventAttrReadFormat::Lost
        } else {
            PerfEventAttrReadFormat::None
        },
        options,
        clockid: clock_id.unwrap_or(0) as u32,
        ..Default::default()
    }
}

/// Opens a perf event for every process on `cpu`.
pub(crate) fn open(attr: &PerfEventAttr, cpu: u32) -> io::Result<OwnedFd> {
    // SAFETY: attr is a valid perf_event_attr of the size it declares.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_perf_event_open,
            attr as *const PerfEventAttr,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attr_is_the_size_it_declares() {
        let attr = tracepoint_attr(7, true, Some(libc::CLOCK_MONOTONIC));
        assert_eq!(size_of::<PerfEventAttr>() as u32, attr.size.0);
        assert_eq!(attr.config, 7);
        assert!(attr.options.has_flag(PerfEventAttrOptions::UseClockId));
        assert_eq!(attr.clockid, libc::CLOCK_MONOTONIC as u32);
        let attr = tracepoint_attr(7, false, None);
        assert!(!attr.options.has_flag(PerfEventAttrOptions::UseClockId));
        assert_eq!(attr.read_format, PerfEventAttrReadFormat::None);
    }
}
