//! The limits that bound the work one upload may cause.

use std::time::Duration;

use crate::error::MediaError;
use crate::kind::{MediaCategory, MediaKind};

/// Size, pixel, page and time limits for processing uploads.
///
/// The defaults suit a classroom server: phone photos, screen recordings
/// of a few minutes and slide decks of a lecture. Every limit applies to
/// one upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaLimits {
    /// Maximum size of an uploaded picture, in bytes. Default 32 MiB.
    pub max_image_bytes: u64,
    /// Maximum size of an uploaded video, in bytes. Default 512 MiB.
    pub max_video_bytes: u64,
    /// Maximum size of an uploaded PDF, in bytes. Default 64 MiB.
    pub max_pdf_bytes: u64,
    /// Maximum pixel count (width × height) that a picture's header may
    /// declare. Checked before decoding. Default 40 megapixels.
    pub max_pixels: u64,
    /// Maximum width and maximum height of a picture, in pixels. Default
    /// 20 000, which admits phone panoramas.
    pub max_side: u32,
    /// Longest edge of the display version of a picture or slide, in
    /// pixels. Default 2048.
    pub display_max_edge: u32,
    /// Longest edge of a thumbnail, in pixels. Default 256.
    pub thumbnail_max_edge: u32,
    /// Maximum number of pages of a PDF. Default 200.
    pub max_pdf_pages: u32,
    /// Time limit for each run of a PDF renderer program: one for reading
    /// the page count and one for rendering every page. Default 120 s.
    pub renderer_timeout: Duration,
}

impl Default for MediaLimits {
    fn default() -> Self {
        MediaLimits {
            max_image_bytes: 32 * 1024 * 1024,
            max_video_bytes: 512 * 1024 * 1024,
            max_pdf_bytes: 64 * 1024 * 1024,
            max_pixels: 40_000_000,
            max_side: 20_000,
            display_max_edge: 2048,
            thumbnail_max_edge: 256,
            max_pdf_pages: 200,
            renderer_timeout: Duration::from_secs(120),
        }
    }
}

impl MediaLimits {
    /// Returns the size limit for one kind of upload, in bytes.
    pub fn max_bytes(&self, kind: MediaKind) -> u64 {
        match kind.category() {
            MediaCategory::Image => self.max_image_bytes,
            MediaCategory::Video => self.max_video_bytes,
            MediaCategory::Slides => self.max_pdf_bytes,
        }
    }

    /// Checks an upload's size, in bytes, against the limit for its kind.
    pub fn check_size(&self, kind: MediaKind, size: u64) -> Result<(), MediaError> {
        let limit = self.max_bytes(kind);
        if size > limit {
            return Err(MediaError::TooLarge { kind, size, limit });
        }
        Ok(())
    }

    /// Returns the largest size limit of any kind: the request body limit
    /// for a server that reads an upload before its kind is known.
    pub fn max_upload_bytes(&self) -> u64 {
        self.max_image_bytes
            .max(self.max_video_bytes)
            .max(self.max_pdf_bytes)
    }

    /// Returns the decoder's allocation limit: the largest decoded buffer
    /// that [`MediaLimits::max_pixels`] admits, at 8 bytes a pixel (RGBA
    /// with 16 bits a channel, the widest colour type of PNG, the widest
    /// of the enabled formats).
    pub fn max_decoded_bytes(&self) -> u64 {
        self.max_pixels.saturating_mul(8)
    }
}
