//! Feeds arbitrary bytes to lectern-media's kind detection and, for the
//! picture and video kinds, to the picture pipeline, the video check and
//! MP4 metadata blanking, with small limits so that each input stays
//! cheap. PDFs are detected only, because rendering them starts poppler
//! subprocesses.

#![no_main]

use lectern_media::{
    MediaCategory, MediaLimits, OutputFormat, check_video, detect_kind, process_image,
    strip_mp4_metadata,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = MediaLimits {
        max_image_bytes: 1 << 20,
        max_video_bytes: 1 << 20,
        max_pixels: 1 << 20,
        max_side: 4096,
        display_max_edge: 64,
        thumbnail_max_edge: 16,
        ..MediaLimits::default()
    };

    let Ok(kind) = detect_kind(data) else {
        return;
    };
    match kind.category() {
        MediaCategory::Image => {
            let Ok(processed) = process_image(data, kind, &limits) else {
                return;
            };
            assert!(u64::from(processed.width) * u64::from(processed.height) <= limits.max_pixels);
            for version in [
                &processed.original,
                &processed.display,
                &processed.thumbnail,
            ] {
                let decoded =
                    image::load_from_memory(&version.bytes).expect("a re-encoded picture decodes");
                assert_eq!(
                    (decoded.width(), decoded.height()),
                    (version.width, version.height)
                );
                if version.format == OutputFormat::Jpeg {
                    assert!(!version.bytes.windows(6).any(|window| window == b"Exif\0\0"));
                }
            }
            assert!(processed.display.width.max(processed.display.height) <= 64);
            assert!(processed.thumbnail.width.max(processed.thumbnail.height) <= 16);
        }
        MediaCategory::Video => {
            let info =
                check_video(data, &limits).expect("a detected video within the size limit passes");
            let mut stripped = data.to_vec();
            assert_eq!(strip_mp4_metadata(&mut stripped), info.metadata_boxes);
            assert_eq!(stripped.len(), data.len());
        }
        MediaCategory::Slides => {}
    }
});
