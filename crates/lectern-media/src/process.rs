//! The single entry point for an upload.

use crate::error::MediaError;
use crate::kind::{MediaCategory, MediaKind, detect_kind};
use crate::limits::MediaLimits;
use crate::picture::{ProcessedImage, process_image};
use crate::slides::{PdfRenderer, process_pdf};
use crate::video::{VideoInfo, check_video};

/// The result of processing an accepted upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcessedMedia {
    /// A picture, re-encoded without metadata.
    Image {
        kind: MediaKind,
        image: ProcessedImage,
    },
    /// A video, to be stored as uploaded after [`crate::strip_mp4_metadata`]
    /// when [`VideoInfo::metadata_boxes`] is not zero.
    Video(VideoInfo),
    /// PDF slides, one picture per page in page order.
    Slides { pages: Vec<ProcessedImage> },
}

impl ProcessedMedia {
    /// Returns the detected kind of the upload.
    pub fn kind(&self) -> MediaKind {
        match self {
            ProcessedMedia::Image { kind, .. } => *kind,
            ProcessedMedia::Video(video) => video.kind,
            ProcessedMedia::Slides { .. } => MediaKind::Pdf,
        }
    }

    /// Returns the width and height in pixels: of the picture, of the first
    /// slide, or of the video when known.
    pub fn dimensions(&self) -> Option<(u32, u32)> {
        match self {
            ProcessedMedia::Image { image, .. } => Some((image.width, image.height)),
            ProcessedMedia::Video(video) => video.width.zip(video.height),
            ProcessedMedia::Slides { pages } => pages.first().map(|page| (page.width, page.height)),
        }
    }
}

/// Detects, checks and processes an upload, rendering PDFs with the
/// poppler-utils programs found on `PATH`.
///
/// CPU-heavy and, for PDFs, waits for subprocesses: an async server runs
/// it in `spawn_blocking`.
pub fn process_upload(bytes: &[u8], limits: &MediaLimits) -> Result<ProcessedMedia, MediaError> {
    process_upload_with(bytes, limits, &PdfRenderer::default())
}

/// Does what [`process_upload`] does, with the given PDF renderer.
pub fn process_upload_with(
    bytes: &[u8],
    limits: &MediaLimits,
    renderer: &PdfRenderer,
) -> Result<ProcessedMedia, MediaError> {
    let kind = detect_kind(bytes)?;
    limits.check_size(kind, bytes.len() as u64)?;
    match kind.category() {
        MediaCategory::Image => Ok(ProcessedMedia::Image {
            kind,
            image: process_image(bytes, kind, limits)?,
        }),
        MediaCategory::Video => Ok(ProcessedMedia::Video(check_video(bytes, limits)?)),
        MediaCategory::Slides => Ok(ProcessedMedia::Slides {
            pages: process_pdf(bytes, limits, renderer)?,
        }),
    }
}
