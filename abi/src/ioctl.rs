//! The two user_events ioctls (`DIAG_IOCSREG`, `DIAG_IOCSUNREG`), from
//! `include/uapi/linux/user_events.h`. Off Linux, where there is no such
//! kernel interface, both fail with `ENOTSUP`.

use std::ffi::CStr;
use std::sync::atomic::AtomicU32;

use crate::errno::Errno;
use crate::fd::RawFd;

/// `struct user_reg`.
#[cfg(target_os = "linux")]
#[repr(C, packed)]
struct UserReg {
    size: u32,
    enable_bit: u8,
    enable_size: u8,
    flags: u16,
    enable_addr: u64,
    name_args: u64,
    write_index: u32,
}

/// `struct user_unreg`.
#[cfg(target_os = "linux")]
#[repr(C, packed)]
struct UserUnreg {
    size: u32,
    disable_bit: u8,
    reserved: u8,
    reserved2: u16,
    disable_addr: u64,
}

#[cfg(target_os = "linux")]
const fn ioc(dir: u64, nr: u64) -> u64 {
    // _IOC(dir, '*', nr, sizeof(struct user_reg *))
    (dir << 30) | ((std::mem::size_of::<usize>() as u64) << 16) | ((b'*' as u64) << 8) | nr
}
#[cfg(target_os = "linux")]
const DIAG_IOCSREG: u64 = ioc(3, 0);
#[cfg(target_os = "linux")]
const DIAG_IOCSUNREG: u64 = ioc(1, 2);

/// The bit of the enable word the kernel sets while the tracepoint has listeners.
///
/// The kernel only ever flips this bit, atomically, so a writer may keep its
/// own flags in the other bits of the same word (the runtime does: its enabled
/// check is then a single load).
pub const KERNEL_ENABLE_BIT: u8 = 0;

/// Registers `name_args` (`"Name field; field"`) with `enable_word` as its enable
/// word and returns the write index.
///
/// The word must stay at its address until [`unregister`]; call sites keep theirs
/// in statics. [`DataFile::register`](crate::DataFile::register) is the way in.
#[cfg(target_os = "linux")]
pub(crate) fn register(fd: RawFd, enable_word: &AtomicU32, name_args: &CStr) -> Result<u32, Errno> {
    let mut reg = UserReg {
        size: std::mem::size_of::<UserReg>() as u32,
        enable_bit: KERNEL_ENABLE_BIT,
        enable_size: 4,
        flags: 0,
        enable_addr: enable_word.as_ptr() as u64,
        name_args: name_args.as_ptr() as u64,
        write_index: 0,
    };
    // SAFETY: reg is a valid user_reg; the kernel reads name_args and writes write_index.
    let rc = unsafe { libc::ioctl(fd, DIAG_IOCSREG as _, &mut reg as *mut UserReg) };
    if rc < 0 {
        return Err(Errno::last());
    }
    Ok(reg.write_index)
}

/// Stops the kernel from updating `enable_word`.
#[cfg(target_os = "linux")]
pub(crate) fn unregister(fd: RawFd, enable_word: &AtomicU32) -> Result<(), Errno> {
    let unreg = UserUnreg {
        size: std::mem::size_of::<UserUnreg>() as u32,
        disable_bit: KERNEL_ENABLE_BIT,
        reserved: 0,
        reserved2: 0,
        disable_addr: enable_word.as_ptr() as u64,
    };
    // SAFETY: unreg is a valid user_unreg.
    let rc = unsafe { libc::ioctl(fd, DIAG_IOCSUNREG as _, &unreg as *const UserUnreg) };
    if rc < 0 {
        return Err(Errno::last());
    }
    Ok(())
}

/// Off Linux there is nothing to register with: `ENOTSUP` (no [`DataFile`](crate::DataFile)
/// opens there anyway).
#[cfg(not(target_os = "linux"))]
pub(crate) fn register(
    _fd: RawFd,
    _enable_word: &AtomicU32,
    _name_args: &CStr,
) -> Result<u32, Errno> {
    Err(Errno(libc::ENOTSUP))
}

/// Off Linux there is nothing to unregister from: `ENOTSUP`.
#[cfg(not(target_os = "linux"))]
pub(crate) fn unregister(_fd: RawFd, _enable_word: &AtomicU32) -> Result<(), Errno> {
    Err(Errno(libc::ENOTSUP))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn ioctl_numbers_match_the_uapi_header() {
        // _IOWR('*', 0, struct user_reg *) and _IOW('*', 2, struct user_unreg *) on 64-bit.
        assert_eq!(DIAG_IOCSREG, 0xc008_2a00);
        assert_eq!(DIAG_IOCSUNREG, 0x4008_2a02);
        assert_eq!(std::mem::size_of::<UserReg>(), 28);
        assert_eq!(std::mem::size_of::<UserUnreg>(), 16);
    }
}
