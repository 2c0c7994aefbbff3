//! Video checks. Videos are stored as uploaded: no transcoding.

use crate::error::MediaError;
use crate::kind::{MediaCategory, MediaKind, detect_kind};
use crate::limits::MediaLimits;

/// What is known about an accepted video.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoInfo {
    pub kind: MediaKind,
    /// Size of the file, in bytes.
    pub size: u64,
    /// Frame width, when known. Always `None` for now.
    pub width: Option<u32>,
    /// Frame height, when known. Always `None` for now.
    pub height: Option<u32>,
}

/// Checks an uploaded video's signature and size.
///
/// The caller stores the bytes unchanged. NOTE: only the signature is
/// checked, so a file with a valid header and a damaged body is accepted
/// and fails in the player, and metadata in the file (an MP4 `udta` box
/// may hold the recording's GPS position) reaches the students.
pub fn check_video(bytes: &[u8], limits: &MediaLimits) -> Result<VideoInfo, MediaError> {
    check_video_head(bytes, bytes.len() as u64, limits)
}

/// Checks a video from its first bytes and its total size, for a server
/// that streams a large upload to disk instead of holding it in memory.
///
/// `head` is the start of the file, at least [`crate::SNIFF_LEN`] bytes
/// unless the file is shorter, and `size` the length of the whole file.
pub fn check_video_head(
    head: &[u8],
    size: u64,
    limits: &MediaLimits,
) -> Result<VideoInfo, MediaError> {
    let kind = detect_kind(head)?;
    if kind.category() != MediaCategory::Video {
        return Err(MediaError::WrongCategory {
            kind,
            expected: "a video",
        });
    }
    limits.check_size(kind, size)?;
    Ok(VideoInfo {
        kind,
        size,
        width: None,
        height: None,
    })
}
