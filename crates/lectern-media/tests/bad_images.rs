//! Damaged, oversized and unaccepted pictures: each gives a clear error,
//! never a panic, and an oversized one is rejected before decoding.

mod common;

use std::alloc::System;

use cap::Cap;
use image::DynamicImage;
use lectern_media::{
    MediaError, MediaKind, MediaLimits, ProcessedMedia, process_image, process_upload,
};

/// Counts this test binary's heap use, so that a test can check that a
/// picture was rejected without allocating its pixels. The limit stops a
/// runaway allocation from swapping the machine.
#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, 4 * 1024 * 1024 * 1024);

fn valid_png() -> Vec<u8> {
    common::encode_png(&DynamicImage::ImageRgb8(common::photo(64, 64)))
}

fn expect_corrupt(result: Result<impl std::fmt::Debug, MediaError>, kind: MediaKind) -> String {
    match result {
        Err(MediaError::Corrupt {
            kind: actual,
            reason,
        }) => {
            assert_eq!(actual, kind);
            reason
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn truncated_png_is_corrupt() {
    let png = valid_png();
    let truncated = &png[..png.len() / 2];
    let result = process_upload(truncated, &MediaLimits::default());
    let error = result
        .as_ref()
        .err()
        .map(ToString::to_string)
        .unwrap_or_default();
    expect_corrupt(result, MediaKind::Png);
    assert!(error.contains("damaged or truncated"), "{error}");
}

#[test]
fn png_cut_after_header_is_corrupt() {
    let png = valid_png();
    expect_corrupt(
        process_upload(&png[..40], &MediaLimits::default()),
        MediaKind::Png,
    );
}

#[test]
fn garbage_after_png_signature_is_corrupt() {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..4000u32).map(|index| (index.wrapping_mul(2_654_435_761) >> 13) as u8));
    expect_corrupt(
        process_upload(&bytes, &MediaLimits::default()),
        MediaKind::Png,
    );
}

#[test]
fn huge_png_header_rejected_before_decoding() {
    let bytes = common::png_header_only(100_000, 100_000);
    let before = ALLOCATOR.allocated();
    let result = process_upload(&bytes, &MediaLimits::default());
    let peak = ALLOCATOR.max_allocated();

    match result {
        Err(MediaError::PixelLimit {
            width,
            height,
            limit,
        }) => {
            assert_eq!((width, height), (100_000, 100_000));
            assert_eq!(limit, 40_000_000);
        }
        other => panic!("expected PixelLimit, got {other:?}"),
    }
    // 100000 × 100000 RGBA pixels would be 40 GB. The peak counts every
    // test of this binary, all of which use small pictures.
    assert!(
        peak < before + 64 * 1024 * 1024,
        "peak heap use {peak} bytes suggests the pixels were allocated"
    );
}

#[test]
fn pixel_limit_error_names_size_and_fix() {
    let bytes = common::png_header_only(8000, 8000);
    let error = process_upload(&bytes, &MediaLimits::default()).expect_err("over 40 MP");
    assert_eq!(
        error.to_string(),
        "the picture is 8000x8000 pixels, over the limit of 40000000 pixels; \
         scale it down before uploading"
    );
}

#[test]
fn configured_pixel_limit_applies() {
    let limits = MediaLimits {
        max_pixels: 1000,
        ..MediaLimits::default()
    };
    let bytes = common::encode_jpeg(&common::photo(40, 30));
    let error = process_image(&bytes, MediaKind::Jpeg, &limits).expect_err("1200 > 1000 pixels");
    assert!(matches!(
        error,
        MediaError::PixelLimit {
            width: 40,
            height: 30,
            limit: 1000
        }
    ));
}

#[test]
fn overlong_side_is_rejected() {
    let bytes = common::png_header_only(30_000, 10);
    let error = process_upload(&bytes, &MediaLimits::default()).expect_err("side over 20000");
    assert!(
        matches!(
            error,
            MediaError::SideLimit {
                width: 30_000,
                height: 10,
                max_side: 20_000
            }
        ),
        "{error:?}"
    );
}

#[test]
fn zero_width_png_is_corrupt() {
    let bytes = common::png_header_only(0, 10);
    expect_corrupt(
        process_upload(&bytes, &MediaLimits::default()),
        MediaKind::Png,
    );
}

#[test]
fn zero_size_upload_is_empty() {
    let error = process_upload(&[], &MediaLimits::default()).expect_err("empty");
    assert!(matches!(error, MediaError::Empty));
    assert_eq!(
        error.to_string(),
        "the file is empty; choose a file with content"
    );
}

#[test]
fn svg_is_rejected() {
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    let error = process_upload(svg, &MediaLimits::default()).expect_err("SVG");
    assert!(matches!(error, MediaError::Svg));
    assert_eq!(error.to_string(), "SVG is not accepted; export it as PNG");
}

#[test]
fn text_file_is_unsupported() {
    let error =
        process_upload(b"Lecture notes\n1. Limits\n", &MediaLimits::default()).expect_err("text");
    match error {
        MediaError::UnsupportedType { detected } => assert_eq!(detected, "a plain text file"),
        other => panic!("expected UnsupportedType, got {other:?}"),
    }
}

#[test]
fn truncated_jpeg_is_corrupt() {
    let jpeg = common::encode_jpeg(&common::photo(64, 64));
    expect_corrupt(
        process_upload(&jpeg[..300], &MediaLimits::default()),
        MediaKind::Jpeg,
    );
}

#[test]
fn jpeg_signature_alone_is_corrupt() {
    expect_corrupt(
        process_upload(&[0xFF, 0xD8, 0xFF], &MediaLimits::default()),
        MediaKind::Jpeg,
    );
}

#[test]
fn truncated_gif_is_corrupt() {
    let gif = common::two_frame_gif(16, 16);
    expect_corrupt(
        process_upload(&gif[..20], &MediaLimits::default()),
        MediaKind::Gif,
    );
}

#[test]
fn garbage_webp_is_corrupt() {
    let mut bytes = b"RIFF\x20\0\0\0WEBPVP8 ".to_vec();
    bytes.extend_from_slice(&[0x55; 24]);
    expect_corrupt(
        process_upload(&bytes, &MediaLimits::default()),
        MediaKind::WebP,
    );
}

#[test]
fn oversized_file_is_too_large() {
    let limits = MediaLimits {
        max_image_bytes: 100,
        ..MediaLimits::default()
    };
    let png = valid_png();
    let error = process_upload(&png, &limits).expect_err("over 100 bytes");
    match error {
        MediaError::TooLarge { kind, size, limit } => {
            assert_eq!(kind, MediaKind::Png);
            assert_eq!(size, png.len() as u64);
            assert_eq!(limit, 100);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn pdf_given_to_picture_pipeline_is_wrong_category() {
    let pdf = common::pdf_with_pages(&[common::RED_RECTANGLE]);
    let error = process_image(&pdf, MediaKind::Pdf, &MediaLimits::default()).expect_err("PDF");
    assert!(matches!(
        error,
        MediaError::WrongCategory {
            kind: MediaKind::Pdf,
            ..
        }
    ));
}

#[test]
fn mutated_pictures_never_panic() {
    // Every truncation and a spread of single-byte changes of small valid
    // pictures, in each accepted format. A decoder panic is caught and
    // reported as "failed unexpectedly", which this test treats as a bug.
    let picture = DynamicImage::ImageRgb8(common::photo(24, 16));
    let fixtures = [
        (MediaKind::Png, common::encode_png(&picture)),
        (
            MediaKind::Jpeg,
            common::jpeg_with_metadata(&common::photo(24, 16), 6),
        ),
        (MediaKind::Gif, common::two_frame_gif(24, 16)),
        (
            MediaKind::WebP,
            common::encode_webp_lossless(&picture.to_rgba8()),
        ),
    ];
    let limits = MediaLimits {
        display_max_edge: 16,
        thumbnail_max_edge: 8,
        ..MediaLimits::default()
    };
    let mut inputs = 0;
    for (kind, bytes) in &fixtures {
        let mut mutants: Vec<Vec<u8>> = (1..bytes.len()).map(|cut| bytes[..cut].to_vec()).collect();
        for position in (0..bytes.len()).step_by(3) {
            for replacement in [0x00, 0xFF, bytes[position] ^ 0x5A] {
                let mut mutant = bytes.clone();
                mutant[position] = replacement;
                mutants.push(mutant);
            }
        }
        for mutant in mutants {
            inputs += 1;
            if let Err(error) = process_image(&mutant, *kind, &limits) {
                let message = error.to_string();
                assert!(
                    !message.contains("failed unexpectedly"),
                    "{kind} mutant of {} bytes: {message}",
                    mutant.len()
                );
            }
        }
    }
    assert!(inputs > 1000, "only {inputs} inputs were tried");
}

#[test]
fn overfull_huffman_table_is_corrupt() {
    let jpeg = common::encode_jpeg(&common::photo(64, 64));
    let corrupt = common::jpeg_with_overfull_huffman_tables(&jpeg);
    assert_eq!(corrupt.len(), jpeg.len(), "corrupted in place");

    let result = process_upload(&corrupt, &MediaLimits::default());
    let message = result
        .as_ref()
        .err()
        .map(ToString::to_string)
        .unwrap_or_default();
    let reason = expect_corrupt(result, MediaKind::Jpeg);
    assert!(!reason.contains("failed unexpectedly"), "{reason}");
    assert!(message.contains("damaged or truncated"), "{message}");
}

#[test]
fn png_with_appended_payloads_is_reencoded() {
    // A polyglot: a valid PNG followed by an HTML script, a ZIP entry and a
    // PDF trailer. The decoder stops at IEND, and none of the outputs may
    // carry the bytes after it.
    let mut polyglot = valid_png();
    polyglot.extend_from_slice(POLYGLOT_SCRIPT.as_bytes());
    polyglot.extend_from_slice(b"PK\x03\x04\x14\0\0\0\0\0payload.js");
    polyglot.extend_from_slice(POLYGLOT_SCRIPT.as_bytes());
    polyglot.extend_from_slice(b"\n%PDF-1.4\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");

    let processed = match process_upload(&polyglot, &MediaLimits::default()) {
        Ok(ProcessedMedia::Image { kind, image }) => {
            assert_eq!(kind, MediaKind::Png);
            image
        }
        other => panic!("expected a PNG picture, got {other:?}"),
    };
    for version in [
        &processed.original,
        &processed.display,
        &processed.thumbnail,
    ] {
        assert!(
            !contains(&version.bytes, b"<script"),
            "{version:?} has the script"
        );
        assert!(
            !contains(&version.bytes, b"PK\x03\x04"),
            "{version:?} has the ZIP entry"
        );
        assert!(
            !contains(&version.bytes, b"%PDF"),
            "{version:?} has the PDF trailer"
        );
        assert!(
            !contains(&version.bytes, b"%%EOF"),
            "{version:?} has the PDF trailer"
        );
    }
}

#[test]
fn gif_header_on_script_is_rejected() {
    // "GIFAR"-style JavaScript whose first bytes are a GIF header: a browser
    // that ran it as a script would see `GIF89a=...`. The header's size
    // fields are the script's next bytes, "=1;<", which declare a picture
    // of 12605x15419 pixels.
    let script = format!("GIF89a=1;{POLYGLOT_SCRIPT}//");
    let error =
        process_upload(script.as_bytes(), &MediaLimits::default()).expect_err("not a picture");
    assert!(
        matches!(
            error,
            MediaError::PixelLimit {
                width: 12_605,
                height: 15_419,
                ..
            }
        ),
        "{error:?}"
    );

    // The same script under a header that declares 1x1 pixels.
    let mut small = b"GIF89a\x01\0\x01\0".to_vec();
    small.extend_from_slice(POLYGLOT_SCRIPT.as_bytes());
    expect_corrupt(
        process_upload(&small, &MediaLimits::default()),
        MediaKind::Gif,
    );
}

/// A script planted in polyglot fixtures; no output may contain it.
const POLYGLOT_SCRIPT: &str = "<script>fetch('/steal?c='+document.cookie)</script>";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}
