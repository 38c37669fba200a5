//! An output's `user_events_data` file, shared by the threads that write
//! through it and closed exactly once, when the last of them is done.
//!
//! Writers read the descriptor without a lock, so it cannot simply be closed
//! at shutdown: a thread between its enabled check and its `writev` would
//! then write into whatever file reused the descriptor's number. Each write
//! enters the file ([`KernelFile::enter`]) and leaves it when the `writev`
//! returned; shutdown marks the file released, after which nobody enters,
//! and whoever leaves it last (shutdown itself when nobody is writing)
//! closes it. One word holds the released mark and the number of writers, so
//! entering and leaving are one atomic add each and shutdown never waits.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use otel_user_events_abi::{DataFile, DataFileError, EVENTHEADER_FIELDS, Errno, RawFd};

/// The released mark in [`KernelFile::state`]; the other bits count writers.
const RELEASED: usize = 1 << (usize::BITS - 1);

/// An output's data file: opened once, closed once (see the module docs).
pub(crate) struct KernelFile {
    /// The descriptor, read by writers between `enter` and leaving.
    fd: RawFd,
    /// The file, taken out and dropped (closed) by the last to leave.
    file: Mutex<Option<DataFile>>,
    /// [`RELEASED`] | writers inside.
    state: AtomicUsize,
    /// Where the file is, or why it could not be opened.
    opened: Result<PathBuf, DataFileError>,
}

/// A writer inside a [`KernelFile`]: the descriptor stays open while it lives.
pub(crate) struct Writing<'a> {
    file: &'a KernelFile,
}

impl KernelFile {
    /// Opens `user_events_data` (see [`DataFile::open`]); a file that could
    /// not be opened is one that every write finds released.
    pub(crate) fn open() -> KernelFile {
        KernelFile::from_opened(DataFile::open())
    }

    /// Writes through a copy (`dup`) of `file`, a `user_events_data` opened
    /// elsewhere (handed over by a privileged process): this output closes
    /// its copy, the caller keeps theirs. A copy that cannot be made is a
    /// file that did not open.
    #[cfg(unix)]
    pub(crate) fn adopt(file: &DataFile) -> KernelFile {
        KernelFile::from_opened(file.try_clone().map_err(|e| DataFileError {
            errno: Errno(e.raw_os_error().unwrap_or(libc::EBADF)),
            path: file.path().to_owned(),
        }))
    }

    /// The file `opened` holds, or one every write finds released (and whose
    /// reports say why) when it holds an error.
    fn from_opened(opened: Result<DataFile, DataFileError>) -> KernelFile {
        match opened {
            Ok(file) => KernelFile {
                fd: file.fd(),
                opened: Ok(file.path().to_owned()),
                file: Mutex::new(Some(file)),
                state: AtomicUsize::new(0),
            },
            Err(e) => KernelFile {
                fd: -1,
                opened: Err(e),
                file: Mutex::new(None),
                state: AtomicUsize::new(RELEASED),
            },
        }
    }

    /// A file not even tried (an output that does not write to the kernel):
    /// never entered, and nothing registers through it.
    pub(crate) fn not_opened() -> KernelFile {
        KernelFile::from_opened(Err(DataFileError {
            errno: Errno(libc::ENOENT),
            path: PathBuf::new(),
        }))
    }

    /// Where the file is, or why it could not be opened.
    pub(crate) fn opened(&self) -> &Result<PathBuf, DataFileError> {
        &self.opened
    }

    /// Registers `tracepoint` with `word` as its enable word (see
    /// [`DataFile::register`]); `ENOENT` when the file is not open.
    ///
    /// # Safety
    ///
    /// `word` must stay where it is until [`KernelFile::unregister`] ran for
    /// it or the file is released.
    pub(crate) unsafe fn register(&self, tracepoint: &str, word: &AtomicU32) -> Result<u32, Errno> {
        // SAFETY: this function's contract is the callee's.
        unsafe { self.register_with_fields(tracepoint, EVENTHEADER_FIELDS, word) }
    }

    /// Registers tracepoint `name` with the field list `fields` (see
    /// [`DataFile::register_with_fields`]); `ENOENT` when the file is not open.
    ///
    /// # Safety
    ///
    /// As [`KernelFile::register`].
    pub(crate) unsafe fn register_with_fields(
        &self,
        name: &str,
        fields: &str,
        word: &AtomicU32,
    ) -> Result<u32, Errno> {
        match self.lock().as_ref() {
            // SAFETY: the caller keeps `word` in place (this function's contract).
            Some(file) => unsafe { file.register_with_fields(name, fields, word) },
            None => Err(self
                .opened
                .as_ref()
                .err()
                .map_or(Errno(libc::ENOENT), |e| e.errno)),
        }
    }

    /// Stops the kernel from updating each of `words` (registered before).
    pub(crate) fn unregister<'w>(&self, words: impl IntoIterator<Item = &'w AtomicU32>) {
        if let Some(file) = self.lock().as_ref() {
            for word in words {
                // Fails only if the kernel already forgot the word; closing
                // the file releases everything either way.
                let _ = file.unregister(word);
            }
        }
    }

    /// Enters the file to write through its descriptor; `None` once it is
    /// released (or it never opened).
    #[inline(always)]
    pub(crate) fn enter(&self) -> Option<Writing<'_>> {
        let state = self.state.fetch_add(1, Ordering::Acquire);
        if state & RELEASED != 0 {
            self.leave();
            return None;
        }
        Some(Writing { file: self })
    }

    #[inline(always)]
    fn leave(&self) {
        if self.state.fetch_sub(1, Ordering::AcqRel) == RELEASED | 1 {
            self.close();
        }
    }

    /// Marks the file released: nobody enters any more, and it is closed now,
    /// or by the last writer still inside when it leaves.
    pub(crate) fn release(&self) {
        if self.state.fetch_or(RELEASED, Ordering::AcqRel) & !RELEASED == 0 {
            self.close();
        }
    }

    #[cold]
    fn close(&self) {
        // Taken once: later calls (a writer that entered after the release
        // and left again) find nothing to close.
        drop(self.lock().take());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<DataFile>> {
        self.file.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Writing<'_> {
    /// The open descriptor.
    #[inline(always)]
    pub(crate) fn fd(&self) -> RawFd {
        self.file.fd
    }
}

impl Drop for Writing<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        self.file.leave();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file opened on `/dev/null`, standing for `user_events_data`.
    fn dev_null() -> KernelFile {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/null")
            .unwrap();
        let file = DataFile::from_owned_fd(file.into(), "/dev/null");
        KernelFile {
            fd: file.fd(),
            file: Mutex::new(Some(file)),
            state: AtomicUsize::new(0),
            opened: Ok(PathBuf::from("/dev/null")),
        }
    }

    fn is_open_fd(fd: RawFd) -> bool {
        // SAFETY: F_GETFD reads nothing but the descriptor table.
        unsafe { libc::fcntl(fd, libc::F_GETFD) >= 0 }
    }

    #[test]
    fn a_release_without_writers_closes_at_once_and_nobody_enters_after() {
        let file = dev_null();
        let fd = file.fd;
        assert!(file.enter().is_some());
        assert!(is_open_fd(fd));
        file.release();
        assert!(file.lock().is_none());
        assert!(file.enter().is_none());
        // Releasing again closes nothing twice.
        file.release();
        assert!(file.lock().is_none());
    }

    #[test]
    fn the_last_writer_inside_closes_a_released_file() {
        let file = dev_null();
        let (a, b) = (file.enter().unwrap(), file.enter().unwrap());
        file.release();
        // Writers inside still have the open file.
        assert!(is_open_fd(a.fd()));
        assert!(file.lock().is_some());
        drop(a);
        assert!(file.lock().is_some());
        assert!(file.enter().is_none(), "entered a released file");
        drop(b);
        assert!(file.lock().is_none(), "the last writer did not close it");
    }

    #[test]
    fn a_file_that_did_not_open_is_never_entered() {
        let file = KernelFile {
            fd: -1,
            file: Mutex::new(None),
            state: AtomicUsize::new(RELEASED),
            opened: Err(DataFileError {
                errno: Errno(libc::ENOENT),
                path: PathBuf::from("/nowhere/user_events_data"),
            }),
        };
        assert!(file.enter().is_none());
        let word = AtomicU32::new(0);
        // SAFETY: nothing is registered (the file is not open), so the kernel
        // never sees the word.
        let result = unsafe { file.register("P_L4K1", &word) };
        assert_eq!(result, Err(Errno(libc::ENOENT)));
        file.release();
    }
}
