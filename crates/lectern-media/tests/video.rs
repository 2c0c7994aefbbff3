//! Video checks: signature and size only, no transcoding.

use lectern_media::{
    MediaError, MediaKind, MediaLimits, ProcessedMedia, SNIFF_LEN, VideoInfo, check_video,
    check_video_head, process_upload,
};

/// The start of an MP4 file: an `ftyp` box with the `isom` brand and a
/// `moov` box header, padded to `size` bytes.
fn mp4(size: usize) -> Vec<u8> {
    let mut bytes = 20u32.to_be_bytes().to_vec();
    bytes.extend_from_slice(b"ftypisom\0\0\x02\0mp41");
    bytes.extend_from_slice(&8u32.to_be_bytes());
    bytes.extend_from_slice(b"moov");
    bytes.resize(size, 0);
    bytes
}

/// The start of a WebM file: an EBML header with the `webm` doctype.
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
