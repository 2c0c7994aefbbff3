//! Video checks. Videos are stored as uploaded: no transcoding.

use crate::error::MediaError;
use crate::kind::{MediaCategory, MediaKind, detect_kind};
use crate::limits::MediaLimits;

/// The facts known about an accepted video.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoInfo {
    pub kind: MediaKind,
    /// Size of the file, in bytes.
    pub size: u64,
    /// Frame width, when known. Always `None` for now.
    pub width: Option<u32>,
    /// Frame height, when known. Always `None` for now.
    pub height: Option<u32>,
    /// Number of MP4 `udta` and `meta` boxes found: user data such as the
    /// recording's GPS position, which [`strip_mp4_metadata`] blanks. Zero
    /// for WebM, whose tags are not read.
    pub metadata_boxes: usize,
}

/// Checks an uploaded video's signature and size.
///
/// The video is not transcoded: the caller stores the uploaded bytes,
/// after [`strip_mp4_metadata`] when [`VideoInfo::metadata_boxes`] is not
/// zero. NOTE: only the signature is checked, so a file with a valid header
/// and a damaged body is accepted and fails in the player. WebM tags are
/// stored as uploaded.
pub fn check_video(bytes: &[u8], limits: &MediaLimits) -> Result<VideoInfo, MediaError> {
    check_video_head(bytes, bytes.len() as u64, limits)
}

/// Checks a video from its first bytes and its total size, for a server
/// that streams a large upload to disk instead of holding it in memory.
///
/// `head` is the start of the file, at least [`crate::SNIFF_LEN`] bytes
/// unless the file is shorter, and `size` the length of the whole file.
/// [`VideoInfo::metadata_boxes`] counts only the boxes within `head`.
///
/// NOTE: a streamed MP4 whose `moov` box lies past `head`, as it does in
/// most camera files, reports no metadata here, and [`strip_mp4_metadata`]
/// needs the whole file in memory.
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
    let metadata_boxes = match kind {
        MediaKind::Mp4 => mp4_metadata_boxes(head).len(),
        _ => 0,
    };
    Ok(VideoInfo {
        kind,
        size,
        width: None,
        height: None,
        metadata_boxes,
    })
}

/// Blanks the user data of an MP4 file in place and returns how many
/// boxes it blanked.
///
/// Phones write the recording's GPS position, the device model and the
/// software into `udta` and `meta` boxes (QuickTime's `©xyz` and
/// `com.apple.quicktime.location.ISO6709`). Renaming each such box to
/// `free`, a box that players skip, hides them without moving any byte,
/// so the sample offsets in `stco` stay valid. The metadata bytes stay in
/// the file, unread: a tool that reads `free` boxes still finds them.
/// Boxes are searched at the top level and in `moov` and its `trak`s; a
/// damaged box size ends the search of its parent.
pub fn strip_mp4_metadata(bytes: &mut [u8]) -> usize {
    let offsets = mp4_metadata_boxes(bytes);
    for &offset in &offsets {
        bytes[offset + 4..offset + 8].copy_from_slice(b"free");
    }
    offsets.len()
}

/// Returns the offsets of the `udta` and `meta` boxes that
/// [`strip_mp4_metadata`] blanks.
fn mp4_metadata_boxes(bytes: &[u8]) -> Vec<usize> {
    let mut offsets = Vec::new();
    collect_metadata_boxes(bytes, 0, bytes.len(), 0, &mut offsets);
    offsets
}

fn collect_metadata_boxes(
    bytes: &[u8],
    start: usize,
    end: usize,
    depth: u8,
    offsets: &mut Vec<usize>,
) {
    let mut position = start;
    while position + 8 <= end {
        let declared = u32::from_be_bytes([
            bytes[position],
            bytes[position + 1],
            bytes[position + 2],
            bytes[position + 3],
        ]);
        let box_type = &bytes[position + 4..position + 8];
        // Size 0 runs to the end of the parent; size 1 means a 64-bit size
        // follows the type.
        let (header, size) = match declared {
            0 => (8, end - position),
            1 => {
                let Some(large) = bytes.get(position + 8..position + 16) else {
                    return;
                };
                let mut size = [0u8; 8];
                size.copy_from_slice(large);
                (
                    16,
                    usize::try_from(u64::from_be_bytes(size)).unwrap_or(usize::MAX),
                )
            }
            declared => (8, declared as usize),
        };
        if size < header || size > end - position {
            return;
        }
        match box_type {
            b"udta" | b"meta" => offsets.push(position),
            b"moov" | b"trak" if depth < 2 => {
                collect_metadata_boxes(
                    bytes,
                    position + header,
                    position + size,
                    depth + 1,
                    offsets,
                );
            }
            _ => {}
        }
        position += size;
    }
}
