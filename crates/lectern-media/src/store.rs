//! Content-addressed file storage.
//!
//! A file is stored under the SHA-256 digest of its bytes, in a fan-out
//! directory named after the digest's first two hex digits:
//! `ROOT/ab/cdef…` for the digest `abcdef…`. The same content is stored
//! once. The store is synchronous (`std::fs`): an async server calls it in
//! `spawn_blocking`, which is also what `tokio::fs` does for each call.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sha2::{Digest as _, Sha256};

/// A SHA-256 digest, the id of a stored file.
///
/// Its text form is 64 lowercase hex digits. [`Digest::from_str`] accepts
/// only that form, so a parsed digest is always a safe file name.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest([u8; 32]);

impl Digest {
    /// Computes the digest of some bytes.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(Sha256::digest(bytes).into())
    }

    /// Returns the raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

/// A string that is not 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid media id {value:?}: expected 64 lowercase hex digits (a SHA-256 digest)")]
pub struct DigestError {
    /// The rejected string, cut to 80 characters.
    pub value: String,
}

impl FromStr for Digest {
    type Err = DigestError;

    fn from_str(text: &str) -> Result<Digest, DigestError> {
        let invalid = || DigestError {
            value: text.chars().take(80).collect(),
        };
        let hex = text.as_bytes();
        if hex.len() != 64 {
            return Err(invalid());
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
            let high = hex_value(pair[0]).ok_or_else(invalid)?;
            let low = hex_value(pair[1]).ok_or_else(invalid)?;
            *byte = (high << 4) | low;
        }
        Ok(Digest(bytes))
    }
}

/// Returns the value of a lowercase hex digit.
fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    }
}

/// A failed store operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No file is stored under the digest.
    #[error("no media file is stored under {digest}")]
    NotFound { digest: Digest },

    /// A file operation failed.
    #[error("failed to {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// A content-addressed store in one directory.
#[derive(Debug, Clone)]
pub struct MediaStore {
    root: PathBuf,
}

impl MediaStore {
    /// Opens a store at `root`, creating the directory when it is missing.
    pub fn new(root: impl Into<PathBuf>) -> Result<MediaStore, StoreError> {
        let root = root.into();
        fs::create_dir_all(&root).map_err(|source| StoreError::Io {
            action: "create the media directory",
            path: root.clone(),
            source,
        })?;
        Ok(MediaStore { root })
    }

    /// Returns the store's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Returns where the file with this digest is or would be stored.
    pub fn path(&self, digest: &Digest) -> PathBuf {
        let hex = digest.to_string();
        let (fan_out, rest) = hex.split_at(2);
        self.root.join(fan_out).join(rest)
    }

    /// Returns whether a file is stored under the digest.
    pub fn contains(&self, digest: &Digest) -> bool {
        self.path(digest).is_file()
    }

    /// Stores bytes and returns their digest.
    ///
    /// The bytes go to a temporary file in the fan-out directory, which is
    /// flushed to disk and renamed into place, so a reader sees either no
    /// file or the whole file, also after a crash. When the same content
    /// is already stored with the expected size, the bytes are not written
    /// again. A stored file of the wrong size, such as one cut short by a
    /// copy outside the store, is replaced.
    pub fn put(&self, bytes: &[u8]) -> Result<Digest, StoreError> {
        let digest = Digest::of(bytes);
        let path = self.path(&digest);
        if fs::metadata(&path).is_ok_and(|metadata| metadata.len() == bytes.len() as u64) {
            return Ok(digest);
        }

        let fan_out_dir = path.parent().unwrap_or(&self.root);
        let io_error = |action: &'static str, path: &Path| {
            let path = path.to_owned();
            move |source| StoreError::Io {
                action,
                path,
                source,
            }
        };
        fs::create_dir_all(fan_out_dir)
            .map_err(io_error("create the fan-out directory", fan_out_dir))?;

        let mut temporary = tempfile::Builder::new()
            .prefix(".upload-")
            .tempfile_in(fan_out_dir)
            .map_err(io_error("create a temporary file in", fan_out_dir))?;
        temporary
            .write_all(bytes)
            .and_then(|()| temporary.as_file().sync_all())
            .map_err(io_error("write", temporary.path()))?;
        temporary.persist(&path).map_err(|error| StoreError::Io {
            action: "rename a temporary file to",
            path: path.clone(),
            source: error.error,
        })?;
        // Flush the directory entry too, so the rename survives a crash.
        File::open(fan_out_dir)
            .and_then(|directory| directory.sync_all())
            .map_err(io_error("flush the directory", fan_out_dir))?;

        tracing::debug!(%digest, size = bytes.len(), "stored a media file");
        Ok(digest)
    }

    /// Opens a stored file for reading.
    pub fn open(&self, digest: &Digest) -> Result<File, StoreError> {
        let path = self.path(digest);
        File::open(&path).map_err(|source| match source.kind() {
            io::ErrorKind::NotFound => StoreError::NotFound { digest: *digest },
            _ => StoreError::Io {
                action: "open",
                path,
                source,
            },
        })
    }

    /// Reads a stored file into memory.
    pub fn read(&self, digest: &Digest) -> Result<Vec<u8>, StoreError> {
        let path = self.path(digest);
        fs::read(&path).map_err(|source| match source.kind() {
            io::ErrorKind::NotFound => StoreError::NotFound { digest: *digest },
            _ => StoreError::Io {
                action: "read",
                path,
                source,
            },
        })
    }
}
