//! Video checks: signature and size only, no transcoding.

use lectern_media::{
    MediaError, MediaKind, MediaLimits, ProcessedMedia, SNIFF_LEN, VideoInfo, check_video,
    check_video_head, process_upload, strip_mp4_metadata,
};

/// Builds the start of an MP4 file: an `ftyp` box with the `isom` brand and a
/// `moov` box header, padded to `size` bytes.
fn mp4(size: usize) -> Vec<u8> {
    let mut bytes = 20u32.to_be_bytes().to_vec();
    bytes.extend_from_slice(b"ftypisom\0\0\x02\0mp41");
    bytes.extend_from_slice(&8u32.to_be_bytes());
    bytes.extend_from_slice(b"moov");
    bytes.resize(size, 0);
    bytes
}

/// Builds the start of a WebM file: an EBML header with the `webm` doctype.
fn webm() -> Vec<u8> {
    let mut bytes = vec![0x1A, 0x45, 0xDF, 0xA3, 0x8B];
    bytes.extend_from_slice(&[0x42, 0x86, 0x81, 0x01]);
    bytes.extend_from_slice(&[0x42, 0x82, 0x84]);
    bytes.extend_from_slice(b"webm");
    bytes.extend_from_slice(&[
        0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    ]);
    bytes
}

#[test]
fn mp4_is_accepted_without_dimensions() {
    let bytes = mp4(1000);
    let info = check_video(&bytes, &MediaLimits::default()).expect("MP4 accepted");
    assert_eq!(
        info,
        VideoInfo {
            kind: MediaKind::Mp4,
            size: 1000,
            width: None,
            height: None,
            metadata_boxes: 0,
        }
    );
    assert_eq!(info.kind.mime_type(), "video/mp4");
}

#[test]
fn webm_is_accepted() {
    let info = check_video(&webm(), &MediaLimits::default()).expect("WebM accepted");
    assert_eq!(info.kind, MediaKind::WebM);
    assert_eq!(info.kind.mime_type(), "video/webm");
}

#[test]
fn oversized_video_is_too_large() {
    let limits = MediaLimits {
        max_video_bytes: 500,
        ..MediaLimits::default()
    };
    let error = check_video(&mp4(501), &limits).expect_err("over 500 bytes");
    assert!(
        matches!(
            error,
            MediaError::TooLarge {
                kind: MediaKind::Mp4,
                size: 501,
                limit: 500
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the MP4 file is 501 bytes, over the limit of 500 bytes; upload a smaller file"
    );
}

#[test]
fn video_at_limit_is_accepted() {
    let limits = MediaLimits {
        max_video_bytes: 500,
        ..MediaLimits::default()
    };
    assert!(check_video(&mp4(500), &limits).is_ok());
}

#[test]
fn head_check_uses_declared_size() {
    let limits = MediaLimits {
        max_video_bytes: 10_000,
        ..MediaLimits::default()
    };
    let head = mp4(SNIFF_LEN);
    let info = check_video_head(&head, 9_000, &limits).expect("under the limit");
    assert_eq!(info.size, 9_000);
    let error = check_video_head(&head, 20_000, &limits).expect_err("over the limit");
    assert!(matches!(error, MediaError::TooLarge { size: 20_000, .. }));
}

#[test]
fn picture_is_not_a_video() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    let error = check_video(&png, &MediaLimits::default()).expect_err("PNG");
    assert!(matches!(
        error,
        MediaError::WrongCategory {
            kind: MediaKind::Png,
            ..
        }
    ));
    assert_eq!(
        error.to_string(),
        "the file is a PNG file, not a video; upload a video"
    );
}

#[test]
fn quicktime_movie_is_rejected() {
    let mut bytes = 20u32.to_be_bytes().to_vec();
    bytes.extend_from_slice(b"ftypqt  \0\0\x02\0qt  ");
    let error = check_video(&bytes, &MediaLimits::default()).expect_err("QuickTime");
    assert!(error.to_string().contains("QuickTime"), "{error}");
}

#[test]
fn process_upload_reports_video() {
    let processed = process_upload(&mp4(64), &MediaLimits::default()).expect("accepted");
    assert!(matches!(processed, ProcessedMedia::Video(_)));
    assert_eq!(processed.kind(), MediaKind::Mp4);
    assert_eq!(processed.dimensions(), None);
}

#[test]
fn video_limit_is_separate_from_picture_limit() {
    let limits = MediaLimits {
        max_image_bytes: 10,
        ..MediaLimits::default()
    };
    assert!(check_video(&mp4(1000), &limits).is_ok());
    assert_eq!(limits.max_upload_bytes(), limits.max_video_bytes);
}

/// Builds a box: a 32-bit size, the type and the body.
fn mp4_box(box_type: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut bytes = (8 + body.len() as u32).to_be_bytes().to_vec();
    bytes.extend_from_slice(box_type);
    bytes.extend_from_slice(body);
    bytes
}

/// Offset of `moov` in [`phone_mp4`]: after a 28-byte `ftyp` and a 72-byte
/// `mdat`.
const MOOV_OFFSET: usize = 28 + 72;

const LOCATION: &[u8] = b"+48.8584+002.2945/";

/// Builds an MP4 like a phone's: `ftyp`, `mdat`, then `moov` with a track
/// and QuickTime user data holding a `©xyz` location.
fn phone_mp4() -> Vec<u8> {
    let location = mp4_box(b"\xA9xyz", LOCATION);
    let track = [
        mp4_box(b"tkhd", &[0; 84]),
        mp4_box(b"udta", &mp4_box(b"name", b"track name")),
    ]
    .concat();
    let moov = [
        mp4_box(b"mvhd", &[0; 100]),
        mp4_box(b"trak", &track),
        mp4_box(b"udta", &location),
        mp4_box(b"meta", &[0; 12]),
    ]
    .concat();
    [
        mp4_box(b"ftyp", b"isom\0\0\x02\0isomiso2mp41"),
        mp4_box(b"mdat", &[0xAB; 64]),
        mp4_box(b"moov", &moov),
    ]
    .concat()
}

fn box_types(bytes: &[u8]) -> Vec<String> {
    let mut types = Vec::new();
    let mut position = 0;
    while position + 8 <= bytes.len() {
        let size = u32::from_be_bytes(bytes[position..position + 4].try_into().expect("4 bytes"));
        types.push(String::from_utf8_lossy(&bytes[position + 4..position + 8]).into_owned());
        position += size as usize;
    }
    types
}

#[test]
fn phone_metadata_boxes_are_counted() {
    let info = check_video(&phone_mp4(), &MediaLimits::default()).expect("accepted");
    assert_eq!(info.metadata_boxes, 3);
}

#[test]
fn strip_blanks_user_data_in_place() {
    let original = phone_mp4();
    let mut bytes = original.clone();
    assert_eq!(strip_mp4_metadata(&mut bytes), 3);

    assert_eq!(bytes.len(), original.len(), "no byte moves");
    let changed: Vec<usize> = (0..bytes.len())
        .filter(|&index| bytes[index] != original[index])
        .collect();
    assert_eq!(
        changed.len(),
        12,
        "three 4-byte box types change: {changed:?}"
    );
    assert_eq!(box_types(&bytes), ["ftyp", "mdat", "moov"]);

    let moov_body = &bytes[MOOV_OFFSET + 8..];
    assert_eq!(box_types(moov_body), ["mvhd", "trak", "free", "free"]);
    let info = check_video(&bytes, &MediaLimits::default()).expect("still accepted");
    assert_eq!(info.metadata_boxes, 0);
}

#[test]
fn strip_survives_damaged_sizes() {
    let mut bytes = phone_mp4();
    // Declare the moov box far longer than the file.
    bytes[MOOV_OFFSET..MOOV_OFFSET + 4].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(strip_mp4_metadata(&mut bytes), 0);

    let mut tiny = b"\0\0\0\x01ftyp".to_vec();
    assert_eq!(strip_mp4_metadata(&mut tiny), 0);
}

#[test]
fn webm_reports_no_metadata_boxes() {
    let info = check_video(&webm(), &MediaLimits::default()).expect("accepted");
    assert_eq!(info.metadata_boxes, 0);
}
