//! Processing and storage of board uploads, shared by the media endpoints.
//!
//! `lectern-media` checks and re-encodes an upload and stores its files by
//! digest. This module runs that work on the blocking thread pool, at most
//! one upload per CPU core at a time, so that large pictures or PDFs cannot
//! take every thread of the server.
//!
//! NOTE: stored files are never deleted, also not when their room is
//! deleted, because another room's media item may name the same digest.

use std::path::PathBuf;
use std::sync::Arc;

use lectern_media::{
    Digest, MediaError, MediaKind, MediaStore, ProcessedImage, ProcessedMedia, StoreError,
    process_upload_with, strip_mp4_metadata,
};
use tokio::sync::Semaphore;

use crate::config::MediaSettings;

/// The media store, the upload limits and the pool of processing permits.
#[derive(Debug)]
pub struct MediaService {
    store: MediaStore,
    settings: MediaSettings,
    permits: Arc<Semaphore>,
}

/// The stored files of one picture or slide page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPicture {
    /// Media type of all three versions.
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
    pub original: Digest,
    pub display: Digest,
    pub thumbnail: Digest,
}

/// An accepted upload whose files are in the media store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredUpload {
    /// A picture, re-encoded without metadata.
    Image {
        detected: MediaKind,
        picture: StoredPicture,
    },
    /// A video, stored as uploaded except for blanked MP4 user data.
    Video {
        kind: MediaKind,
        digest: Digest,
        /// Number of MP4 user data boxes blanked before storing.
        metadata_boxes: usize,
    },
    /// PDF slides, one picture per page in page order. The PDF itself is
    /// not stored.
    Slides { pages: Vec<StoredPicture> },
}

impl StoredUpload {
    /// Returns the digest that names the upload in logs: the display
    /// version, or the first page's.
    pub fn digest(&self) -> Option<Digest> {
        match self {
            StoredUpload::Image { picture, .. } => Some(picture.display),
            StoredUpload::Video { digest, .. } => Some(*digest),
            StoredUpload::Slides { pages } => pages.first().map(|page| page.display),
        }
    }

    /// Returns the detected kind of the upload.
    pub fn kind(&self) -> MediaKind {
        match self {
            StoredUpload::Image { detected, .. } => *detected,
            StoredUpload::Video { kind, .. } => *kind,
            StoredUpload::Slides { .. } => MediaKind::Pdf,
        }
    }
}

/// The failure of an upload that was not stored.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The file was rejected, or the PDF renderer failed on it.
    #[error(transparent)]
    Media(#[from] MediaError),
    /// Writing to the media store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The processing task panicked or was cancelled.
    #[error("the upload processing task failed: {0}")]
    Task(String),
}

impl MediaService {
    /// Opens the media store at `root`, creating the directory, with one
    /// processing permit per CPU core.
    pub fn new(root: impl Into<PathBuf>, settings: MediaSettings) -> Result<Self, StoreError> {
        let cores = std::thread::available_parallelism().map_or(1, |cores| cores.get());
        Ok(Self {
            store: MediaStore::new(root)?,
            settings,
            permits: Arc::new(Semaphore::new(cores)),
        })
    }

    pub fn store(&self) -> &MediaStore {
        &self.store
    }

    /// Returns the largest request body an upload may have, in bytes.
    pub fn max_upload_bytes(&self) -> u64 {
        self.settings.limits.max_upload_bytes()
    }

    /// Checks, processes and stores an upload on the blocking thread pool,
    /// waiting first for a free processing permit.
    pub async fn process(&self, bytes: Vec<u8>) -> Result<StoredUpload, UploadError> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|error| UploadError::Task(error.to_string()))?;
        let store = self.store.clone();
        let settings = self.settings.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            process_and_store(bytes, &settings, &store)
        })
        .await
        .map_err(|error| UploadError::Task(error.to_string()))?
    }
}

fn process_and_store(
    mut bytes: Vec<u8>,
    settings: &MediaSettings,
    store: &MediaStore,
) -> Result<StoredUpload, UploadError> {
    let processed = process_upload_with(&bytes, &settings.limits, &settings.renderer)?;
    match processed {
        ProcessedMedia::Image { kind, image } => Ok(StoredUpload::Image {
            detected: kind,
            picture: store_picture(&image, store)?,
        }),
        ProcessedMedia::Video(info) => {
            let metadata_boxes = if info.metadata_boxes > 0 {
                strip_mp4_metadata(&mut bytes)
            } else {
                0
            };
            Ok(StoredUpload::Video {
                kind: info.kind,
                digest: store.put(&bytes)?,
                metadata_boxes,
            })
        }
        ProcessedMedia::Slides { pages } => {
            let pages = pages
                .iter()
                .map(|page| store_picture(page, store))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(StoredUpload::Slides { pages })
        }
    }
}

fn store_picture(image: &ProcessedImage, store: &MediaStore) -> Result<StoredPicture, StoreError> {
    Ok(StoredPicture {
        content_type: image.display.format.mime_type(),
        width: image.width,
        height: image.height,
        original: store.put(&image.original.bytes)?,
        display: store.put(&image.display.bytes)?,
        thumbnail: store.put(&image.thumbnail.bytes)?,
    })
}
