//! Kind detection by signature: the accepted kinds and the clear
//! rejections of everything else.

mod common;

use image::{DynamicImage, ImageFormat, RgbaImage};
use lectern_media::{MediaCategory, MediaError, MediaKind, detect_kind};

fn detected_name(bytes: &[u8]) -> String {
    match detect_kind(bytes) {
        Err(MediaError::UnsupportedType { detected }) => detected,
        other => panic!("expected UnsupportedType, got {other:?}"),
    }
}

fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
    let size = 16 + 4 * compatible.len() as u32;
    let mut bytes = size.to_be_bytes().to_vec();
    bytes.extend_from_slice(b"ftyp");
    bytes.extend_from_slice(major);
    bytes.extend_from_slice(&0u32.to_be_bytes());
    for brand in compatible {
        bytes.extend_from_slice(*brand);
    }
    // The next box, as in a real file.
    bytes.extend_from_slice(&8u32.to_be_bytes());
    bytes.extend_from_slice(b"free");
    bytes
}

/// Builds an EBML header with one DocType element, then the start of a Segment.
fn ebml(doctype: &str) -> Vec<u8> {
    let mut body = vec![0x42, 0x86, 0x81, 0x01]; // EBMLVersion 1
    body.extend_from_slice(&[0x42, 0x82, 0x80 | doctype.len() as u8]);
    body.extend_from_slice(doctype.as_bytes());
    let mut bytes = vec![0x1A, 0x45, 0xDF, 0xA3, 0x80 | body.len() as u8];
    bytes.extend_from_slice(&body);
    bytes.extend_from_slice(&[
        0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    ]);
    bytes
}

#[test]
fn encoded_pictures_are_detected() {
    let picture = DynamicImage::ImageRgba8(RgbaImage::new(4, 4));
    let cases = [
        (ImageFormat::Png, MediaKind::Png),
        (ImageFormat::Gif, MediaKind::Gif),
        (ImageFormat::WebP, MediaKind::WebP),
    ];
    for (format, kind) in cases {
        let bytes = common::encode_as(&picture, format);
        assert_eq!(detect_kind(&bytes).ok(), Some(kind), "{format:?}");
        assert_eq!(kind.category(), MediaCategory::Image);
    }
    let jpeg = common::encode_jpeg(&common::photo(4, 4));
    assert_eq!(detect_kind(&jpeg).ok(), Some(MediaKind::Jpeg));
}

#[test]
fn pdf_is_detected() {
    let pdf = common::pdf_with_pages(&[common::RED_RECTANGLE]);
    assert_eq!(detect_kind(&pdf).ok(), Some(MediaKind::Pdf));
    assert_eq!(MediaKind::Pdf.category(), MediaCategory::Slides);
}

#[test]
fn mp4_major_brands_are_video() {
    for brand in [b"isom", b"mp42", b"avc1", b"iso5", b"M4V "] {
        let bytes = ftyp(brand, &[]);
        assert_eq!(
            detect_kind(&bytes).ok(),
            Some(MediaKind::Mp4),
            "brand {:?}",
            String::from_utf8_lossy(brand)
        );
    }
}

#[test]
fn mp4_compatible_brand_is_video() {
    let bytes = ftyp(b"xyzw", &[b"abcd", b"isom"]);
    assert_eq!(detect_kind(&bytes).ok(), Some(MediaKind::Mp4));
}

#[test]
fn mp4_unknown_brand_is_named() {
    let bytes = ftyp(b"xyzw", &[b"abcd"]);
    assert!(detected_name(&bytes).contains("xyzw"));
}

#[test]
fn heic_photo_is_rejected_by_name() {
    let bytes = ftyp(b"heic", &[b"mif1", b"heic"]);
    let detected = detected_name(&bytes);
    assert!(detected.contains("HEIC"), "{detected}");
    assert!(detected.contains("JPEG"), "names the fix: {detected}");
}

#[test]
fn avif_quicktime_and_audio_are_rejected() {
    assert!(detected_name(&ftyp(b"avif", &[b"mif1"])).contains("AVIF"));
    assert!(detected_name(&ftyp(b"qt  ", &[b"qt  "])).contains("QuickTime"));
    assert!(detected_name(&ftyp(b"M4A ", &[b"isom", b"mp42"])).contains("audio"));
}

#[test]
fn truncated_ftyp_is_rejected() {
    let bytes = b"\0\0\0\x08ftypisom".to_vec();
    assert!(detected_name(&bytes).contains("ftyp"));
}

#[test]
fn webm_doctype_is_video() {
    assert_eq!(detect_kind(&ebml("webm")).ok(), Some(MediaKind::WebM));
    assert_eq!(MediaKind::WebM.category(), MediaCategory::Video);
}

#[test]
fn matroska_doctype_is_rejected() {
    assert!(detected_name(&ebml("matroska")).contains("Matroska"));
}

#[test]
fn ebml_without_doctype_is_rejected() {
    let bytes = [0x1A, 0x45, 0xDF, 0xA3, 0x84, 0x42, 0x86, 0x81, 0x01];
    assert!(detected_name(&bytes).contains("doctype"));
}

#[test]
fn truncated_ebml_header_is_rejected() {
    let mut bytes = ebml("webm");
    bytes.truncate(9);
    assert!(detected_name(&bytes).contains("EBML"));
}

#[test]
fn svg_is_rejected_with_advice() {
    let cases: [&[u8]; 4] = [
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>",
        b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        b"\xEF\xBB\xBF  \n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x\"><svg/>",
        b"<!-- drawn by hand -->\n<SVG></SVG>",
    ];
    for bytes in cases {
        let error = detect_kind(bytes).expect_err("SVG is rejected");
        assert!(matches!(error, MediaError::Svg), "{error:?}");
        assert_eq!(error.to_string(), "SVG is not accepted; export it as PNG");
    }
}

#[test]
fn xml_that_is_not_svg_is_text() {
    let bytes = b"<?xml version=\"1.0\"?>\n<note>hello</note>";
    assert!(detected_name(bytes).contains("text"));
}

#[test]
fn other_signatures_are_named() {
    let cases: [(&[u8], &str); 8] = [
        (b"BM\x36\0\0\0\0\0\0\0\x36\0\0\0", "BMP"),
        (b"II*\0\x08\0\0\0", "TIFF"),
        (b"PK\x03\x04\x14\0\0\0", "ZIP"),
        (b"\x1F\x8B\x08\0", "gzip"),
        (b"\x7FELF\x02\x01\x01", "executable"),
        (b"<!DOCTYPE html><html></html>", "HTML"),
        (b"just some notes\nfor the lecture\n", "text"),
        (b"\0\x01\x02\x03\xFE\xFD", "unknown"),
    ];
    for (bytes, expected) in cases {
        let detected = detected_name(bytes);
        assert!(detected.contains(expected), "{expected}: {detected}");
    }
}

#[test]
fn rejection_message_lists_accepted_kinds() {
    let error = detect_kind(b"plain words").expect_err("text is rejected");
    let message = error.to_string();
    assert!(
        message.starts_with("a plain text file is not accepted"),
        "{message}"
    );
    for kind in ["PNG", "JPEG", "GIF", "WebP", "MP4", "WebM", "PDF"] {
        assert!(message.contains(kind), "{kind} missing from {message}");
    }
}

#[test]
fn empty_upload_is_rejected() {
    assert!(matches!(detect_kind(&[]), Err(MediaError::Empty)));
}

#[test]
fn signature_decides_not_content_after_it() {
    // A PNG signature followed by text is still judged a PNG here; the
    // picture pipeline then rejects it as damaged.
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(b"<svg></svg>");
    assert_eq!(detect_kind(&bytes).ok(), Some(MediaKind::Png));
}
