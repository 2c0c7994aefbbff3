//! Large outgoing frames kept as sealed in-memory files, so that sockets
//! send them with `sendfile`.
//!
//! A joining student receives the whole board in one frame, several MiB
//! for a busy board, and after a restart or a network drop hundreds of
//! students receive the same frame at once. Written from user memory, the
//! kernel copies the frame into new socket buffers for every connection.
//! With `sendfile` from a memfd the socket buffers refer to the file's
//! pages instead. No copy is made per connection, and the connections
//! share the file's pages instead of each buffering its own copy.
//!
//! Each file is sealed against writes and size changes before it is used,
//! so pages that socket buffers still refer to never change. Frames are
//! recognised by their allocation: a file serves exactly one `Frame`
//! value, and is closed once no socket has part of it left to send.
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

/// A frame's bytes in a sealed memfd.
#[derive(Debug)]
pub struct FrameFile {
    #[cfg(target_os = "linux")]
    fd: std::os::fd::OwnedFd,
    /// The frame itself. [`FrameFiles`] finds a frame's file by the
    /// frame's address, so the file keeps the frame to keep that address
    /// from being reused.
    frame: Frame,
}

impl FrameFile {
    /// Returns the file's length in bytes, the frame's length.
    pub fn len(&self) -> usize {
        self.frame.len()
    }

    /// Creates a sealed file with the bytes of `frame` as its content.
    #[cfg(target_os = "linux")]
    pub fn create(frame: &Frame) -> std::io::Result<Self> {
        use rustix::fs::{MemfdFlags, SealFlags, fcntl_add_seals, memfd_create};

        let fd = memfd_create(
            "lectern-frame",
            MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
        )?;
        let mut written = 0;
        while written < frame.len() {
            written += rustix::io::write(&fd, &frame[written..])?;
        }
        fcntl_add_seals(
            &fd,
            SealFlags::WRITE | SealFlags::SHRINK | SealFlags::GROW | SealFlags::SEAL,
        )?;
        Ok(Self {
            fd,
            frame: Arc::clone(frame),
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
///
/// A file lives while a socket still has part of it to send. Once the
/// last one is done the file is closed, so an idle server keeps no
/// files. A later send of the same frame makes a new file.
#[derive(Debug, Default)]
pub struct FrameFiles {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// The files that sockets are sending.
    files: Vec<Weak<FrameFile>>,
    /// Set once creating a file failed, so that the server stops trying.
    unavailable: bool,
}

impl FrameFiles {
    /// Returns the file of `frame`, creating it when no socket is sending
    /// it yet. Returns `None` for a short frame, or where files are not
    /// available.
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
        state.files.retain(|file| file.strong_count() > 0);
        let found = state
            .files
            .iter()
            .filter_map(Weak::upgrade)
            .find(|file| Arc::ptr_eq(&file.frame, frame));
        if found.is_some() {
            return found;
        }

        let file = match create(frame) {
            Ok(file) => Arc::new(file),
            Err(error) => {
                warn!(%error, "creating an in-memory file for large frames failed, so they are sent from memory");
                state.unavailable = true;
                return None;
            }
        };
        state.files.push(Arc::downgrade(&file));
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
    fn file_closes_after_last_send() {
        let files = FrameFiles::default();
        let first = frame(MIN_FILE_FRAME_BYTES);
        let file = files.file_for(&first).expect("a file");
        let weak = Arc::downgrade(&file);
        drop(file);
        assert!(weak.upgrade().is_none(), "the cache does not keep it");

        let again = files.file_for(&first).expect("a new file");
        assert_eq!(again.len(), first.len());
        assert_eq!(
            files.lock().files.len(),
            1,
            "the closed file's entry is gone"
        );
    }

    #[test]
    fn sealed_file_rejects_writes() {
        let bytes = frame(1000);
        let file = FrameFile::create(&bytes).expect("created");
        let error = rustix::io::write(&file.fd, b"x").expect_err("sealed");
        assert_eq!(error, rustix::io::Errno::PERM);
    }
}
