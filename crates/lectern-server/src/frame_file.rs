//! Large outgoing frames kept as sealed in-memory files, so that sockets
//! send them with `sendfile`.
//!
//! A joining student receives the whole board in one frame, several MiB
//! for a busy board, and after a restart or a network drop hundreds of
//! students receive the same frame at once. Written from user memory, the
//! kernel copies the frame into new socket buffers for every connection.
//! With `sendfile` from a memfd the socket buffers refer to the file's
//! pages instead: no copy per connection, and all connections share one
//! copy of the frame in memory.
//!
//! Each file is sealed against writes and size changes before it is used,
//! so pages that socket buffers still refer to never change. Frames are
//! recognised by their allocation: a file serves exactly one `Frame`
//! value, for as long as that value lives.
//!
//! Only Linux has memfd and `sendfile` here. Elsewhere, and when the
//! kernel does not allow memfd, [`FrameFiles::file_for`] returns `None`
//! and frames are written from memory as before.

use std::sync::{Arc, Mutex, MutexGuard, Weak};

use lectern_board::Frame;
use tracing::warn;

/// Frames shorter than this are written from memory: a file costs a
/// system call to create, and small frames cost little to copy.
pub const MIN_FILE_FRAME_BYTES: usize = 64 * 1024;

/// Files kept for frames still alive. A room keeps one whole-board frame
/// at a time, so this serves several rooms whose students join at once.
const MAX_FILES: usize = 16;

/// A frame's bytes in a sealed memfd.
#[derive(Debug)]
pub struct FrameFile {
    #[cfg(target_os = "linux")]
    fd: std::os::fd::OwnedFd,
    len: usize,
}

impl FrameFile {
    /// Returns the file's length in bytes, the frame's length.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Creates a sealed file with `bytes` as its content.
    #[cfg(target_os = "linux")]
    pub fn create(bytes: &[u8]) -> std::io::Result<Self> {
        use rustix::fs::{MemfdFlags, SealFlags, fcntl_add_seals, memfd_create};

        let fd = memfd_create(
            "lectern-frame",
            MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
        )?;
        let mut written = 0;
        while written < bytes.len() {
            written += rustix::io::write(&fd, &bytes[written..])?;
        }
        fcntl_add_seals(
            &fd,
            SealFlags::WRITE | SealFlags::SHRINK | SealFlags::GROW | SealFlags::SEAL,
        )?;
        Ok(Self {
            fd,
            len: bytes.len(),
        })
    }

    /// Sends up to `len` bytes of the file from `offset` to `socket`;
    /// returns how many the kernel took.
    ///
    /// # Errors
    ///
    /// The system call's error. `WouldBlock` when the socket's send buffer
    /// is full.
    #[cfg(target_os = "linux")]
    pub fn send_to(
        &self,
        socket: impl std::os::fd::AsFd,
        offset: usize,
        len: usize,
    ) -> std::io::Result<usize> {
        let mut offset = offset as u64;
        Ok(rustix::fs::sendfile(
            socket,
            &self.fd,
            Some(&mut offset),
            len,
        )?)
    }
}

/// The files of the large frames being sent, shared by every socket of
/// the server.
#[derive(Debug, Default)]
pub struct FrameFiles {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Each frame with its file, oldest first. The `Weak` keeps the
    /// frame's allocation, and so its address, from being reused while the
    /// entry exists.
    files: Vec<(Weak<[u8]>, Arc<FrameFile>)>,
    /// Set once creating a file failed, so that the server stops trying.
    unavailable: bool,
}

impl FrameFiles {
    /// Returns the file of `frame`, creating it on first use, or `None`
    /// for a short frame or where files are not available.
    ///
    /// NOTE: creating the file copies the frame once while the lock is
    /// held, so sockets that send the same frame at once wait for one file
    /// instead of each making their own. That is a few milliseconds for a
    /// frame of several MiB.
    pub fn file_for(&self, frame: &Frame) -> Option<Arc<FrameFile>> {
        if frame.len() < MIN_FILE_FRAME_BYTES || !cfg!(target_os = "linux") {
            return None;
        }
        let mut state = self.lock();
        if state.unavailable {
            return None;
        }
        state.files.retain(|(weak, _)| weak.strong_count() > 0);
        let found = state
            .files
            .iter()
            .find(|(weak, _)| std::ptr::addr_eq(weak.as_ptr(), Arc::as_ptr(frame)));
        if let Some((_, file)) = found {
            return Some(Arc::clone(file));
        }

        let file = match create(frame) {
            Ok(file) => Arc::new(file),
            Err(error) => {
                warn!(%error, "creating an in-memory file for large frames failed, so they are sent from memory");
                state.unavailable = true;
                return None;
            }
        };
        if state.files.len() >= MAX_FILES {
            state.files.remove(0);
        }
        state.files.push((Arc::downgrade(frame), Arc::clone(&file)));
        Some(file)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(target_os = "linux")]
fn create(frame: &Frame) -> std::io::Result<FrameFile> {
    FrameFile::create(frame)
}

#[cfg(not(target_os = "linux"))]
fn create(_frame: &Frame) -> std::io::Result<FrameFile> {
    Err(std::io::ErrorKind::Unsupported.into())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn frame(len: usize) -> Frame {
        (0..len)
            .map(|at| (at % 251) as u8)
            .collect::<Vec<_>>()
            .into()
    }

    #[test]
    fn short_frames_get_no_file() {
        let files = FrameFiles::default();
        assert!(files.file_for(&frame(MIN_FILE_FRAME_BYTES - 1)).is_none());
    }

    #[test]
    fn one_frame_gets_one_file() {
        let files = FrameFiles::default();
        let first = frame(MIN_FILE_FRAME_BYTES);
        let file = files.file_for(&first).expect("a file");
        let again = files.file_for(&Arc::clone(&first)).expect("a file");
        assert!(Arc::ptr_eq(&file, &again));
        assert_eq!(file.len(), first.len());

        let equal_bytes = frame(MIN_FILE_FRAME_BYTES);
        let other = files.file_for(&equal_bytes).expect("a file");
        assert!(!Arc::ptr_eq(&file, &other), "files follow allocations");
    }

    #[test]
    fn dropped_frames_lose_their_files() {
        let files = FrameFiles::default();
        let first = frame(MIN_FILE_FRAME_BYTES);
        let file = files.file_for(&first).expect("a file");
        drop(first);

        let second = frame(MIN_FILE_FRAME_BYTES);
        let _ = files.file_for(&second);
        assert_eq!(files.lock().files.len(), 1, "the dead entry is gone");
        assert_eq!(Arc::strong_count(&file), 1, "only the caller keeps it");
    }

    #[test]
    fn sealed_file_rejects_writes() {
        let bytes = frame(1000);
        let file = FrameFile::create(&bytes).expect("created");
        let error = rustix::io::write(&file.fd, b"x").expect_err("sealed");
        assert_eq!(error, rustix::io::Errno::PERM);
    }
}
